package io.agentstacks.local.sim;

import com.fasterxml.jackson.databind.JsonNode;

import io.agentstacks.demand.Demand;
import io.agentstacks.demandpoller.DemandPoller;
import io.agentstacks.demandpoller.PollRequest;
import io.agentstacks.demandpoller.PollResult;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventJson;
import io.agentstacks.events.EventSink;
import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.scaler.Scaler;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.scaling.FleetControlException;
import io.agentstacks.scaling.GroupState;
import io.agentstacks.scaling.ScalingPolicy;
import io.agentstacks.spec.Scaling;
import io.agentstacks.spec.ScalingPolicyKind;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.spec.WarmPool;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackTransitions;
import io.agentstacks.token.AgentToken;
import io.agentstacks.token.StoredToken;
import io.agentstacks.token.TokenStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Replays a job trace against a simulated Semaphore queue and a simulated Auto Scaling group on a
 * simulated clock, scaled by one policy:
 *
 * <ul>
 *   <li>{@code legacy}: the older tool: a scaler ticking every ~10 s inside one-minute invocations,
 *       up-only, no warm pool, no scale-in protection;</li>
 *   <li>{@code up-only} and {@code up-down}: the real demand-poller and scaler handlers, through
 *       in-memory ports: the poller invoked on the poll-demand state machine's grid (every
 *       {@code pollIntervalSeconds}, on the minute's seconds), its {@code DemandObserved} events handed
 *       to the scaler as EventBridge envelopes after the modelled latencies. Agents protect their
 *       instance from scale-in while they run a job; the spec's warm pool is used.</li>
 * </ul>
 *
 * Agents behave the same under every policy (see {@link SimSemaphore}). A day replays in about a
 * second.
 */
public final class FleetSimulation {

    /** The scaling policy a run uses. */
    public enum Policy {
        LEGACY("legacy"),
        UP_ONLY("up-only"),
        UP_DOWN("up-down");

        private final String value;

        Policy(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }

        public static Policy fromValue(String v) {
            return Arrays.stream(values()).filter(p -> p.value.equals(v)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown policy '" + v + "': use legacy, up-only, up-down or all"));
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /**
     * Delays the simulation models, in seconds.
     *
     * @param pollToEvent   the poller reading Semaphore (~0.15 s) and putting the event (~0.1 s)
     * @param eventDelivery EventBridge from PutEvents to the rule's Lambda target starting
     * @param scalerToCall  the scaler reading the registry and the group, then writing its decision
     * @param legacyTick    one tick of the older scaler (metrics, PutMetricData, Describe, SetDesired)
     * @param legacyToCall  from the older scaler's metrics request to its SetDesiredCapacity
     */
    public record Latencies(double pollToEvent, double eventDelivery, double scalerToCall, double legacyTick,
                            double legacyToCall) {
        public static Latencies defaults() {
            return new Latencies(0.25, 0.5, 0.1, 0.55, 0.45);
        }

        double pollToCall() {
            return pollToEvent + eventDelivery + scalerToCall;
        }
    }

    /** Everything a run needs. */
    public record Options(StackSpec spec, Trace trace, Policy policy, long seed, Latencies latencies,
                          InMemoryFleetControl.BootTimes bootTimes, double sampleSeconds) {
        public Options {
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(trace, "trace");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(latencies, "latencies");
            Objects.requireNonNull(bootTimes, "bootTimes");
            if (!(sampleSeconds > 0)) {
                throw new IllegalArgumentException("sampleSeconds must be positive");
            }
        }

        public static Options of(StackSpec spec, Trace trace, Policy policy, long seed) {
            return new Options(spec, trace, policy, seed, Latencies.defaults(), InMemoryFleetControl.BootTimes.defaults(),
                    30);
        }
    }

    /** Where simulated time starts: a Monday, midnight UTC (the workday trace starts at midnight). */
    public static final Instant START = Instant.parse("2025-01-06T00:00:00Z");
    /** After the trace, how long the fleet is left to drain before the books close. */
    public static final Duration DRAIN = Duration.ofHours(2);
    private static final Duration GIVE_UP = Duration.ofHours(48);

    private FleetSimulation() {
    }

    public static SimulationResult run(Options o) {
        return new Run(o).run();
    }

    private static final class Run {
        final Options o;
        final StackSpec spec;
        final String group;
        final SimClock clock = new SimClock(START);
        final InMemoryFleetControl fleet;
        final EventLoop loop;
        final ReactionTracker reactions = new ReactionTracker();
        final FleetControl countingFleet;
        final SimSemaphore semaphore;
        final List<SimulationResult.Sample> samples = new ArrayList<>();
        Instant horizon;
        DemandPoller poller;

        Run(Options o) {
            this.o = o;
            this.spec = o.spec().toBuilder().scaling(new Scaling(
                    o.policy() == Policy.UP_DOWN ? ScalingPolicyKind.UP_DOWN : ScalingPolicyKind.UP_ONLY,
                    o.spec().scaling().scaleInIdleSeconds(), o.spec().scaling().overprovision())).build();
            this.group = spec.stackName() + "-asg";
            this.fleet = new InMemoryFleetControl(clock, o.bootTimes(), o.seed());
            this.loop = new EventLoop(clock, fleet);
            this.countingFleet = new ReactingFleet();
            boolean protect = o.policy() != Policy.LEGACY;
            this.semaphore = new SimSemaphore(clock, loop, spec.disconnectAfterJob(), spec.disconnectAfterIdleSeconds(),
                    new AgentHooks(protect), this::demandChanged);
            int warm = o.policy() == Policy.LEGACY ? 0 : spec.warmPool().map(WarmPool::size).orElse(0);
            int desired = spec.desiredCapacity().orElse(spec.minSize());
            fleet.onChange(c -> {
                if (c.to() == InMemoryFleetControl.State.IN_SERVICE) {
                    semaphore.register(c.instanceId());
                } else if (c.to() == InMemoryFleetControl.State.TERMINATED) {
                    semaphore.instanceGone(c.instanceId());
                }
            });
            fleet.createGroup(new InMemoryFleetControl.GroupConfig(group, spec.os().family(), spec.minSize(),
                    spec.maxSize(), desired, warm, false));
        }

        SimulationResult run() {
            horizon = START.plusMillis(Math.round(o.trace().lastEndSeconds() * 1000)).plus(DRAIN);
            for (Job j : o.trace().jobs()) {
                loop.at(START.plusNanos(Math.round(j.submitSeconds() * 1e9)), () -> semaphore.submit(j));
            }
            if (o.policy() == Policy.LEGACY) {
                LegacyScaler legacy = new LegacyScaler(loop, clock, semaphore, countingFleet, group,
                        spec.scaling().overprovision(), o.latencies().legacyTick(), o.latencies().legacyToCall());
                everyMinute(START, legacy::invoke);
            } else {
                startPolicyHandlers();
            }
            sample();
            try {
                loop.runUntil(horizon);
                Instant giveUp = START.plus(GIVE_UP);
                while (semaphore.completed() < o.trace().jobs().size() && horizon.isBefore(giveUp)) {
                    horizon = horizon.plus(Duration.ofHours(1));
                    loop.runUntil(horizon);
                }
            } finally {
                if (poller != null) {
                    poller.close();
                }
            }
            return result();
        }

        private void startPolicyHandlers() {
            InMemoryStackRegistry registry = new InMemoryStackRegistry();
            StackRecord r = stored(registry.put(StackTransitions.specAccepted(Optional.empty(), spec, START)));
            r = stored(registry.put(StackTransitions.provisioningStarted(r, START)));
            stored(registry.put(StackTransitions.ready(r, group, "arn:aws:cloudformation:local:000000000000:stack/"
                    + spec.stackName() + "/sim", START)));
            TokenStore tokens = new FixedTokenStore(spec.agentTokenParameterName());
            Scaler scaler = new Scaler(registry, countingFleet, events -> { }, clock, line -> { });
            // The bus: each DemandObserved reaches the scaler's rule target after the modelled delays.
            EventSink bus = events -> {
                for (DomainEvent e : events) {
                    if (e instanceof DomainEvent.DemandObserved d) {
                        JsonNode delivered = EventJson.envelope(d, "000000000000", "local");
                        loop.after(o.latencies().pollToCall(), () -> scaler.handle(delivered));
                    }
                }
            };
            poller = new DemandPoller(registry, tokens, semaphore, bus, clock, line -> { },
                    new DemandPoller.Settings(1, Duration.ofSeconds(4)));
            everyMinute(START, () -> pollTick(clock.instant(), 0));
        }

        /** One state-machine step: invoke the poller, then wait until the second it names. */
        private void pollTick(Instant minute, int offset) {
            PollResult r = poller.poll(new PollRequest(minute, offset, false));
            if (!r.done()) {
                loop.at(r.nextPollAt(), () -> pollTick(minute, r.nextOffsetSeconds()));
            }
        }

        private void everyMinute(Instant from, Runnable action) {
            loop.at(from, () -> {
                action.run();
                Instant next = clock.instant().plusSeconds(60);
                if (!next.isAfter(horizon.plus(GIVE_UP))) {
                    everyMinute(next, action);
                }
            });
        }

        private void sample() {
            Demand d = semaphore.demand();
            samples.add(new SimulationResult.Sample(Duration.between(START, clock.instant()).toSeconds(), d.queuedJobs(),
                    fleet.desiredCapacity(group), semaphore.agentCount()));
            loop.after(o.sampleSeconds(), this::sample);
        }

        private void demandChanged() {
            Demand d = semaphore.demand();
            int desired = fleet.desiredCapacity(group);
            int needed = ScalingPolicy.target(d.jobs(), spec.minSize(), spec.maxSize(), spec.scaling().overprovision());
            reactions.demandChanged(clock.instant(), needed, desired);
        }

        private SimulationResult result() {
            InMemoryFleetControl.Usage usage = fleet.usage(group);
            double perHour = Prices.perHour(spec.instanceType(), spec.os()).orElseThrow(() ->
                    new IllegalArgumentException("no on-demand price for instance type " + spec.instanceType()
                            + "; the simulator knows " + Prices.knownTypes()));
            double ebs = Prices.ebsPerGbSecond() * spec.volume().sizeGib();
            double running = usage.runningSeconds() + usage.warmRunningSeconds();
            double cost = perHour * running / 3600 + ebs * (running + usage.warmStoppedSeconds());
            return new SimulationResult(o.policy().value(), o.trace().name(), semaphore.completed(),
                    o.trace().jobs().size(), semaphore.interrupted(), semaphore.waits(), usage.runningSeconds(),
                    usage.warmPoolSeconds(), cost, fleet.calls("SetDesiredCapacity").size(), reactions.reactions(),
                    samples);
        }

        private static StackRecord stored(StackRegistry.PutResult r) {
            return ((StackRegistry.PutResult.Stored) r).stored();
        }

        /** What agents do to their instance; errors are Auto Scaling's answers, handled as the agent scripts do. */
        private final class AgentHooks implements SimSemaphore.Host {
            private final boolean protect;

            AgentHooks(boolean protect) {
                this.protect = protect;
            }

            @Override
            public void protect(String instanceId, boolean on) {
                if (protect) {
                    fleet.setInstanceProtection(group, instanceId, on);
                }
            }

            @Override
            public void leaveAfterJob(String instanceId) {
                fleet.terminateInstanceInAutoScalingGroup(instanceId, false);
            }

            @Override
            public void leaveIdle(String instanceId) {
                try {
                    fleet.terminateInstanceInAutoScalingGroup(instanceId, true);
                } catch (FleetControlException e) {
                    // At min size the decrement is refused; the agent is gone, the health check powers off.
                    fleet.powerOff(instanceId);
                }
            }
        }

        /** The fleet as the scalers see it, telling the reaction tracker when desired capacity is raised. */
        private final class ReactingFleet implements FleetControl {
            @Override
            public Optional<GroupState> describe(String groupName) {
                return fleet.describe(groupName);
            }

            @Override
            public void setDesiredCapacity(String groupName, int desiredCapacity) {
                int before = fleet.desiredCapacity(groupName);
                fleet.setDesiredCapacity(groupName, desiredCapacity);
                if (desiredCapacity > before) {
                    reactions.raised(clock.instant());
                }
            }

            @Override
            public void updateSizes(String groupName, int minSize, int maxSize, int desiredCapacity) {
                fleet.updateSizes(groupName, minSize, maxSize, desiredCapacity);
            }

            @Override
            public void suspendAzRebalance(String groupName) {
                fleet.suspendAzRebalance(groupName);
            }

            @Override
            public String startInstanceRefresh(String groupName) {
                return fleet.startInstanceRefresh(groupName);
            }
        }
    }

    /** The stack's token parameter in memory; always readable (token faults are the fault tests' business). */
    private static final class FixedTokenStore implements TokenStore {
        private final String parameterName;
        private StoredToken current = new StoredToken(new AgentToken("simulated-agent-type-token"), 1);

        FixedTokenStore(String parameterName) {
            this.parameterName = parameterName;
        }

        @Override
        public synchronized StoredToken read(String name) {
            if (!name.equals(parameterName)) {
                throw new TokenStoreException("GetParameter: SSM parameter " + name + " does not exist", true, null);
            }
            return current;
        }

        @Override
        public synchronized long write(String name, AgentToken token, Optional<String> kmsKeyId) {
            if (!name.equals(parameterName)) {
                throw new TokenStoreException("PutParameter: the simulation has only " + parameterName, false, null);
            }
            current = new StoredToken(token, current.version() + 1);
            return current.version();
        }
    }
}
