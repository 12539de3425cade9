package io.agentstacks.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.spec.OperatingSystem.Family;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;

class PollScheduleTest {

    @Test
    void waitsGrowFromTenSecondsToAMinuteAndStayThere() {
        assertThat(IntStream.range(0, 8).map(PollSchedule::waitSeconds).toArray())
                .containsExactly(10, 15, 22, 33, 50, 60, 60, 60);
        assertThat(PollSchedule.waitSeconds(10_000)).isEqualTo(60);
    }

    @Test
    void aNegativeAttemptIsABug() {
        assertThatThrownBy(() -> PollSchedule.waitSeconds(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void linuxGetsHalfAnHourAndWindowsAndMacosLonger() {
        assertThat(PollSchedule.provisionBudget(Family.LINUX)).isEqualTo(Duration.ofMinutes(30));
        assertThat(PollSchedule.provisionBudget(Family.WINDOWS)).isGreaterThan(Duration.ofMinutes(30));
        assertThat(PollSchedule.provisionBudget(Family.MACOS)).isGreaterThan(PollSchedule.provisionBudget(Family.WINDOWS));
    }

    @Test
    void destroyingLeavesTimeForRunningJobsFirst() {
        Instant start = Instant.parse("2030-01-01T00:00:00Z");
        assertThat(PollSchedule.destroyDeadline(Family.LINUX, start)).isEqualTo(start.plus(Duration.ofMinutes(150)));
        assertThat(PollSchedule.provisionDeadline(Family.LINUX, start)).isEqualTo(start.plus(Duration.ofMinutes(30)));
    }
}
