package io.agentstacks.local.sim;

import java.util.List;

/**
 * The figures of one simulated run (times in seconds).
 *
 * @param jobs             jobs that ran to the end
 * @param submitted        jobs in the trace
 * @param interrupted      jobs lost with their instance and queued again (0 when scale-in protection works)
 * @param instanceSeconds  instance time in the group (pending and in service), warm pool excluded
 * @param warmPoolSeconds  instance time in the warm pool (warming and stopped)
 * @param scalingCalls     SetDesiredCapacity calls
 * @param reactions        per shortage at Semaphore, seconds until desired capacity was raised
 * @param samples          queue length, desired capacity and agents over time, for charts
 */
public record SimulationResult(String policy, String trace, int jobs, int submitted, int interrupted, List<Double> waits,
                               double instanceSeconds, double warmPoolSeconds, double costUsd, int scalingCalls,
                               List<Double> reactions, List<Sample> samples) {

    public SimulationResult {
        waits = List.copyOf(waits);
        reactions = List.copyOf(reactions);
        samples = List.copyOf(samples);
    }

    /** One point of the chart: at {@code second} of the run. */
    public record Sample(long second, int queued, int desired, int agents) {
    }

    public double waitP50() {
        return percentile(waits, 50);
    }

    public double waitP95() {
        return percentile(waits, 95);
    }

    public double waitMax() {
        return percentile(waits, 100);
    }

    public double reactionP99() {
        return percentile(reactions, 99);
    }

    /** Nearest-rank percentile; 0 for no values. */
    public static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
