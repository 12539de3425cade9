package io.agentstacks.scaler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.demand.ChangeDetector;
import io.agentstacks.demand.Demand;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventJson;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.scaling.GroupState;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.Overprovision;
import io.agentstacks.spec.Scaling;
import io.agentstacks.spec.ScalingPolicyKind;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.DecisionSnapshot;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackTransitions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

class ScalerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    private final InMemoryFleetControl fleet = new InMemoryFleetControl(clock,
            new InMemoryFleetControl.BootTimes(Duration.ofSeconds(45), Duration.ofMinutes(5), Duration.ofMinutes(10),
                    Duration.ofSeconds(30), 0), 1);
    private final InMemoryEventSink sink = new InMemoryEventSink();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Scaler scaler = new Scaler(registry, fleet, sink, clock, log::add);

    private void stack(ScalingPolicyKind policy, int scaleInIdleSeconds, int desired) {
        StackSpec spec = StackSpec.builder("ci-linux", "/semaphore/ci-linux/token").semaphoreOrganization("acme")
                .maxSize(20).scaling(new Scaling(policy, scaleInIdleSeconds, Overprovision.none())).build();
        StackRecord r = ((StackRegistry.PutResult.Stored) registry.put(StackTransitions.specAccepted(Optional.empty(), spec,
                T0.minusSeconds(3600)))).stored();
        r = ((StackRegistry.PutResult.Stored) registry.put(StackTransitions.provisioningStarted(r, T0))).stored();
        registry.put(StackTransitions.ready(r, "ci-linux-asg", "arn:aws:cloudformation:us-east-1:123456789012:stack/ci-linux/1", T0));
        fleet.createGroup(new InMemoryFleetControl.GroupConfig("ci-linux-asg", OperatingSystem.Family.LINUX, 0, 20, desired,
                0, false));
    }

    /** The event exactly as EventBridge hands it to the scaler's rule target. */
    private static JsonNode delivered(int queued, int running, int idle, int occupied, Instant at) throws Exception {
        return JSON.readTree("""
                {
                  "version": "0",
                  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
                  "detail-type": "DemandObserved",
                  "source": "semaphore.agent-stacks",
                  "account": "123456789012",
                  "time": "%s",
                  "region": "us-east-1",
                  "resources": [],
                  "detail": {
                    "stack": "ci-linux",
                    "groupName": "ci-linux-asg",
                    "queuedJobs": %d,
                    "runningJobs": %d,
                    "idleAgents": %d,
                    "occupiedAgents": %d,
                    "at": "%s"
                  }
                }
                """.formatted(at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), queued, running, idle, occupied, at));
    }

    private int desired() {
        return fleet.describe("ci-linux-asg").orElseThrow().desiredCapacity();
    }

    private int setCalls() {
        return fleet.calls("SetDesiredCapacity").size();
    }

    @Test
    void scalesUpToQueuedPlusRunningAndRecordsWhy() throws Exception {
        stack(ScalingPolicyKind.UP_ONLY, 300, 1);
        Instant at = T0.plusMillis(300);
        clock.set(at.plusMillis(700));

        ScalerResult r = scaler.handle(delivered(4, 1, 0, 1, at));

        assertThat(r.outcome()).isEqualTo("scaled");
        assertThat(desired()).isEqualTo(5);
        assertThat(setCalls()).isEqualTo(1);
        assertThat(sink.published(DomainEvent.ScalingDecision.class)).singleElement().satisfies(d -> {
            assertThat(d.action()).isEqualTo("scale");
            assertThat(d.previousDesired()).isEqualTo(1);
            assertThat(d.desired()).isEqualTo(5);
            assertThat(d.observedAt()).isEqualTo(at);
            assertThat(d.reason()).contains("4 queued + 1 running");
        });
        var decision = registry.get("ci-linux").orElseThrow().lastDecision().orElseThrow();
        assertThat(decision.observedAt()).isEqualTo(at);
        assertThat(decision.desired()).isEqualTo(5);
        assertThat(log).anySatisfy(l -> assertThat(JSON.readTree(l).path("DesiredCapacity").asInt(-1)).isEqualTo(5));
    }

    @Test
    void theSameObservationDeliveredTwiceCallsAutoScalingOnce() throws Exception {
        stack(ScalingPolicyKind.UP_ONLY, 300, 0);
        Instant at = T0.plusMillis(300);
        clock.set(at.plusSeconds(1));
        JsonNode event = delivered(3, 0, 0, 0, at);
        assertThat(scaler.handle(event).outcome()).isEqualTo("scaled");
        assertThat(scaler.handle(event).outcome()).isEqualTo("duplicate");
        assertThat(setCalls()).isEqualTo(1);
        assertThat(sink.published(DomainEvent.ScalingDecision.class)).hasSize(1);
    }

    @Test
    void theSameObservationDeliveredTwiceAtOnceCallsAutoScalingOnce() throws Exception {
        stack(ScalingPolicyKind.UP_ONLY, 300, 0);
        CyclicBarrier bothRead = new CyclicBarrier(2);
        FleetControl meetingFleet = new FleetControl() {
            @Override
            public Optional<GroupState> describe(String groupName) {
                Optional<GroupState> g = fleet.describe(groupName);
                try {
                    bothRead.await(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return g;
            }

            @Override
            public void setDesiredCapacity(String groupName, int desiredCapacity) {
                fleet.setDesiredCapacity(groupName, desiredCapacity);
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
        };
        Scaler racing = new Scaler(registry, meetingFleet, sink, clock, log::add);
        Instant at = T0.plusMillis(300);
        clock.set(at.plusSeconds(1));
        JsonNode event = delivered(6, 0, 0, 0, at);
        List<ScalerResult> results = new CopyOnWriteArrayList<>();
        Thread a = new Thread(() -> results.add(racing.handle(event)));
        Thread b = new Thread(() -> results.add(racing.handle(event)));
        a.start();
        b.start();
        a.join(10_000);
        b.join(10_000);
        assertThat(results).extracting(ScalerResult::outcome).containsExactlyInAnyOrder("scaled", "duplicate");
        assertThat(setCalls()).isEqualTo(1);
    }

    @Test
    void anOlderObservationArrivingLateIsIgnored() throws Exception {
        stack(ScalingPolicyKind.UP_ONLY, 300, 0);
        clock.set(T0.plusSeconds(11));
        scaler.handle(delivered(2, 0, 0, 0, T0.plusSeconds(10)));
        assertThat(scaler.handle(delivered(9, 0, 0, 0, T0)).outcome()).isEqualTo("duplicate");
        assertThat(desired()).isEqualTo(2);
    }

    @Test
    void aStaleObservationHoldsCapacity() throws Exception {
        stack(ScalingPolicyKind.UP_ONLY, 300, 1);
        clock.set(T0.plusSeconds(25));
        ScalerResult r = scaler.handle(delivered(9, 0, 0, 0, T0));
        assertThat(r.outcome()).isEqualTo("held");
        assertThat(r.reason()).contains("25 s old");
        assertThat(setCalls()).isZero();
        assertThat(sink.published(DomainEvent.ScalingDecision.class)).singleElement()
                .satisfies(d -> assertThat(d.action()).isEqualTo("hold"));
    }

    @Test
    void upOnlyNeverLowers() throws Exception {
        stack(ScalingPolicyKind.UP_ONLY, 0, 6);
        for (int i = 0; i < 10; i++) {
            Instant at = T0.plusSeconds(60L * i);
            clock.set(at.plusMillis(500));
            scaler.handle(delivered(0, 0, 6, 0, at));
        }
        assertThat(desired()).isEqualTo(6);
        assertThat(setCalls()).isZero();
    }

    @Test
    void upDownLowersOnceAgentsHaveBeenIdleLongEnough() throws Exception {
        stack(ScalingPolicyKind.UP_DOWN, 60, 6);
        clock.set(T0.plusMillis(500));
        assertThat(scaler.handle(delivered(0, 1, 5, 1, T0)).outcome()).isEqualTo("held");
        clock.set(T0.plusSeconds(30).plusMillis(500));
        assertThat(scaler.handle(delivered(0, 1, 5, 1, T0.plusSeconds(30))).outcome()).isEqualTo("held");
        clock.set(T0.plusSeconds(60).plusMillis(500));
        ScalerResult r = scaler.handle(delivered(0, 1, 5, 1, T0.plusSeconds(60)));
        assertThat(r.outcome()).isEqualTo("scaled");
        assertThat(desired()).isEqualTo(1);
    }

    @Test
    void malformedEventsAreRejectedWithoutAnyCall() throws Exception {
        stack(ScalingPolicyKind.UP_ONLY, 300, 0);
        List<String> bad = new ArrayList<>();
        bad.add(delivered(1, 0, 0, 0, T0).toString().replace("\"DemandObserved\"", "\"StackReady\""));
        bad.add(delivered(1, 0, 0, 0, T0).toString().replace("semaphore.agent-stacks", "aws.events"));
        bad.add(delivered(1, 0, 0, 0, T0).toString().replace("\"queuedJobs\":1", "\"queuedJobs\":-1"));
        bad.add(delivered(1, 0, 0, 0, T0).toString().replace("\"queuedJobs\":1", "\"queuedJobs\":\"1\""));
        bad.add(delivered(1, 0, 0, 0, T0).toString().replace("\"at\":\"2025-03-01T12:00:00Z\"", "\"at\":\"noon\""));
        bad.add(delivered(1, 0, 0, 0, T0).toString().replace("\"stack\":\"ci-linux\",", ""));
        bad.add("{}");
        bad.add("[]");
        for (String b : bad) {
            ScalerResult r = scaler.handle(JSON.readTree(b));
            assertThat(r.outcome()).as(b).isEqualTo("rejected");
        }
        assertThat(setCalls()).isZero();
        assertThat(registry.get("ci-linux").orElseThrow().lastDecision()).isEmpty();
        assertThat(log).anySatisfy(l -> assertThat(l).contains("DemandObserved.queuedJobs"));
    }

    @Test
    void anEventForAStackThatIsNotLiveIsIgnored() throws Exception {
        clock.set(T0.plusSeconds(1));
        assertThat(scaler.handle(delivered(1, 0, 0, 0, T0)).outcome()).isEqualTo("ignored");
    }

    @Test
    void aGroupThatIsGoneHolds() throws Exception {
        stack(ScalingPolicyKind.UP_ONLY, 300, 0);
        fleet.deleteGroup("ci-linux-asg");
        clock.set(T0.plusSeconds(1));
        ScalerResult r = scaler.handle(delivered(3, 0, 0, 0, T0));
        assertThat(r.outcome()).isEqualTo("held");
        assertThat(r.reason()).contains("not found");
    }

    @Test
    void aDecisionCappedByTheGroupsScheduledMaxIsWhatThePollerMeasuresTheNeedBy() throws Exception {
        stack(ScalingPolicyKind.UP_ONLY, 300, 1);
        fleet.updateSizes("ci-linux-asg", 0, 2, 1); // a night schedule lowered the group's max below the spec's 20
        Instant at = T0.plusMillis(300);
        clock.set(at.plusMillis(700));

        ScalerResult r = scaler.handle(delivered(10, 0, 0, 0, at));

        assertThat(r.outcome()).isEqualTo("scaled");
        assertThat(desired()).isEqualTo(2);
        StackRecord record = registry.get("ci-linux").orElseThrow();
        assertThat(record.lastDecision().orElseThrow().groupSizes()).contains(new DecisionSnapshot.GroupSizes(0, 2));
        assertThat(ChangeDetector.belowNeed(record, new Demand(10, 0, 0, 0)))
                .as("the same 10 jobs at the next poll are not below what the scaler can give").isFalse();
        assertThat(ChangeDetector.belowNeed(record, new Demand(10, 0, 0, 0)))
                .isEqualTo(ChangeDetector.belowNeed(record, new Demand(2, 0, 0, 0)));
    }

    @Test
    void aHoldBecauseTheGroupIsGoneIsNotRepublishedAtEveryPoll() throws Exception {
        stack(ScalingPolicyKind.UP_ONLY, 300, 0);
        fleet.deleteGroup("ci-linux-asg");
        clock.set(T0.plusSeconds(1));

        scaler.handle(delivered(3, 0, 0, 0, T0));

        StackRecord record = registry.get("ci-linux").orElseThrow();
        assertThat(record.lastDecision().orElseThrow().groupSizes()).contains(DecisionSnapshot.GroupSizes.NO_GROUP);
        assertThat(ChangeDetector.belowNeed(record, new Demand(3, 0, 0, 0))).isFalse();
    }

    @Test
    void aRefusedCallIsRecordedAsAHoldAndSaidInAMetric() throws Exception {
        stack(ScalingPolicyKind.UP_ONLY, 300, 0);
        // The scaler read max 20; a schedule lowers max before the call lands.
        FleetControl shrinking = new FleetControl() {
            @Override
            public Optional<GroupState> describe(String groupName) {
                Optional<GroupState> g = fleet.describe(groupName);
                fleet.updateSizes(groupName, 0, 2, 0);
                return g;
            }

            @Override
            public void setDesiredCapacity(String groupName, int desiredCapacity) {
                fleet.setDesiredCapacity(groupName, desiredCapacity);
            }

            @Override
            public void updateSizes(String groupName, int minSize, int maxSize, int desiredCapacity) {
                fleet.updateSizes(groupName, minSize, maxSize, desiredCapacity);
            }

            @Override
            public void suspendAzRebalance(String groupName) {
            }

            @Override
            public String startInstanceRefresh(String groupName) {
                return "";
            }
        };
        Scaler s = new Scaler(registry, shrinking, sink, clock, log::add);
        clock.set(T0.plusSeconds(1));
        ScalerResult r = s.handle(delivered(9, 0, 0, 0, T0));
        assertThat(r.outcome()).isEqualTo("failed");
        assertThat(r.reason()).contains("above max value 2");
        var decision = registry.get("ci-linux").orElseThrow().lastDecision().orElseThrow();
        assertThat(decision.action()).isEqualTo("hold");
        assertThat(decision.reason()).contains("SetDesiredCapacity to 9 failed");
        assertThat(sink.published(DomainEvent.ScalingDecision.class)).singleElement()
                .satisfies(d -> assertThat(d.action()).isEqualTo("hold"));
        assertThat(log).anySatisfy(l -> assertThat(l).contains("\"ScalingCallFailed\":1"));
    }

    /** The in-memory fleet, with {@code meanwhile} run after each group read: what other writers do during a decision. */
    private FleetControl onDescribe(Runnable meanwhile) {
        return new FleetControl() {
            @Override
            public Optional<GroupState> describe(String groupName) {
                Optional<GroupState> g = fleet.describe(groupName);
                meanwhile.run();
                return g;
            }

            @Override
            public void setDesiredCapacity(String groupName, int desiredCapacity) {
                fleet.setDesiredCapacity(groupName, desiredCapacity);
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
        };
    }

    @Test
    void demandAndStatusWritesWhileTheScalerDecidesDoNotStopTheScaleUp() throws Exception {
        stack(ScalingPolicyKind.UP_ONLY, 300, 0);
        Instant at = T0.plusSeconds(30);
        // More rival writes than any retry budget: the poller's demand and a whole-record writer, again and again.
        Scaler busy = new Scaler(registry, onDescribe(() -> {
            for (int i = 1; i <= 2 * StackRegistry.UPDATE_ATTEMPTS; i++) {
                registry.recordDemand("ci-linux", new io.agentstacks.stacks.DemandSnapshot(4, 0, 0, 0, at.plusMillis(i)));
                String reason = "rival " + i;
                registry.update("ci-linux", r -> r.toBuilder().reason(Optional.of(reason)).build());
            }
        }), sink, clock, log::add);
        clock.set(at.plusSeconds(1));

        ScalerResult r = busy.handle(delivered(4, 0, 0, 0, at));

        assertThat(r.outcome()).isEqualTo("scaled");
        assertThat(desired()).isEqualTo(4);
        StackRecord stored = registry.get("ci-linux").orElseThrow();
        assertThat(stored.lastDecision().orElseThrow().observedAt()).isEqualTo(at);
        assertThat(stored.lastDemand().orElseThrow().observedAt()).isEqualTo(at.plusMillis(2L * StackRegistry.UPDATE_ATTEMPTS));
        assertThat(stored.reason()).contains("rival " + 2 * StackRegistry.UPDATE_ATTEMPTS);
    }

    @Test
    void aRivalDeliveryThatClaimsTheObservationFirstMakesThisOneADuplicateWithNoCall() throws Exception {
        stack(ScalingPolicyKind.UP_ONLY, 300, 0);
        Instant at = T0.plusSeconds(30);
        var rivals = new io.agentstacks.stacks.DecisionSnapshot("scale", 0, 5, "5 jobs", at, at, Optional.empty());
        Scaler late = new Scaler(registry, onDescribe(() -> registry.claimDecision("ci-linux", rivals)), sink, clock, log::add);
        clock.set(at.plusSeconds(1));

        ScalerResult r = late.handle(delivered(5, 0, 0, 0, at));

        assertThat(r.outcome()).isEqualTo("duplicate");
        assertThat(r.desired()).isEqualTo(5);
        assertThat(setCalls()).isZero();
        assertThat(sink.published(DomainEvent.ScalingDecision.class)).isEmpty();
        assertThat(registry.get("ci-linux").orElseThrow().lastDecision()).contains(rivals);
    }

    @Test
    void aRefusedCallDecidedOverByANewerObservationLeavesTheNewerDecision() throws Exception {
        stack(ScalingPolicyKind.UP_ONLY, 300, 0);
        Instant at = T0.plusSeconds(30);
        var newer = new io.agentstacks.stacks.DecisionSnapshot("hold", 0, 0, "0 jobs", at.plusSeconds(10), at, Optional.empty());
        FleetControl refusing = new FleetControl() {
            @Override
            public Optional<GroupState> describe(String groupName) {
                return fleet.describe(groupName);
            }

            @Override
            public void setDesiredCapacity(String groupName, int desiredCapacity) {
                registry.claimDecision("ci-linux", newer); // the next observation was decided while this call failed
                throw new io.agentstacks.scaling.FleetControlException(io.agentstacks.scaling.FleetControlException.Kind.THROTTLED,
                        "SetDesiredCapacity for group " + groupName + " was throttled");
            }

            @Override
            public void updateSizes(String groupName, int minSize, int maxSize, int desiredCapacity) {
            }

            @Override
            public void suspendAzRebalance(String groupName) {
            }

            @Override
            public String startInstanceRefresh(String groupName) {
                return "";
            }
        };
        clock.set(at.plusSeconds(1));

        ScalerResult r = new Scaler(registry, refusing, sink, clock, log::add).handle(delivered(3, 0, 0, 0, at));

        assertThat(r.outcome()).isEqualTo("failed");
        assertThat(registry.get("ci-linux").orElseThrow().lastDecision()).contains(newer);
        assertThat(log).anySatisfy(l -> assertThat(l).contains("scaler.revision-superseded"));
    }

    @Test
    void theEnvelopeWrittenForTestsAndSimulationIsReadBack() {
        var e = new DomainEvent.DemandObserved("ci-linux", "ci-linux-asg", 1, 2, 3, 4, T0.plusMillis(250));
        JsonNode env = EventJson.envelope(e, "123456789012", "us-east-1");
        assertThat(EventJson.fromEnvelope(env, DomainEvent.DemandObserved.class)).isEqualTo(e);
        assertThat(env.get("time").asText()).isEqualTo("2025-03-01T12:00:00Z");
    }
}
