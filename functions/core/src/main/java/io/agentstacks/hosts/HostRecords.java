package io.agentstacks.hosts;

import io.agentstacks.stacks.AgentStackNames;
import io.agentstacks.stacks.HostSnapshot;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/** How the host services read and write the hosts of a registry record. */
final class HostRecords {

    private HostRecords() {
    }

    /** Stack names as CloudFormation takes them; they also name the host resource group. */
    static String requireStackName(String stack) {
        if (stack == null || !stack.matches("[A-Za-z][A-Za-z0-9-]{0,127}")) {
            throw new IllegalArgumentException("stack: must be a stack name (a letter, then letters, digits or"
                    + " hyphens, at most 128 characters)");
        }
        return stack;
    }

    /** The host resource group of a stack: the one recorded, else {@code agent-stack-<stack>}. */
    static String groupName(Optional<StackRecord> record, String stack) {
        return record.flatMap(StackRecord::hostGroupName).orElse(AgentStackNames.hostGroupName(stack));
    }

    /**
     * The group named {@code name} when there is one, after checking that it is the stack's: the allocator tags the
     * groups it creates {@code semaphore-agent-stack=<stack>}. A group of that name without the tag (someone
     * else's, or a tag-query group that holds other resources) is never configured, claimed from or deleted:
     * {@link HostGroups.HostGroupException} naming the group.
     */
    static Optional<HostGroups.HostGroup> ownedGroup(HostGroups groups, String name, String stack) {
        Optional<HostGroups.HostGroup> group = groups.describe(name);
        if (group.isPresent()) {
            String owner = groups.tags(group.get()).get(HostTags.STACK);
            if (!stack.equals(owner)) {
                throw new HostGroups.HostGroupException("host resource group " + name + " is not stack " + stack + "'s ("
                        + (owner == null ? "it has no tag " + HostTags.STACK : "its tag " + HostTags.STACK + " is " + owner)
                        + "): the control plane configures, takes hosts from and deletes only the groups it created for"
                        + " the stack; rename or delete that group, or choose another stack name");
            }
        }
        return group;
    }

    /**
     * The host with {@code stateSince} carried over from the last snapshot when its state and occupancy are the
     * same as then, or {@code now} (the first sighting) when they changed.
     */
    static DedicatedHost carrySince(DedicatedHost host, Map<String, HostSnapshot> previous, Instant now) {
        HostSnapshot before = previous.get(host.hostId());
        boolean same = before != null && before.state().equals(host.state().wire())
                && (before.instances() > 0) == host.occupied();
        return host.withStateSince(Optional.of(same ? before.stateSince().orElse(now) : now));
    }

    static Map<String, HostSnapshot> snapshotsOf(Optional<StackRecord> record) {
        return record.map(r -> r.hosts().stream()
                        .collect(Collectors.toMap(HostSnapshot::hostId, s -> s, (a, b) -> b)))
                .orElse(Map.of());
    }

    /**
     * What the releaser remembers of a host it released: DescribeHosts is eventually consistent and may list the host
     * as it was (available) for a while, and ReleaseHosts then refuses it again.
     */
    static HostSnapshot released(DedicatedHost host, Instant now) {
        return new HostSnapshot(host.hostId(), host.availabilityZone(), HostState.RELEASED.wire(), 0, host.allocatedAt(),
                Optional.empty(), Optional.empty(), Optional.of(now));
    }

    /**
     * The hosts released earlier (a {@link #released} snapshot) that DescribeHosts still lists as not released: they are
     * gone, whatever EC2 says for now. Their snapshots are kept until EC2 catches up, then forgotten.
     */
    static List<HostSnapshot> releasedButStillListed(Map<String, HostSnapshot> previous, List<DedicatedHost> described) {
        return described.stream()
                .filter(h -> !h.state().isReleased())
                .map(h -> previous.get(h.hostId()))
                .filter(s -> s != null && HostState.fromWire(s.state()).isReleased())
                .toList();
    }

    static HostSnapshot snapshot(DedicatedHost host, Optional<Instant> nextCheckAt, Optional<String> waitingFor) {
        return new HostSnapshot(host.hostId(), host.availabilityZone(), host.state().wire(), host.instanceCount(),
                host.allocatedAt(), nextCheckAt, waitingFor, host.stateSince());
    }

    /**
     * Applies {@code change} to the stored record through {@link StackRegistry#update}, stamping {@code updatedAt}
     * when it changes anything. Does nothing when there is no record; fails when other writers won every race.
     */
    static Optional<StackRecord> update(StackRegistry registry, String stack, Instant now,
                                        UnaryOperator<StackRecord> change) {
        StackRegistry.Update result = registry.update(stack, r -> {
            StackRecord next = change.apply(r);
            return next.equals(r) ? r : next.toBuilder().updatedAt(now).build();
        });
        if (result instanceof StackRegistry.Update.Busy) {
            throw new IllegalStateException("registry: stack " + stack + " kept changing; " + StackRegistry.UPDATE_ATTEMPTS
                    + " conditional writes of its hosts lost the race");
        }
        return result instanceof StackRegistry.Update.Done done ? Optional.of(done.record()) : Optional.empty();
    }

    /**
     * Group members that carry neither {@value HostTags#STACK} nor {@value HostTags#ADOPTED} were allocated by the
     * group itself (auto-allocate-host) for the stack's instances: the stack takes charge of them. Answers their ids.
     */
    static List<String> claimGroupAllocated(HostPool pool, String stack, List<String> members, List<String> adopted) {
        List<String> unclaimed = pool.describe(members).stream()
                .filter(h -> !h.state().isReleased())
                .filter(h -> !h.tags().containsKey(HostTags.STACK) && !h.tags().containsKey(HostTags.ADOPTED))
                .map(DedicatedHost::hostId)
                .filter(id -> !adopted.contains(id))
                .toList();
        if (!unclaimed.isEmpty()) {
            pool.tag(unclaimed, HostTags.STACK, stack);
        }
        return unclaimed;
    }

    static List<HostSnapshot> sorted(List<HostSnapshot> snapshots) {
        return snapshots.stream().sorted(java.util.Comparator.comparing(HostSnapshot::hostId)).toList();
    }
}
