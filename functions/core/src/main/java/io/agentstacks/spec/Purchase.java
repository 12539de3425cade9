package io.agentstacks.spec;

import java.util.Objects;
import java.util.Optional;

/** {@code purchase}: on-demand and spot mix of the Auto Scaling group's mixed instances policy. */
public record Purchase(
        int onDemandBaseCapacity,
        int onDemandPercentageAboveBase,
        Optional<String> onDemandAllocationStrategy,
        Optional<String> spotAllocationStrategy,
        boolean capacityRebalance) {

    public Purchase {
        Objects.requireNonNull(onDemandAllocationStrategy, "onDemandAllocationStrategy");
        Objects.requireNonNull(spotAllocationStrategy, "spotAllocationStrategy");
    }

    public static Purchase defaults() {
        return new Purchase(0, 100, Optional.empty(), Optional.empty(), false);
    }

    /** True when some capacity may be spot, which rules out a warm pool. */
    public boolean usesSpot() {
        return onDemandPercentageAboveBase < 100;
    }
}
