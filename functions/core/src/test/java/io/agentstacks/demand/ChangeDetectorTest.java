package io.agentstacks.demand;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.spec.Overprovision;
import io.agentstacks.spec.OverprovisionStrategy;
import io.agentstacks.spec.Scaling;
import io.agentstacks.spec.ScalingPolicyKind;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.DecisionSnapshot;
import io.agentstacks.stacks.DemandSnapshot;
import io.agentstacks.stacks.StackRecord;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

class ChangeDetectorTest {

    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    private static final Duration TEN = Duration.ofSeconds(10);

    @Test
    void publishesTheFirstReadingOfAStack() {
        assertThat(ChangeDetector.shouldPublish(Optional.empty(), new Demand(0, 0, 0, 0), T0, TEN)).isTrue();
    }

    @ParameterizedTest(name = "{0} {1} {2} {3} after 10 s -> {4}")
    @CsvSource({
            "1, 2, 3, 4, false",
            "2, 2, 3, 4, true",
            "1, 3, 3, 4, true",
            "1, 2, 4, 4, true",
            "1, 2, 3, 5, true",
    })
    void publishesWhenAnyCountChanged(int queued, int running, int idle, int occupied, boolean expected) {
        var last = Optional.of(new DemandSnapshot(1, 2, 3, 4, T0));
        assertThat(ChangeDetector.shouldPublish(last, new Demand(queued, running, idle, occupied), T0.plusSeconds(10), TEN))
                .isEqualTo(expected);
    }

    @Test
    void publishesAnUnchangedReadingSoThatNoMinutePassesWithoutAnEvent() {
        var last = Optional.of(new DemandSnapshot(1, 2, 3, 4, T0));
        Demand same = new Demand(1, 2, 3, 4);
        // Polls every 10 s: 50 s after the last event the next poll (at 60 s) is still in time; at 60 s it is due.
        assertThat(ChangeDetector.shouldPublish(last, same, T0.plusSeconds(50), TEN)).isFalse();
        assertThat(ChangeDetector.shouldPublish(last, same, T0.plusSeconds(60), TEN)).isTrue();
        // A poll that comes a little late would leave more than a minute: publish now.
        assertThat(ChangeDetector.shouldPublish(last, same, T0.plusMillis(50_100), TEN)).isTrue();
        // With 30 s polls, the event goes out at the poll 30 s before the minute ends.
        assertThat(ChangeDetector.shouldPublish(last, same, T0.plusSeconds(30), Duration.ofSeconds(30))).isFalse();
        assertThat(ChangeDetector.shouldPublish(last, same, T0.plusSeconds(31), Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void snapshotsKeepEveryCountAndTheTime() {
        assertThat(ChangeDetector.snapshotOf(new Demand(1, 2, 3, 4), T0)).isEqualTo(new DemandSnapshot(1, 2, 3, 4, T0));
    }

    // ---------------------------------------------------------------- desired below the need

    private static StackSpec spec(int min, int max, Overprovision overprovision, boolean dynamicScaling) {
        return StackSpec.builder("linux", "/semaphore/linux/token").semaphoreOrganization("acme")
                .minSize(min).maxSize(max).dynamicScaling(dynamicScaling)
                .scaling(new Scaling(ScalingPolicyKind.UP_ONLY, 300, overprovision)).build();
    }

    /** A stack whose last event put {@code last} at T0 and whose scaler then left desired at {@code desired}. */
    private static StackRecord record(StackSpec spec, Demand last, int desired) {
        return StackRecord.first(spec, T0).toBuilder()
                .lastDemand(Optional.of(ChangeDetector.snapshotOf(last, T0)))
                .lastDecision(Optional.of(new DecisionSnapshot("Hold", desired, desired, "desired " + desired + " covers it",
                        T0, T0.plusMillis(300), Optional.empty())))
                .build();
    }

    @Test
    void publishesUnchangedDemandAtTheNextPollWhenTheLastDecisionLeftDesiredBelowTheNeed() {
        Demand four = new Demand(2, 2, 0, 2);
        StackRecord under = record(spec(0, 10, Overprovision.none(), true), four, 3);
        StackRecord covered = record(spec(0, 10, Overprovision.none(), true), four, 4);

        assertThat(ChangeDetector.shouldPublish(under, four, T0.plusSeconds(10), TEN)).isTrue();
        assertThat(ChangeDetector.shouldPublish(covered, four, T0.plusSeconds(10), TEN)).isFalse();
    }

    @ParameterizedTest(name = "{0} jobs, min {1}, max {2}, {3} {4}, desired {5} -> {6}")
    @CsvSource({
            // the need is the scaling policy's target: overprovision counts, min lifts it, max caps it
            "4, 0, 10, NUMBER, 2, 5, true",
            "4, 0, 10, NUMBER, 2, 6, false",
            "4, 0, 10, PERCENTAGE, 50, 5, true",
            "4, 0, 10, PERCENTAGE, 50, 6, false",
            "0, 2, 10, NONE, 0, 1, true",
            "0, 2, 10, NONE, 0, 2, false",
            "30, 0, 10, NONE, 0, 10, false",
            "30, 0, 10, NONE, 0, 9, true",
            // more than needed is the scaler's business (up-down), not a reason to publish
            "1, 0, 10, NONE, 0, 8, false",
    })
    void theNeedIsWhatTheScalingPolicyWouldAskFor(int jobs, int min, int max, OverprovisionStrategy strategy, int factor,
                                                   int desired, boolean expected) {
        Demand demand = new Demand(jobs, 0, 0, 0);
        StackRecord r = record(spec(min, max, new Overprovision(strategy, factor), true), demand, desired);
        assertThat(ChangeDetector.belowNeed(r, demand)).isEqualTo(expected);
    }

    /** {@link #record} whose decision recorded the group's sizes {@code min..max}. */
    private static StackRecord decidedWithin(StackSpec spec, Demand last, int desired, int min, int max) {
        StackRecord r = record(spec, last, desired);
        DecisionSnapshot d = r.lastDecision().orElseThrow();
        return r.toBuilder().lastDecision(Optional.of(new DecisionSnapshot(d.action(), d.previousDesired(), d.desired(),
                d.reason(), d.observedAt(), d.decidedAt(), d.surplusSince(),
                Optional.of(new DecisionSnapshot.GroupSizes(min, max))))).build();
    }

    @ParameterizedTest(name = "{0} jobs, group {1}..{2} (spec 0..20), desired {3} -> {4}")
    @CsvSource({
            // a schedule lowered the group's max: the scaler could give no more
            "10, 0, 2, 2, false",
            "10, 0, 2, 1, true",
            // a schedule raised the group's min above the jobs: the need is that min
            "1, 5, 20, 4, true",
            "1, 5, 20, 5, false",
            // the group was not found: the scaler held at 0 and can do nothing until it is there
            "3, 0, 0, 0, false",
    })
    void theNeedIsCappedByTheGroupsSizesTheDecisionRecordedNotTheSpecs(int jobs, int min, int max, int desired,
                                                                      boolean expected) {
        Demand demand = new Demand(jobs, 0, 0, 0);
        StackRecord r = decidedWithin(spec(0, 20, Overprovision.none(), true), demand, desired, min, max);
        assertThat(ChangeDetector.belowNeed(r, demand)).isEqualTo(expected);
        assertThat(ChangeDetector.shouldPublish(r, demand, T0.plusSeconds(10), TEN)).isEqualTo(expected);
    }

    @Test
    void aStackWithoutDynamicScalingOrWithoutADecisionYetIsOnlyPublishedOnChangeOrHeartbeat() {
        Demand four = new Demand(4, 0, 0, 0);
        StackRecord off = record(spec(0, 10, Overprovision.none(), false), four, 0);
        StackRecord undecided = record(spec(0, 10, Overprovision.none(), true), four, 0).toBuilder()
                .lastDecision(Optional.empty()).build();

        assertThat(ChangeDetector.shouldPublish(off, four, T0.plusSeconds(10), TEN)).isFalse();
        assertThat(ChangeDetector.shouldPublish(undecided, four, T0.plusSeconds(10), TEN)).isFalse();
        assertThat(ChangeDetector.shouldPublish(off, four, T0.plusSeconds(60), TEN)).as("heartbeat").isTrue();
    }
}
