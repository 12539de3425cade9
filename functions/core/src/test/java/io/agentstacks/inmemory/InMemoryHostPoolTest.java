package io.agentstacks.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.hosts.HostPool.AllocationResult;
import io.agentstacks.hosts.HostPool.ReleaseOutcome;
import io.agentstacks.hosts.HostPool;
import io.agentstacks.hosts.HostState;
import io.agentstacks.hosts.HostTags;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

class InMemoryHostPoolTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2025-03-01T08:00:00Z"));
    private final InMemoryHostPool pool = new InMemoryHostPool(clock);

    private String allocate(String token, String zone) {
        var result = pool.allocate(new HostPool.HostRequest("mac-agents", token, "mac2.metal", zone, 1, false));
        return ((AllocationResult.Allocated) result).hostIds().get(0);
    }

    @Test
    void allocatedHostsAreTaggedForTheStackAndAvailable() {
        String id = allocate("t-1", "us-east-1a");

        assertThat(pool.describeByStack("mac-agents")).singleElement().satisfies(h -> {
            assertThat(h.hostId()).isEqualTo(id);
            assertThat(h.state()).isEqualTo(HostState.AVAILABLE);
            assertThat(h.tags()).containsEntry(HostTags.STACK, "mac-agents");
            assertThat(h.allocatedAt()).isEqualTo(clock.instant());
        });
        assertThat(pool.describeByStack("other")).isEmpty();
    }

    @Test
    void theSameClientTokenAnswersTheSameHostAndAnotherRequestWithItIsRefused() {
        String first = allocate("t-1", "us-east-1a");

        assertThat(allocate("t-1", "us-east-1a")).isEqualTo(first);
        assertThat(pool.allocated()).hasSize(1);
        assertThatThrownBy(() -> allocate("t-1", "us-east-1b")).hasMessageContaining("IdempotentParameterMismatch");
    }

    @Test
    void aZoneWithoutCapacityAnswersInsufficientCapacityUntilRestored() {
        pool.withoutCapacity("us-east-1a");

        var refused = pool.allocate(new HostPool.HostRequest("mac-agents", "t-1", "mac2.metal", "us-east-1a", 1, false));
        pool.restoreCapacity("us-east-1a");

        assertThat(refused).isInstanceOf(AllocationResult.InsufficientCapacity.class);
        assertThat(allocate("t-1", "us-east-1a")).startsWith("h-");
    }

    @Test
    void aHostIsPendingWhileScrubbedAfterItsInstanceEndsThenAvailable() {
        String id = allocate("t-1", "us-east-1a");
        pool.launchInstance(id);
        pool.endInstance(id);

        assertThat(pool.describe(List.of(id)).get(0).state()).isEqualTo(HostState.PENDING);
        clock.advance(Duration.ofMinutes(269));
        assertThat(pool.describe(List.of(id)).get(0).state()).isEqualTo(HostState.PENDING);
        clock.advance(Duration.ofMinutes(1));
        assertThat(pool.describe(List.of(id)).get(0).state()).isEqualTo(HostState.AVAILABLE);
    }

    @Test
    void releaseIsRefusedInUnsuccessfulBeforeTwentyFourHoursWhileOccupiedAndWhilePending() {
        String young = allocate("t-1", "us-east-1a");
        String busy = allocate("t-2", "us-east-1a");
        String scrubbing = allocate("t-3", "us-east-1a");
        pool.launchInstance(busy);
        pool.launchInstance(scrubbing);
        clock.advance(Duration.ofHours(23).plusMinutes(59));
        pool.endInstance(scrubbing);

        var early = pool.release(List.of(young));
        clock.advance(Duration.ofMinutes(1));
        var later = pool.release(List.of(young, busy, scrubbing, "h-unknown"));

        assertThat(early).singleElement().isInstanceOf(ReleaseOutcome.Refused.class)
                .extracting(o -> ((ReleaseOutcome.Refused) o).code()).isEqualTo("Client.HostMinAllocationPeriodUnexpired");
        assertThat(later).containsExactly(
                new ReleaseOutcome.Released(young),
                new ReleaseOutcome.Refused(busy, "Client.HostHasInstances", "The host has running instances"),
                new ReleaseOutcome.Refused(scrubbing, "Client.InvalidHostState", "The host is pending"),
                new ReleaseOutcome.NotFound("h-unknown"));
        assertThat(pool.isReleased(young)).isTrue();
        assertThat(pool.releaseAttempts()).extracting(InMemoryHostPool.ReleaseAttempt::released)
                .containsExactly(false, true, false, false);
    }

    @Test
    void aReleasedHostCannotBeReleasedAgain() {
        String id = allocate("t-1", "us-east-1a");
        clock.advance(Duration.ofHours(24));
        pool.release(List.of(id));

        assertThat(pool.release(List.of(id))).singleElement().isInstanceOf(ReleaseOutcome.Refused.class);
        assertThat(pool.describeByStack("mac-agents")).singleElement()
                .extracting(h -> h.state()).isEqualTo(HostState.RELEASED);
    }
}
