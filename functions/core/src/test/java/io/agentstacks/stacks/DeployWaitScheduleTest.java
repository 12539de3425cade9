package io.agentstacks.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.spec.OperatingSystem.Family;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;

class DeployWaitScheduleTest {

    @Test
    void waitsGrowFromTenSecondsToAMinuteAndStayThere() {
        assertThat(IntStream.range(0, 8).map(DeployWaitSchedule::waitSeconds).toArray())
                .containsExactly(10, 15, 22, 33, 50, 60, 60, 60);
        assertThat(DeployWaitSchedule.waitSeconds(10_000)).isEqualTo(60);
    }

    @Test
    void aNegativeAttemptIsABug() {
        assertThatThrownBy(() -> DeployWaitSchedule.waitSeconds(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void linuxGetsHalfAnHourAndWindowsAndMacosLonger() {
        assertThat(DeployWaitSchedule.provisionBudget(Family.LINUX)).isEqualTo(Duration.ofMinutes(30));
        assertThat(DeployWaitSchedule.provisionBudget(Family.WINDOWS)).isGreaterThan(Duration.ofMinutes(30));
        assertThat(DeployWaitSchedule.provisionBudget(Family.MACOS)).isGreaterThan(DeployWaitSchedule.provisionBudget(Family.WINDOWS));
    }

    @Test
    void destroyingLeavesTimeForRunningJobsFirst() {
        Instant start = Instant.parse("2030-01-01T00:00:00Z");
        assertThat(DeployWaitSchedule.destroyDeadline(Family.LINUX, start)).isEqualTo(start.plus(Duration.ofMinutes(150)));
        assertThat(DeployWaitSchedule.provisionDeadline(Family.LINUX, start)).isEqualTo(start.plus(Duration.ofMinutes(30)));
    }
}
