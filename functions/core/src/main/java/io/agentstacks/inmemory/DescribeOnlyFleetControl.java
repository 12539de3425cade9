package io.agentstacks.inmemory;

import io.agentstacks.scaling.FleetControl;
import io.agentstacks.scaling.GroupState;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link FleetControl} for code that only reads groups (the stack commands, the stack API): groups set by the test,
 * and describe fails when told to, as a throttled Auto Scaling would. Any call that would change a group fails, so a
 * test notices if the code under test starts scaling.
 */
public final class DescribeOnlyFleetControl implements FleetControl {

    private final Map<String, GroupState> groups = new HashMap<>();
    private RuntimeException failure;

    public void put(GroupState group) {
        groups.put(group.groupName(), group);
    }

    public void failWith(RuntimeException e) {
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
        throw new UnsupportedOperationException("describe only: nothing here scales");
    }

    @Override
    public void updateSizes(String groupName, int minSize, int maxSize, int desiredCapacity) {
        throw new UnsupportedOperationException("describe only: nothing here scales");
    }

    @Override
    public void suspendAzRebalance(String groupName) {
        throw new UnsupportedOperationException("describe only: nothing here changes processes");
    }

    @Override
    public String startInstanceRefresh(String groupName) {
        throw new UnsupportedOperationException("describe only: nothing here refreshes");
    }
}
