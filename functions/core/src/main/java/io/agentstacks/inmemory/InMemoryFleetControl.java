package io.agentstacks.inmemory;

import io.agentstacks.scaling.FleetControl;
import io.agentstacks.scaling.FleetControlException;
import io.agentstacks.scaling.GroupState;
import io.agentstacks.spec.OperatingSystem;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * EC2 Auto Scaling groups in memory, behaving over a driven clock the way the real service does:
 *
 * <ul>
 *   <li>raising desired capacity launches instances that are {@code Pending} for a boot time (per OS
 *       family, with seeded log-normal jitter around the median) and then {@code InService}; instances
 *       taken from a warm pool start faster;</li>
 *   <li>lowering it terminates instances that are not protected from scale-in, chosen at random as the
 *       default termination policy does with one zone and one launch template; protected instances are
 *       never terminated by a scale-in. As AWS documents, desired capacity is lowered anyway and the
 *       group stays above it until protection is removed, then converges;</li>
 *   <li>a warm pool of {@code warmPoolSize} instances is kept ({@code Warmed:Pending} while they boot,
 *       then {@code Warmed:Stopped}) and refilled after use (as with the pool's MinSize and
 *       MaxGroupPreparedCapacity both set to that size);</li>
 *   <li>the instance-side calls an agent makes: TerminateInstanceInAutoScalingGroup with or without
 *       decrementing desired capacity (refused below min, with AWS's message), SetInstanceProtection,
 *       and a power-off, after which the group replaces the instance;</li>
 *   <li>an instance refresh replaces every instance present when it started, one batch at a time
 *       keeping 90% of desired capacity in service, waits for replacements to be in service, and waits
 *       for protected instances (failing after an hour, as {@code ScaleInProtectedInstances=Wait} does);</li>
 *   <li>with a terminate lifecycle hook ({@link GroupConfig#terminationHookTimeout} above zero), an instance the
 *       group terminates (scale-in, refresh, the agent's own TerminateInstanceInAutoScalingGroup) waits in
 *       {@code Terminating:Wait}, still running but no longer capacity, until the agent calls
 *       CompleteLifecycleAction ({@link #completeLifecycleAction}) or the hook times out. A group deleted with
 *       ForceDelete, a power-off and the warm pool skip the hook.</li>
 * </ul>
 *
 * Time moves only when the clock does: {@link #settle()} (called by every method) applies every
 * transition due by {@code clock.instant()}, in time order; {@link #nextEventAt()} tells a simulation
 * when the next one is due. Listeners see every instance state change.
 */
public final class InMemoryFleetControl implements FleetControl {

    /** Instance lifecycle states, with Auto Scaling's names. */
    public enum State {
        PENDING("Pending"),
        IN_SERVICE("InService"),
        WARMED_PENDING("Warmed:Pending"),
        WARMED_STOPPED("Warmed:Stopped"),
        TERMINATING_WAIT("Terminating:Wait"),
        TERMINATED("Terminated");

        private final String awsName;

        State(String awsName) {
            this.awsName = awsName;
        }

        public String awsName() {
            return awsName;
        }

        boolean active() {
            return this == PENDING || this == IN_SERVICE;
        }

        boolean warm() {
            return this == WARMED_PENDING || this == WARMED_STOPPED;
        }
    }

    /**
     * Boot times: the median from launch to in service per OS family, and from a warm pool.
     *
     * @param spread sigma of the log-normal jitter around the median (0 = exact medians)
     */
    public record BootTimes(Duration linux, Duration windows, Duration macos, Duration fromWarmPool, double spread) {
        public BootTimes {
            Objects.requireNonNull(linux, "linux");
            Objects.requireNonNull(windows, "windows");
            Objects.requireNonNull(macos, "macos");
            Objects.requireNonNull(fromWarmPool, "fromWarmPool");
            if (spread < 0) {
                throw new IllegalArgumentException("spread cannot be negative");
            }
        }

        /** Linux 45 s, Windows 5 min, macOS 10 min, from a warm pool 30 s, about +-20%. */
        public static BootTimes defaults() {
            return new BootTimes(Duration.ofSeconds(45), Duration.ofMinutes(5), Duration.ofMinutes(10),
                    Duration.ofSeconds(30), 0.2);
        }

        public Duration median(OperatingSystem.Family family) {
            return switch (family) {
                case LINUX -> linux;
                case WINDOWS -> windows;
                case MACOS -> macos;
            };
        }
    }

    /**
     * A group to create.
     *
     * @param terminationHookTimeout the terminate lifecycle hook's heartbeat timeout (the agent stack's
     *                               {@code interruptionGracePeriodSeconds}); zero: no hook
     */
    public record GroupConfig(String groupName, OperatingSystem.Family family, int minSize, int maxSize,
                              int desiredCapacity, int warmPoolSize, boolean newInstancesProtectedFromScaleIn,
                              Duration terminationHookTimeout) {
        public GroupConfig {
            Objects.requireNonNull(groupName, "groupName");
            Objects.requireNonNull(family, "family");
            Objects.requireNonNull(terminationHookTimeout, "terminationHookTimeout");
            if (minSize < 0 || minSize > desiredCapacity || desiredCapacity > maxSize || warmPoolSize < 0) {
                throw new IllegalArgumentException("need 0 <= min <= desired <= max and warm pool >= 0, got min "
                        + minSize + " desired " + desiredCapacity + " max " + maxSize + " warm pool " + warmPoolSize);
            }
            if (terminationHookTimeout.isNegative()) {
                throw new IllegalArgumentException("terminationHookTimeout cannot be negative");
            }
        }

        /** A group without a terminate lifecycle hook. */
        public GroupConfig(String groupName, OperatingSystem.Family family, int minSize, int maxSize,
                           int desiredCapacity, int warmPoolSize, boolean newInstancesProtectedFromScaleIn) {
            this(groupName, family, minSize, maxSize, desiredCapacity, warmPoolSize, newInstancesProtectedFromScaleIn,
                    Duration.ZERO);
        }
    }

    /** An instance as tests and simulations see it. */
    public record InstanceView(String instanceId, String groupName, State state, boolean protectedFromScaleIn,
                               boolean fromWarmPool, Instant launchedAt) {
    }

    /** One instance state change, with what caused it. */
    public record Change(String groupName, String instanceId, State from, State to, Instant at, String cause) {
    }

    /** One control-plane call received (instance-side calls included), in order. */
    public record Call(Instant at, String action, String groupName, String detail) {
    }

    /** Instance time spent by a group so far, in seconds: running in the group, and in the warm pool. */
    public record Usage(double runningSeconds, double warmRunningSeconds, double warmStoppedSeconds) {
        public double warmPoolSeconds() {
            return warmRunningSeconds + warmStoppedSeconds;
        }
    }

    /** An instance refresh's progress. */
    public record RefreshView(String refreshId, String status, int toReplace, int remaining, Optional<String> reason) {
    }

    private static final Duration PROTECTED_WAIT_LIMIT = Duration.ofHours(1);
    private static final double MIN_HEALTHY = 0.9;

    private final Clock clock;
    private final BootTimes bootTimes;
    private final Random random;
    private final Map<String, Group> groups = new TreeMap<>();
    private final List<Call> calls = new ArrayList<>();
    private final List<Consumer<Change>> listeners = new ArrayList<>();
    private final List<Change> undelivered = new ArrayList<>();
    private long nextInstance = 1;
    private long nextRefresh = 1;
    private boolean delivering;

    public InMemoryFleetControl(Clock clock) {
        this(clock, BootTimes.defaults(), 1);
    }

    public InMemoryFleetControl(Clock clock, BootTimes bootTimes, long seed) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.bootTimes = Objects.requireNonNull(bootTimes, "bootTimes");
        this.random = new Random(seed);
    }

    // ---- groups, as CloudFormation would create them ----

    public synchronized void createGroup(GroupConfig config) {
        settle();
        if (groups.containsKey(config.groupName())) {
            throw new FleetControlException(FleetControlException.Kind.INVALID,
                    "AutoScalingGroup by this name already exists - A group with the name " + config.groupName()
                            + " already exists");
        }
        Group g = new Group(config);
        groups.put(config.groupName(), g);
        reconcile(g, clock.instant());
        deliver();
    }

    /** Deletes a group with ForceDelete: every instance, warm pool included, is terminated. */
    public synchronized void deleteGroup(String groupName) {
        settle();
        Group g = group(groupName, "DeleteAutoScalingGroup");
        Instant now = clock.instant();
        for (Inst i : List.copyOf(g.instances.values())) {
            terminate(g, i, now, "group deleted");
        }
        groups.remove(groupName);
        deliver();
    }

    /**
     * What a CloudFormation update of the group changes besides its sizes: the warm pool's size (the pool grows
     * or shrinks to it at once) and whether new instances are launched protected from scale-in (instances
     * already there keep their protection, as in Auto Scaling).
     */
    public synchronized void configureGroup(String groupName, int warmPoolSize, boolean newInstancesProtectedFromScaleIn) {
        settle();
        if (warmPoolSize < 0) {
            throw invalid("warm pool size cannot be negative: " + warmPoolSize);
        }
        Group g = group(groupName, "UpdateAutoScalingGroup");
        record("UpdateAutoScalingGroup", groupName, "warm pool " + warmPoolSize + " protect new "
                + newInstancesProtectedFromScaleIn);
        g.warmPoolSize = warmPoolSize;
        g.protectNew = newInstancesProtectedFromScaleIn;
        reconcile(g, clock.instant());
        deliver();
    }

    // ---- the port ----

    @Override
    public synchronized Optional<GroupState> describe(String groupName) {
        settle();
        record("DescribeAutoScalingGroups", groupName, "");
        Group g = groups.get(groupName);
        if (g == null) {
            return Optional.empty();
        }
        List<GroupState.Instance> instances = g.instances.values().stream().filter(i -> i.state.active())
                .map(i -> new GroupState.Instance(i.id, i.state.awsName(), "local-1a", i.protectedFromScaleIn))
                .toList();
        int warm = (int) g.instances.values().stream().filter(i -> i.state.warm()).count();
        int terminating = (int) g.instances.values().stream().filter(i -> i.state == State.TERMINATING_WAIT).count();
        return Optional.of(new GroupState(g.name, g.min, g.max, g.desired, instances, warm, terminating));
    }

    @Override
    public synchronized void setDesiredCapacity(String groupName, int desiredCapacity) {
        settle();
        Group g = group(groupName, "SetDesiredCapacity");
        record("SetDesiredCapacity", groupName, "desired " + desiredCapacity);
        if (desiredCapacity > g.max) {
            throw invalid("New SetDesiredCapacity value " + desiredCapacity + " is above max value " + g.max
                    + " for the AutoScalingGroup.");
        }
        if (desiredCapacity < g.min) {
            throw invalid("New SetDesiredCapacity value " + desiredCapacity + " is below min value " + g.min
                    + " for the AutoScalingGroup.");
        }
        g.desired = desiredCapacity;
        reconcile(g, clock.instant());
        deliver();
    }

    @Override
    public synchronized void updateSizes(String groupName, int minSize, int maxSize, int desiredCapacity) {
        settle();
        Group g = group(groupName, "UpdateAutoScalingGroup");
        record("UpdateAutoScalingGroup", groupName, "min " + minSize + " max " + maxSize + " desired " + desiredCapacity);
        if (minSize > maxSize) {
            throw invalid("Min size " + minSize + " cannot be greater than max size " + maxSize);
        }
        if (desiredCapacity < minSize || desiredCapacity > maxSize) {
            throw invalid("Desired capacity:" + desiredCapacity + " must be between the specified min size:" + minSize
                    + " and max size:" + maxSize);
        }
        g.min = minSize;
        g.max = maxSize;
        g.desired = desiredCapacity;
        reconcile(g, clock.instant());
        deliver();
    }

    @Override
    public synchronized void suspendAzRebalance(String groupName) {
        settle();
        Group g = group(groupName, "SuspendProcesses");
        record("SuspendProcesses", groupName, "AZRebalance");
        g.suspended.add("AZRebalance");
    }

    @Override
    public synchronized String startInstanceRefresh(String groupName) {
        settle();
        Group g = group(groupName, "StartInstanceRefresh");
        record("StartInstanceRefresh", groupName, "");
        Optional<Refresh> running = g.refreshes.stream().filter(r -> r.status.equals("InProgress")).findFirst();
        if (running.isPresent()) {
            return running.get().id;
        }
        Refresh r = new Refresh(String.format("%08x-0000-4000-8000-%012x", nextRefresh, nextRefresh++),
                new HashSet<>(g.instances.keySet()));
        g.refreshes.add(r);
        reconcile(g, clock.instant());
        deliver();
        return r.id;
    }

    // ---- what an agent does from its instance ----

    /**
     * TerminateInstanceInAutoScalingGroup, as the agent's shutdown hook calls it. Not stopped by
     * scale-in protection. With {@code decrementDesired}, refused when desired is already at min.
     */
    public synchronized void terminateInstanceInAutoScalingGroup(String instanceId, boolean decrementDesired) {
        settle();
        Group g = groupOf(instanceId, "TerminateInstanceInAutoScalingGroup");
        record("TerminateInstanceInAutoScalingGroup", g.name, instanceId + (decrementDesired ? " decrement" : ""));
        if (g.instances.get(instanceId).state == State.TERMINATING_WAIT) {
            throw invalid("The instance " + instanceId + " is already terminating (Terminating:Wait).");
        }
        if (decrementDesired) {
            if (g.desired - 1 < g.min) {
                throw invalid("Currently, desiredCapacity (" + g.desired + ") is equal to minSize (" + g.min
                        + "). Terminating instance without replacement will violate group's min size constraint. "
                        + "Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.");
            }
            g.desired--;
        }
        Instant now = clock.instant();
        terminateThroughHook(g, g.instances.get(instanceId), now, decrementDesired ? "terminated by agent, desired lowered"
                : "terminated by agent");
        reconcile(g, now);
        deliver();
    }

    /** The instance shuts itself down (shutdown behaviour terminate); the group launches a replacement. */
    public synchronized void powerOff(String instanceId) {
        settle();
        Group g = groupOf(instanceId, "poweroff");
        Instant now = clock.instant();
        terminate(g, g.instances.get(instanceId), now, "powered off");
        reconcile(g, now);
        deliver();
    }

    /**
     * CompleteLifecycleAction on the terminate hook, as the agent calls it once its job is done: the instance in
     * {@code Terminating:Wait} goes at once. Refused for an instance that is not waiting on the hook.
     */
    public synchronized void completeLifecycleAction(String groupName, String instanceId) {
        settle();
        Group g = group(groupName, "CompleteLifecycleAction");
        record("CompleteLifecycleAction", groupName, instanceId + " CONTINUE");
        Inst i = g.instances.get(instanceId);
        if (i == null || i.state != State.TERMINATING_WAIT) {
            throw invalid("No active Lifecycle Action found with instance ID " + instanceId);
        }
        Instant now = clock.instant();
        terminate(g, i, now, "lifecycle action completed");
        reconcile(g, now);
        deliver();
    }

    /** SetInstanceProtection for one instance of a group. */
    public synchronized void setInstanceProtection(String groupName, String instanceId, boolean protect) {
        settle();
        Group g = group(groupName, "SetInstanceProtection");
        record("SetInstanceProtection", groupName, instanceId + " " + protect);
        Inst i = g.instances.get(instanceId);
        if (i == null || !i.state.active()) {
            throw invalid("The instance " + instanceId + " is not part of Auto Scaling group " + groupName + ".");
        }
        i.protectedFromScaleIn = protect;
        reconcile(g, clock.instant());
        deliver();
    }

    // ---- time ----

    /** Applies, in time order, every transition due by now. */
    public synchronized void settle() {
        Instant now = clock.instant();
        while (true) {
            Group dueGroup = null;
            Inst due = null;
            for (Group g : groups.values()) {
                for (Inst i : g.instances.values()) {
                    if (i.dueAt != null && !i.dueAt.isAfter(now) && (due == null || i.dueAt.isBefore(due.dueAt))) {
                        due = i;
                        dueGroup = g;
                    }
                }
            }
            Optional<Instant> refreshDeadline = refreshDeadline();
            if (refreshDeadline.isPresent() && !refreshDeadline.get().isAfter(now)
                    && (due == null || refreshDeadline.get().isBefore(due.dueAt))) {
                for (Group g : groups.values()) {
                    reconcile(g, refreshDeadline.get());
                }
                continue;
            }
            if (due == null) {
                break;
            }
            Instant at = due.dueAt;
            due.dueAt = null;
            switch (due.state) {
                case PENDING -> move(dueGroup, due, State.IN_SERVICE, at, due.fromWarmPool ? "started from warm pool"
                        : "launched");
                case WARMED_PENDING -> move(dueGroup, due, State.WARMED_STOPPED, at, "warmed and stopped");
                case TERMINATING_WAIT -> terminate(dueGroup, due, at, "lifecycle hook timed out");
                default -> throw new IllegalStateException("no timed transition from " + due.state);
            }
            reconcile(dueGroup, at);
        }
        deliver();
    }

    /** When the next transition is due, if any: a simulation advances its clock there. */
    public synchronized Optional<Instant> nextEventAt() {
        Optional<Instant> boot = groups.values().stream().flatMap(g -> g.instances.values().stream())
                .map(i -> i.dueAt).filter(Objects::nonNull).min(Comparator.naturalOrder());
        Optional<Instant> refresh = refreshDeadline();
        if (boot.isEmpty()) {
            return refresh;
        }
        return refresh.filter(r -> r.isBefore(boot.get())).or(() -> boot);
    }

    /** Calls {@code listener} with every instance state change from now on. */
    public synchronized void onChange(Consumer<Change> listener) {
        listeners.add(listener);
    }

    // ---- inspection ----

    public synchronized List<InstanceView> instances(String groupName) {
        settle();
        Group g = group(groupName, "DescribeAutoScalingInstances");
        return g.instances.values().stream().map(i -> new InstanceView(i.id, g.name, i.state, i.protectedFromScaleIn,
                i.fromWarmPool, i.launchedAt)).toList();
    }

    /** The group's desired capacity now, without recording a call (for simulations' bookkeeping). */
    public synchronized int desiredCapacity(String groupName) {
        settle();
        return group(groupName, "DescribeAutoScalingGroups").desired;
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    public synchronized List<Call> calls(String action) {
        return calls.stream().filter(c -> c.action().equals(action)).toList();
    }

    public synchronized Usage usage(String groupName) {
        settle();
        Group g = group(groupName, "usage");
        Instant now = clock.instant();
        double running = g.runningSeconds;
        double warmRunning = g.warmRunningSeconds;
        double warmStopped = g.warmStoppedSeconds;
        for (Inst i : g.instances.values()) {
            double open = seconds(i.stateSince, now);
            switch (i.state) {
                case PENDING, IN_SERVICE, TERMINATING_WAIT -> running += open;
                case WARMED_PENDING -> warmRunning += open;
                case WARMED_STOPPED -> warmStopped += open;
                default -> { }
            }
        }
        return new Usage(running, warmRunning, warmStopped);
    }

    public synchronized Optional<RefreshView> refresh(String groupName, String refreshId) {
        settle();
        Group g = group(groupName, "DescribeInstanceRefreshes");
        return g.refreshes.stream().filter(r -> r.id.equals(refreshId)).findFirst()
                .map(r -> new RefreshView(r.id, r.status, r.total, remaining(g, r), r.reason));
    }

    public synchronized Set<String> suspendedProcesses(String groupName) {
        return Set.copyOf(group(groupName, "DescribeAutoScalingGroups").suspended);
    }

    public synchronized boolean exists(String groupName) {
        return groups.containsKey(groupName);
    }

    // ---- internals ----

    private void reconcile(Group g, Instant t) {
        advanceRefresh(g, t);
        List<Inst> active = g.instances.values().stream().filter(i -> i.state.active()).toList();
        if (active.size() < g.desired) {
            int missing = g.desired - active.size();
            List<Inst> warmed = g.instances.values().stream().filter(i -> i.state == State.WARMED_STOPPED)
                    .sorted(Comparator.comparing((Inst i) -> i.launchedAt).thenComparing(i -> i.id)).toList();
            for (int k = 0; k < missing; k++) {
                if (k < warmed.size()) {
                    Inst w = warmed.get(k);
                    w.fromWarmPool = true;
                    w.protectedFromScaleIn = g.protectNew;
                    move(g, w, State.PENDING, t, "leaving warm pool");
                    w.dueAt = t.plus(boot(bootTimes.fromWarmPool()));
                } else {
                    launch(g, State.PENDING, t);
                }
            }
        } else if (active.size() > g.desired) {
            List<Inst> candidates = new ArrayList<>(active.stream().filter(i -> !i.protectedFromScaleIn).toList());
            int surplus = Math.min(active.size() - g.desired, candidates.size());
            for (int k = 0; k < surplus; k++) {
                Inst victim = candidates.remove(random.nextInt(candidates.size()));
                terminateThroughHook(g, victim, t, "scale-in");
            }
        }
        List<Inst> warm = g.instances.values().stream().filter(i -> i.state.warm()).toList();
        for (int k = warm.size(); k < g.warmPoolSize; k++) {
            launch(g, State.WARMED_PENDING, t);
        }
        for (int k = g.warmPoolSize; k < warm.size(); k++) {
            terminate(g, warm.get(k), t, "warm pool shrunk");
        }
    }

    private void advanceRefresh(Group g, Instant t) {
        for (Refresh r : g.refreshes) {
            if (!r.status.equals("InProgress")) {
                continue;
            }
            // Old warm-pool instances serve nobody: replace them at once; the pool refills with new ones.
            for (Inst i : List.copyOf(g.instances.values())) {
                if (r.toReplace.contains(i.id) && i.state.warm()) {
                    terminate(g, i, t, "instance refresh");
                }
            }
            List<Inst> old = g.instances.values().stream().filter(i -> r.toReplace.contains(i.id)).toList();
            if (old.isEmpty()) {
                r.status = "Successful";
                r.waitingSince = null;
                continue;
            }
            // A batch is done once its replacements are in service and its old instances are gone (past the hook).
            boolean replacing = g.instances.values().stream().anyMatch(i -> i.state == State.PENDING)
                    || old.stream().anyMatch(i -> i.state == State.TERMINATING_WAIT);
            if (replacing) {
                r.waitingSince = null;
                continue;
            }
            List<Inst> replaceable = old.stream().filter(i -> i.state == State.IN_SERVICE && !i.protectedFromScaleIn)
                    .toList();
            if (replaceable.isEmpty()) {
                if (r.waitingSince == null) {
                    r.waitingSince = t;
                } else if (!t.isBefore(r.waitingSince.plus(PROTECTED_WAIT_LIMIT))) {
                    r.status = "Failed";
                    r.reason = Optional.of("Instances protected from scale-in were not unprotected within an hour.");
                }
                continue;
            }
            r.waitingSince = null;
            long inService = g.instances.values().stream().filter(i -> i.state == State.IN_SERVICE).count();
            int minHealthy = (int) Math.ceil(MIN_HEALTHY * g.desired);
            int batch = (int) Math.max(1, inService - minHealthy);
            for (int k = 0; k < Math.min(batch, replaceable.size()); k++) {
                terminateThroughHook(g, replaceable.get(k), t, "instance refresh");
            }
        }
    }

    private Optional<Instant> refreshDeadline() {
        return groups.values().stream().flatMap(g -> g.refreshes.stream())
                .filter(r -> r.status.equals("InProgress") && r.waitingSince != null)
                .map(r -> r.waitingSince.plus(PROTECTED_WAIT_LIMIT)).min(Comparator.naturalOrder());
    }

    private int remaining(Group g, Refresh r) {
        return (int) g.instances.keySet().stream().filter(r.toReplace::contains).count();
    }

    private void launch(Group g, State state, Instant t) {
        String id = String.format("i-%017x", nextInstance++);
        Inst i = new Inst(id, state, t);
        i.protectedFromScaleIn = state == State.PENDING && g.protectNew;
        i.dueAt = t.plus(boot(bootTimes.median(g.family)));
        g.instances.put(id, i);
        undelivered.add(new Change(g.name, id, State.TERMINATED, state, t,
                state == State.PENDING ? "launched" : "launched into warm pool"));
    }

    /** A termination the terminate lifecycle hook sees: the instance waits in Terminating:Wait when the group has one. */
    private void terminateThroughHook(Group g, Inst i, Instant t, String cause) {
        if (g.terminationHookTimeout.isZero()) {
            terminate(g, i, t, cause);
            return;
        }
        move(g, i, State.TERMINATING_WAIT, t, cause);
        i.dueAt = t.plus(g.terminationHookTimeout);
    }

    private void terminate(Group g, Inst i, Instant t, String cause) {
        account(g, i, t);
        State from = i.state;
        i.state = State.TERMINATED;
        i.dueAt = null;
        g.instances.remove(i.id);
        undelivered.add(new Change(g.name, i.id, from, State.TERMINATED, t, cause));
    }

    private void move(Group g, Inst i, State to, Instant t, String cause) {
        account(g, i, t);
        State from = i.state;
        i.state = to;
        undelivered.add(new Change(g.name, i.id, from, to, t, cause));
    }

    private void account(Group g, Inst i, Instant t) {
        double s = seconds(i.stateSince, t);
        switch (i.state) {
            case PENDING, IN_SERVICE, TERMINATING_WAIT -> g.runningSeconds += s;
            case WARMED_PENDING -> g.warmRunningSeconds += s;
            case WARMED_STOPPED -> g.warmStoppedSeconds += s;
            default -> { }
        }
        i.stateSince = t;
    }

    private Duration boot(Duration median) {
        if (bootTimes.spread() == 0) {
            return median;
        }
        double factor = Math.exp(bootTimes.spread() * random.nextGaussian());
        return Duration.ofMillis(Math.max(1, Math.round(median.toMillis() * factor)));
    }

    /** Hands pending changes to listeners, outside of any iteration; listeners may call back in. */
    private void deliver() {
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            while (!undelivered.isEmpty()) {
                Change c = undelivered.remove(0);
                for (Consumer<Change> l : List.copyOf(listeners)) {
                    l.accept(c);
                }
            }
        } finally {
            delivering = false;
        }
    }

    private Group group(String groupName, String action) {
        Group g = groups.get(groupName);
        if (g == null) {
            throw new FleetControlException(FleetControlException.Kind.NOT_FOUND,
                    action + ": AutoScalingGroup name not found - AutoScalingGroup '" + groupName + "' not found");
        }
        return g;
    }

    private Group groupOf(String instanceId, String action) {
        return groups.values().stream().filter(g -> g.instances.containsKey(instanceId)).findFirst()
                .orElseThrow(() -> new FleetControlException(FleetControlException.Kind.INVALID,
                        action + ": Instance Id not found - No managed instance found for instance ID: " + instanceId));
    }

    private void record(String action, String groupName, String detail) {
        calls.add(new Call(clock.instant(), action, groupName, detail));
    }

    private static FleetControlException invalid(String message) {
        return new FleetControlException(FleetControlException.Kind.INVALID, message);
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    private static final class Group {
        final String name;
        final OperatingSystem.Family family;
        boolean protectNew;
        int warmPoolSize;
        final Duration terminationHookTimeout;
        int min;
        int max;
        int desired;
        final Map<String, Inst> instances = new LinkedHashMap<>();
        final Set<String> suspended = new HashSet<>();
        final List<Refresh> refreshes = new ArrayList<>();
        double runningSeconds;
        double warmRunningSeconds;
        double warmStoppedSeconds;

        Group(GroupConfig c) {
            name = c.groupName();
            family = c.family();
            protectNew = c.newInstancesProtectedFromScaleIn();
            warmPoolSize = c.warmPoolSize();
            terminationHookTimeout = c.terminationHookTimeout();
            min = c.minSize();
            max = c.maxSize();
            desired = c.desiredCapacity();
        }
    }

    private static final class Inst {
        final String id;
        final Instant launchedAt;
        State state;
        Instant stateSince;
        Instant dueAt;
        boolean protectedFromScaleIn;
        boolean fromWarmPool;

        Inst(String id, State state, Instant t) {
            this.id = id;
            this.state = state;
            this.launchedAt = t;
            this.stateSince = t;
        }
    }

    private static final class Refresh {
        final String id;
        final Set<String> toReplace;
        final int total;
        String status = "InProgress";
        Instant waitingSince;
        Optional<String> reason = Optional.empty();

        Refresh(String id, Set<String> toReplace) {
            this.id = id;
            this.toReplace = toReplace;
            this.total = toReplace.size();
        }
    }
}
