package io.agentstacks.scaling;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What one scaling decision hands to the next: since when the group has had more capacity than the
 * queue needs ({@code up-down} lowers desired capacity only once that has lasted
 * {@code scaling.scaleInIdleSeconds}). Stored in the registry with the decision.
 */
public record ScalingMemory(Optional<Instant> surplusSince) {

    public ScalingMemory {
        Objects.requireNonNull(surplusSince, "surplusSince");
    }

    public static ScalingMemory none() {
        return new ScalingMemory(Optional.empty());
    }
}
