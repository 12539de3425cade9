package io.agentstacks.demand;

/**
 * One reading of Semaphore's self-hosted agent metrics for an agent type:
 * {@code {"jobs":{"queued":N,"running":N},"agents":{"idle":N,"occupied":N}}}.
 */
public record Demand(int queuedJobs, int runningJobs, int idleAgents, int occupiedAgents) {

    public Demand {
        if (queuedJobs < 0 || runningJobs < 0 || idleAgents < 0 || occupiedAgents < 0) {
            throw new IllegalArgumentException("demand counts cannot be negative");
        }
    }

    /** Jobs that need an agent now: queued plus running (the older tool's measure). */
    public int jobs() {
        return queuedJobs + runningJobs;
    }

    public int agents() {
        return idleAgents + occupiedAgents;
    }
}
