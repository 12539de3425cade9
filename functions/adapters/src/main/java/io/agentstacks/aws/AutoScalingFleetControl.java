package io.agentstacks.aws;

import io.agentstacks.scaling.FleetControl;
import io.agentstacks.scaling.FleetControlException;
import io.agentstacks.scaling.GroupState;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefresh;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefreshInProgressException;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefreshStatus;
import software.amazon.awssdk.services.autoscaling.model.RefreshPreferences;
import software.amazon.awssdk.services.autoscaling.model.RefreshStrategy;
import software.amazon.awssdk.services.autoscaling.model.ScaleInProtectedInstances;
import software.amazon.awssdk.services.autoscaling.model.StandbyInstances;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Auto Scaling groups through the AWS SDK. Retries (throttling included) are the SDK's retry strategy's;
 * what still fails is a {@link FleetControlException} naming the call and the group.
 */
public final class AutoScalingFleetControl implements FleetControl {

    /** Instance refresh keeps this share of desired capacity in service. */
    static final int MIN_HEALTHY_PERCENTAGE = 90;

    private static final Set<InstanceRefreshStatus> RUNNING = EnumSet.of(InstanceRefreshStatus.PENDING,
            InstanceRefreshStatus.IN_PROGRESS, InstanceRefreshStatus.CANCELLING, InstanceRefreshStatus.ROLLBACK_IN_PROGRESS,
            InstanceRefreshStatus.BAKING);

    private final AutoScalingClient autoScaling;

    public AutoScalingFleetControl(AutoScalingClient autoScaling) {
        this.autoScaling = Objects.requireNonNull(autoScaling, "autoScaling");
    }

    @Override
    public Optional<GroupState> describe(String groupName) {
        List<AutoScalingGroup> groups = call("DescribeAutoScalingGroups", groupName,
                () -> autoScaling.describeAutoScalingGroups(r -> r.autoScalingGroupNames(groupName)).autoScalingGroups());
        if (groups.isEmpty()) {
            return Optional.empty();
        }
        AutoScalingGroup g = groups.get(0);
        List<GroupState.Instance> instances = g.instances().stream()
                .filter(i -> !leaving(i.lifecycleStateAsString()))
                .map(i -> new GroupState.Instance(i.instanceId(), i.lifecycleStateAsString(), i.availabilityZone(),
                        Boolean.TRUE.equals(i.protectedFromScaleIn())))
                .toList();
        int warm = 0;
        if (g.warmPoolConfiguration() != null) {
            warm = call("DescribeWarmPool", groupName, () -> autoScaling
                    .describeWarmPoolPaginator(r -> r.autoScalingGroupName(groupName)).stream()
                    .mapToInt(p -> p.instances().size()).sum());
        }
        // Terminating:Wait is the terminate lifecycle hook letting an agent finish its job: not capacity, but running.
        int terminating = (int) g.instances().stream().filter(i -> terminating(i.lifecycleStateAsString())).count();
        return Optional.of(new GroupState(g.autoScalingGroupName(), g.minSize(), g.maxSize(), g.desiredCapacity(),
                instances, warm, terminating));
    }

    @Override
    public void setDesiredCapacity(String groupName, int desiredCapacity) {
        call("SetDesiredCapacity", groupName, () -> autoScaling.setDesiredCapacity(r -> r
                .autoScalingGroupName(groupName).desiredCapacity(desiredCapacity).honorCooldown(false)));
    }

    @Override
    public void updateSizes(String groupName, int minSize, int maxSize, int desiredCapacity) {
        call("UpdateAutoScalingGroup", groupName, () -> autoScaling.updateAutoScalingGroup(r -> r
                .autoScalingGroupName(groupName).minSize(minSize).maxSize(maxSize).desiredCapacity(desiredCapacity)));
    }

    @Override
    public void suspendAzRebalance(String groupName) {
        call("SuspendProcesses", groupName, () -> autoScaling.suspendProcesses(r -> r
                .autoScalingGroupName(groupName).scalingProcesses("AZRebalance")));
    }

    /**
     * Replaces every instance: SkipMatching is off (a new AMI behind the same {@code resolve:ssm:} launch
     * template version would otherwise match and nothing would be replaced), and instances protected from
     * scale-in (agents running a job) and in standby are waited for, never cut short. Auto Scaling waits one hour
     * for them: if one is still protected (or in standby) then, the refresh fails and the instances not yet
     * replaced keep the old AMI (README, "How a new AMI reaches the fleets").
     */
    @Override
    public String startInstanceRefresh(String groupName) {
        RefreshPreferences preferences = RefreshPreferences.builder()
                .minHealthyPercentage(MIN_HEALTHY_PERCENTAGE)
                .skipMatching(false)
                .scaleInProtectedInstances(ScaleInProtectedInstances.WAIT)
                .standbyInstances(StandbyInstances.WAIT)
                .build();
        try {
            return call("StartInstanceRefresh", groupName, () -> autoScaling.startInstanceRefresh(r -> r
                    .autoScalingGroupName(groupName).strategy(RefreshStrategy.ROLLING).preferences(preferences))
                    .instanceRefreshId());
        } catch (FleetControlException e) {
            if (!(e.getCause() instanceof InstanceRefreshInProgressException)) {
                throw e;
            }
        }
        return call("DescribeInstanceRefreshes", groupName, () -> autoScaling
                .describeInstanceRefreshesPaginator(r -> r.autoScalingGroupName(groupName)).stream()
                .flatMap(page -> page.instanceRefreshes().stream())
                .filter(r -> RUNNING.contains(r.status()))
                .map(InstanceRefresh::instanceRefreshId)
                .findFirst()
                .orElseThrow(() -> new FleetControlException(FleetControlException.Kind.FAILED,
                        "StartInstanceRefresh on " + groupName + ": a refresh is said to be in progress but none is listed")));
    }

    /** Terminating, Terminating:Wait, Terminating:Proceed; not Terminated. */
    private static boolean terminating(String lifecycleState) {
        return lifecycleState != null && lifecycleState.startsWith("Terminating");
    }

    private static boolean leaving(String lifecycleState) {
        return lifecycleState != null && (lifecycleState.startsWith("Terminat") || lifecycleState.startsWith("Detach"));
    }

    private static <T> T call(String action, String groupName, Supplier<T> call) {
        try {
            return call.get();
        } catch (AutoScalingException e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
            FleetControlException.Kind kind;
            if ("ValidationError".equals(code) && message != null && message.contains("not found")) {
                kind = FleetControlException.Kind.NOT_FOUND;
            } else if ("ValidationError".equals(code)) {
                kind = FleetControlException.Kind.INVALID;
            } else if ("Throttling".equals(code) || "ResourceContention".equals(code) || e.isThrottlingException()) {
                kind = FleetControlException.Kind.THROTTLED;
            } else {
                kind = FleetControlException.Kind.FAILED;
            }
            throw new FleetControlException(kind, action + " on " + groupName + " failed: " + code + ": " + message, e);
        } catch (SdkException e) {
            throw new FleetControlException(FleetControlException.Kind.FAILED, action + " on " + groupName + " failed: "
                    + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
