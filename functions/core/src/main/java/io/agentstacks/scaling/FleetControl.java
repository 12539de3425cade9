package io.agentstacks.scaling;

import java.util.Optional;

/** Port: the Auto Scaling groups of agent stacks. */
public interface FleetControl {

    /** The group, or empty when it does not exist (yet, or any more). */
    Optional<GroupState> describe(String groupName);

    /** Sets desired capacity, not honouring cooldowns: the scaler decides when. */
    void setDesiredCapacity(String groupName, int desiredCapacity);

    /** Sets min, max and desired at once (scale to zero before deletion, schedules). */
    void updateSizes(String groupName, int minSize, int maxSize, int desiredCapacity);

    /** Suspends the AZRebalance process, so that rebalancing never terminates a busy agent. */
    void suspendAzRebalance(String groupName);

    /**
     * Starts an instance refresh that replaces every instance (protected ones are waited for) and
     * answers its id; when one is already running, answers that one's id instead of starting another.
     */
    String startInstanceRefresh(String groupName);
}
