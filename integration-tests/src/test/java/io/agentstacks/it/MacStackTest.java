package io.agentstacks.it;

import io.agentstacks.events.DomainEvent;
import io.agentstacks.hosts.DedicatedHost;
import io.agentstacks.inmemory.InMemoryHostPool;
import io.agentstacks.local.sfn.StateMachineRunner;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** examples/macos.json: dedicated hosts allocated, used, and every one released after AWS's 24 h minimum. */
class MacStackTest extends LocalScenario {

    private static final String STACK = "macos";
    private static final String SPEC = example("macos.json");

    @Test
    void aMacStackGetsItsHostsAndAfterDeletionEveryHostIsReleasedOnceItsDayIsOverAndTheGroupIsDeleted() {
        agentTypeFor(SPEC);
        post(SPEC);
        untilStatus(STACK, StackStatus.ACTIVE, 1, Duration.ofHours(3));
        String hostGroup = record(STACK).hostGroupName().orElseThrow();
        String group = record(STACK).groupName().orElseThrow();
        assertThat(cp.hostGroups().groupNames()).contains(hostGroup);
        assertThat(cp.hostPool().describeByStack(STACK)).as("mac.reservedHosts").hasSize(1);
        assertThat(events(DomainEvent.MacHostsAllocated.class, STACK)).hasSize(1);

        until("first poll of the stack", () -> record(STACK).lastDemand().isPresent(), Duration.ofMinutes(2));
        cp.semaphore().enqueue(STACK, 2, 1200);
        until("two agents on Mac hosts", () -> agentType(STACK).occupiedAgents() == 2, Duration.ofMinutes(30));
        Set<String> hostsUsed = new HashSet<>();
        cp.fleet().instances(group).forEach(i -> cp.instances().hostOf(i.instanceId()).ifPresent(hostsUsed::add));
        assertThat(hostsUsed).as("the reserved host and one the group allocated").hasSize(2);
        assertThat(cp.hostGroups().hostIds(hostGroup)).containsAll(hostsUsed);

        until("jobs done", () -> agentType(STACK).finishedJobs() == 2, Duration.ofHours(1));
        assertThat(cp.api("DELETE", "/stacks/" + STACK, null).status()).isEqualTo(202);
        untilStatus(STACK, StackStatus.DELETED, 1, Duration.ofHours(6));
        assertThat(cp.fleet().exists(group)).as("the Auto Scaling group is deleted").isFalse();
        assertThat(cp.stacks().stackNames()).isEmpty();
        List<StateMachineRunner.ExecutionView> release = cp.stateMachines().executions("release-mac-hosts");
        assertThat(release).singleElement().satisfies(e -> assertThat(e.name()).isEqualTo("macos-release-v1"));
        List<DedicatedHost> hosts = cp.hostPool().describeByStack(STACK);
        assertThat(hosts).as("every host the stack used, tagged for it at detach").hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(h -> assertThat(h.state().isReleased()).isFalse());

        until("every host released and the host group deleted", () -> !cp.hostGroups().groupNames().contains(hostGroup),
                Duration.ofHours(30));
        assertThat(release = cp.stateMachines().executions("release-mac-hosts")).singleElement()
                .satisfies(e -> assertThat(e.status()).isEqualTo(StateMachineRunner.Status.SUCCEEDED));
        assertThat(cp.hostPool().allocated()).as("no host left allocated").isEmpty();
        List<InMemoryHostPool.ReleaseAttempt> released = cp.hostPool().releaseAttempts().stream()
                .filter(InMemoryHostPool.ReleaseAttempt::released).toList();
        assertThat(released).extracting(InMemoryHostPool.ReleaseAttempt::hostId)
                .containsExactlyInAnyOrderElementsOf(hosts.stream().map(DedicatedHost::hostId).toList());
        assertThat(cp.hostPool().releaseAttempts()).as("nothing was asked to go early").allSatisfy(a -> {
            assertThat(a.at()).isAfterOrEqualTo(a.allocatedAt().plus(InMemoryHostPool.MINIMUM_ALLOCATION));
            assertThat(a.instances()).isZero();
        });
        assertThat(released).allSatisfy(a -> assertThat(Duration.between(a.allocatedAt(), a.at()))
                .as("released within a round of its 24 h").isLessThan(Duration.ofHours(24).plusMinutes(16)));
        assertThat(events(DomainEvent.MacHostReleased.class, STACK)).hasSize(hosts.size())
                .allSatisfy(e -> assertThat(e.outcome()).isEqualTo("released"));
    }
}
