package io.agentstacks.local.sim;

/**
 * A job of a trace.
 *
 * @param submitSeconds   seconds from the trace's start until Semaphore queues it
 * @param durationSeconds how long it runs once an agent takes it
 * @param pipeline        the pipeline it belongs to (jobs of one pipeline are queued together), or -1
 */
public record Job(int id, double submitSeconds, double durationSeconds, long pipeline) {
    public Job {
        if (submitSeconds < 0 || Double.isNaN(submitSeconds) || Double.isInfinite(submitSeconds)) {
            throw new IllegalArgumentException("submit_s must be 0 or more, got " + submitSeconds);
        }
        if (!(durationSeconds > 0) || Double.isInfinite(durationSeconds)) {
            throw new IllegalArgumentException("duration_s must be more than 0, got " + durationSeconds);
        }
    }
}
