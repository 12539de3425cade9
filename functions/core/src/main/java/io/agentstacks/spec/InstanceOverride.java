package io.agentstacks.spec;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * One entry of {@code launchTemplateOverrides}: another instance type the Auto Scaling group may launch,
 * as in a mixed instances policy's {@code Overrides}.
 */
public record InstanceOverride(String instanceType, OptionalInt weightedCapacity) {

    public InstanceOverride {
        Objects.requireNonNull(instanceType, "instanceType");
        Objects.requireNonNull(weightedCapacity, "weightedCapacity");
    }
}
