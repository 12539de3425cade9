package io.agentstacks.stacks;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The scaler's newest decision for a stack.
 *
 * @param observedAt   the observation it answered; a second delivery of the same observation is ignored
 * @param surplusSince since when the group has had more capacity than needed (for {@code up-down})
 * @param groupSizes   the group's min and max size the decision was capped by, as the scaler read them (schedules
 *                     change them, so they may differ from the spec's); {@code 0..0} when the group was not found;
 *                     empty in a decision stored before the scaler recorded them
 */
public record DecisionSnapshot(
        String action,
        int previousDesired,
        int desired,
        String reason,
        Instant observedAt,
        Instant decidedAt,
        Optional<Instant> surplusSince,
        Optional<GroupSizes> groupSizes) {

    public DecisionSnapshot {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(observedAt, "observedAt");
        Objects.requireNonNull(decidedAt, "decidedAt");
        Objects.requireNonNull(surplusSince, "surplusSince");
        Objects.requireNonNull(groupSizes, "groupSizes");
    }

    /** A decision without the group's sizes (as stored before the scaler recorded them). */
    public DecisionSnapshot(String action, int previousDesired, int desired, String reason, Instant observedAt,
                            Instant decidedAt, Optional<Instant> surplusSince) {
        this(action, previousDesired, desired, reason, observedAt, decidedAt, surplusSince, Optional.empty());
    }

    /** The group's min and max size when the decision was made. */
    public record GroupSizes(int min, int max) {
        public GroupSizes {
            if (min < 0 || max < min) {
                throw new IllegalArgumentException("group sizes must be 0 <= min <= max, not " + min + ".." + max);
            }
        }

        /** What a group that was not found can hold. */
        public static final GroupSizes NO_GROUP = new GroupSizes(0, 0);
    }
}
