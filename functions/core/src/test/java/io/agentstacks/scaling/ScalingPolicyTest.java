package io.agentstacks.scaling;

import static io.agentstacks.scaling.PolicyFixtures.NOW;
import static io.agentstacks.scaling.PolicyFixtures.group;
import static io.agentstacks.scaling.PolicyFixtures.observed;
import static io.agentstacks.scaling.PolicyFixtures.spec;
import static io.agentstacks.scaling.PolicyFixtures.upDown;
import static io.agentstacks.scaling.PolicyFixtures.upOnly;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.demand.Observation;
import io.agentstacks.spec.OverprovisionStrategy;
import io.agentstacks.spec.ScalingPolicyKind;
import io.agentstacks.spec.StackSpec;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.Optional;

class ScalingPolicyTest {

    private static int desiredOrHold(Decision d) {
        return d instanceof Decision.ScaleTo s ? s.desired() : -1;
    }

    /**
     * The older tool's cases (lambdas/agent-scaler, determineNewSize + scaleUpIfNeeded): same inputs, same
     * desired capacity; -1 means it did not call SetDesiredCapacity.
     */
    @Nested
    class TheOlderToolsCases {

        @ParameterizedTest(name = "{0} {1}, {2} queued + {3} running, min {4} max {5} desired {6} -> {7}")
        @CsvSource({
                // strategy, factor, queued, running, min, max, desired, expected
                "none,       0,  0,  0, 0,  1, 0, -1",     // nothing to do
                "none,       0,  1,  0, 0,  1, 0,  1",     // one job queued on an empty group
                "none,       0,  3,  2, 0, 10, 1,  5",     // queued + running
                "none,       0,  0,  4, 0, 10, 4, -1",     // running jobs are already covered
                "none,       0, 30,  0, 0, 10, 2, 10",     // capped at max
                "none,       0,  5,  0, 0, 10, 8, -1",     // never lowered
                "none,       0,  0,  0, 2, 10, 0,  2",     // below min -> min
                "none,       0,  1,  0, 3, 10, 2,  3",     // jobs below min -> min
                "none,       0,  1,  0, 3, 10, 3, -1",     // min already there
                "number,     2,  0,  0, 0, 10, 0,  2",     // 0 jobs, min 0: 0 + 2 (the notes' example)
                "number,     2,  3,  0, 0, 10, 0,  5",
                "number,     2,  9,  0, 0, 10, 0, 10",     // 9 + 2 capped at 10
                "number,     2,  2,  0, 2, 10, 0,  4",     // jobs == min: overprovisioned
                "number,     5,  1,  0, 2, 10, 0,  2",     // jobs < min: min, no overprovision
                "percentage, 25, 3,  0, 0, 10, 0,  4",     // 3 + ceil(0.75) (the notes' example)
                "percentage, 25, 4,  0, 0, 10, 0,  5",     // 4 + ceil(1.0)
                "percentage, 25, 0,  0, 0, 10, 0, -1",     // 0 + ceil(0) = 0
                "percentage, 100, 6, 0, 0, 10, 0, 10",     // 12 capped at 10
                "percentage, 50, 2,  1, 0, 20, 3,  5",     // 3 + ceil(1.5)
                "percentage, 10, 1,  0, 0, 20, 1,  2",     // 1 + ceil(0.1)
                "percentage, 25, 4,  0, 0, 10, 5, -1",     // 5 == desired: no call
        })
        void upOnlyGivesTheSameDesiredCapacityAsTheOlderTool(String strategy, int factor, int queued, int running,
                                                            int min, int max, int desired, int expected) {
            StackSpec spec = spec(ScalingPolicyKind.UP_ONLY, OverprovisionStrategy.fromValue(strategy).orElseThrow(),
                    factor, 300);
            ScalingPolicy.Outcome out = ScalingPolicy.decide(observed(queued, running), group(min, max, desired), spec,
                    ScalingMemory.none(), NOW);
            assertThat(desiredOrHold(out.decision())).isEqualTo(expected);
            assertThat(expected).isEqualTo(LegacyScaler.scaleUpIfNeeded(queued + running, min, max, desired,
                    strategy, factor));
        }
    }

    @Nested
    class UpOnly {

        @Test
        void scalesUpToQueuedPlusRunningWhenBelowMax() {
            var out = ScalingPolicy.decide(observed(4, 3), group(0, 20, 2), upOnly(), ScalingMemory.none(), NOW);
            assertThat(out.decision()).isInstanceOf(Decision.ScaleTo.class);
            assertThat(desiredOrHold(out.decision())).isEqualTo(7);
            assertThat(out.decision().reason()).contains("4 queued + 3 running").contains("desired was 2");
        }

        @Test
        void neverLowersEvenWhenTheQueueIsEmptyForHours() {
            ScalingMemory memory = ScalingMemory.none();
            for (int minute = 0; minute < 180; minute++) {
                Instant at = NOW.plusSeconds(60L * minute);
                var out = ScalingPolicy.decide(observed(0, 0, 9, 0, at), group(0, 20, 9), upOnly(), memory, at);
                assertThat(out.decision()).isInstanceOf(Decision.Hold.class);
                memory = out.memory();
            }
        }

        @Test
        void usesTheGroupsOwnSizesSoThatScheduledSizesAreHonoured() {
            // The spec says max 50; a schedule has set the group's max to 4 and min to 3.
            var out = ScalingPolicy.decide(observed(9, 0), group(3, 4, 0), upOnly(), ScalingMemory.none(), NOW);
            assertThat(desiredOrHold(out.decision())).isEqualTo(4);
            out = ScalingPolicy.decide(observed(0, 0), group(3, 4, 0), upOnly(), ScalingMemory.none(), NOW);
            assertThat(desiredOrHold(out.decision())).isEqualTo(3);
        }

        @Test
        void holdsWhenDynamicScalingIsOff() {
            StackSpec spec = upOnly().toBuilder().dynamicScaling(false).build();
            var out = ScalingPolicy.decide(observed(9, 0), group(0, 10, 0), spec, ScalingMemory.none(), NOW);
            assertThat(out.decision()).isEqualTo(new Decision.Hold("dynamic scaling is off for this stack"));
        }
    }

    @Nested
    class FailedAndStaleObservations {

        @Test
        void holdsWhenSemaphoreRejectsTheToken() {
            var out = ScalingPolicy.decide(new Observation.TokenRejected(401, NOW), group(0, 10, 0), upOnly(),
                    ScalingMemory.none(), NOW);
            assertThat(out.decision()).isInstanceOf(Decision.Hold.class);
            assertThat(out.decision().reason()).contains("HTTP 401");
        }

        @Test
        void holdsWhenSemaphoreIsUnavailableAndSaysWhy() {
            var out = ScalingPolicy.decide(new Observation.Unavailable("HTTP 503", NOW), group(0, 10, 6), upDown(0),
                    new ScalingMemory(Optional.of(NOW.minusSeconds(3600))), NOW);
            assertThat(out.decision()).isInstanceOf(Decision.Hold.class);
            assertThat(out.decision().reason()).contains("HTTP 503");
            assertThat(out.memory().surplusSince()).as("a failure restarts the idle clock").isEmpty();
        }

        @ParameterizedTest(name = "poll interval {0} s, observation {1} s old -> scales: {2}")
        @CsvSource({
                "10, 0,  true",
                "10, 20, true",    // exactly two intervals: still fresh
                "10, 21, false",
                "30, 60, true",
                "30, 61, false",
                "10, 3600, false",
        })
        void holdsWhenTheObservationIsOlderThanTwoPollIntervals(int interval, int ageSeconds, boolean scales) {
            StackSpec spec = upOnly().toBuilder().pollIntervalSeconds(interval).build();
            Observation o = observed(5, 0, 0, 0, NOW.minusSeconds(ageSeconds));
            var out = ScalingPolicy.decide(o, group(0, 10, 0), spec, ScalingMemory.none(), NOW);
            assertThat(out.decision() instanceof Decision.ScaleTo).isEqualTo(scales);
            if (!scales) {
                assertThat(out.decision().reason()).contains(ageSeconds + " s old");
            }
        }

        @Test
        void aStaleObservationNeverLowersAnUpDownGroup() {
            Observation stale = observed(0, 0, 8, 0, NOW.minusSeconds(600));
            var out = ScalingPolicy.decide(stale, group(0, 10, 8), upDown(0),
                    new ScalingMemory(Optional.of(NOW.minusSeconds(7200))), NOW);
            assertThat(out.decision()).isInstanceOf(Decision.Hold.class);
        }
    }

    @Nested
    class UpDown {

        @Test
        void raisesLikeUpOnly() {
            var out = ScalingPolicy.decide(observed(6, 1), group(0, 10, 2), upDown(60), ScalingMemory.none(), NOW);
            assertThat(desiredOrHold(out.decision())).isEqualTo(7);
            assertThat(out.memory().surplusSince()).isEmpty();
        }

        @Test
        void waitsForTheIdleTimeBeforeLowering() {
            StackSpec spec = upDown(60);
            GroupState g = group(0, 10, 5);
            var first = ScalingPolicy.decide(observed(0, 1, 4, 1, NOW), g, spec, ScalingMemory.none(), NOW);
            assertThat(first.decision()).isInstanceOf(Decision.Hold.class);
            assertThat(first.memory().surplusSince()).contains(NOW);

            Instant t50 = NOW.plusSeconds(50);
            var second = ScalingPolicy.decide(observed(0, 1, 4, 1, t50), g, spec, first.memory(), t50);
            assertThat(second.decision()).isInstanceOf(Decision.Hold.class);
            assertThat(second.decision().reason()).contains("50 s of 60 s");
            assertThat(second.memory().surplusSince()).contains(NOW);

            Instant t60 = NOW.plusSeconds(60);
            var third = ScalingPolicy.decide(observed(0, 1, 4, 1, t60), g, spec, second.memory(), t60);
            assertThat(desiredOrHold(third.decision())).isEqualTo(1);
            assertThat(third.memory().surplusSince()).isEmpty();
        }

        @Test
        void demandReturningRestartsTheIdleClock() {
            StackSpec spec = upDown(60);
            var surplus = ScalingPolicy.decide(observed(0, 0, 5, 0, NOW), group(0, 10, 5), spec, ScalingMemory.none(), NOW);
            Instant t30 = NOW.plusSeconds(30);
            var busy = ScalingPolicy.decide(observed(5, 0, 5, 0, t30), group(0, 10, 5), spec, surplus.memory(), t30);
            assertThat(busy.memory().surplusSince()).isEmpty();
            Instant t70 = NOW.plusSeconds(70);
            var again = ScalingPolicy.decide(observed(0, 0, 5, 0, t70), group(0, 10, 5), spec, busy.memory(), t70);
            assertThat(again.decision()).isInstanceOf(Decision.Hold.class);
            assertThat(again.memory().surplusSince()).contains(t70);
        }

        @ParameterizedTest(name = "queued {0} running {1} occupied {2} protected {3} min {4} desired {5} -> {6}")
        @CsvSource({
                // queued, running, occupied, protected, min, desired, expected (-1 = hold)
                "0, 0, 0, 0, 0, 6, 0",
                "0, 2, 2, 2, 0, 6, 2",
                "0, 0, 0, 0, 2, 6, 2",     // never below min
                "0, 1, 4, 0, 0, 6, 4",     // never below occupied agents (Semaphore counts them)
                "0, 1, 1, 3, 0, 6, 3",     // never below instances protected from scale-in
                "0, 5, 5, 5, 0, 6, 5",
                "0, 6, 6, 6, 0, 6, -1",    // all needed
                "0, 0, 6, 6, 0, 6, -1",    // all busy (agents outside the queue's view)
        })
        void lowersToWhatIsNeededButNeverBelowOccupiedProtectedOrMin(int queued, int running, int occupied,
                                                                    int protectedCount, int min, int desired,
                                                                    int expected) {
            var out = ScalingPolicy.decide(observed(queued, running, desired - occupied, occupied, NOW),
                    group(min, 10, desired, protectedCount), upDown(0), ScalingMemory.none(), NOW);
            assertThat(desiredOrHold(out.decision())).isEqualTo(expected);
        }

        @Test
        void lowersToTheOverprovisionedTargetNotBelowIt() {
            StackSpec spec = spec(ScalingPolicyKind.UP_DOWN, OverprovisionStrategy.NUMBER, 2, 0);
            var out = ScalingPolicy.decide(observed(0, 1, 7, 1, NOW), group(0, 10, 8), spec, ScalingMemory.none(), NOW);
            assertThat(desiredOrHold(out.decision())).isEqualTo(3);
        }

        @Test
        void aSurplusStartedInTheFutureOfTheObservationIsNotTrusted() {
            // Memory written from a clock ahead of this one must not shorten the idle time.
            var out = ScalingPolicy.decide(observed(0, 0, 5, 0, NOW), group(0, 10, 5), upDown(60),
                    new ScalingMemory(Optional.of(NOW.plusSeconds(600))), NOW);
            assertThat(out.memory().surplusSince()).contains(NOW);
        }
    }

    @Test
    void targetIsTheOlderToolsDetermineNewSize() {
        assertThat(ScalingPolicy.target(3, 0, 10, new io.agentstacks.spec.Overprovision(OverprovisionStrategy.PERCENTAGE, 25)))
                .isEqualTo(4);
        assertThat(ScalingPolicy.target(Integer.MAX_VALUE, 0, 10,
                new io.agentstacks.spec.Overprovision(OverprovisionStrategy.NUMBER, Integer.MAX_VALUE))).isEqualTo(10);
    }
}
