package io.agentstacks.inmemory;

import io.agentstacks.hosts.HostGroupConfiguration;
import io.agentstacks.hosts.HostGroups;
import io.agentstacks.hosts.MacFamily;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Host resource groups in memory, over an {@link InMemoryHostPool}: a group refuses deletion while it holds
 * hosts that are not released ({@code deletion-protection UNLESS_EMPTY}); a host belongs to one group at most;
 * {@link #launchInstance} places an instance as a launch into the group does, allocating a new (untagged) host
 * when no member is free and the group has {@code auto-allocate-host}.
 *
 * <p>Not simulated: the group's own {@code auto-release-host} (for Mac hosts it cannot act before the 24 h
 * minimum, which is what the control plane's releaser handles).
 */
public final class InMemoryHostGroups implements HostGroups {

    private final InMemoryHostPool pool;
    private final String arnPrefix;
    private final Map<String, Group> groups = new LinkedHashMap<>();

    public InMemoryHostGroups(InMemoryHostPool pool) {
        this(pool, "us-east-1", "123456789012");
    }

    public InMemoryHostGroups(InMemoryHostPool pool, String region, String account) {
        this.pool = pool;
        this.arnPrefix = "arn:aws:resource-groups:" + region + ":" + account + ":group/";
    }

    private static final class Group {
        final String name;
        final String arn;
        HostGroupConfiguration configuration;
        final Map<String, String> tags;
        final Set<String> members = new LinkedHashSet<>();

        Group(String name, String arn, HostGroupConfiguration configuration, Map<String, String> tags) {
            this.name = name;
            this.arn = arn;
            this.configuration = configuration;
            this.tags = Map.copyOf(tags);
        }
    }

    @Override
    public synchronized Optional<HostGroup> describe(String name) {
        return Optional.ofNullable(groups.get(name)).map(g -> new HostGroup(g.name, g.arn, g.configuration));
    }

    @Override
    public synchronized HostGroup create(String name, HostGroupConfiguration configuration, Map<String, String> tags) {
        if (groups.containsKey(name)) {
            throw new HostGroupException("CreateGroup failed: BadRequestException: a group named " + name + " exists");
        }
        Group g = new Group(name, arnPrefix + name, configuration, tags);
        groups.put(name, g);
        return new HostGroup(g.name, g.arn, g.configuration);
    }

    @Override
    public synchronized Map<String, String> tags(HostGroup group) {
        return groups.values().stream().filter(g -> g.arn.equals(group.arn())).findFirst()
                .map(g -> g.tags)
                .orElseThrow(() -> new HostGroupException("GetTags failed: NotFoundException: no group " + group.arn()));
    }

    @Override
    public synchronized void configure(String name, HostGroupConfiguration configuration) {
        existing(name).configuration = configuration;
    }

    @Override
    public synchronized List<String> hostIds(String name) {
        Group g = groups.get(name);
        if (g == null) {
            return List.of();
        }
        prune(g);
        return List.copyOf(g.members);
    }

    @Override
    public synchronized Membership group(String name, List<String> hostIds) {
        Group g = existing(name);
        List<String> ok = new ArrayList<>();
        List<Membership.Failure> failed = new ArrayList<>();
        for (String id : hostIds) {
            Optional<String> elsewhere = groups.values().stream()
                    .filter(o -> o != g && o.members.contains(id)).map(o -> o.name).findFirst();
            if (pool.describe(List.of(id)).isEmpty() || pool.isReleased(id)) {
                failed.add(new Membership.Failure(id, "NotFound", "no dedicated host " + id));
            } else if (elsewhere.isPresent()) {
                failed.add(new Membership.Failure(id, "BadRequest", id + " belongs to group " + elsewhere.get()));
            } else {
                g.members.add(id);
                pool.groupMembership(id, true);
                ok.add(id);
            }
        }
        return new Membership(ok, failed, List.of());
    }

    @Override
    public synchronized Membership ungroup(String name, List<String> hostIds) {
        Group g = existing(name);
        for (String id : hostIds) {
            if (g.members.remove(id)) {
                pool.groupMembership(id, false);
            }
        }
        return new Membership(hostIds, List.of(), List.of());
    }

    @Override
    public synchronized DeleteResult delete(String name) {
        Group g = groups.get(name);
        if (g == null) {
            return new DeleteResult.NotFound();
        }
        prune(g);
        if (!g.members.isEmpty()) {
            return new DeleteResult.NotEmpty(List.copyOf(g.members));
        }
        groups.remove(name);
        return new DeleteResult.Deleted();
    }

    // ---- what launches into the group do, for tests and the local simulation ----

    /**
     * An instance of {@code instanceType} launched into the group in {@code zone}: onto a free member host, or onto a
     * new host the group allocates when it has {@code auto-allocate-host}. Answers the host id.
     */
    public synchronized String launchInstance(String name, String zone, String instanceType) {
        Group g = existing(name);
        prune(g);
        String family = MacFamily.ofInstanceType(instanceType).map(MacFamily::family).orElse(instanceType);
        if (!g.configuration.families().isEmpty() && !g.configuration.families().contains(family)) {
            throw new IllegalStateException(instanceType + " is not allowed in group " + name);
        }
        Optional<String> free = pool.describe(List.copyOf(g.members)).stream()
                .filter(h -> h.availabilityZone().equals(zone) && h.instanceType().equals(instanceType))
                .filter(h -> h.state() == io.agentstacks.hosts.HostState.AVAILABLE && !h.occupied())
                .map(io.agentstacks.hosts.DedicatedHost::hostId)
                .findFirst();
        String hostId = free.orElseGet(() -> {
            if (!g.configuration.autoAllocateHost()) {
                throw new IllegalStateException("no free host in group " + name + " in " + zone);
            }
            String id = pool.allocateUntagged(zone, instanceType);
            g.members.add(id);
            pool.groupMembership(id, true);
            return id;
        });
        pool.launchInstance(hostId);
        return hostId;
    }

    public synchronized List<String> groupNames() {
        return List.copyOf(groups.keySet());
    }

    public synchronized Map<String, String> tags(String name) {
        return existing(name).tags;
    }

    private Group existing(String name) {
        Group g = groups.get(name);
        if (g == null) {
            throw new HostGroupException("NotFoundException: no group " + name);
        }
        return g;
    }

    /** Released hosts leave their group. */
    private void prune(Group g) {
        g.members.removeIf(pool::isReleased);
    }
}
