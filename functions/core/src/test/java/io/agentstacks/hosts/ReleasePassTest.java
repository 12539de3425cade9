package io.agentstacks.hosts;

import static io.agentstacks.hosts.Hosts.STACK;
import static io.agentstacks.hosts.Hosts.T0;
import static io.agentstacks.hosts.Hosts.host;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.spec.Mac;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

class ReleasePassTest {

    private final Instant now = T0.plus(Duration.ofHours(30));

    @Test
    void eachHostIsDecidedOnceEvenWhenListedTwice() {
        var h = host("h-1", HostState.AVAILABLE, 0, T0);

        var pass = ReleasePass.plan(List.of(h, h), STACK, now, ReleaseRules.DEFAULT);

        assertThat(pass.release()).containsExactly(h);
    }

    @Test
    void hostsAreSortedIntoReleaseWaitAndSkip() {
        var free = host("h-1", HostState.AVAILABLE, 0, T0);
        var busy = host("h-2", HostState.AVAILABLE, 1, T0);
        var gone = host("h-3", HostState.RELEASED, 0, T0);

        var pass = ReleasePass.plan(List.of(free, busy, gone), STACK, now, ReleaseRules.DEFAULT);

        assertThat(pass.release()).containsExactly(free);
        assertThat(pass.waiting()).extracting(ReleasePass.Waiting::host).containsExactly(busy);
        assertThat(pass.skipped()).extracting(ReleasePass.Skipped::host).containsExactly(gone);
    }

    @Test
    void aLiveStackReleasesOnlyHostsAboveItsReservedOnesThatHaveBeenEmptyLongEnough() {
        Instant emptyLongAgo = now.minus(Duration.ofHours(2));
        var idle1 = host("h-1", HostState.AVAILABLE, 0, T0).withStateSince(Optional.of(emptyLongAgo));
        var idle2 = host("h-2", HostState.AVAILABLE, 0, T0.plusSeconds(60)).withStateSince(Optional.of(emptyLongAgo));
        var justEmptied = host("h-3", HostState.AVAILABLE, 0, T0).withStateSince(Optional.of(now.minus(Duration.ofMinutes(5))));
        var busy = host("h-4", HostState.AVAILABLE, 1, T0).withStateSince(Optional.of(emptyLongAgo));
        var young = host("h-5", HostState.AVAILABLE, 0, now.minus(Duration.ofHours(3))).withStateSince(Optional.of(emptyLongAgo));

        var surplus = ReleasePass.surplus(List.of(idle1, idle2, justEmptied, busy, young), STACK,
                new Mac(List.of("mac2"), List.of(), Optional.empty(), true, true, 3), "mac2.metal", now, ReleaseRules.DEFAULT);

        // 5 hosts, 3 reserved: at most 2 go, and only those empty past their 24 h for an hour.
        assertThat(surplus).containsExactly(idle1, idle2);
    }

    @Test
    void hostsOfAnOlderInstanceTypeAreTheFirstSurplus() {
        Instant since = now.minus(Duration.ofHours(2));
        var current = host("h-1", HostState.AVAILABLE, 0, T0).withStateSince(Optional.of(since));
        var older = new DedicatedHost("h-2", "us-east-1a", "mac1.metal", HostState.AVAILABLE, List.of(), T0.plusSeconds(5),
                Map.of(HostTags.STACK, STACK), Optional.of(since));

        var surplus = ReleasePass.surplus(List.of(current, older), STACK,
                new Mac(List.of("mac2"), List.of(), Optional.empty(), true, true, 1), "mac2.metal", now, ReleaseRules.DEFAULT);

        assertThat(surplus).containsExactly(older);
    }

    @Test
    void withoutAutoReleaseHostNothingIsSurplus() {
        var idle = host("h-1", HostState.AVAILABLE, 0, T0).withStateSince(Optional.of(T0));

        assertThat(ReleasePass.surplus(List.of(idle), STACK,
                new Mac(List.of("mac2"), List.of(), Optional.empty(), true, false, 0), "mac2.metal", now, ReleaseRules.DEFAULT))
                .isEmpty();
    }
}
