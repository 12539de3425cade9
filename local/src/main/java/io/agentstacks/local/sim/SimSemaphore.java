package io.agentstacks.local.sim;

import io.agentstacks.demand.Demand;
import io.agentstacks.demand.DemandSource;
import io.agentstacks.demand.Observation;
import io.agentstacks.token.AgentToken;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Semaphore, as far as scaling sees it: a FIFO queue of jobs for one agent type, and the agents of that
 * type, each on one instance. An agent registers when its instance is in service, takes one job at a
 * time, and leaves as the spec says: after a job ({@code disconnectAfterJob}: its instance is terminated
 * without lowering desired capacity, so a fresh one boots) or after {@code disconnectAfterIdleSeconds}
 * idle (terminated lowering desired; at min size the call is refused and the agent powers the instance
 * off, which the group replaces). While it runs a job the agent may protect its instance from scale-in.
 *
 * <p>It is also the metrics endpoint the poller reads ({@link DemandSource}).
 */
final class SimSemaphore implements DemandSource {

    /** What an agent does to its own instance (the agent's hooks calling Auto Scaling). */
    interface Host {
        void protect(String instanceId, boolean on);

        void leaveAfterJob(String instanceId);

        void leaveIdle(String instanceId);
    }

    private static final class Agent {
        final String instanceId;
        Running job;
        Instant idleSince;
        long generation;

        Agent(String instanceId, Instant now) {
            this.instanceId = instanceId;
            this.idleSince = now;
        }
    }

    private record Queued(Job job, Instant submittedAt) {
    }

    private record Running(Queued queued, Instant startedAt) {
    }

    private final Clock clock;
    private final EventLoop loop;
    private final boolean disconnectAfterJob;
    private final int idleTimeoutSeconds;
    private final Host host;
    private final Runnable onChange;
    private final Deque<Queued> queue = new ArrayDeque<>();
    private final Map<String, Agent> agents = new LinkedHashMap<>();
    private final List<Double> waits = new ArrayList<>();
    private int completed;
    private int interrupted;

    SimSemaphore(Clock clock, EventLoop loop, boolean disconnectAfterJob, int idleTimeoutSeconds, Host host,
                 Runnable onChange) {
        this.clock = clock;
        this.loop = loop;
        this.disconnectAfterJob = disconnectAfterJob;
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        this.host = host;
        this.onChange = onChange;
    }

    synchronized void submit(Job job) {
        queue.addLast(new Queued(job, clock.instant()));
        dispatch();
        onChange.run();
    }

    /** The instance is in service: its agent registers and is idle. */
    synchronized void register(String instanceId) {
        Agent a = new Agent(instanceId, clock.instant());
        agents.put(instanceId, a);
        armIdleTimer(a);
        dispatch();
        onChange.run();
    }

    /** The instance is gone; a job it was running is lost and Semaphore queues it again. */
    synchronized void instanceGone(String instanceId) {
        Agent a = agents.remove(instanceId);
        if (a == null) {
            return;
        }
        a.generation++;
        if (a.job != null) {
            interrupted++;
            queue.addFirst(a.job.queued());
            dispatch();
        }
        onChange.run();
    }

    private void dispatch() {
        while (!queue.isEmpty()) {
            Optional<Agent> idle = agents.values().stream().filter(a -> a.job == null)
                    .min(Comparator.comparing((Agent a) -> a.idleSince));
            if (idle.isEmpty()) {
                return;
            }
            start(idle.get(), queue.pollFirst());
        }
    }

    private void start(Agent a, Queued q) {
        Instant now = clock.instant();
        a.job = new Running(q, now);
        long generation = ++a.generation;
        host.protect(a.instanceId, true);
        loop.after(q.job().durationSeconds(), () -> finish(a, generation));
    }

    private synchronized void finish(Agent a, long generation) {
        if (a.generation != generation || agents.get(a.instanceId) != a) {
            return;
        }
        Running r = a.job;
        waits.add(Duration.between(r.queued().submittedAt(), r.startedAt()).toNanos() / 1e9);
        completed++;
        a.job = null;
        a.generation++;
        host.protect(a.instanceId, false);
        if (disconnectAfterJob) {
            agents.remove(a.instanceId);
            host.leaveAfterJob(a.instanceId);
        } else {
            a.idleSince = clock.instant();
            armIdleTimer(a);
            dispatch();
        }
        onChange.run();
    }

    private void armIdleTimer(Agent a) {
        if (idleTimeoutSeconds <= 0) {
            return;
        }
        long generation = a.generation;
        loop.after(idleTimeoutSeconds, () -> idleTimeout(a, generation));
    }

    private synchronized void idleTimeout(Agent a, long generation) {
        if (a.generation != generation || a.job != null || agents.get(a.instanceId) != a) {
            return;
        }
        agents.remove(a.instanceId);
        host.leaveIdle(a.instanceId);
        onChange.run();
    }

    @Override
    public synchronized Observation observe(String endpointUrl, AgentToken token) {
        return new Observation.Observed(demand(), clock.instant());
    }

    synchronized Demand demand() {
        int busy = (int) agents.values().stream().filter(a -> a.job != null).count();
        return new Demand(queue.size(), busy, agents.size() - busy, busy);
    }

    synchronized int agentCount() {
        return agents.size();
    }

    synchronized List<Double> waits() {
        return List.copyOf(waits);
    }

    synchronized int completed() {
        return completed;
    }

    synchronized int interrupted() {
        return interrupted;
    }

    synchronized boolean idle() {
        return queue.isEmpty() && agents.values().stream().allMatch(a -> a.job == null);
    }
}
