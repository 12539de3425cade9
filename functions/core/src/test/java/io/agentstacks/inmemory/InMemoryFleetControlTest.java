package io.agentstacks.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.inmemory.InMemoryFleetControl.BootTimes;
import io.agentstacks.inmemory.InMemoryFleetControl.GroupConfig;
import io.agentstacks.inmemory.InMemoryFleetControl.InstanceView;
import io.agentstacks.inmemory.InMemoryFleetControl.State;
import io.agentstacks.scaling.FleetControlException;
import io.agentstacks.scaling.GroupState;
import io.agentstacks.spec.OperatingSystem.Family;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

class InMemoryFleetControlTest {

    private static final Instant T0 = Instant.parse("2025-03-01T00:00:00Z");
    private static final BootTimes EXACT = new BootTimes(Duration.ofSeconds(45), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofSeconds(30), 0);

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryFleetControl fleet = new InMemoryFleetControl(clock, EXACT, 7);

    private void group(String name, Family family, int min, int max, int desired, int warm) {
        fleet.createGroup(new GroupConfig(name, family, min, max, desired, warm, false));
    }

    private List<InstanceView> inState(String group, State state) {
        return fleet.instances(group).stream().filter(i -> i.state() == state).toList();
    }

    @Test
    void instancesAreInServiceAfterTheBootTimeOfTheirOsFamily() {
        group("linux", Family.LINUX, 0, 10, 0, 0);
        group("windows", Family.WINDOWS, 0, 10, 0, 0);
        group("mac", Family.MACOS, 0, 10, 0, 0);
        fleet.setDesiredCapacity("linux", 2);
        fleet.setDesiredCapacity("windows", 1);
        fleet.setDesiredCapacity("mac", 1);
        assertThat(fleet.describe("linux").orElseThrow().instances()).extracting(GroupState.Instance::lifecycleState)
                .containsOnly("Pending");

        clock.advance(Duration.ofSeconds(44));
        assertThat(fleet.describe("linux").orElseThrow().inServiceCount()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(fleet.describe("linux").orElseThrow().inServiceCount()).isEqualTo(2);
        assertThat(fleet.nextEventAt()).contains(T0.plusSeconds(300));

        clock.advance(Duration.ofSeconds(300 - 45));
        assertThat(fleet.describe("windows").orElseThrow().inServiceCount()).isEqualTo(1);
        assertThat(fleet.describe("mac").orElseThrow().inServiceCount()).isZero();
        clock.advance(Duration.ofSeconds(300));
        assertThat(fleet.describe("mac").orElseThrow().inServiceCount()).isEqualTo(1);
        assertThat(fleet.nextEventAt()).isEmpty();
    }

    @Test
    void bootTimesJitterAroundTheMedianAndRepeatForTheSameSeed() {
        List<Long> first = bootSeconds(42);
        assertThat(first).isEqualTo(bootSeconds(42)).isNotEqualTo(bootSeconds(43));
        List<Long> sorted = first.stream().sorted().toList();
        assertThat(sorted.get(sorted.size() / 2)).isBetween(40L, 50L);
        assertThat(sorted.get(0)).isLessThan(45L);
        assertThat(sorted.get(sorted.size() - 1)).isGreaterThan(45L);
    }

    private static List<Long> bootSeconds(long seed) {
        ManualClock c = new ManualClock(T0);
        InMemoryFleetControl f = new InMemoryFleetControl(c, BootTimes.defaults(), seed);
        List<Long> seconds = new ArrayList<>();
        f.onChange(ch -> {
            if (ch.to() == State.IN_SERVICE) {
                seconds.add(Duration.between(T0, ch.at()).toSeconds());
            }
        });
        f.createGroup(new GroupConfig("g", Family.LINUX, 0, 200, 101, 0, false));
        while (f.nextEventAt().isPresent()) {
            c.advance(Duration.between(c.instant(), f.nextEventAt().get()));
            f.settle();
        }
        return seconds;
    }

    @Test
    void settleAppliesTransitionsAtTheirOwnTimeEvenWhenTheClockJumped() {
        group("g", Family.LINUX, 0, 10, 0, 0);
        List<InMemoryFleetControl.Change> changes = new ArrayList<>();
        fleet.onChange(changes::add);
        fleet.setDesiredCapacity("g", 1);
        clock.advance(Duration.ofSeconds(3600));
        fleet.settle();
        assertThat(changes).extracting(InMemoryFleetControl.Change::to).containsExactly(State.PENDING, State.IN_SERVICE);
        assertThat(changes.get(1).at()).isEqualTo(T0.plusSeconds(45));
        assertThat(fleet.usage("g").runningSeconds()).isEqualTo(3600.0);
    }

    @Test
    void loweringDesiredTerminatesUnprotectedInstancesOnly() {
        group("g", Family.LINUX, 0, 10, 4, 0);
        clock.advance(Duration.ofSeconds(60));
        List<InstanceView> running = inState("g", State.IN_SERVICE);
        fleet.setInstanceProtection("g", running.get(0).instanceId(), true);
        fleet.setInstanceProtection("g", running.get(1).instanceId(), true);

        fleet.setDesiredCapacity("g", 1);

        GroupState g = fleet.describe("g").orElseThrow();
        assertThat(g.desiredCapacity()).as("AWS lowers desired even below the protected count").isEqualTo(1);
        assertThat(g.instances()).extracting(GroupState.Instance::instanceId)
                .containsExactlyInAnyOrder(running.get(0).instanceId(), running.get(1).instanceId());

        // Once one is unprotected (its job ended) the group converges to desired.
        fleet.setInstanceProtection("g", running.get(0).instanceId(), false);
        assertThat(fleet.describe("g").orElseThrow().instances()).extracting(GroupState.Instance::instanceId)
                .containsExactly(running.get(1).instanceId());
    }

    @Test
    void aGroupWhoseInstancesAreAllProtectedNeverLosesOne() {
        fleet.createGroup(new GroupConfig("g", Family.LINUX, 0, 10, 3, 0, true));
        clock.advance(Duration.ofSeconds(60));
        fleet.setDesiredCapacity("g", 0);
        clock.advance(Duration.ofSeconds(3600));
        assertThat(fleet.describe("g").orElseThrow().inServiceCount()).isEqualTo(3);
        assertThat(fleet.describe("g").orElseThrow().instances()).allMatch(GroupState.Instance::protectedFromScaleIn);
    }

    @Test
    void refusesSizesOutsideMinAndMaxWithAwsMessages() {
        group("g", Family.LINUX, 1, 5, 1, 0);
        assertThatThrownBy(() -> fleet.setDesiredCapacity("g", 6)).isInstanceOf(FleetControlException.class)
                .hasMessage("New SetDesiredCapacity value 6 is above max value 5 for the AutoScalingGroup.")
                .satisfies(e -> assertThat(((FleetControlException) e).kind()).isEqualTo(FleetControlException.Kind.INVALID));
        assertThatThrownBy(() -> fleet.setDesiredCapacity("g", 0)).hasMessageContaining("below min value 1");
        assertThatThrownBy(() -> fleet.updateSizes("g", 3, 2, 2)).hasMessageContaining("cannot be greater");
        assertThatThrownBy(() -> fleet.setDesiredCapacity("nope", 1)).isInstanceOf(FleetControlException.class)
                .satisfies(e -> assertThat(((FleetControlException) e).kind()).isEqualTo(FleetControlException.Kind.NOT_FOUND));
        assertThat(fleet.describe("nope")).isEmpty();
        assertThat(fleet.describe("g").orElseThrow().desiredCapacity()).isEqualTo(1);
    }

    @Test
    void updateSizesSetsMinMaxAndDesiredTogether() {
        group("g", Family.LINUX, 0, 5, 2, 0);
        fleet.updateSizes("g", 0, 0, 0);
        GroupState g = fleet.describe("g").orElseThrow();
        assertThat(List.of(g.minSize(), g.maxSize(), g.desiredCapacity())).containsExactly(0, 0, 0);
        assertThat(g.instances()).isEmpty();
    }

    @Test
    void anAgentEndingAfterAJobIsReplacedAndAnIdleOneLowersDesired() {
        group("g", Family.LINUX, 0, 10, 2, 0);
        clock.advance(Duration.ofSeconds(45));
        List<InstanceView> running = inState("g", State.IN_SERVICE);

        fleet.terminateInstanceInAutoScalingGroup(running.get(0).instanceId(), false);
        GroupState afterJob = fleet.describe("g").orElseThrow();
        assertThat(afterJob.desiredCapacity()).isEqualTo(2);
        assertThat(afterJob.instances()).extracting(GroupState.Instance::lifecycleState)
                .containsExactlyInAnyOrder("InService", "Pending");

        fleet.terminateInstanceInAutoScalingGroup(running.get(1).instanceId(), true);
        GroupState afterIdle = fleet.describe("g").orElseThrow();
        assertThat(afterIdle.desiredCapacity()).isEqualTo(1);
        assertThat(afterIdle.instances()).extracting(GroupState.Instance::lifecycleState).containsExactly("Pending");
    }

    @Test
    void terminatingWithDecrementAtMinIsRefusedAndAPowerOffIsReplaced() {
        group("g", Family.LINUX, 1, 10, 1, 0);
        clock.advance(Duration.ofSeconds(45));
        String id = inState("g", State.IN_SERVICE).get(0).instanceId();
        assertThatThrownBy(() -> fleet.terminateInstanceInAutoScalingGroup(id, true))
                .hasMessageStartingWith("Currently, desiredCapacity (1) is equal to minSize (1).");
        fleet.powerOff(id);
        assertThat(fleet.describe("g").orElseThrow().instances()).singleElement()
                .satisfies(i -> assertThat(i.instanceId()).isNotEqualTo(id));
    }

    @Test
    void terminatingByTheAgentIgnoresScaleInProtection() {
        fleet.createGroup(new GroupConfig("g", Family.LINUX, 0, 10, 1, 0, true));
        clock.advance(Duration.ofSeconds(45));
        String id = inState("g", State.IN_SERVICE).get(0).instanceId();
        fleet.terminateInstanceInAutoScalingGroup(id, true);
        assertThat(fleet.describe("g").orElseThrow().instances()).isEmpty();
    }

    @Test
    void aWarmPoolIsFilledStoppedAndStartsInstancesFaster() {
        group("g", Family.LINUX, 0, 10, 0, 2);
        assertThat(inState("g", State.WARMED_PENDING)).hasSize(2);
        clock.advance(Duration.ofSeconds(45));
        assertThat(inState("g", State.WARMED_STOPPED)).hasSize(2);
        assertThat(fleet.describe("g").orElseThrow().warmInstances()).isEqualTo(2);

        fleet.setDesiredCapacity("g", 3);
        assertThat(fleet.instances("g")).filteredOn(InstanceView::fromWarmPool).hasSize(2);
        assertThat(inState("g", State.WARMED_PENDING)).as("the pool refills").hasSize(2);
        clock.advance(Duration.ofSeconds(30));
        assertThat(fleet.describe("g").orElseThrow().inServiceCount()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(15));
        assertThat(fleet.describe("g").orElseThrow().inServiceCount()).isEqualTo(3);

        InMemoryFleetControl.Usage usage = fleet.usage("g");
        assertThat(usage.runningSeconds()).isEqualTo(2 * 45.0 + 45.0);
        assertThat(usage.warmRunningSeconds()).as("warming runs the instance").isEqualTo(2 * 45.0 + 2 * 45.0);
        assertThat(usage.warmStoppedSeconds()).isEqualTo(0.0);
        clock.advance(Duration.ofSeconds(100));
        assertThat(fleet.usage("g").warmStoppedSeconds()).isEqualTo(2 * 100.0);
    }

    @Test
    void configuringAGroupResizesItsWarmPoolAndProtectsOnlyInstancesLaunchedAfterwards() {
        group("g", Family.LINUX, 0, 10, 1, 2);
        clock.advance(Duration.ofSeconds(45));
        String before = inState("g", State.IN_SERVICE).get(0).instanceId();

        fleet.configureGroup("g", 1, true);
        assertThat(fleet.describe("g").orElseThrow().warmInstances()).as("the pool shrinks at once").isEqualTo(1);
        fleet.setDesiredCapacity("g", 2);
        clock.advance(Duration.ofSeconds(45));
        assertThat(fleet.instances("g")).filteredOn(i -> i.state().active())
                .allSatisfy(i -> assertThat(i.protectedFromScaleIn()).isEqualTo(!i.instanceId().equals(before)));

        fleet.configureGroup("g", 3, true);
        assertThat(inState("g", State.WARMED_PENDING)).as("the pool grows to the new size").hasSize(2);
        assertThatThrownBy(() -> fleet.configureGroup("g", -1, false)).isInstanceOf(FleetControlException.class);
    }

    @Test
    void anInstanceRefreshReplacesEveryInstanceKeepingMostInServiceAndWaitsForProtectedOnes() {
        group("g", Family.LINUX, 0, 10, 4, 0);
        clock.advance(Duration.ofSeconds(45));
        List<String> old = inState("g", State.IN_SERVICE).stream().map(InstanceView::instanceId).toList();
        fleet.setInstanceProtection("g", old.get(3), true);

        String id = fleet.startInstanceRefresh("g");
        assertThat(fleet.startInstanceRefresh("g")).as("one refresh at a time").isEqualTo(id);
        assertThat(fleet.describe("g").orElseThrow().inServiceCount()).as("one at a time with 4 instances").isEqualTo(3);

        for (int step = 0; step < 3; step++) {
            clock.advance(Duration.ofSeconds(45));
        }
        List<String> now = fleet.instances("g").stream().map(InstanceView::instanceId).toList();
        assertThat(now).contains(old.get(3)).doesNotContain(old.get(0), old.get(1), old.get(2));
        assertThat(fleet.refresh("g", id).orElseThrow().status()).isEqualTo("InProgress");

        fleet.setInstanceProtection("g", old.get(3), false);
        clock.advance(Duration.ofSeconds(45));
        assertThat(fleet.refresh("g", id).orElseThrow().status()).isEqualTo("Successful");
        assertThat(fleet.instances("g")).hasSize(4).extracting(InstanceView::instanceId).doesNotContainAnyElementsOf(old);
        assertThat(fleet.startInstanceRefresh("g")).as("a finished refresh does not block a new one").isNotEqualTo(id);
    }

    @Test
    void anInstanceRefreshFailsWhenProtectedInstancesStayProtectedForAnHour() {
        fleet.createGroup(new GroupConfig("g", Family.LINUX, 0, 10, 1, 0, true));
        clock.advance(Duration.ofSeconds(45));
        String id = fleet.startInstanceRefresh("g");
        clock.advance(Duration.ofSeconds(3599));
        assertThat(fleet.refresh("g", id).orElseThrow().status()).isEqualTo("InProgress");
        clock.advance(Duration.ofSeconds(1));
        assertThat(fleet.refresh("g", id).orElseThrow().status()).isEqualTo("Failed");
    }

    @Test
    void withATerminateHookAScaledInInstanceWaitsInTerminatingWaitUntilItsAgentCompletesOrTheHookTimesOut() {
        fleet.createGroup(new GroupConfig("g", Family.MACOS, 0, 10, 2, 0, false, Duration.ofMinutes(30)));
        clock.advance(Duration.ofSeconds(600));
        List<String> ids = inState("g", State.IN_SERVICE).stream().map(InstanceView::instanceId).toList();

        fleet.updateSizes("g", 0, 0, 0);

        GroupState g = fleet.describe("g").orElseThrow();
        assertThat(g.instances()).as("no longer capacity").isEmpty();
        assertThat(g.terminatingInstances()).as("but still running their jobs").isEqualTo(2);
        assertThat(g.runningInstanceCount()).isEqualTo(2);
        assertThat(inState("g", State.TERMINATING_WAIT)).hasSize(2);
        assertThat(fleet.nextEventAt()).contains(T0.plusSeconds(600 + 1800));

        fleet.completeLifecycleAction("g", ids.get(0));
        assertThat(fleet.describe("g").orElseThrow().terminatingInstances()).isEqualTo(1);
        assertThatThrownBy(() -> fleet.completeLifecycleAction("g", ids.get(0)))
                .isInstanceOf(FleetControlException.class).hasMessageContaining("No active Lifecycle Action");
        assertThatThrownBy(() -> fleet.terminateInstanceInAutoScalingGroup(ids.get(1), false))
                .isInstanceOf(FleetControlException.class).hasMessageContaining("already terminating");

        clock.advance(Duration.ofSeconds(1799));
        assertThat(fleet.describe("g").orElseThrow().runningInstanceCount()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(fleet.describe("g").orElseThrow().runningInstanceCount()).as("the hook timed out").isZero();
        assertThat(fleet.instances("g")).isEmpty();
        assertThat(fleet.usage("g").runningSeconds()).as("a waiting instance still runs")
                .isEqualTo(2 * 600.0 + 0 + 1800.0);
    }

    @Test
    void withATerminateHookAnInstanceRefreshWaitsForTheOldInstanceToLeave() {
        fleet.createGroup(new GroupConfig("g", Family.LINUX, 0, 10, 1, 0, false, Duration.ofMinutes(5)));
        clock.advance(Duration.ofSeconds(45));
        String old = inState("g", State.IN_SERVICE).get(0).instanceId();

        String id = fleet.startInstanceRefresh("g");
        clock.advance(Duration.ofSeconds(45));

        assertThat(inState("g", State.TERMINATING_WAIT)).extracting(InstanceView::instanceId).containsExactly(old);
        assertThat(fleet.refresh("g", id).orElseThrow().status()).isEqualTo("InProgress");
        fleet.completeLifecycleAction("g", old);
        assertThat(fleet.refresh("g", id).orElseThrow().status()).isEqualTo("Successful");
    }

    @Test
    void suspendsAzRebalanceAndRecordsEveryCall() {
        group("g", Family.LINUX, 0, 10, 0, 0);
        fleet.suspendAzRebalance("g");
        fleet.setDesiredCapacity("g", 1);
        assertThat(fleet.suspendedProcesses("g")).containsExactly("AZRebalance");
        assertThat(fleet.calls("SetDesiredCapacity")).singleElement()
                .satisfies(c -> assertThat(c.detail()).isEqualTo("desired 1"));
    }

    @Test
    void deletingAGroupTerminatesEverythingInIt() {
        group("g", Family.LINUX, 0, 10, 2, 1);
        fleet.deleteGroup("g");
        assertThat(fleet.exists("g")).isFalse();
        assertThat(fleet.describe("g")).isEmpty();
    }
}
