package io.agentstacks.scaling;

import io.agentstacks.demand.Demand;
import io.agentstacks.demand.Observation;
import io.agentstacks.spec.Overprovision;
import io.agentstacks.spec.OverprovisionStrategy;
import io.agentstacks.spec.ScalingPolicyKind;
import io.agentstacks.spec.StackSpec;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The scaling decision: one pure function from what Semaphore and Auto Scaling report to the desired
 * capacity of a stack's group.
 *
 * <ul>
 *   <li>{@code up-only} (the older tool, exactly): needed = queued + running jobs; below the group's
 *       min size the answer is min (no overprovisioning there); otherwise needed plus overprovision
 *       ({@code number}: + factor, {@code percentage}: + ceil(needed x factor / 100)), capped at the
 *       group's max size. Desired capacity is only ever raised.</li>
 *   <li>{@code up-down}: as {@code up-only}, and once the group has had more capacity than that for
 *       {@code scaling.scaleInIdleSeconds}, desired is lowered to it, never below the occupied agents,
 *       the instances protected from scale-in (agents running a job), or min.</li>
 *   <li>A failed observation (Semaphore unavailable, token rejected) or one older than two poll
 *       intervals holds capacity, and restarts the idle clock of {@code up-down}.</li>
 * </ul>
 *
 * Min and max are the group's own (as DescribeAutoScalingGroups reports them), so scheduled size
 * changes are honoured, as the older tool did.
 */
public final class ScalingPolicy {

    private ScalingPolicy() {
    }

    /** A decision and the memory the next decision needs. */
    public record Outcome(Decision decision, ScalingMemory memory) {
        public Outcome {
            Objects.requireNonNull(decision, "decision");
            Objects.requireNonNull(memory, "memory");
        }
    }

    public static Outcome decide(Observation observation, GroupState group, StackSpec spec, ScalingMemory memory,
                                 Instant now) {
        Objects.requireNonNull(observation, "observation");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(now, "now");

        if (!spec.dynamicScaling()) {
            return new Outcome(new Decision.Hold("dynamic scaling is off for this stack"), ScalingMemory.none());
        }
        if (observation instanceof Observation.TokenRejected t) {
            return new Outcome(new Decision.Hold("Semaphore rejected the agent token (HTTP " + t.httpStatus()
                    + "); capacity held"), ScalingMemory.none());
        }
        if (observation instanceof Observation.Unavailable u) {
            return new Outcome(new Decision.Hold("demand unknown (" + u.reason() + "); capacity held"),
                    ScalingMemory.none());
        }
        Demand demand = ((Observation.Observed) observation).demand();
        Duration maxAge = Duration.ofSeconds(2L * spec.pollIntervalSeconds());
        Duration age = Duration.between(observation.at(), now);
        if (age.compareTo(maxAge) > 0) {
            return new Outcome(new Decision.Hold("observation is " + age.toSeconds() + " s old (limit "
                    + maxAge.toSeconds() + " s); capacity held"), ScalingMemory.none());
        }

        int current = group.desiredCapacity();
        int target = target(demand.jobs(), group.minSize(), group.maxSize(), spec.scaling().overprovision());
        if (target > current) {
            return new Outcome(new Decision.ScaleTo(target, "needed " + target + " for " + demand.queuedJobs()
                    + " queued + " + demand.runningJobs() + " running jobs" + overprovisionNote(spec.scaling().overprovision())
                    + ", desired was " + current), ScalingMemory.none());
        }
        if (spec.scaling().policy() == ScalingPolicyKind.UP_ONLY || target == current) {
            return new Outcome(new Decision.Hold("desired " + current + " covers the " + target + " needed"),
                    ScalingMemory.none());
        }

        // up-down, and the group has more capacity than needed.
        Instant since = memory.surplusSince().filter(s -> !s.isAfter(observation.at())).orElse(observation.at());
        ScalingMemory keep = new ScalingMemory(Optional.of(since));
        long idleFor = Duration.between(since, observation.at()).toSeconds();
        int idleLimit = spec.scaling().scaleInIdleSeconds();
        if (idleFor < idleLimit) {
            return new Outcome(new Decision.Hold("desired " + current + " exceeds the " + target + " needed for "
                    + idleFor + " s of " + idleLimit + " s"), keep);
        }
        long protectedInstances = group.instances().stream().filter(GroupState.Instance::protectedFromScaleIn).count();
        int floor = (int) Math.min(group.maxSize(),
                Math.max(group.minSize(), Math.max(demand.occupiedAgents(), protectedInstances)));
        int lowered = Math.max(target, floor);
        if (lowered >= current) {
            return new Outcome(new Decision.Hold("desired " + current + " is all busy or protected ("
                    + demand.occupiedAgents() + " occupied agents, " + protectedInstances + " protected instances)"),
                    keep);
        }
        return new Outcome(new Decision.ScaleTo(lowered, "capacity exceeded the " + target + " needed for "
                + idleFor + " s; lowered from " + current + " (" + demand.occupiedAgents() + " occupied agents, "
                + protectedInstances + " protected instances, min " + group.minSize() + ")"), ScalingMemory.none());
    }

    /**
     * The older tool's {@code determineNewSize}: jobs below min give min (no overprovisioning there);
     * otherwise jobs plus overprovision, capped at max.
     */
    public static int target(int jobs, int minSize, int maxSize, Overprovision overprovision) {
        if (jobs < 0) {
            throw new IllegalArgumentException("jobs cannot be negative: " + jobs);
        }
        if (jobs < minSize) {
            return minSize;
        }
        long size = jobs + (long) extra(jobs, overprovision);
        return (int) Math.min(size, maxSize);
    }

    private static int extra(int jobs, Overprovision overprovision) {
        return switch (overprovision.strategy()) {
            case NONE -> 0;
            case NUMBER -> overprovision.factor();
            // ceil(jobs * factor / 100), in integers so that no rounding of doubles can differ from the older tool.
            case PERCENTAGE -> (int) ((jobs * (long) overprovision.factor() + 99) / 100);
        };
    }

    private static String overprovisionNote(Overprovision o) {
        return o.strategy() == OverprovisionStrategy.NONE ? "" : " (overprovision " + o.strategy() + " " + o.factor() + ")";
    }
}
