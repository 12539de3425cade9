package io.agentstacks.demand;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.stacks.DemandSnapshot;

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
}
