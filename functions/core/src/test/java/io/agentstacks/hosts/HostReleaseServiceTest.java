package io.agentstacks.hosts;

import static io.agentstacks.hosts.Hosts.GROUP;
import static io.agentstacks.hosts.Hosts.STACK;
import static io.agentstacks.hosts.Hosts.T0;
import static io.agentstacks.hosts.Hosts.mac;
import static io.agentstacks.hosts.Hosts.macSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.events.DomainEvent;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryHostGroups;
import io.agentstacks.inmemory.InMemoryHostPool;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.stacks.HostSnapshot;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

class HostReleaseServiceTest {

    private final TestClock clock = new TestClock(T0);
    private final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    private final InMemoryHostPool pool = new InMemoryHostPool(clock);
    private final InMemoryHostGroups groups = new InMemoryHostGroups(pool);
    private final InMemoryEventSink events = new InMemoryEventSink();
    private final HostReleaseService service = new HostReleaseService(registry, pool, groups, events, clock);

    @BeforeEach
    void aDeletedMacStack() {
        registry.put(StackRecord.first(macSpec(mac(0, List.of()), List.of("us-east-1a")), T0).toBuilder()
                .status(StackStatus.DELETED).hostGroupName(Optional.of(GROUP)).build());
        groups.create(GROUP, HostGroupConfiguration.of(mac(0, List.of())), Map.of(HostTags.STACK, STACK));
    }

    private String stackHost() {
        String id = pool.allocateUntagged("us-east-1a", "mac2.metal");
        pool.tag(List.of(id), HostTags.STACK, STACK);
        return id;
    }

    @Test
    void anEmptyHostPastItsTwentyFourHoursIsReleasedAndReportedOnce() {
        String id = stackHost();
        clock.advance(Duration.ofHours(25));

        var round = service.releaseEligible(STACK, clock.instant());

        assertThat(round).isEqualTo(new HostReleaseService.Round(0, 0, List.of(id), List.of(), false, false));
        assertThat(pool.isReleased(id)).isTrue();
        assertThat(events.published(DomainEvent.MacHostReleased.class)).singleElement()
                .satisfies(e -> assertThat(e.outcome()).isEqualTo("released"));
        assertThat(registry.get(STACK).orElseThrow().hosts()).singleElement()
                .satisfies(h -> assertThat(h.state()).as("shown as released until EC2 lists it so").isEqualTo("released"));
    }

    @Test
    void aDuplicatedStartReleasesEachHostOnce() {
        String a = stackHost();
        String b = stackHost();
        clock.advance(Duration.ofHours(25));
        var started = clock.instant();

        var first = service.releaseEligible(STACK, started);
        var duplicate = service.releaseEligible(STACK, started);

        assertThat(first.released()).containsExactlyInAnyOrder(a, b);
        assertThat(duplicate).isEqualTo(new HostReleaseService.Round(0, 0, List.of(), List.of(), false, false));
        assertThat(pool.releaseAttempts()).extracting(InMemoryHostPool.ReleaseAttempt::hostId).containsExactlyInAnyOrder(a, b);
        assertThat(events.published(DomainEvent.MacHostReleased.class)).extracting(DomainEvent.MacHostReleased::hostId)
                .containsExactlyInAnyOrder(a, b);
    }

    @Test
    void anUnsuccessfulEntryIsReportedAndRetried() {
        // The rule believes 23 h are enough; EC2 does not, and says so in Unsuccessful.
        var hasty = new HostReleaseService(registry, pool, groups, events, clock,
                new ReleaseRules(Duration.ofHours(23), Duration.ofMinutes(5), Duration.ofMinutes(15),
                        Duration.ofMinutes(10), Duration.ofMinutes(15), Duration.ofMinutes(5), Duration.ofHours(1)),
                Duration.ofDays(7));
        String id = stackHost();
        clock.advance(Duration.ofHours(23).plusMinutes(58));

        var refused = hasty.releaseEligible(STACK, clock.instant());

        assertThat(refused.remaining()).isEqualTo(1);
        assertThat(refused.nextCheckSeconds()).isEqualTo(300);
        assertThat(refused.failed()).singleElement().satisfies(f -> {
            assertThat(f.hostId()).isEqualTo(id);
            assertThat(f.code()).isEqualTo("Client.HostMinAllocationPeriodUnexpired");
        });
        assertThat(events.published(DomainEvent.MacHostReleased.class)).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo("failed");
            assertThat(e.reason()).get().asString().contains("Client.HostMinAllocationPeriodUnexpired");
        });
        assertThat(registry.get(STACK).orElseThrow().hosts()).singleElement()
                .satisfies(s -> assertThat(s.waitingFor()).get().asString().startsWith("release refused:"));

        clock.advance(Duration.ofSeconds(refused.nextCheckSeconds()));
        var retried = hasty.releaseEligible(STACK, clock.instant());

        assertThat(retried.released()).containsExactly(id);
        assertThat(retried.remaining()).isZero();
    }

    @Test
    void theNextCheckIsTheEarliestMomentAnyRemainingHostMayGo() {
        String young = stackHost();
        clock.advance(Duration.ofHours(20));
        String younger = stackHost();
        String busy = stackHost();
        pool.launchInstance(busy);

        var round = service.releaseEligible(STACK, clock.instant());

        assertThat(round.remaining()).isEqualTo(3);
        assertThat(round.nextCheckSeconds()).isEqualTo(Duration.ofMinutes(10).toSeconds());  // the occupied host
        pool.endInstance(busy);
        var withoutBusy = service.releaseEligible(STACK, clock.instant());
        assertThat(withoutBusy.nextCheckSeconds()).isEqualTo(Duration.ofHours(4).toSeconds());  // young's 24 h
        assertThat(registry.get(STACK).orElseThrow().hosts()).extracting(HostSnapshot::hostId)
                .containsExactlyInAnyOrder(young, younger, busy);
        assertThat(registry.get(STACK).orElseThrow().hosts()).filteredOn(s -> s.hostId().equals(busy)).singleElement()
                .satisfies(s -> {
                    assertThat(s.state()).isEqualTo("pending");
                    assertThat(s.stateSince()).contains(clock.instant());
                    assertThat(s.waitingFor()).get().asString().startsWith("pending");
                });
    }

    @Test
    void theLoopGivesUpSevenDaysAfterItStartedWhileHostsRemain() {
        String busy = stackHost();
        pool.launchInstance(busy);
        var started = clock.instant();

        clock.advance(Duration.ofDays(7).minusMinutes(3));
        var almost = service.releaseEligible(STACK, started);
        clock.advance(Duration.ofSeconds(almost.nextCheckSeconds()));
        var late = service.releaseEligible(STACK, started);

        assertThat(almost.giveUp()).isFalse();
        assertThat(almost.nextCheckSeconds()).isEqualTo(180);  // not past the end of the week
        assertThat(late.giveUp()).isTrue();
        assertThat(late.nextCheckSeconds()).isZero();
        assertThat(late.remaining()).isEqualTo(1);
        assertThat(pool.releaseAttempts()).isEmpty();
    }

    @Test
    void aStackCreatedAgainUnderTheSameNameKeepsItsHostsAndGroup() {
        stackHost();
        clock.advance(Duration.ofHours(25));
        registry.put(registry.get(STACK).orElseThrow().toBuilder().status(StackStatus.PENDING).specVersion(2).build());

        var round = service.releaseEligible(STACK, clock.instant());

        assertThat(round.handedBack()).isTrue();
        assertThat(round.remaining()).isZero();
        assertThat(pool.releaseAttempts()).isEmpty();
        assertThat(service.deleteGroup(STACK)).isFalse();
        assertThat(groups.describe(GROUP)).isPresent();
    }

    @Test
    void aStackStillMarkedDeletingOrFailedWhenTheLoopStartsHasItsHostsReleased() {
        String id = stackHost();
        clock.advance(Duration.ofHours(25));
        registry.put(registry.get(STACK).orElseThrow().toBuilder().status(StackStatus.DELETING).build());

        var round = service.releaseEligible(STACK, clock.instant(), java.util.OptionalLong.of(1));

        assertThat(round.released()).containsExactly(id);
        registry.put(registry.get(STACK).orElseThrow().toBuilder().status(StackStatus.FAILED).build());
        assertThat(service.releaseEligible(STACK, clock.instant()).handedBack()).isFalse();
        assertThat(service.deleteGroup(STACK, java.util.OptionalLong.of(1))).isTrue();
    }

    @Test
    void aNewerSpecVersionUnderTheNameMeansTheStackIsBackWhateverItsStatus() {
        stackHost();
        clock.advance(Duration.ofHours(25));
        registry.put(registry.get(STACK).orElseThrow().toBuilder().status(StackStatus.FAILED).specVersion(2).build());

        var round = service.releaseEligible(STACK, clock.instant(), java.util.OptionalLong.of(1));

        assertThat(round.handedBack()).isTrue();
        assertThat(pool.releaseAttempts()).isEmpty();
        assertThat(service.deleteGroup(STACK, java.util.OptionalLong.of(1))).isFalse();
    }

    @Test
    void theGroupIsDeletedOnceEmptyAndTheRecordForgetsIt() {
        String id = stackHost();
        groups.group(GROUP, List.of(id));

        assertThatThrownBy(() -> service.deleteGroup(STACK))
                .isInstanceOf(HostReleaseService.HostGroupNotEmptyException.class)
                .hasMessageContaining(id);
        clock.advance(Duration.ofHours(24));
        service.releaseEligible(STACK, clock.instant());

        assertThat(service.deleteGroup(STACK)).isTrue();
        assertThat(service.deleteGroup(STACK)).isTrue();
        assertThat(groups.describe(GROUP)).isEmpty();
        assertThat(registry.get(STACK).orElseThrow().hostGroupName()).isEmpty();
    }

    @Test
    void aGroupOfTheSameNameThatIsNotTheStacksIsNotDeletedAndItsHostsAreNotClaimed() {
        groups.delete(GROUP);
        groups.create(GROUP, HostGroupConfiguration.of(mac(0, List.of())), Map.of());

        assertThatThrownBy(() -> service.deleteGroup(STACK))
                .isInstanceOf(HostGroups.HostGroupException.class)
                .hasMessageContaining("host resource group " + GROUP + " is not stack " + STACK + "'s");
        assertThat(groups.describe(GROUP)).isPresent();

        registry.put(registry.get(STACK).orElseThrow().toBuilder().status(StackStatus.ACTIVE).build());
        String theirs = groups.launchInstance(GROUP, "us-east-1a", "mac2.metal");
        assertThatThrownBy(() -> service.releaseSurplus(Optional.of(STACK))).hasMessageContaining(GROUP);
        assertThat(pool.describe(List.of(theirs)).get(0).tags()).doesNotContainKey(HostTags.STACK);
    }

    @Test
    void aRoundRightAfterAReleaseThatDescribeHostsDoesNotShowYetReleasesNothingAgainAndReportsNoFailure() {
        String id = stackHost();
        pool.describeLag(Duration.ofMinutes(10));
        clock.advance(Duration.ofHours(25));
        var first = service.releaseEligible(STACK, clock.instant());
        assertThat(pool.describeByStack(STACK)).singleElement()
                .satisfies(h -> assertThat(h.state()).as("EC2 still lists it as it was").isEqualTo(HostState.AVAILABLE));

        clock.advance(Duration.ofMinutes(1));
        var retried = service.releaseEligible(STACK, clock.instant());

        assertThat(first.released()).containsExactly(id);
        assertThat(retried).isEqualTo(new HostReleaseService.Round(0, 0, List.of(), List.of(), false, false));
        assertThat(pool.releaseAttempts()).hasSize(1);
        assertThat(events.published(DomainEvent.MacHostReleased.class)).extracting(DomainEvent.MacHostReleased::outcome)
                .containsExactly("released");
        assertThat(registry.get(STACK).orElseThrow().hosts()).singleElement()
                .satisfies(s -> assertThat(s.state()).isEqualTo("released"));

        clock.advance(Duration.ofMinutes(10));
        service.releaseEligible(STACK, clock.instant());
        assertThat(registry.get(STACK).orElseThrow().hosts()).as("forgotten once EC2 lists it as released").isEmpty();
    }

    @Test
    void aSurplusHostReleasedOnTheLastPassIsNeitherReleasedAgainNorCountedWhileEc2StillListsIt() {
        registry.put(registry.get(STACK).orElseThrow().toBuilder().status(StackStatus.ACTIVE)
                .spec(macSpec(mac(1, List.of()), List.of("us-east-1a"))).build());
        String first = stackHost();
        clock.advance(Duration.ofHours(1));
        String second = stackHost();
        pool.describeLag(Duration.ofMinutes(30));
        clock.advance(Duration.ofHours(25));
        service.releaseSurplus(Optional.empty());
        clock.advance(Duration.ofHours(1));
        var released = service.releaseSurplus(Optional.empty());

        clock.advance(Duration.ofMinutes(15));
        var next = service.releaseSurplus(Optional.empty());

        assertThat(released).singleElement().satisfies(s -> assertThat(s.released()).containsExactly(first));
        assertThat(next).singleElement().satisfies(s -> {
            assertThat(s.released()).as("the reserved host stays").isEmpty();
            assertThat(s.failed()).isEmpty();
        });
        assertThat(pool.isReleased(second)).isFalse();
        assertThat(pool.releaseAttempts()).hasSize(1);
        assertThat(events.published(DomainEvent.MacHostReleased.class)).extracting(DomainEvent.MacHostReleased::outcome)
                .containsExactly("released");
    }

    @Test
    void aLiveStackWithAutoReleaseHostReleasesHostsAboveItsReservedOnesOnceEmptyLongEnough() {
        registry.put(registry.get(STACK).orElseThrow().toBuilder().status(StackStatus.ACTIVE)
                .spec(macSpec(mac(1, List.of()), List.of("us-east-1a"))).build());
        String keep = stackHost();
        String spare = stackHost();
        String busy = stackHost();
        pool.launchInstance(busy);
        clock.advance(Duration.ofHours(25));

        var firstLook = service.releaseSurplus(Optional.empty());
        clock.advance(Duration.ofMinutes(30));
        var halfHour = service.releaseSurplus(Optional.empty());
        clock.advance(Duration.ofMinutes(30));
        var hour = service.releaseSurplus(Optional.empty());

        assertThat(firstLook).singleElement().satisfies(s -> assertThat(s.released()).isEmpty());
        assertThat(halfHour).singleElement().satisfies(s -> assertThat(s.released()).isEmpty());
        // 3 hosts, 1 reserved: both empty ones may go, the busy one stays.
        assertThat(hour).singleElement().satisfies(s -> assertThat(s.released()).containsExactlyInAnyOrder(keep, spare));
        assertThat(registry.get(STACK).orElseThrow().hosts()).filteredOn(h -> !h.state().equals("released"))
                .extracting(HostSnapshot::hostId).containsExactly(busy);
    }

    @Test
    void aLiveStacksHostsTheGroupAllocatedByItselfAreShownAndReleasedAsSurplusToo() {
        registry.put(registry.get(STACK).orElseThrow().toBuilder().status(StackStatus.ACTIVE).build());
        String auto = groups.launchInstance(GROUP, "us-east-1a", "mac2.metal");
        clock.advance(Duration.ofHours(2));
        pool.endInstance(auto);

        service.releaseSurplus(Optional.empty());
        assertThat(registry.get(STACK).orElseThrow().hosts()).singleElement()
                .satisfies(s -> assertThat(s.state()).isEqualTo("pending"));
        clock.advance(Duration.ofHours(23));
        service.releaseSurplus(Optional.empty());
        clock.advance(Duration.ofHours(1));
        var later = service.releaseSurplus(Optional.empty());

        assertThat(later).singleElement().satisfies(s -> assertThat(s.released()).containsExactly(auto));
        assertThat(groups.hostIds(GROUP)).isEmpty();
    }

    @Test
    void aLiveStackWithoutAutoReleaseHostKeepsItsHostsButShowsThem() {
        var noAutoRelease = new io.agentstacks.spec.Mac(List.of("mac2"), List.of(), Optional.empty(), true, false, 0);
        registry.put(registry.get(STACK).orElseThrow().toBuilder().status(StackStatus.ACTIVE)
                .spec(macSpec(noAutoRelease, List.of("us-east-1a"))).build());
        String id = stackHost();
        clock.advance(Duration.ofDays(3));

        service.releaseSurplus(Optional.empty());
        clock.advance(Duration.ofHours(2));
        var later = service.releaseSurplus(Optional.of(STACK));

        assertThat(later).singleElement().satisfies(s -> assertThat(s.released()).isEmpty());
        assertThat(registry.get(STACK).orElseThrow().hosts()).singleElement()
                .satisfies(s -> assertThat(s.hostId()).isEqualTo(id));
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        assertThatThrownBy(() -> service.releaseEligible("", clock.instant())).hasMessageStartingWith("stack:");
        assertThatThrownBy(() -> service.deleteGroup("bad/name")).hasMessageStartingWith("stack:");
        assertThatThrownBy(() -> service.releaseSurplus(Optional.of("1st"))).hasMessageStartingWith("stack:");
    }
}
