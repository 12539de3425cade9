package io.agentstacks.demand;

import io.agentstacks.scaling.ScalingPolicy;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.DecisionSnapshot;
import io.agentstacks.stacks.DemandSnapshot;
import io.agentstacks.stacks.StackRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether the poller puts a {@code DemandObserved} event for a reading: when demand changed since the
 * last event it put for the stack, at least once a {@link #HEARTBEAT} even when nothing changed, so
 * that the scaler sees fresh observations (and {@code up-down} can count idle time) on a quiet queue, and
 * whenever the scaler's last decision left less desired capacity than the reading needs (see
 * {@link #belowNeed}), so that a decision held on older, failed or stale demand is made again at the next poll, as
 * the older tool's scaler, which looked every 10 s, did.
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

    /**
     * {@link #shouldPublish(Optional, Demand, Instant, Duration)} over what the registry holds of the stack
     * (its last published reading and the scaler's last decision), or {@link #belowNeed}. Needs no call
     * to AWS: both come with the record the poller reads anyway.
     */
    public static boolean shouldPublish(StackRecord record, Demand demand, Instant at, Duration pollInterval) {
        Objects.requireNonNull(record, "record");
        return shouldPublish(record.lastDemand(), demand, at, pollInterval) || belowNeed(record, demand);
    }

    /**
     * True when the scaler's last decision for the stack left desired capacity below what {@code demand}
     * needs by the stack's policy ({@link ScalingPolicy#target}), measured as the scaler measures it: capped by the
     * group's min and max size the decision recorded ({@link DecisionSnapshot#groupSizes()}), which schedules change,
     * not by the spec's. So a decision capped by a lowered max, or a hold because the group was not found (sizes
     * {@code 0..0}), is not published again at every poll. That decision was made on older demand, or held on a
     * failed or stale observation, and unchanged demand would otherwise wait for the heartbeat. A decision stored
     * before the scaler recorded the group's sizes is measured by the spec's. False when dynamic scaling is off (the
     * scaler holds whatever it is shown) and before the scaler's first decision.
     *
     * <p>It cannot see a decision that was claimed but whose SetDesiredCapacity never ran (the scaler died between
     * the two): the claim already records the new desired capacity. That one waits for the {@link #HEARTBEAT}, as
     * does a group whose max was raised since the decision (its recorded max still caps the need).
     */
    public static boolean belowNeed(StackRecord record, Demand demand) {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(demand, "demand");
        StackSpec spec = record.spec();
        Optional<DecisionSnapshot> decision = record.lastDecision();
        if (!spec.dynamicScaling() || decision.isEmpty()) {
            return false;
        }
        DecisionSnapshot.GroupSizes sizes = decision.get().groupSizes()
                .orElseGet(() -> new DecisionSnapshot.GroupSizes(spec.minSize(), spec.maxSize()));
        int needed = ScalingPolicy.target(demand.jobs(), sizes.min(), sizes.max(), spec.scaling().overprovision());
        return decision.get().desired() < needed;
    }

    /** The registry's form of a reading. */
    public static DemandSnapshot snapshotOf(Demand demand, Instant at) {
        return new DemandSnapshot(demand.queuedJobs(), demand.runningJobs(), demand.idleAgents(),
                demand.occupiedAgents(), at);
    }
}
