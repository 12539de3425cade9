package io.agentstacks.stacks;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The scaler's newest decision for a stack.
 *
 * @param observedAt   the observation it answered; a second delivery of the same observation is ignored
 * @param surplusSince since when the group has had more capacity than needed (for {@code up-down})
 */
public record DecisionSnapshot(
        String action,
        int previousDesired,
        int desired,
        String reason,
        Instant observedAt,
        Instant decidedAt,
        Optional<Instant> surplusSince) {

    public DecisionSnapshot {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(observedAt, "observedAt");
        Objects.requireNonNull(decidedAt, "decidedAt");
        Objects.requireNonNull(surplusSince, "surplusSince");
    }
}
