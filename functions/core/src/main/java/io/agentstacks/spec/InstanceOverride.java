package io.agentstacks.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One entry of {@code launchTemplateOverrides}: another instance type the Auto Scaling group may launch,
 * as in a mixed instances policy's {@code Overrides}.
 *
 * <p>An entry names either an {@code instanceType} or {@code instanceRequirements} (attribute-based
 * instance type selection, CloudFormation's {@code InstanceRequirements} shape, kept as JSON; {@link SpecFields}
 * declares the members the agent-stack template takes);
 * Auto Scaling takes one or the other, never both.
 */
public record InstanceOverride(
        Optional<String> instanceType,
        OptionalInt weightedCapacity,
        Optional<ObjectNode> instanceRequirements) {

    public InstanceOverride {
        Objects.requireNonNull(instanceType, "instanceType");
        Objects.requireNonNull(weightedCapacity, "weightedCapacity");
        Objects.requireNonNull(instanceRequirements, "instanceRequirements");
        instanceRequirements = instanceRequirements.map(ObjectNode::deepCopy);
    }

    /** An override by instance type, optionally weighted. */
    public InstanceOverride(String instanceType, OptionalInt weightedCapacity) {
        this(Optional.of(instanceType), weightedCapacity, Optional.empty());
    }

    /** An override by instance attributes ({@code InstanceRequirements}). */
    public static InstanceOverride ofRequirements(ObjectNode instanceRequirements, OptionalInt weightedCapacity) {
        return new InstanceOverride(Optional.empty(), weightedCapacity, Optional.of(instanceRequirements));
    }

    /** A copy: the JSON tree is mutable and this record is not. */
    @Override
    public Optional<ObjectNode> instanceRequirements() {
        return instanceRequirements.map(ObjectNode::deepCopy);
    }
}
