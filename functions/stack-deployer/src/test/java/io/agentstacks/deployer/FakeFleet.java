package io.agentstacks.deployer;

import io.agentstacks.scaling.FleetControl;
import io.agentstacks.scaling.GroupState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Auto Scaling groups in a map, with every call recorded: enough for the deployer's steps. */
final class FakeFleet implements FleetControl {

    final Map<String, GroupState> groups = new HashMap<>();
    final List<String> calls = new ArrayList<>();
    final Map<String, String> refreshes = new HashMap<>();
    /** Groups whose StartInstanceRefresh fails, with that failure. */
    final Map<String, RuntimeException> refusing = new HashMap<>();

    void add(String group, int desired, int instances) {
        List<GroupState.Instance> list = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            list.add(new GroupState.Instance("i-" + group.hashCode() + "-" + i, "InService", "us-east-1a", i == 0));
        }
        groups.put(group, new GroupState(group, 0, Math.max(desired, 1), desired, list, 0));
    }

    /**
     * Every instance is on its way out, {@code terminating} of them still held in Terminating:Wait by the terminate
     * lifecycle hook while their agents finish a job.
     */
    void instancesTerminating(String group, int terminating) {
        GroupState g = groups.get(group);
        groups.put(group, new GroupState(group, g.minSize(), g.maxSize(), g.desiredCapacity(), List.of(), g.warmInstances(),
                terminating));
    }

    /** The group ends its instances, as Auto Scaling does once desired capacity is 0 and jobs are done. */
    void instancesEnded(String group) {
        GroupState g = groups.get(group);
        groups.put(group, new GroupState(group, g.minSize(), g.maxSize(), g.desiredCapacity(), List.of(), g.warmInstances()));
    }

    @Override
    public Optional<GroupState> describe(String groupName) {
        calls.add("describe " + groupName);
        return Optional.ofNullable(groups.get(groupName));
    }

    @Override
    public void setDesiredCapacity(String groupName, int desiredCapacity) {
        calls.add("setDesiredCapacity " + groupName + " " + desiredCapacity);
    }

    @Override
    public void updateSizes(String groupName, int minSize, int maxSize, int desiredCapacity) {
        calls.add("updateSizes " + groupName + " " + minSize + "/" + maxSize + "/" + desiredCapacity);
        GroupState g = groups.get(groupName);
        groups.put(groupName, new GroupState(groupName, minSize, maxSize, desiredCapacity, g.instances(), g.warmInstances()));
    }

    @Override
    public void suspendAzRebalance(String groupName) {
        calls.add("suspendAzRebalance " + groupName);
    }

    /** Answers the running refresh of a group instead of starting another, as Auto Scaling's adapter does. */
    @Override
    public String startInstanceRefresh(String groupName) {
        calls.add("startInstanceRefresh " + groupName);
        if (refusing.containsKey(groupName)) {
            throw refusing.get(groupName);
        }
        return refreshes.computeIfAbsent(groupName, g -> "ir-" + g);
    }
}
