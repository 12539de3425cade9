package io.agentstacks.hosts;

import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventSink;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.HostSnapshot;
import io.agentstacks.stacks.Network;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackStatus;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Mac host steps of a stack's provisioning and destruction (the mac-host-allocator's tasks).
 *
 * <p>{@link #ensureHosts}: the stack's host resource group exists with the spec's configuration,
 * {@code mac.reservedHosts} hosts are allocated (0: the group allocates hosts itself as instances launch),
 * the spec's {@code mac.dedicatedHosts} are in the group. Redelivered, it allocates nothing twice: hosts are
 * counted from EC2 first, and each missing host's ClientToken is derived from the stack, the spec version and
 * the host's slot.
 *
 * <p>{@link #detachHosts}: once the stack's instances are gone, every host is taken out of the group, the hosts
 * the group allocated by itself are tagged for the stack so the releaser finds them, and the user's own hosts
 * are left to the user.
 */
public final class HostAllocationService {

    private final StackRegistry registry;
    private final HostPool pool;
    private final HostGroups groups;
    private final Network network;
    private final EventSink events;
    private final Clock clock;

    public HostAllocationService(StackRegistry registry, HostPool pool, HostGroups groups, Network network,
                                 EventSink events, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.groups = Objects.requireNonNull(groups, "groups");
        this.network = Objects.requireNonNull(network, "network");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public record Ensured(String hostGroupName, String hostGroupArn, List<String> hostIds) {
        public Ensured {
            hostIds = List.copyOf(hostIds);
        }
    }

    public record Detached(List<String> hostIds) {
        public Detached {
            hostIds = List.copyOf(hostIds);
        }
    }

    /** No zone had capacity for one of the reserved hosts. Hosts allocated before it stay and are counted next time. */
    public static final class InsufficientHostCapacityException extends RuntimeException {
        public InsufficientHostCapacityException(String message) {
            super(message);
        }
    }

    public Ensured ensureHosts(String stack, long specVersion) {
        StackRecord record = macStack(stack, specVersion);
        StackSpec spec = record.spec();
        String groupName = HostRecords.groupName(Optional.of(record), stack);
        HostGroupConfiguration configuration = HostGroupConfiguration.of(spec.mac());

        // Someone else's group of that name is refused before anything changes.
        Optional<HostGroups.HostGroup> current = HostRecords.ownedGroup(groups, groupName, stack);
        // Bad input next: the user's hosts must exist and be free to adopt.
        List<String> adopted = spec.mac().dedicatedHosts();
        requireAdoptable(stack, adopted, current.isPresent() ? groups.hostIds(groupName) : List.of());

        HostGroups.HostGroup group = ensureGroup(stack, groupName, configuration, current);
        List<String> members = groups.hostIds(groupName);
        HostRecords.claimGroupAllocated(pool, stack, members, adopted);
        adopt(stack, groupName, adopted, members);

        List<DedicatedHost> existing = pool.describeByStack(stack);
        AllocationPlan plan = AllocationPlan.plan(spec,
                spec.availabilityZones().isEmpty() && spec.mac().reservedHosts() > 0
                        ? network.resolve(spec).availabilityZones() : List.of(),
                existing);
        List<String> allocated = new ArrayList<>();
        List<String> allocatedZones = new ArrayList<>();
        RuntimeException failure = null;
        try {
            for (AllocationPlan.Slot slot : plan.slots()) {
                allocateSlot(stack, specVersion, plan.instanceType(), slot, allocated, allocatedZones);
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        // What was allocated belongs in the group even when a later slot failed.
        try {
            groupOwnHosts(stack, groupName, spec);
        } catch (RuntimeException e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        }
        if (failure != null) {
            throw failure;
        }

        Instant now = clock.instant();
        List<String> groupHosts = groups.hostIds(groupName);
        List<HostSnapshot> snapshots = snapshotsOfStack(stack, now);
        HostRecords.update(registry, stack, now, r -> r.toBuilder()
                .hostGroupName(Optional.of(groupName)).hosts(snapshots).build());
        if (!allocated.isEmpty()) {
            events.publish(new DomainEvent.MacHostsAllocated(stack, allocated, allocatedZones, now));
        }
        return new Ensured(groupName, group.arn(), groupHosts);
    }

    public Detached detachHosts(String stack, long specVersion) {
        StackRecord record = macStack(stack, specVersion);
        String groupName = HostRecords.groupName(Optional.of(record), stack);
        List<String> members = HostRecords.ownedGroup(groups, groupName, stack).isPresent()
                ? groups.hostIds(groupName) : List.of();
        HostRecords.claimGroupAllocated(pool, stack, members, record.spec().mac().dedicatedHosts());
        if (!members.isEmpty()) {
            requireAll(groups.ungroup(groupName, members), "UngroupResources", groupName);
        }
        Instant now = clock.instant();
        List<HostSnapshot> snapshots = snapshotsOfStack(stack, now);
        HostRecords.update(registry, stack, now, r -> r.toBuilder().hosts(snapshots).build());
        return new Detached(snapshots.stream().map(HostSnapshot::hostId).toList());
    }

    // ---- steps ----

    private StackRecord macStack(String stack, long specVersion) {
        HostRecords.requireStackName(stack);
        if (specVersion < 1) {
            throw new IllegalArgumentException("specVersion: must be 1 or more, was " + specVersion);
        }
        StackRecord record = registry.get(stack)
                .orElseThrow(() -> new IllegalArgumentException("stack: no stack named " + stack));
        if (record.spec().os() != OperatingSystem.MACOS) {
            throw new IllegalArgumentException("stack: " + stack + " is not a macOS stack (os is "
                    + record.spec().os().value() + ")");
        }
        if (specVersion > record.specVersion()) {
            throw new IllegalArgumentException("specVersion: " + specVersion + " is newer than the stack's newest ("
                    + record.specVersion() + ")");
        }
        return record;
    }

    /**
     * The rule for {@code mac.dedicatedHosts}: a listed host must be allocated and be the user's own, free for this
     * stack. Refused: a host tagged {@code semaphore-agent-stack} (one the control plane allocated, for this stack or
     * another, and will release: adopted hosts are never released); a host in a host resource group other than
     * this stack's; a host adopted by another stack that still exists and still lists it. A host adopted by a
     * stack since deleted, or no longer listed there, is free again. Every refused host is named at once.
     */
    private void requireAdoptable(String stack, List<String> adopted, List<String> groupMembers) {
        if (adopted.isEmpty()) {
            return;
        }
        Map<String, DedicatedHost> known = new LinkedHashMap<>();
        pool.describe(adopted).stream().filter(h -> !h.state().isReleased()).forEach(h -> known.put(h.hostId(), h));
        List<String> unknown = adopted.stream().filter(id -> !known.containsKey(id)).toList();
        List<String> problems = new ArrayList<>();
        if (!unknown.isEmpty()) {
            problems.add("no allocated dedicated host " + String.join(", ", unknown));
        }
        for (DedicatedHost h : known.values()) {
            String owner = h.tags().get(HostTags.STACK);
            String adopter = h.tags().get(HostTags.ADOPTED);
            if (owner != null) {
                problems.add(h.hostId() + " is tagged " + HostTags.STACK + "=" + owner
                        + " (the control plane allocated it for that stack and releases it; list only hosts of your own)");
            } else if (h.inHostGroup() && !groupMembers.contains(h.hostId())) {
                problems.add(h.hostId() + " is in another host resource group");
            } else if (adopter != null && !adopter.equals(stack) && stillAdoptedBy(adopter, h.hostId())) {
                problems.add(h.hostId() + " is adopted by stack " + adopter);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("mac.dedicatedHosts: " + String.join("; ", problems));
        }
    }

    private boolean stillAdoptedBy(String otherStack, String hostId) {
        return registry.get(otherStack)
                .filter(r -> r.status() != StackStatus.DELETED)
                .map(r -> r.spec().mac().dedicatedHosts().contains(hostId))
                .orElse(false);
    }

    /** @param current the group of that name, already checked to be the stack's, if there is one */
    private HostGroups.HostGroup ensureGroup(String stack, String name, HostGroupConfiguration configuration,
                                             Optional<HostGroups.HostGroup> current) {
        if (current.isEmpty()) {
            try {
                // The tag marks the group as the stack's: it is checked before every later change.
                return groups.create(name, configuration, Map.of(HostTags.STACK, stack));
            } catch (HostGroups.HostGroupException e) {
                // A redelivered task racing with the first one: the group exists now (and must be the stack's).
                current = HostRecords.ownedGroup(groups, name, stack);
                if (current.isEmpty()) {
                    throw e;
                }
            }
        }
        if (!current.get().configuration().equals(configuration)) {
            groups.configure(name, configuration);
        }
        return new HostGroups.HostGroup(name, current.get().arn(), configuration);
    }

    /**
     * The user's hosts go into the group, marked as adopted so that they are never taken for the group's own;
     * hosts adopted for an older spec and no longer listed leave the group.
     */
    private void adopt(String stack, String groupName, List<String> adopted, List<String> members) {
        List<String> dropped = pool.describe(members).stream()
                .filter(h -> stack.equals(h.tags().get(HostTags.ADOPTED)) && !adopted.contains(h.hostId()))
                .map(DedicatedHost::hostId)
                .toList();
        if (!dropped.isEmpty()) {
            requireAll(groups.ungroup(groupName, dropped), "UngroupResources", groupName);
        }
        if (adopted.isEmpty()) {
            return;
        }
        pool.tag(adopted, HostTags.ADOPTED, stack);
        List<String> missing = adopted.stream().filter(id -> !members.contains(id)).toList();
        if (!missing.isEmpty()) {
            requireAll(groups.group(groupName, missing), "GroupResources", groupName);
        }
    }

    /** The stack's own hosts of an allowed family that are not in the group yet (new ones, or kept from before). */
    private void groupOwnHosts(String stack, String groupName, StackSpec spec) {
        List<String> members = groups.hostIds(groupName);
        List<String> outside = pool.describeByStack(stack).stream()
                .filter(h -> !h.state().isReleased() && !members.contains(h.hostId()))
                .filter(h -> MacFamily.ofInstanceType(h.instanceType())
                        .map(f -> spec.mac().families().contains(f.family())).orElse(false))
                .map(DedicatedHost::hostId)
                .toList();
        if (!outside.isEmpty()) {
            requireAll(groups.group(groupName, outside), "GroupResources", groupName);
        }
    }

    private void allocateSlot(String stack, long specVersion, String instanceType, AllocationPlan.Slot slot,
                              List<String> allocated, List<String> allocatedZones) {
        List<String> refusals = new ArrayList<>();
        for (String zone : slot.zones()) {
            var request = new HostPool.HostRequest(stack, slot.clientToken(stack, specVersion, zone), instanceType,
                    zone, 1, false);
            HostPool.AllocationResult result = pool.allocate(request);
            if (result instanceof HostPool.AllocationResult.Allocated a) {
                allocated.addAll(a.hostIds());
                a.hostIds().forEach(id -> allocatedZones.add(zone));
                return;
            }
            refusals.add(zone);
        }
        throw new InsufficientHostCapacityException("AllocateHosts for stack " + stack + ": no capacity for "
                + instanceType + " in " + String.join(", ", refusals) + " (reserved host " + (slot.index() + 1) + ")");
    }

    private List<HostSnapshot> snapshotsOfStack(String stack, Instant now) {
        Map<String, HostSnapshot> previous = HostRecords.snapshotsOf(registry.get(stack));
        return HostRecords.sorted(pool.describeByStack(stack).stream()
                .filter(h -> !h.state().isReleased())
                .map(h -> HostRecords.carrySince(h, previous, now))
                .map(h -> HostRecords.snapshot(h, Optional.empty(), Optional.empty()))
                .toList());
    }

    private static void requireAll(HostGroups.Membership membership, String call, String groupName) {
        if (!membership.failed().isEmpty()) {
            throw new HostGroups.HostGroupException(call + " on group " + groupName + " failed for "
                    + membership.failed().stream().map(f -> f.hostId() + " (" + f.code() + ": " + f.message() + ")")
                    .toList());
        }
    }
}
