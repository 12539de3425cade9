package io.agentstacks.local.sim;

import io.agentstacks.demand.Demand;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.scaling.GroupState;
import io.agentstacks.spec.Overprovision;

import java.time.Duration;
import java.time.Instant;

/**
 * The older tool's scaler (lambdas/agent-scaler/app.js), as the simulation's baseline: an EventBridge
 * rule invokes it every minute; one invocation ticks until its 60 s are nearly over:
 *
 * <pre>
 *   interval = 10; timeout = now + 60; tickDuration = 5
 *   loop: tick(); now = round(epoch seconds)
 *         if now + interval + tickDuration >= timeout: break
 *         sleep 10 s
 * </pre>
 *
 * so a new tick is never begun by a check made at 45 s or later. A tick reads the metrics, publishes
 * them, describes the group and raises desired capacity to {@code determineNewSize} when that is above
 * it; it never lowers it. A tick takes {@code tickSeconds} (metrics request, PutMetricData,
 * DescribeAutoScalingGroups, SetDesiredCapacity), and its SetDesiredCapacity is issued
 * {@code setDelaySeconds} after the metrics were read.
 */
final class LegacyScaler {

    private static final int INTERVAL = 10;
    private static final int TICK_DURATION = 5;
    private static final int TIMEOUT = 60;

    private final EventLoop loop;
    private final SimClock clock;
    private final SimSemaphore semaphore;
    private final FleetControl fleet;
    private final String groupName;
    private final Overprovision overprovision;
    private final double tickSeconds;
    private final double setDelaySeconds;

    LegacyScaler(EventLoop loop, SimClock clock, SimSemaphore semaphore, FleetControl fleet, String groupName,
                 Overprovision overprovision, double tickSeconds, double setDelaySeconds) {
        this.loop = loop;
        this.clock = clock;
        this.semaphore = semaphore;
        this.fleet = fleet;
        this.groupName = groupName;
        this.overprovision = overprovision;
        this.tickSeconds = tickSeconds;
        this.setDelaySeconds = setDelaySeconds;
    }

    /** One invocation, started now by the every-minute rule. */
    void invoke() {
        long timeout = epochSeconds(clock.instant()) + TIMEOUT;
        tick(timeout);
    }

    private void tick(long timeout) {
        Demand demand = semaphore.demand();
        loop.after(setDelaySeconds, () -> scaleUpIfNeeded(demand));
        loop.after(tickSeconds, () -> {
            long now = epochSeconds(clock.instant());
            if (now + INTERVAL + TICK_DURATION >= timeout) {
                return;
            }
            loop.after(INTERVAL, () -> tick(timeout));
        });
    }

    private void scaleUpIfNeeded(Demand demand) {
        GroupState g = fleet.describe(groupName).orElseThrow(() ->
                new IllegalStateException("Could not find asg for stack '" + groupName + "'"));
        int newSize = determineNewSize(demand.jobs(), g.minSize(), g.maxSize(), overprovision);
        if (newSize > g.desiredCapacity()) {
            fleet.setDesiredCapacity(groupName, newSize);
        }
    }

    /** {@code determineNewSize}, line by line. */
    static int determineNewSize(int totalJobs, int min, int max, Overprovision overprovision) {
        if (totalJobs < min) {
            return min;
        }
        double newSize = totalJobs;
        switch (overprovision.strategy()) {
            case NUMBER -> newSize += overprovision.factor();
            case PERCENTAGE -> newSize += Math.ceil((double) totalJobs * overprovision.factor() / 100);
            case NONE -> { }
        }
        if (newSize > max) {
            return max;
        }
        return (int) newSize;
    }

    /** JavaScript's {@code Math.round(Date.now() / 1000)}. */
    private static long epochSeconds(Instant t) {
        return Math.round(Duration.between(Instant.EPOCH, t).toMillis() / 1000.0);
    }
}
