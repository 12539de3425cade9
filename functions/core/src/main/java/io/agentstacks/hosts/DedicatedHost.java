package io.agentstacks.hosts;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The facts about one dedicated host that the release rule decides on.
 *
 * @param instanceType the one instance type the host takes, e.g. {@code mac2.metal}
 * @param instanceIds  instances on the host now (a Mac host holds at most one)
 * @param allocatedAt  EC2's {@code AllocationTime}: the 24 h minimum counts from here
 * @param stateSince   since when the host has been in its current state and occupancy, when known.
 *                     EC2 does not report it; the releaser carries it from one look to the next.
 * @param inHostGroup  whether the host is in a host resource group (EC2's {@code memberOfServiceLinkedResourceGroup})
 */
public record DedicatedHost(
        String hostId,
        String availabilityZone,
        String instanceType,
        HostState state,
        List<String> instanceIds,
        Instant allocatedAt,
        Map<String, String> tags,
        Optional<Instant> stateSince,
        boolean inHostGroup) {

    public DedicatedHost {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(availabilityZone, "availabilityZone");
        Objects.requireNonNull(instanceType, "instanceType");
        Objects.requireNonNull(state, "state");
        instanceIds = List.copyOf(instanceIds);
        Objects.requireNonNull(allocatedAt, "allocatedAt");
        tags = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        Objects.requireNonNull(stateSince, "stateSince");
    }

    /** A host in no host resource group. */
    public DedicatedHost(String hostId, String availabilityZone, String instanceType, HostState state,
                         List<String> instanceIds, Instant allocatedAt, Map<String, String> tags,
                         Optional<Instant> stateSince) {
        this(hostId, availabilityZone, instanceType, state, instanceIds, allocatedAt, tags, stateSince, false);
    }

    public int instanceCount() {
        return instanceIds.size();
    }

    public boolean occupied() {
        return !instanceIds.isEmpty();
    }

    /** True when the host carries the tag {@value HostTags#STACK} with this stack's name. */
    public boolean taggedFor(String stack) {
        return stack.equals(tags.get(HostTags.STACK));
    }

    public DedicatedHost withStateSince(Optional<Instant> since) {
        return new DedicatedHost(hostId, availabilityZone, instanceType, state, instanceIds, allocatedAt, tags, since,
                inHostGroup);
    }
}
