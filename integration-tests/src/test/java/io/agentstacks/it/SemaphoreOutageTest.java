package io.agentstacks.it;

import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Semaphore's API is down for two minutes while jobs run and more arrive. */
class SemaphoreOutageTest extends LocalScenario {

    private static final String STACK = "linux-small";
    private static final String SPEC = example("linux-small.json");

    @Test
    void aTwoMinuteSemaphoreOutageHoldsCapacityAndScalingResumesWhenItEnds() {
        agentTypeFor(SPEC);
        post(SPEC);
        untilStatus(STACK, StackStatus.ACTIVE, 1, Duration.ofMinutes(30));
        String group = record(STACK).groupName().orElseThrow();
        until("first poll of the stack", () -> record(STACK).lastDemand().isPresent(), Duration.ofMinutes(2));
        cp.semaphore().enqueue(STACK, 3, 900);
        until("three agents busy", () -> agentType(STACK).runningJobs() == 3, Duration.ofMinutes(5));

        Instant outageStart = cp.now();
        cp.semaphore().outage(Duration.ofMinutes(2));
        cp.semaphore().enqueue(STACK, 2, 900);
        AtomicInteger lowest = new AtomicInteger(Integer.MAX_VALUE);
        AtomicInteger highest = new AtomicInteger();
        until("the outage is over", () -> {
            lowest.accumulateAndGet(desired(STACK), Math::min);
            highest.accumulateAndGet(desired(STACK), Math::max);
            return !cp.semaphore().inOutage();
        }, Duration.ofMinutes(3));
        assertThat(lowest.get()).as("capacity never lowered during the outage").isEqualTo(3);
        assertThat(highest.get()).as("nor raised on demand nobody could read").isEqualTo(3);
        assertThat(record(STACK).status()).as("an outage is not a token problem").isEqualTo(StackStatus.ACTIVE);
        assertThat(cp.log().lines()).as("the poller reports each failed poll")
                .anyMatch(l -> l.contains("DemandPollFailed") && l.contains("\"unavailable\""));
        List<InMemoryFleetControl.Call> lowering = cp.fleet().calls().stream()
                .filter(c -> !c.at().isBefore(outageStart))
                .filter(c -> c.action().equals("SetDesiredCapacity") || c.action().equals("UpdateAutoScalingGroup"))
                .toList();
        assertThat(lowering).as("no scaling call during the outage").allSatisfy(c -> assertThat(c.at())
                .isAfterOrEqualTo(outageStart.plus(Duration.ofMinutes(2))));

        Duration recovered = until("scaled to the jobs queued meanwhile", () -> desired(STACK) == 5, Duration.ofMinutes(2));
        assertThat(recovered).as("the first poll after the outage").isLessThanOrEqualTo(Duration.ofMillis(10_500));
        until("all five jobs run", () -> agentType(STACK).runningJobs() == 5, Duration.ofMinutes(5));
        assertThat(cp.fleet().calls("SetDesiredCapacity")).allSatisfy(c -> assertThat(c.groupName()).isEqualTo(group));
    }
}
