package io.agentstacks.inmemory;

import io.agentstacks.hosts.DedicatedHost;
import io.agentstacks.hosts.HostPool;
import io.agentstacks.hosts.HostState;
import io.agentstacks.hosts.HostTags;
import io.agentstacks.hosts.MacFamily;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * EC2 dedicated hosts in memory, behaving over the given (driven) clock as EC2 does for Mac hosts:
 * one instance per host; after its instance ends a host is {@code pending} while it is scrubbed, then
 * {@code available}; ReleaseHosts refuses, in its {@code Unsuccessful} list, a host that holds an instance,
 * is pending, or was allocated less than 24 h ago; AllocateHosts is idempotent per client token and can be
 * made to answer InsufficientHostCapacity in chosen zones. DescribeHosts can be made eventually consistent
 * ({@link #describeLag}): for a while after its release, a host is listed as it was before.
 *
 * <p>Every release attempt is recorded, so tests can check that nothing was asked to release too early.
 */
public final class InMemoryHostPool implements HostPool {

    /** EC2's minimum allocation period of a Mac host. */
    public static final Duration MINIMUM_ALLOCATION = Duration.ofHours(24);

    private final Clock clock;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Map<String, Allocation> byToken = new HashMap<>();
    private final Set<String> zonesWithoutCapacity = new HashSet<>();
    private final List<ReleaseAttempt> attempts = new ArrayList<>();
    private Function<String, Duration> scrubTime = MacFamily::scrubMaxOf;
    private Duration describeLag = Duration.ZERO;
    private int nextId = 1;

    public InMemoryHostPool(Clock clock) {
        this.clock = clock;
    }

    /** One host asked for in a ReleaseHosts call, with what the host was at that moment. */
    public record ReleaseAttempt(String hostId, Instant at, HostState state, int instances, Instant allocatedAt,
                                 boolean released) {
    }

    private static final class Host {
        final String id;
        final String zone;
        final String instanceType;
        final Instant allocatedAt;
        final Map<String, String> tags = new LinkedHashMap<>();
        HostState state = HostState.AVAILABLE;
        String instanceId;
        Instant scrubbedAt;
        boolean inHostGroup;
        Instant releasedAt;
        HostState beforeRelease;

        Host(String id, String zone, String instanceType, Instant allocatedAt) {
            this.id = id;
            this.zone = zone;
            this.instanceType = instanceType;
            this.allocatedAt = allocatedAt;
        }
    }

    private record Allocation(HostRequest request, List<String> hostIds) {
    }

    // ---- the port ----

    @Override
    public synchronized AllocationResult allocate(HostRequest request) {
        Allocation earlier = byToken.get(request.clientToken());
        if (earlier != null) {
            if (!earlier.request.equals(request)) {
                throw new HostPoolException("AllocateHosts failed: IdempotentParameterMismatch for client token "
                        + request.clientToken());
            }
            return new AllocationResult.Allocated(earlier.hostIds);
        }
        if (zonesWithoutCapacity.contains(request.availabilityZone())) {
            return new AllocationResult.InsufficientCapacity(request.availabilityZone(),
                    "Insufficient capacity for " + request.instanceType() + " in " + request.availabilityZone());
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < request.quantity(); i++) {
            Host h = newHost(request.availabilityZone(), request.instanceType());
            h.tags.put(HostTags.STACK, request.stack());
            ids.add(h.id);
        }
        byToken.put(request.clientToken(), new Allocation(request, ids));
        return new AllocationResult.Allocated(ids);
    }

    @Override
    public synchronized List<DedicatedHost> describeByStack(String stack) {
        settle();
        return hosts.values().stream().filter(h -> stack.equals(h.tags.get(HostTags.STACK))).map(this::view).toList();
    }

    @Override
    public synchronized List<DedicatedHost> describe(List<String> hostIds) {
        settle();
        return hostIds.stream().distinct().map(hosts::get).filter(h -> h != null).map(this::view).toList();
    }

    @Override
    public synchronized void tag(List<String> hostIds, String key, String value) {
        for (String id : hostIds) {
            if (!hosts.containsKey(id)) {
                throw new HostPoolException("CreateTags failed: InvalidID: no dedicated host " + id);
            }
        }
        hostIds.forEach(id -> hosts.get(id).tags.put(key, value));
    }

    @Override
    public synchronized List<ReleaseOutcome> release(List<String> hostIds) {
        settle();
        Instant now = clock.instant();
        List<ReleaseOutcome> outcomes = new ArrayList<>();
        for (String id : hostIds.stream().distinct().toList()) {
            Host h = hosts.get(id);
            if (h == null) {
                outcomes.add(new ReleaseOutcome.NotFound(id));
                continue;
            }
            HostState before = h.state;
            int instances = h.instanceId == null ? 0 : 1;
            ReleaseOutcome outcome;
            if (h.state.isReleased()) {
                outcome = new ReleaseOutcome.Refused(id, "Client.InvalidHostState", "The host is already released");
            } else if (h.instanceId != null) {
                outcome = new ReleaseOutcome.Refused(id, "Client.HostHasInstances", "The host has running instances");
            } else if (h.state == HostState.PENDING) {
                outcome = new ReleaseOutcome.Refused(id, "Client.InvalidHostState", "The host is pending");
            } else if (now.isBefore(h.allocatedAt.plus(MINIMUM_ALLOCATION))) {
                outcome = new ReleaseOutcome.Refused(id, "Client.HostMinAllocationPeriodUnexpired",
                        "Mac Dedicated Hosts must stay allocated for at least 24 hours");
            } else {
                h.beforeRelease = h.state;
                h.releasedAt = now;
                h.state = HostState.RELEASED;
                outcome = new ReleaseOutcome.Released(id);
            }
            attempts.add(new ReleaseAttempt(id, now, before, instances, h.allocatedAt,
                    outcome instanceof ReleaseOutcome.Released));
            outcomes.add(outcome);
        }
        return outcomes;
    }

    // ---- what the rest of AWS does to hosts, for tests and the local simulation ----

    /** AllocateHosts in this zone answers InsufficientHostCapacity until {@link #restoreCapacity}. */
    public synchronized void withoutCapacity(String zone) {
        zonesWithoutCapacity.add(zone);
    }

    public synchronized void restoreCapacity(String zone) {
        zonesWithoutCapacity.remove(zone);
    }

    /**
     * DescribeHosts lists a released host as it was before its release for this long afterwards (default zero), as
     * EC2's eventual consistency may; ReleaseHosts meanwhile refuses it as already released.
     */
    public synchronized void describeLag(Duration lag) {
        this.describeLag = lag;
    }

    /** How long scrubbing takes, per instance type (default: the family's maximum). */
    public synchronized void scrubTime(Function<String, Duration> scrubTime) {
        this.scrubTime = scrubTime;
    }

    /** A host allocated by someone else than the control plane (a host resource group, or the user): untagged. */
    public synchronized String allocateUntagged(String zone, String instanceType) {
        return newHost(zone, instanceType).id;
    }

    /** Launches an instance onto the host; answers its id. The host must be available and empty. */
    public synchronized String launchInstance(String hostId) {
        settle();
        Host h = existing(hostId);
        if (h.state != HostState.AVAILABLE || h.instanceId != null) {
            throw new IllegalStateException("host " + hostId + " cannot take an instance: " + h.state.wire()
                    + (h.instanceId == null ? "" : ", holds " + h.instanceId));
        }
        h.instanceId = "i-" + String.format("%017x", nextId++);
        return h.instanceId;
    }

    /** The host's instance terminates: the host is pending while it is scrubbed. */
    public synchronized void endInstance(String hostId) {
        Host h = existing(hostId);
        if (h.instanceId == null) {
            throw new IllegalStateException("host " + hostId + " holds no instance");
        }
        h.instanceId = null;
        h.state = HostState.PENDING;
        h.scrubbedAt = clock.instant().plus(scrubTime.apply(h.instanceType));
    }

    /** The moment the host's current scrub ends, if it is scrubbing. */
    public synchronized Optional<Instant> scrubEnd(String hostId) {
        Host h = existing(hostId);
        return h.state == HostState.PENDING ? Optional.of(h.scrubbedAt) : Optional.empty();
    }

    /** A host resource group took the host in or let it go (as DescribeHosts' memberOfServiceLinkedResourceGroup shows). */
    public synchronized void groupMembership(String hostId, boolean member) {
        existing(hostId).inHostGroup = member;
    }

    public synchronized boolean isReleased(String hostId) {
        Host h = hosts.get(hostId);
        return h != null && h.state.isReleased();
    }

    /** Every host that is not released, as DescribeHosts would show it. */
    public synchronized List<DedicatedHost> allocated() {
        settle();
        return hosts.values().stream().filter(h -> !h.state.isReleased()).map(this::view).toList();
    }

    public synchronized List<ReleaseAttempt> releaseAttempts() {
        return List.copyOf(attempts);
    }

    // ---- internals ----

    private Host newHost(String zone, String instanceType) {
        Host h = new Host("h-" + String.format("%017x", nextId++), zone, instanceType, clock.instant());
        hosts.put(h.id, h);
        return h;
    }

    private Host existing(String hostId) {
        Host h = hosts.get(hostId);
        if (h == null) {
            throw new IllegalArgumentException("no host " + hostId);
        }
        return h;
    }

    /** Scrubs that are over by now leave the host available. */
    private void settle() {
        Instant now = clock.instant();
        for (Host h : hosts.values()) {
            if (h.state == HostState.PENDING && !now.isBefore(h.scrubbedAt)) {
                h.state = HostState.AVAILABLE;
                h.scrubbedAt = null;
            }
        }
    }

    private DedicatedHost view(Host h) {
        // EC2 does not say since when a host is in its state: neither does this.
        boolean stale = h.releasedAt != null && clock.instant().isBefore(h.releasedAt.plus(describeLag));
        return new DedicatedHost(h.id, h.zone, h.instanceType, stale ? h.beforeRelease : h.state,
                h.instanceId == null ? List.of() : List.of(h.instanceId), h.allocatedAt, h.tags, Optional.empty(),
                h.inHostGroup);
    }
}
