package io.agentstacks.demand;

import io.agentstacks.stacks.DemandSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether the poller puts a {@code DemandObserved} event for a reading: when demand changed since the
 * last event it put for the stack, and at least once a {@link #HEARTBEAT} even when nothing changed, so
 * that the scaler sees fresh observations (and {@code up-down} can count idle time) on a quiet queue.
 */
public final class ChangeDetector {

    /** The longest time between two events of one stack. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(60);

    private ChangeDetector() {
    }

    /**
     * @param lastPublished the reading of the last event put for the stack (the registry's {@code lastDemand})
     * @param pollInterval  the stack's poll interval: an unchanged reading is put when waiting for the next
     *                      poll would leave more than {@link #HEARTBEAT} between two events
     */
    public static boolean shouldPublish(Optional<DemandSnapshot> lastPublished, Demand demand, Instant at,
                                        Duration pollInterval) {
        Objects.requireNonNull(lastPublished, "lastPublished");
        Objects.requireNonNull(demand, "demand");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (lastPublished.isEmpty()) {
            return true;
        }
        DemandSnapshot last = lastPublished.get();
        return !snapshotOf(demand, last.observedAt()).equals(last)
                || Duration.between(last.observedAt(), at).plus(pollInterval).compareTo(HEARTBEAT) > 0;
    }

    /** The registry's form of a reading. */
    public static DemandSnapshot snapshotOf(Demand demand, Instant at) {
        return new DemandSnapshot(demand.queuedJobs(), demand.runningJobs(), demand.idleAgents(),
                demand.occupiedAgents(), at);
    }
}
