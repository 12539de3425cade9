package io.agentstacks.stackapi;

import io.agentstacks.scaling.FleetControl;
import io.agentstacks.scaling.GroupState;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Groups set by the test; describe fails when told to, as a throttled Auto Scaling would. */
final class FakeFleetControl implements FleetControl {

    private final Map<String, GroupState> groups = new HashMap<>();
    private RuntimeException failure;

    void put(GroupState group) {
        groups.put(group.groupName(), group);
    }

    void failWith(RuntimeException e) {
        failure = e;
    }

    @Override
    public Optional<GroupState> describe(String groupName) {
        if (failure != null) {
            throw failure;
        }
        return Optional.ofNullable(groups.get(groupName));
    }

    @Override
    public void setDesiredCapacity(String groupName, int desiredCapacity) {
        throw new UnsupportedOperationException("the stack API never scale");
    }

    @Override
    public void updateSizes(String groupName, int minSize, int maxSize, int desiredCapacity) {
        throw new UnsupportedOperationException("the stack API never scale");
    }

    @Override
    public void suspendAzRebalance(String groupName) {
        throw new UnsupportedOperationException("the stack API never touch processes");
    }

    @Override
    public String startInstanceRefresh(String groupName) {
        throw new UnsupportedOperationException("the stack API never refresh");
    }
}
