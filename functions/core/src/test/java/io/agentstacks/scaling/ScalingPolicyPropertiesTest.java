package io.agentstacks.scaling;

import static io.agentstacks.scaling.PolicyFixtures.NOW;
import static io.agentstacks.scaling.PolicyFixtures.group;
import static io.agentstacks.scaling.PolicyFixtures.observed;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.demand.Observation;
import io.agentstacks.spec.OverprovisionStrategy;
import io.agentstacks.spec.ScalingPolicyKind;
import io.agentstacks.spec.StackSpec;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.Optional;

class ScalingPolicyPropertiesTest {

    /** One generated situation: a group, a reading, a spec and the idle clock. */
    record Case(int min, int max, int desired, int protectedCount, int queued, int running, int idle, int occupied,
                ScalingPolicyKind policy, OverprovisionStrategy strategy, int factor, int idleLimit, int surplusAge) {

        StackSpec spec() {
            return PolicyFixtures.spec(policy, strategy, factor, idleLimit);
        }

        GroupState group() {
            return PolicyFixtures.group(min, max, desired, protectedCount);
        }

        Observation observation() {
            return observed(queued, running, idle, occupied, NOW);
        }

        ScalingMemory memory() {
            return surplusAge < 0 ? ScalingMemory.none() : new ScalingMemory(Optional.of(NOW.minusSeconds(surplusAge)));
        }

        ScalingPolicy.Outcome decide() {
            return ScalingPolicy.decide(observation(), group(), spec(), memory(), NOW);
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<int[]> sizes = Arbitraries.integers().between(0, 20).flatMap(min ->
                Arbitraries.integers().between(Math.max(min, 1), 60).flatMap(max ->
                        Arbitraries.integers().between(min, max).flatMap(desired ->
                                Arbitraries.integers().between(0, desired).map(prot ->
                                        new int[] {min, max, desired, prot}))));
        Arbitrary<int[]> demand = Arbitraries.integers().between(0, 80).array(int[].class).ofSize(4);
        Arbitrary<ScalingPolicyKind> policy = Arbitraries.of(ScalingPolicyKind.class);
        Arbitrary<OverprovisionStrategy> strategy = Arbitraries.of(OverprovisionStrategy.class);
        Arbitrary<Integer> factor = Arbitraries.integers().between(1, 200);
        Arbitrary<Integer> idleLimit = Arbitraries.integers().between(0, 900);
        Arbitrary<Integer> surplusAge = Arbitraries.integers().between(-1, 1800);
        return Combinators.combine(sizes, demand, policy, strategy, factor, idleLimit, surplusAge)
                .as((s, d, p, st, f, il, sa) -> new Case(s[0], s[1], s[2], s[3], d[0], d[1], d[2], d[3], p, st,
                        st == OverprovisionStrategy.NONE ? 0 : f, il, sa));
    }

    @Property
    void neverAsksForMoreThanTheGroupsMax(@ForAll("cases") Case c) {
        if (c.decide().decision() instanceof Decision.ScaleTo s) {
            assertThat(s.desired()).isLessThanOrEqualTo(c.max());
        }
    }

    @Property
    void neverAsksForLessThanTheGroupsMin(@ForAll("cases") Case c) {
        if (c.decide().decision() instanceof Decision.ScaleTo s) {
            assertThat(s.desired()).isGreaterThanOrEqualTo(c.min());
        }
    }

    @Property
    void alwaysChangesSomethingWhenItScales(@ForAll("cases") Case c) {
        if (c.decide().decision() instanceof Decision.ScaleTo s) {
            assertThat(s.desired()).isNotEqualTo(c.desired());
        }
    }

    @Property
    void upOnlyNeverLowers(@ForAll("cases") Case c) {
        Case upOnly = new Case(c.min(), c.max(), c.desired(), c.protectedCount(), c.queued(), c.running(), c.idle(),
                c.occupied(), ScalingPolicyKind.UP_ONLY, c.strategy(), c.factor(), c.idleLimit(), c.surplusAge());
        if (upOnly.decide().decision() instanceof Decision.ScaleTo s) {
            assertThat(s.desired()).isGreaterThan(c.desired());
        }
    }

    @Property
    void upOnlyIsTheOlderTool(@ForAll("cases") Case c) {
        Case upOnly = new Case(c.min(), c.max(), c.desired(), c.protectedCount(), c.queued(), c.running(), c.idle(),
                c.occupied(), ScalingPolicyKind.UP_ONLY, c.strategy(), c.factor(), c.idleLimit(), c.surplusAge());
        Decision d = upOnly.decide().decision();
        int expected = LegacyScaler.scaleUpIfNeeded(c.queued() + c.running(), c.min(), c.max(), c.desired(),
                c.strategy().value(), c.factor());
        assertThat(d instanceof Decision.ScaleTo s ? s.desired() : -1).isEqualTo(expected);
    }

    @Property
    void bothPoliciesRaiseAlike(@ForAll("cases") Case c) {
        Decision d = c.decide().decision();
        Case other = new Case(c.min(), c.max(), c.desired(), c.protectedCount(), c.queued(), c.running(), c.idle(),
                c.occupied(), c.policy() == ScalingPolicyKind.UP_ONLY ? ScalingPolicyKind.UP_DOWN
                : ScalingPolicyKind.UP_ONLY, c.strategy(), c.factor(), c.idleLimit(), c.surplusAge());
        Decision e = other.decide().decision();
        if (d instanceof Decision.ScaleTo s && s.desired() > c.desired()) {
            assertThat(e).isEqualTo(d);
        }
    }

    @Property
    void upDownNeverLowersBelowOccupiedAgentsOrProtectedInstances(@ForAll("cases") Case c) {
        if (c.decide().decision() instanceof Decision.ScaleTo s && s.desired() < c.desired()) {
            assertThat(s.desired()).isGreaterThanOrEqualTo(Math.min(c.max(), c.occupied()));
            assertThat(s.desired()).isGreaterThanOrEqualTo(c.protectedCount());
            assertThat(c.idleLimit() == 0 || c.surplusAge() >= c.idleLimit())
                    .as("lowering needs the idle time to have passed").isTrue();
        }
    }

    @Property
    void upDownLowersOnlyAfterTheIdleTime(@ForAll("cases") Case c) {
        if (c.surplusAge() < c.idleLimit() && c.idleLimit() > 0) {
            Decision d = c.decide().decision();
            if (d instanceof Decision.ScaleTo s) {
                assertThat(s.desired()).isGreaterThan(c.desired());
            }
        }
    }

    @Property
    void aFailedObservationAlwaysHolds(@ForAll("cases") Case c, @ForAll @IntRange(min = 400, max = 599) int status,
                                       @ForAll boolean tokenRejected) {
        Observation failed = tokenRejected ? new Observation.TokenRejected(status, NOW)
                : new Observation.Unavailable("HTTP " + status, NOW);
        var out = ScalingPolicy.decide(failed, c.group(), c.spec(), c.memory(), NOW);
        assertThat(out.decision()).isInstanceOf(Decision.Hold.class);
        assertThat(out.memory().surplusSince()).isEmpty();
    }

    @Property
    void aStaleObservationAlwaysHolds(@ForAll("cases") Case c, @ForAll @IntRange(min = 1, max = 100_000) int extraAge) {
        StackSpec spec = c.spec();
        long age = 2L * spec.pollIntervalSeconds() + extraAge;
        Observation stale = observed(c.queued(), c.running(), c.idle(), c.occupied(), NOW.minusSeconds(age));
        var out = ScalingPolicy.decide(stale, c.group(), spec, c.memory(), NOW);
        assertThat(out.decision()).isInstanceOf(Decision.Hold.class);
    }

    @Property
    void aDecisionIsAPureFunctionOfItsInputs(@ForAll("cases") Case c) {
        assertThat(c.decide()).isEqualTo(c.decide());
    }

    @Property
    void theMemoryOnlyEverPointsAtOrBeforeTheObservation(@ForAll("cases") Case c) {
        c.decide().memory().surplusSince().ifPresent(s -> assertThat(s).isBeforeOrEqualTo(NOW));
    }
}
