package io.agentstacks.local.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.local.sim.FleetSimulation.Policy;
import io.agentstacks.spec.ScalingPolicyKind;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.spec.WarmPool;
import io.agentstacks.spec.WarmPoolState;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The "done means" figures, on simulated-clock runs of the built-in traces (seed 1) with the
 * Linux example spec at max size 20 (test resource linux-sim.json). README, "Scaling policies,
 * measured", shows the same runs; where a target is not met, the test pins that it is not, so that the
 * README and the model change together.
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
        assertThat(upOnly.waitP95()).isCloseTo(legacy.waitP95(), org.assertj.core.data.Percentage.withPercentage(10));
        assertThat(upOnly.instanceSeconds()).isCloseTo(legacy.instanceSeconds(),
                org.assertj.core.data.Percentage.withPercentage(5));
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

    @ParameterizedTest(name = "{0}: instanceSeconds <= 80% of legacy: {1}; waitP95 <= 110% of legacy: {2}")
    @CsvSource({
            "steady,  false, false",
            "bursty,  true,  true",
            "workday, false, true",
    })
    void upDownAgainstTheOlderToolWhenAgentsStayAfterTheirJob(String trace, boolean instanceTargetMet,
                                                               boolean waitTargetMet) {
        SimulationResult legacy = run(staying(), trace, Policy.LEGACY);
        SimulationResult upDown = run(staying(), trace, Policy.UP_DOWN);
        double instanceRatio = upDown.instanceSeconds() / legacy.instanceSeconds();
        double waitRatio = upDown.waitP95() / legacy.waitP95();

        assertThat(upDown.interrupted()).as("scale-in never takes a busy agent").isZero();
        assertThat(upDown.jobs()).isEqualTo(upDown.submitted());
        assertThat(instanceRatio).as("up-down always saves instance time").isLessThan(0.9);
        assertThat(instanceRatio <= 0.80).as("instanceSeconds ratio %.3f", instanceRatio).isEqualTo(instanceTargetMet);
        assertThat(waitRatio <= 1.10).as("waitP95 ratio %.3f", waitRatio).isEqualTo(waitTargetMet);
    }

    @Test
    void aWarmPoolOfAQuarterOfMaxShortensBurstyWaitsButNotByHalfNorWithinTenPercentOfTheCost() {
        StackSpec warm = warmPooled();
        SimulationResult legacy = run(linux(), "bursty", Policy.LEGACY);
        SimulationResult pooled = run(warm, "bursty", Policy.UP_ONLY);
        double waitRatio = pooled.waitP95() / legacy.waitP95();
        double costRatio = pooled.costUsd() / legacy.costUsd();

        assertThat(pooled.waitP95()).isLessThan(legacy.waitP95());
        assertThat(pooled.waitP50()).isLessThan(legacy.waitP50());
        // The targets (waitP95 <= 50%, cost <= 110%) are not met: see the next test for the wait, and
        // README for the cost of five stopped 64 GiB volumes next to t3.small instances.
        assertThat(waitRatio).as("waitP95 ratio").isGreaterThan(0.5);
        assertThat(costRatio).as("cost ratio").isGreaterThan(1.10);
    }

    @Test
    void evenWithoutQueueingAWarmStartSavesOnlyFifteenOfFortyFiveSeconds() {
        // The best case for a warm pool: one pipeline no larger than the pool, arriving when it is full.
        StackSpec warm = warmPooled();
        List<Job> pipeline = List.of(new Job(0, 305, 240, 1), new Job(1, 305, 240, 1), new Job(2, 305, 240, 1),
                new Job(3, 305, 240, 1), new Job(4, 305, 240, 1));
        Trace t = new Trace("one-pipeline", pipeline);
        FleetSimulation.Options exact = new FleetSimulation.Options(warm, t, Policy.UP_ONLY, SEED,
                FleetSimulation.Latencies.defaults(), new io.agentstacks.inmemory.InMemoryFleetControl.BootTimes(
                java.time.Duration.ofSeconds(45), java.time.Duration.ofMinutes(5), java.time.Duration.ofMinutes(10),
                java.time.Duration.ofSeconds(30), 0), 10);
        SimulationResult pooled = FleetSimulation.run(exact);
        SimulationResult cold = FleetSimulation.run(new FleetSimulation.Options(linux(), t, Policy.LEGACY, SEED,
                exact.latencies(), exact.bootTimes(), 10));
        // Poll at 310 s, call at 310.85 s: 5.85 s + 30 s warm start, against the older 6.0 s + 45 s boot.
        assertThat(pooled.waitMax()).isCloseTo(35.85, org.assertj.core.data.Offset.offset(0.01));
        assertThat(cold.waitMax()).isCloseTo(51.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(pooled.waitMax() / cold.waitMax()).isGreaterThan(0.5);
    }
}
