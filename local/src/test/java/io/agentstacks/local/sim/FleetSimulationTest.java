package io.agentstacks.local.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.local.sim.FleetSimulation.Policy;
import io.agentstacks.spec.Overprovision;
import io.agentstacks.spec.Scaling;
import io.agentstacks.spec.ScalingPolicyKind;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.spec.WarmPool;
import io.agentstacks.spec.WarmPoolState;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

class FleetSimulationTest {

    /** Medians without jitter, so that times can be checked to the millisecond. */
    private static final InMemoryFleetControl.BootTimes EXACT = new InMemoryFleetControl.BootTimes(Duration.ofSeconds(45),
            Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofSeconds(30), 0);

    private static StackSpec spec() {
        return StackSpec.builder("sim", "/semaphore/sim/token").semaphoreOrganization("acme").instanceType("t3.small")
                .maxSize(20).build();
    }

    private static Trace trace(double... submitAndDuration) {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < submitAndDuration.length; i += 2) {
            jobs.add(new Job(jobs.size(), submitAndDuration[i], submitAndDuration[i + 1], -1));
        }
        return new Trace("test", jobs);
    }

    private static SimulationResult run(StackSpec spec, Trace trace, Policy policy) {
        return FleetSimulation.run(new FleetSimulation.Options(spec, trace, policy, 1,
                FleetSimulation.Latencies.defaults(), EXACT, 10));
    }

    @Test
    void aJobOnAnEmptyGroupWaitsForTheNextPollAndOneBoot() {
        SimulationResult r = run(spec(), trace(5, 60), Policy.UP_ONLY);
        // Polled at 10 s, the event reaches the scaler 0.85 s later, the instance boots in 45 s.
        assertThat(r.waits()).singleElement().satisfies(w -> assertThat(w).isCloseTo(50.85, within(0.001)));
        assertThat(r.reactions()).singleElement().satisfies(x -> assertThat(x).isCloseTo(5.85, within(0.001)));
        assertThat(r.jobs()).isEqualTo(1);
    }

    @Test
    void theOlderScalerReactsOnItsOwnTickGrid() {
        SimulationResult r = run(spec(), trace(5, 60), Policy.LEGACY);
        // Ticks at 0 and 10.55 s; the tick reads at 10.55 and calls SetDesiredCapacity 0.45 s later.
        assertThat(r.reactions()).singleElement().satisfies(x -> assertThat(x).isCloseTo(6.0, within(0.001)));
        assertThat(r.waits()).singleElement().satisfies(w -> assertThat(w).isCloseTo(51.0, within(0.001)));
    }

    @Test
    void theOlderScalerLeavesTheEndOfEachMinuteUnticked() {
        // The older loop stops ticking once a check at or after 45 s; a job at 53 s waits for the next minute.
        SimulationResult r = run(spec(), trace(53.5, 60), Policy.LEGACY);
        assertThat(r.reactions()).singleElement().satisfies(x -> assertThat(x).isCloseTo(60.45 - 53.5, within(0.001)));
    }

    @Test
    void anAgentLeavingAfterItsJobIsReplacedAndTheReplacementIdlesOut() {
        SimulationResult r = run(spec(), trace(5, 60), Policy.LEGACY);
        // Launched at 11.0, in service 56.0, job until 116.0: 105 s. Replacement: 45 s boot + 300 s idle.
        assertThat(r.instanceSeconds()).isCloseTo(105 + 345, within(0.001));
        assertThat(r.scalingCalls()).isEqualTo(1);
    }

    @Test
    void upDownRemovesIdleAgentsButNeverOneRunningAJob() {
        StackSpec stay = spec().toBuilder().disconnectAfterJob(false).disconnectAfterIdleSeconds(300)
                .scaling(new Scaling(ScalingPolicyKind.UP_DOWN, 60, Overprovision.none())).build();
        double[] burst = new double[20];
        for (int i = 0; i < 10; i++) {
            burst[2 * i] = 5;
            burst[2 * i + 1] = i == 0 ? 900 : 60;
        }
        SimulationResult upDown = run(stay, trace(burst), Policy.UP_DOWN);
        SimulationResult legacy = run(stay, trace(burst), Policy.LEGACY);

        assertThat(upDown.jobs()).isEqualTo(10);
        assertThat(upDown.interrupted()).as("the long job's instance is protected").isZero();
        assertThat(upDown.scalingCalls()).as("up to 10, down to 1, down to 0").isEqualTo(3);
        // Nine agents idle from ~116 s and the last from ~956 s: up-down removes each after about a
        // minute of idling, the older way lets each idle for five.
        double saved = legacy.instanceSeconds() - upDown.instanceSeconds();
        assertThat(saved).isBetween(10 * 225.0, 10 * 245.0);
        assertThat(upDown.samples()).anySatisfy(s -> {
            assertThat(s.desired()).isEqualTo(1);
            assertThat(s.agents()).isEqualTo(1);
        });
    }

    @Test
    void anIdleAgentAtMinSizeIsReplacedNotRemoved() {
        StackSpec one = spec().toBuilder().minSize(1).desiredCapacity(java.util.OptionalInt.of(1)).build();
        SimulationResult r = run(one, trace(0, 30), Policy.LEGACY);
        // One instance all the time: runs of 45 s boot + job or 300 s idle, replaced at once.
        double horizon = 30 + FleetSimulation.DRAIN.toSeconds();
        assertThat(r.instanceSeconds()).isCloseTo(horizon, within(0.001));
        assertThat(r.scalingCalls()).isZero();
    }

    @Test
    void aWarmPoolStartsInstancesFasterAndIsChargedSeparately() {
        StackSpec warm = spec().toBuilder().warmPool(Optional.of(new WarmPool(1, WarmPoolState.STOPPED))).build();
        SimulationResult r = run(warm, trace(65, 60), Policy.UP_ONLY);
        // Polled at 70 s, called at 70.85, started from the pool in 30 s.
        assertThat(r.waits()).singleElement().satisfies(w -> assertThat(w).isCloseTo(35.85, within(0.001)));
        assertThat(r.warmPoolSeconds()).isGreaterThan(0);
        SimulationResult legacy = run(warm, trace(65, 60), Policy.LEGACY);
        assertThat(legacy.warmPoolSeconds()).as("the older tool has no warm pool").isZero();
    }

    @Test
    void theSameSeedGivesTheSameRun() {
        Trace t = Trace.builtIn("bursty", 3);
        StackSpec s = spec();
        for (Policy p : Policy.values()) {
            SimulationResult a = FleetSimulation.run(FleetSimulation.Options.of(s, t, p, 5));
            SimulationResult b = FleetSimulation.run(FleetSimulation.Options.of(s, t, p, 5));
            assertThat(a).as(p.value()).isEqualTo(b);
            assertThat(a.jobs()).isEqualTo(t.jobs().size());
        }
    }

    @Test
    void anUnknownInstanceTypeIsRefusedNamingIt() {
        StackSpec odd = spec().toBuilder().instanceType("x9.huge").build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(odd, trace(0, 10), Policy.UP_ONLY))
                .hasMessageContaining("x9.huge");
    }

    @Test
    void percentilesAreNearestRank() {
        List<Double> v = List.of(5.0, 1.0, 4.0, 2.0, 3.0);
        assertThat(SimulationResult.percentile(v, 50)).isEqualTo(3.0);
        assertThat(SimulationResult.percentile(v, 95)).isEqualTo(5.0);
        assertThat(SimulationResult.percentile(v, 100)).isEqualTo(5.0);
        assertThat(SimulationResult.percentile(List.of(), 99)).isZero();
    }
}
