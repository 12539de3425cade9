package io.agentstacks.local.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.local.sim.FleetSimulation.Policy;
import io.agentstacks.spec.ScalingPolicyKind;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.spec.WarmPool;
import io.agentstacks.spec.WarmPoolState;

import org.assertj.core.data.Offset;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The "done means" figures, on simulated-clock runs of the built-in traces (seed 1) with the
 * Linux example spec at max size 20 (test resource linux-sim.json). README, "Scaling policies,
 * measured", shows the same runs.
 *
 * <p>Every target the product meets is asserted here. A target it does not meet is recorded in README
 * with the command that measures it, and nothing here fails when the product gets better: the tests
 * below assert met targets, improvements' direction (shorter waits, less instance time), and facts of
 * the traces that do not depend on this product's policy at all.
 */
class ScalingPoliciesMeasuredTest {

    private static final long SEED = 1;

    private static StackSpec linux() {
        return spec("/linux-sim.json");
    }

    /** The specs README's commands use: the test resources themselves. */
    private static StackSpec spec(String resource) {
        try (InputStream in = ScalingPoliciesMeasuredTest.class.getResourceAsStream(resource)) {
            return SpecJson.readTrusted(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SimulationResult run(StackSpec spec, String trace, Policy policy) {
        return FleetSimulation.run(FleetSimulation.Options.of(spec, Trace.builtIn(trace, SEED), policy, SEED));
    }

    /** Agents stay after a job and leave after 300 s idle; up-down lowers after 60 s of surplus. */
    private static StackSpec staying() {
        StackSpec s = spec("/linux-sim-stay.json");
        assertThat(s.disconnectAfterJob()).isFalse();
        assertThat(s.disconnectAfterIdleSeconds()).isEqualTo(300);
        assertThat(s.scaling().policy()).isEqualTo(ScalingPolicyKind.UP_DOWN);
        assertThat(s.scaling().scaleInIdleSeconds()).isEqualTo(60);
        return s;
    }

    /** A warm pool of a quarter of max. */
    private static StackSpec warmPooled() {
        StackSpec s = spec("/linux-sim-warm-pool.json");
        assertThat(s.warmPool()).contains(new WarmPool(s.maxSize() / 4, WarmPoolState.STOPPED));
        return s;
    }

    @ParameterizedTest
    @ValueSource(strings = {"steady", "bursty", "workday"})
    void upOnlyWithoutAWarmPoolMatchesTheOlderTool(String trace) {
        SimulationResult legacy = run(linux(), trace, Policy.LEGACY);
        SimulationResult upOnly = run(linux(), trace, Policy.UP_ONLY);
        assertThat(upOnly.jobs()).isEqualTo(legacy.jobs()).isEqualTo(legacy.submitted());
        assertThat(upOnly.waitP95()).isCloseTo(legacy.waitP95(), Percentage.withPercentage(10));
        assertThat(upOnly.instanceSeconds()).isCloseTo(legacy.instanceSeconds(), Percentage.withPercentage(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"steady", "bursty", "workday"})
    void demandReachesSetDesiredCapacityWithinAPollIntervalAndASecond(String trace) {
        for (Policy p : List.of(Policy.UP_ONLY, Policy.UP_DOWN)) {
            SimulationResult r = run(p == Policy.UP_DOWN ? staying() : linux(), trace, p);
            assertThat(r.reactions()).as(p.value()).isNotEmpty();
            assertThat(r.reactionP99()).as(p.value()).isLessThanOrEqualTo(linux().pollIntervalSeconds() + 1.0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"steady", "bursty", "workday"})
    void upDownNeverTakesABusyAgentAndAlwaysSavesInstanceTimeWhenAgentsStayAfterTheirJob(String trace) {
        SimulationResult legacy = run(staying(), trace, Policy.LEGACY);
        SimulationResult upDown = run(staying(), trace, Policy.UP_DOWN);

        assertThat(upDown.interrupted()).as("scale-in never takes a busy agent").isZero();
        assertThat(upDown.jobs()).isEqualTo(upDown.submitted());
        assertThat(upDown.instanceSeconds() / legacy.instanceSeconds()).as("instanceSeconds ratio").isLessThan(0.9);
    }

    /** Met on bursty at seed 1; steady and workday are not (README gives their figures). */
    @ParameterizedTest
    @ValueSource(strings = {"bursty"})
    void upDownUsesAtMostFourFifthsOfTheOlderToolsInstanceTimeWhenAgentsStayAfterTheirJob(String trace) {
        SimulationResult legacy = run(staying(), trace, Policy.LEGACY);
        SimulationResult upDown = run(staying(), trace, Policy.UP_DOWN);
        assertThat(upDown.instanceSeconds() / legacy.instanceSeconds()).as("instanceSeconds ratio")
                .isLessThanOrEqualTo(0.80);
    }

    /** Met on bursty and workday at seed 1; steady is not (README gives its figures). */
    @ParameterizedTest
    @ValueSource(strings = {"bursty", "workday"})
    void upDownWaitsAtMostTenPercentLongerThanTheOlderToolWhenAgentsStayAfterTheirJob(String trace) {
        SimulationResult legacy = run(staying(), trace, Policy.LEGACY);
        SimulationResult upDown = run(staying(), trace, Policy.UP_DOWN);
        assertThat(upDown.waitP95() / legacy.waitP95()).as("waitP95 ratio").isLessThanOrEqualTo(1.10);
    }

    @Test
    void aWarmPoolOfAQuarterOfMaxShortensBurstyWaits() {
        SimulationResult legacy = run(linux(), "bursty", Policy.LEGACY);
        SimulationResult pooled = run(warmPooled(), "bursty", Policy.UP_ONLY);
        assertThat(pooled.jobs()).isEqualTo(pooled.submitted());
        assertThat(pooled.waitP95()).isLessThan(legacy.waitP95());
        assertThat(pooled.waitP50()).isLessThan(legacy.waitP50());
    }

    /**
     * Why "waitP95 <= 50% of legacy on bursty" is out of reach of any scaling policy or warm pool: even
     * agents that are always there, max size of them, never booting, leave the 95th percentile above
     * half of the older tool's, because bursty's pipelines (up to 40 jobs) queue behind max size. This
     * depends on the trace and the older tool only, so it cannot block an improvement of the product.
     */
    @ParameterizedTest(name = "max size {0}")
    @ValueSource(ints = {20, 5})
    void noFleetWithinMaxSizeCanHalveBurstyWaits(int maxSize) {
        StackSpec spec = linux().toBuilder().maxSize(maxSize).build();
        Trace bursty = Trace.builtIn("bursty", SEED);
        SimulationResult legacy = FleetSimulation.run(FleetSimulation.Options.of(spec, bursty, Policy.LEGACY, SEED));
        double floor = SimulationResult.percentile(waitsWithAlwaysReadyAgents(bursty, maxSize), 95);

        assertThat(floor).isGreaterThan(0.5 * legacy.waitP95());
    }

    @Test
    void aStartFromTheWarmPoolSavesTheDifferenceBetweenABootAndAWarmStart() {
        // The best case for a warm pool: one pipeline no larger than the pool, arriving when it is full.
        List<Job> pipeline = List.of(new Job(0, 305, 240, 1), new Job(1, 305, 240, 1), new Job(2, 305, 240, 1),
                new Job(3, 305, 240, 1), new Job(4, 305, 240, 1));
        Trace t = new Trace("one-pipeline", pipeline);
        InMemoryFleetControl.BootTimes exact = new InMemoryFleetControl.BootTimes(Duration.ofSeconds(45),
                Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofSeconds(30), 0);
        SimulationResult pooled = FleetSimulation.run(new FleetSimulation.Options(warmPooled(), t, Policy.UP_ONLY, SEED,
                FleetSimulation.Latencies.defaults(), exact, 10));
        SimulationResult cold = FleetSimulation.run(new FleetSimulation.Options(linux(), t, Policy.UP_ONLY, SEED,
                FleetSimulation.Latencies.defaults(), exact, 10));

        assertThat(cold.waitMax() - pooled.waitMax()).isCloseTo(15.0, Offset.offset(0.01));
    }

    /** FIFO dispatch to {@code agents} agents that are always idle when a job needs one. */
    private static List<Double> waitsWithAlwaysReadyAgents(Trace trace, int agents) {
        PriorityQueue<Double> freeAt = new PriorityQueue<>();
        for (int i = 0; i < agents; i++) {
            freeAt.add(0.0);
        }
        List<Double> waits = new ArrayList<>();
        for (Job j : trace.jobs()) {
            double start = Math.max(freeAt.remove(), j.submitSeconds());
            waits.add(start - j.submitSeconds());
            freeAt.add(start + j.durationSeconds());
        }
        return waits;
    }
}
