package io.agentstacks.scaling;

import java.util.List;
import java.util.Objects;

/**
 * What Auto Scaling reports for a stack's group at one moment.
 *
 * @param instances in-service and pending instances (not the warm pool)
 * @param warmInstances instances waiting in the warm pool
 */
public record GroupState(
        String groupName,
        int minSize,
        int maxSize,
        int desiredCapacity,
        List<Instance> instances,
        int warmInstances) {

    public GroupState {
        Objects.requireNonNull(groupName, "groupName");
        instances = List.copyOf(instances);
    }

    /** An instance of the group, as DescribeAutoScalingGroups lists it. */
    public record Instance(String instanceId, String lifecycleState, String availabilityZone, boolean protectedFromScaleIn) {
        public Instance {
            Objects.requireNonNull(instanceId, "instanceId");
            Objects.requireNonNull(lifecycleState, "lifecycleState");
            Objects.requireNonNull(availabilityZone, "availabilityZone");
        }

        public boolean inService() {
            return "InService".equals(lifecycleState);
        }
    }

    public long inServiceCount() {
        return instances.stream().filter(Instance::inService).count();
    }
}
