package io.agentstacks.scaling;

import java.util.List;
import java.util.Objects;

/**
 * What Auto Scaling reports for a stack's group at one moment.
 *
 * @param instances            in-service and pending instances (not the warm pool, not those terminating): what
 *                             the scaler counts as capacity
 * @param warmInstances        instances waiting in the warm pool
 * @param terminatingInstances instances on their way out that still run: {@code Terminating}, {@code Terminating:Wait}
 *                             (the terminate lifecycle hook lets the agent finish its job) and {@code Terminating:Proceed}
 */
public record GroupState(
        String groupName,
        int minSize,
        int maxSize,
        int desiredCapacity,
        List<Instance> instances,
        int warmInstances,
        int terminatingInstances) {

    public GroupState {
        Objects.requireNonNull(groupName, "groupName");
        instances = List.copyOf(instances);
        if (terminatingInstances < 0) {
            throw new IllegalArgumentException("terminatingInstances cannot be negative");
        }
    }

    /** A group with no instance terminating. */
    public GroupState(String groupName, int minSize, int maxSize, int desiredCapacity, List<Instance> instances,
                      int warmInstances) {
        this(groupName, minSize, maxSize, desiredCapacity, instances, warmInstances, 0);
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

    /**
     * Every instance of the group that still runs, terminating ones included (not the warm pool): a group is
     * drained, and its Mac hosts may be taken out of the host group, only when this is 0.
     */
    public int runningInstanceCount() {
        return (int) instances.stream().filter(i -> !"Terminated".equals(i.lifecycleState())).count() + terminatingInstances;
    }
}
