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
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.HostSnapshot;
import io.agentstacks.stacks.Network;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

class HostAllocationServiceTest {

    private final TestClock clock = new TestClock(T0);
    private final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    private final InMemoryHostPool pool = new InMemoryHostPool(clock);
    private final InMemoryHostGroups groups = new InMemoryHostGroups(pool);
    private final InMemoryEventSink events = new InMemoryEventSink();
    private final AtomicInteger networkCalls = new AtomicInteger();
    private final Network network = spec -> {
        networkCalls.incrementAndGet();
        return new Network.ResolvedNetwork("vpc-1", List.of("subnet-1", "subnet-2"), List.of("us-east-1c", "us-east-1d"));
    };
    private final HostAllocationService service = new HostAllocationService(registry, pool, groups, network, events, clock);

    private void store(StackSpec spec) {
        registry.put(StackRecord.first(spec, T0).toBuilder().status(StackStatus.PROVISIONING).build());
    }

    @Test
    void ensureHostsCreatesTheGroupAndAllocatesTheReservedHostsOverTheZones() {
        store(macSpec(mac(3, List.of()), List.of("us-east-1a", "us-east-1b")));

        var ensured = service.ensureHosts(STACK, 1);

        assertThat(ensured.hostGroupName()).isEqualTo(GROUP);
        assertThat(ensured.hostGroupArn()).isEqualTo("arn:aws:resource-groups:us-east-1:123456789012:group/" + GROUP);
        assertThat(ensured.hostIds()).hasSize(3).containsExactlyInAnyOrderElementsOf(groups.hostIds(GROUP));
        assertThat(pool.describeByStack(STACK)).extracting(DedicatedHost::availabilityZone)
                .containsExactlyInAnyOrder("us-east-1a", "us-east-1a", "us-east-1b");
        assertThat(pool.describeByStack(STACK)).extracting(DedicatedHost::instanceType).containsOnly("mac2.metal");
        assertThat(groups.describe(GROUP)).get().extracting(HostGroups.HostGroup::configuration)
                .isEqualTo(HostGroupConfiguration.of(mac(3, List.of())));
        assertThat(ensured.hostGroupName()).isEqualTo("agent-stack-" + STACK);
        assertThat(groups.tags(groups.describe(GROUP).orElseThrow())).containsEntry(HostTags.STACK, STACK);
        assertThat(events.published(DomainEvent.MacHostsAllocated.class)).singleElement()
                .satisfies(e -> assertThat(e.hostIds()).containsExactlyElementsOf(ensured.hostIds()));
        var record = registry.get(STACK).orElseThrow();
        assertThat(record.hostGroupName()).contains(GROUP);
        assertThat(record.hosts()).extracting(HostSnapshot::hostId).containsExactlyInAnyOrderElementsOf(ensured.hostIds());
        assertThat(networkCalls).hasValue(0);
    }

    @Test
    void aRedeliveredTaskAllocatesNothingTwiceAndPublishesNoSecondEvent() {
        store(macSpec(mac(2, List.of()), List.of("us-east-1a")));

        var first = service.ensureHosts(STACK, 1);
        var again = service.ensureHosts(STACK, 1);

        assertThat(again).isEqualTo(first);
        assertThat(pool.allocated()).hasSize(2);
        assertThat(events.published(DomainEvent.MacHostsAllocated.class)).hasSize(1);
    }

    @Test
    void aTaskRedeliveredBeforeEc2ListsTheFirstHostsGetsTheSameHostsThroughTheirClientTokens() {
        store(macSpec(mac(1, List.of()), List.of("us-east-1a")));
        var plan = AllocationPlan.plan(registry.get(STACK).orElseThrow().spec(), List.of(), List.of());
        String token = plan.slots().get(0).clientToken(STACK, 1, "us-east-1a");
        // The first delivery's AllocateHosts went through, but its answer was lost.
        var first = (HostPool.AllocationResult.Allocated) pool.allocate(
                new HostPool.HostRequest(STACK, token, "mac2.metal", "us-east-1a", 1, false));

        var again = pool.allocate(new HostPool.HostRequest(STACK, token, "mac2.metal", "us-east-1a", 1, false));

        assertThat(again).isEqualTo(first);
        assertThat(service.ensureHosts(STACK, 1).hostIds()).containsExactlyElementsOf(first.hostIds());
        assertThat(pool.allocated()).hasSize(1);
    }

    @Test
    void theNextZoneIsTriedWhenAZoneHasNoCapacity() {
        store(macSpec(mac(2, List.of()), List.of("us-east-1a", "us-east-1b")));
        pool.withoutCapacity("us-east-1a");

        service.ensureHosts(STACK, 1);

        assertThat(pool.describeByStack(STACK)).extracting(DedicatedHost::availabilityZone)
                .containsExactly("us-east-1b", "us-east-1b");
    }

    @Test
    void withoutCapacityInAnyZoneTheTaskFailsNamingTheZonesAndKeepsWhatItGot() {
        store(macSpec(mac(2, List.of()), List.of("us-east-1a")));
        service.ensureHosts(STACK, 1);
        store(macSpec(mac(3, List.of()), List.of("us-east-1a")));
        pool.withoutCapacity("us-east-1a");
        registry.put(registry.get(STACK).orElseThrow().toBuilder()
                .spec(macSpec(mac(3, List.of()), List.of("us-east-1a"))).specVersion(2).build());

        assertThatThrownBy(() -> service.ensureHosts(STACK, 2))
                .isInstanceOf(HostAllocationService.InsufficientHostCapacityException.class)
                .hasMessageContaining("mac2.metal in us-east-1a");
        assertThat(groups.hostIds(GROUP)).hasSize(2);
    }

    @Test
    void zeroReservedHostsAllocatesNothingAndLeavesHostsToTheGroup() {
        store(macSpec(mac(0, List.of()), List.of()));

        var ensured = service.ensureHosts(STACK, 1);

        assertThat(ensured.hostIds()).isEmpty();
        assertThat(pool.allocated()).isEmpty();
        assertThat(groups.describe(GROUP).orElseThrow().configuration().autoAllocateHost()).isTrue();
        assertThat(events.published()).isEmpty();
        assertThat(networkCalls).hasValue(0);
    }

    @Test
    void theResolvedSubnetsZonesAreUsedWhenTheSpecNamesNone() {
        store(macSpec(mac(2, List.of()), List.of()));

        service.ensureHosts(STACK, 1);

        assertThat(pool.describeByStack(STACK)).extracting(DedicatedHost::availabilityZone)
                .containsExactlyInAnyOrder("us-east-1c", "us-east-1d");
    }

    @Test
    void aSpecWithItsOwnSubnetsAndNoZonesGetsItsHostsInTheSubnetsZones() {
        var account = io.agentstacks.inmemory.InMemoryNetwork.typical()
                .withSubnet("vpc-0123456789abcdef0", "subnet-0123456789abcdef1", "us-east-1b")
                .withSubnet("vpc-0123456789abcdef0", "subnet-0123456789abcdef2", "us-east-1d");
        var withOwnNetwork = new HostAllocationService(registry, pool, groups, account, events, clock);
        store(macSpec(mac(2, List.of()), List.of()).toBuilder().vpcId(Optional.of("vpc-0123456789abcdef0"))
                .subnets(List.of("subnet-0123456789abcdef1", "subnet-0123456789abcdef2")).build());

        withOwnNetwork.ensureHosts(STACK, 1);

        assertThat(pool.describeByStack(STACK)).extracting(DedicatedHost::availabilityZone)
                .containsExactlyInAnyOrder("us-east-1b", "us-east-1d");
    }

    @Test
    void theUsersDedicatedHostsAreAdoptedIntoTheGroupButNotTaggedAsTheStacks() {
        String own = pool.allocateUntagged("us-east-1a", "mac2.metal");
        store(macSpec(mac(0, List.of(own)), List.of("us-east-1a")));

        var ensured = service.ensureHosts(STACK, 1);

        assertThat(ensured.hostIds()).containsExactly(own);
        var host = pool.describe(List.of(own)).get(0);
        assertThat(host.tags()).containsEntry(HostTags.ADOPTED, STACK).doesNotContainKey(HostTags.STACK);
    }

    @Test
    void aHostDroppedFromTheSpecsDedicatedHostsLeavesTheGroupAndStaysTheUsers() {
        String kept = pool.allocateUntagged("us-east-1a", "mac2.metal");
        String dropped = pool.allocateUntagged("us-east-1a", "mac2.metal");
        store(macSpec(mac(0, List.of(kept, dropped)), List.of("us-east-1a")));
        service.ensureHosts(STACK, 1);
        registry.put(registry.get(STACK).orElseThrow().toBuilder()
                .spec(macSpec(mac(0, List.of(kept)), List.of("us-east-1a"))).specVersion(2).build());

        var ensured = service.ensureHosts(STACK, 2);

        assertThat(ensured.hostIds()).containsExactly(kept);
        assertThat(pool.describe(List.of(dropped)).get(0).tags()).doesNotContainKey(HostTags.STACK);
    }

    @Test
    void anUnknownDedicatedHostIsRefusedBeforeAnythingChanges() {
        store(macSpec(mac(1, List.of("h-0000000000000dead")), List.of("us-east-1a")));

        assertThatThrownBy(() -> service.ensureHosts(STACK, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mac.dedicatedHosts: no allocated dedicated host h-0000000000000dead");
        assertThat(groups.groupNames()).isEmpty();
        assertThat(pool.allocated()).isEmpty();
    }

    @Test
    void hostsThatAreNotTheUsersOwnAreRefusedAllAtOnceBeforeAnythingChanges() {
        String allocatedForAnother = pool.allocateUntagged("us-east-1a", "mac2.metal");
        pool.tag(List.of(allocatedForAnother), HostTags.STACK, "other-stack");
        String allocatedForThisOne = pool.allocateUntagged("us-east-1a", "mac2.metal");
        pool.tag(List.of(allocatedForThisOne), HostTags.STACK, STACK);
        String inAnotherGroup = pool.allocateUntagged("us-east-1a", "mac2.metal");
        groups.create("team-ios-hosts", HostGroupConfiguration.of(mac(0, List.of())), Map.of());
        groups.group("team-ios-hosts", List.of(inAnotherGroup));
        String adoptedElsewhere = pool.allocateUntagged("us-east-1a", "mac2.metal");
        registry.put(StackRecord.first(macSpec(mac(0, List.of(adoptedElsewhere)), List.of("us-east-1a")).toBuilder()
                .stackName("other-stack").build(), T0).toBuilder().status(StackStatus.PROVISIONING).build());
        pool.tag(List.of(adoptedElsewhere), HostTags.ADOPTED, "other-stack");
        store(macSpec(mac(1, List.of(allocatedForAnother, allocatedForThisOne, inAnotherGroup, adoptedElsewhere,
                "h-0000000000000dead")), List.of("us-east-1a")));

        assertThatThrownBy(() -> service.ensureHosts(STACK, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mac.dedicatedHosts: no allocated dedicated host h-0000000000000dead; "
                        + allocatedForAnother + " is tagged semaphore-agent-stack=other-stack (the control plane allocated it"
                        + " for that stack and releases it; list only hosts of your own); "
                        + allocatedForThisOne + " is tagged semaphore-agent-stack=" + STACK + " (the control plane allocated"
                        + " it for that stack and releases it; list only hosts of your own); "
                        + inAnotherGroup + " is in another host resource group; "
                        + adoptedElsewhere + " is adopted by stack other-stack");
        assertThat(groups.describe(GROUP)).isEmpty();
        assertThat(pool.describe(List.of(inAnotherGroup, adoptedElsewhere))).allSatisfy(h ->
                assertThat(h.tags()).doesNotContainEntry(HostTags.ADOPTED, STACK));
        assertThat(pool.describeByStack(STACK)).extracting(DedicatedHost::hostId).containsExactly(allocatedForThisOne);
    }

    @Test
    void aHostLetGoByTheStackThatAdoptedItMayBeAdoptedByAnotherAndIsNeverReleased() {
        String own = pool.allocateUntagged("us-east-1a", "mac2.metal");
        registry.put(StackRecord.first(macSpec(mac(0, List.of(own)), List.of("us-east-1a")).toBuilder()
                .stackName("old-stack").build(), T0).toBuilder().status(StackStatus.PROVISIONING).build());
        service.ensureHosts("old-stack", 1);
        service.detachHosts("old-stack", 1);
        registry.put(registry.get("old-stack").orElseThrow().toBuilder().status(StackStatus.DELETED).build());
        store(macSpec(mac(0, List.of(own)), List.of("us-east-1a")));

        var ensured = service.ensureHosts(STACK, 1);
        var again = service.ensureHosts(STACK, 1);

        assertThat(ensured.hostIds()).containsExactly(own);
        assertThat(again.hostIds()).as("in this stack's own group it stays adoptable").containsExactly(own);
        assertThat(pool.describe(List.of(own)).get(0).tags()).containsEntry(HostTags.ADOPTED, STACK)
                .doesNotContainKey(HostTags.STACK);
        clock.advance(java.time.Duration.ofDays(2));
        service.detachHosts(STACK, 1);
        registry.put(registry.get(STACK).orElseThrow().toBuilder().status(StackStatus.DELETED).build());
        var round = new HostReleaseService(registry, pool, groups, events, clock).releaseEligible(STACK, clock.instant());
        assertThat(round.handedBack()).isFalse();
        assertThat(round.released()).isEmpty();
        assertThat(pool.releaseAttempts()).isEmpty();
        assertThat(pool.isReleased(own)).isFalse();
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        store(macSpec(mac(1, List.of()), List.of("us-east-1a")).toBuilder().stackName("linux-agents")
                .os(OperatingSystem.UBUNTU_NOBLE).build());
        store(macSpec(mac(1, List.of()), List.of("us-east-1a")));

        assertThatThrownBy(() -> service.ensureHosts("no such stack!", 1)).hasMessageStartingWith("stack:");
        assertThatThrownBy(() -> service.ensureHosts("missing", 1)).hasMessage("stack: no stack named missing");
        assertThatThrownBy(() -> service.ensureHosts("linux-agents", 1)).hasMessageContaining("is not a macOS stack");
        assertThatThrownBy(() -> service.ensureHosts(STACK, 0)).hasMessageStartingWith("specVersion:");
        assertThatThrownBy(() -> service.ensureHosts(STACK, 2)).hasMessageStartingWith("specVersion: 2 is newer");
        assertThat(pool.allocated()).isEmpty();
    }

    @Test
    void aChangedFamilyListUpdatesTheGroupsConfiguration() {
        store(macSpec(mac(0, List.of()), List.of("us-east-1a")));
        service.ensureHosts(STACK, 1);
        var newer = new io.agentstacks.spec.Mac(List.of("mac2", "mac2-m2"), List.of(), Optional.empty(), true, false, 0);
        registry.put(registry.get(STACK).orElseThrow().toBuilder().spec(macSpec(newer, List.of("us-east-1a"))).specVersion(2).build());

        service.ensureHosts(STACK, 2);

        assertThat(groups.describe(GROUP).orElseThrow().configuration()).isEqualTo(HostGroupConfiguration.of(newer));
    }

    @Test
    void aGroupOfTheSameNameWithoutTheStacksTagIsNeitherReconfiguredNorClaimedFrom() {
        var theirs = new HostGroupConfiguration(List.of("mac1"), List.of(), false, false);
        groups.create(GROUP, theirs, Map.of("team", "ios"));
        String theirHost = pool.allocateUntagged("us-east-1a", "mac1.metal");
        groups.group(GROUP, List.of(theirHost));
        store(macSpec(mac(1, List.of()), List.of("us-east-1a")));

        assertThatThrownBy(() -> service.ensureHosts(STACK, 1))
                .isInstanceOf(HostGroups.HostGroupException.class)
                .hasMessageStartingWith("host resource group " + GROUP + " is not stack " + STACK + "'s (it has no tag "
                        + HostTags.STACK + ")");
        assertThatThrownBy(() -> service.detachHosts(STACK, 1)).hasMessageContaining(GROUP);

        assertThat(groups.describe(GROUP).orElseThrow().configuration()).isEqualTo(theirs);
        assertThat(groups.hostIds(GROUP)).containsExactly(theirHost);
        assertThat(pool.describe(List.of(theirHost)).get(0).tags()).isEmpty();
        assertThat(pool.allocated()).extracting(DedicatedHost::hostId).containsExactly(theirHost);
        assertThat(registry.get(STACK).orElseThrow().hostGroupName()).isEmpty();
    }

    @Test
    void anotherStacksGroupIsNamedInTheRefusal() {
        groups.create(GROUP, HostGroupConfiguration.of(mac(0, List.of())), Map.of(HostTags.STACK, "other-stack"));
        store(macSpec(mac(0, List.of()), List.of("us-east-1a")));

        assertThatThrownBy(() -> service.ensureHosts(STACK, 1))
                .isInstanceOf(HostGroups.HostGroupException.class)
                .hasMessageContaining("its tag " + HostTags.STACK + " is other-stack");
    }

    @Test
    void reservingHostsTurnsTheGroupsOwnAutoReleaseOffSoItCannotReleaseThem() {
        store(macSpec(mac(0, List.of()), List.of("us-east-1a")));
        service.ensureHosts(STACK, 1);
        assertThat(groups.describe(GROUP).orElseThrow().configuration().autoReleaseHost()).isTrue();
        registry.put(registry.get(STACK).orElseThrow().toBuilder()
                .spec(macSpec(mac(1, List.of()), List.of("us-east-1a"))).specVersion(2).build());

        service.ensureHosts(STACK, 2);

        var configuration = groups.describe(GROUP).orElseThrow().configuration();
        assertThat(configuration.autoReleaseHost()).isFalse();
        assertThat(configuration.autoAllocateHost()).isTrue();
    }

    @Test
    void detachHostsEmptiesTheGroupAndPutsTheStackInChargeOfTheHostsTheGroupAllocated() {
        String own = pool.allocateUntagged("us-east-1a", "mac2.metal");
        store(macSpec(mac(1, List.of(own)), List.of("us-east-1a")));
        service.ensureHosts(STACK, 1);
        String reserved = pool.describeByStack(STACK).get(0).hostId();
        // Three instances: onto the two hosts in the group, then onto one the group allocates itself.
        List.of(1, 2, 3).forEach(i -> groups.launchInstance(GROUP, "us-east-1a", "mac2.metal"));
        String autoAllocated = groups.hostIds(GROUP).stream().filter(id -> !id.equals(own) && !id.equals(reserved))
                .findFirst().orElseThrow();
        pool.describe(groups.hostIds(GROUP)).stream().filter(DedicatedHost::occupied)
                .forEach(h -> pool.endInstance(h.hostId()));

        var detached = service.detachHosts(STACK, 1);
        var again = service.detachHosts(STACK, 1);

        assertThat(groups.hostIds(GROUP)).isEmpty();
        assertThat(detached.hostIds()).containsExactlyInAnyOrder(reserved, autoAllocated).doesNotContain(own);
        assertThat(again).isEqualTo(detached);
        assertThat(registry.get(STACK).orElseThrow().hosts()).extracting(HostSnapshot::hostId)
                .containsExactlyInAnyOrder(reserved, autoAllocated);
    }
}
