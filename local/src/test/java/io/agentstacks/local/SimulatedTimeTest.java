package io.agentstacks.local;

import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.spec.OperatingSystem;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SimulatedTimeTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryFleetControl fleet = new InMemoryFleetControl(clock, new InMemoryFleetControl.BootTimes(
            Duration.ofSeconds(45), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofSeconds(30), 0), 1);
    private final SimulatedTime time = new SimulatedTime(clock, fleet);
    private final List<String> seen = new ArrayList<>();

    private void note(String what) {
        seen.add(what + "@" + Duration.between(T0, clock.instant()).toSeconds());
    }

    @Test
    void timersRunInTimeOrderAtTheirOwnInstantAndTheClockEndsAtTheLimit() {
        time.after(Duration.ofSeconds(30), "b", () -> note("b"));
        time.after(Duration.ofSeconds(10), "a", () -> {
            note("a");
            time.after(Duration.ofSeconds(5), "a2", () -> note("a2"));
        });
        time.after(Duration.ofSeconds(90), "late", () -> note("late"));
        time.advance(Duration.ofMinutes(1));
        assertThat(seen).containsExactly("a@10", "a2@15", "b@30");
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void aRepeatingTimerTicksAtEveryPeriod() {
        time.every(T0.plusSeconds(60), Duration.ofMinutes(1), "tick", () -> note("tick"));
        time.advance(Duration.ofMinutes(3));
        assertThat(seen).containsExactly("tick@60", "tick@120", "tick@180");
    }

    @Test
    void fleetTransitionsHappenAtTheirTimeBetweenTimers() {
        fleet.onChange(c -> note(c.to().name()));
        fleet.createGroup(new InMemoryFleetControl.GroupConfig("g", OperatingSystem.Family.LINUX, 0, 1, 1, 0, false));
        time.after(Duration.ofSeconds(50), "after boot", () -> note("timer"));
        time.advance(Duration.ofMinutes(1));
        assertThat(seen).containsExactly("PENDING@0", "IN_SERVICE@45", "timer@50");
    }

    @Test
    void timeStandsStillWhileAnExecutionIsInFlightAndAParkedOneWakesAtItsInstant() throws Exception {
        time.executionStarted();
        time.after(Duration.ofSeconds(5), "timer", () -> note("timer"));
        CompletableFuture<Void> driver = CompletableFuture.runAsync(() -> time.advance(Duration.ofSeconds(30)));

        await().atMost(Duration.ofSeconds(10)).until(time::driverAwaitingExecutions);
        assertThat(clock.instant()).as("the clock waits for the execution").isEqualTo(T0);
        assertThat(seen).isEmpty();
        time.park(clock.instant().plusSeconds(20), "wait", id -> {
            note("woken");
            time.executionEnded();
        });

        driver.get(10, TimeUnit.SECONDS);
        assertThat(seen).containsExactly("timer@5", "woken@20");
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(30));
        assertThat(time.inFlight()).isZero();
        assertThat(time.parked()).isZero();
    }

    @Test
    void anExecutionStartedJustBeforeTheClockMovesHoldsTheClockUntilItParks() throws Exception {
        // The window between "every execution settled" and the clock's move: an API request's thread starts one.
        AtomicReference<Instant> startedAt = new AtomicReference<>();
        time.beforeClockMoves(() -> {
            if (startedAt.get() == null) {
                startedAt.set(time.executionStarted());
            }
        });
        time.after(Duration.ofSeconds(5), "timer", () -> note("timer"));
        CompletableFuture<Void> driver = CompletableFuture.runAsync(() -> time.advance(Duration.ofSeconds(30)));

        await().atMost(Duration.ofSeconds(10)).until(time::driverAwaitingExecutions);
        assertThat(startedAt.get()).isEqualTo(T0);
        assertThat(clock.instant()).as("no jump under the execution's first Task").isEqualTo(T0);
        assertThat(seen).isEmpty();
        time.executionEnded();

        driver.get(10, TimeUnit.SECONDS);
        assertThat(seen).containsExactly("timer@5");
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void runUntilStopsAsSoonAsTheConditionHolds() {
        time.every(T0.plusSeconds(10), Duration.ofSeconds(10), "tick", () -> note("tick"));
        assertThat(time.runUntil(() -> seen.size() == 3, T0.plusSeconds(600))).isTrue();
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(30));
        assertThat(time.runUntil(() -> false, T0.plusSeconds(45))).isFalse();
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(45));
    }

    @Test
    void anExecutionThatCanNeverSettleStopsTheDriverWithTheReason() {
        time.executionStarted();
        time.healthCheck(() -> Optional.of("the runner exited with status 3"));
        assertThatThrownBy(() -> time.advance(Duration.ofSeconds(1))).hasMessageContaining("runner exited with status 3");
    }
}
