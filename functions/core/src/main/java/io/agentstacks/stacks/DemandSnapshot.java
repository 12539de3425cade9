package io.agentstacks.stacks;

import java.time.Instant;
import java.util.Objects;

/** The newest demand the poller saw for a stack, kept in the registry for {@code GET /stacks/{name}}. */
public record DemandSnapshot(int queuedJobs, int runningJobs, int idleAgents, int occupiedAgents, Instant observedAt) {
    public DemandSnapshot {
        Objects.requireNonNull(observedAt, "observedAt");
    }
}
