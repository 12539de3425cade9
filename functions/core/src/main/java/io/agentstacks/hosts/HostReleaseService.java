package io.agentstacks.hosts;

import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventSink;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.stacks.HostSnapshot;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackStatus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Releases a stack's dedicated hosts once the rule allows it (the mac-host-releaser's tasks).
 *
 * <p>{@link #releaseEligible} is one round of the {@code release-mac-hosts} loop: it releases every host that
 * may go now, reports the others with the earliest moment one of them may go, and gives up once
 * {@code giveUpAfter} has passed since the loop started. {@link #deleteGroup} ends the loop.
 * {@link #releaseSurplus} is the same rule for live stacks with {@code mac.autoReleaseHost}.
 *
 * <p>A round keeps the registry's {@code hosts} current, so {@code GET /stacks/{name}} shows every host
 * still allocated, its state, and what it waits for. A host it released stays there as {@code released} until
 * DescribeHosts, which is eventually consistent, stops listing it as it was: until then a later round (or a
 * redelivered one) neither asks to release it again nor reports EC2's refusal as a failure.
 */
public final class HostReleaseService {

    /** No round is scheduled sooner than this after the previous one. */
    static final Duration MINIMUM_WAIT = Duration.ofMinutes(1);
    /** The loop gives up (and its execution fails, raising an alarm) after a week. */
    public static final Duration GIVE_UP_AFTER = Duration.ofDays(7);

    private final StackRegistry registry;
    private final HostPool pool;
    private final HostGroups groups;
    private final EventSink events;
    private final Clock clock;
    private final ReleaseRules rules;
    private final Duration giveUpAfter;

    public HostReleaseService(StackRegistry registry, HostPool pool, HostGroups groups, EventSink events, Clock clock) {
        this(registry, pool, groups, events, clock, ReleaseRules.DEFAULT, GIVE_UP_AFTER);
    }

    public HostReleaseService(StackRegistry registry, HostPool pool, HostGroups groups, EventSink events, Clock clock,
                              ReleaseRules rules, Duration giveUpAfter) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.groups = Objects.requireNonNull(groups, "groups");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.giveUpAfter = Objects.requireNonNull(giveUpAfter, "giveUpAfter");
    }

    /** A ReleaseHosts {@code Unsuccessful} entry. */
    public record Failure(String hostId, String code, String message) {
    }

    /**
     * One round's answer.
     *
     * @param remaining        hosts of the stack still allocated
     * @param nextCheckSeconds how long to wait before the next round: until the earliest moment a remaining host
     *                         may go (0 when none remains or the loop gives up)
     * @param giveUp           true when hosts remain {@code giveUpAfter} after the loop started
     * @param handedBack       true when the stack exists again (a new spec was posted): the hosts serve it now
     */
    public record Round(int remaining, long nextCheckSeconds, List<String> released, List<Failure> failed,
                        boolean giveUp, boolean handedBack) {
        public Round {
            released = List.copyOf(released);
            failed = List.copyOf(failed);
        }
    }

    /** What {@link #releaseSurplus} did for one live stack. */
    public record Surplus(String stack, List<String> released, List<Failure> failed) {
        public Surplus {
            released = List.copyOf(released);
            failed = List.copyOf(failed);
        }
    }

    /** The host group of a deleted stack still holds hosts (UNLESS_EMPTY): the loop retries, then fails. */
    public static final class HostGroupNotEmptyException extends RuntimeException {
        public HostGroupNotEmptyException(String message) {
            super(message);
        }
    }

    public Round releaseEligible(String stack, Instant startedAt) {
        return releaseEligible(stack, startedAt, OptionalLong.empty());
    }

    /**
     * @param specVersion the version whose deletion started the loop (release-mac-hosts' input); when the registry
     *                    holds a newer one, a new spec was posted under the name and the hosts are that stack's now
     */
    public Round releaseEligible(String stack, Instant startedAt, OptionalLong specVersion) {
        HostRecords.requireStackName(stack);
        Objects.requireNonNull(startedAt, "startedAt");
        Instant now = clock.instant();
        Optional<StackRecord> record = registry.get(stack);
        if (isBack(record, specVersion)) {
            return new Round(0, 0, List.of(), List.of(), false, true);
        }
        Map<String, HostSnapshot> previous = HostRecords.snapshotsOf(record);
        List<DedicatedHost> described = pool.describeByStack(stack);
        List<HostSnapshot> gone = HostRecords.releasedButStillListed(previous, described);
        List<DedicatedHost> hosts = described.stream()
                .filter(h -> gone.stream().noneMatch(s -> s.hostId().equals(h.hostId())))
                .map(h -> HostRecords.carrySince(h, previous, now))
                .toList();
        ReleasePass pass = ReleasePass.plan(hosts, stack, now, rules);
        Outcomes outcomes = release(stack, pass.release(), now);

        List<HostSnapshot> left = new ArrayList<>();
        List<Instant> checks = new ArrayList<>();
        for (ReleasePass.Waiting w : pass.waiting()) {
            left.add(HostRecords.snapshot(w.host(), Optional.of(w.decision().until()), Optional.of(w.decision().reason())));
            checks.add(w.decision().until());
        }
        for (Refusal r : outcomes.refused) {
            Instant retry = now.plus(rules.failedRetry());
            left.add(HostRecords.snapshot(r.host, Optional.of(retry),
                    Optional.of("release refused: " + r.failure.code() + ": " + r.failure.message())));
            checks.add(retry);
        }
        int remaining = left.size();
        Instant giveUpAt = startedAt.plus(giveUpAfter);
        boolean giveUp = remaining > 0 && !now.isBefore(giveUpAt);
        long next = remaining == 0 || giveUp ? 0 : nextCheckSeconds(now, checks, giveUpAt);

        List<HostSnapshot> kept = new ArrayList<>(left);
        kept.addAll(gone);
        pass.release().stream().filter(h -> outcomes.released.contains(h.hostId()))
                .forEach(h -> kept.add(HostRecords.released(h, now)));
        List<HostSnapshot> snapshots = HostRecords.sorted(kept);
        HostRecords.update(registry, stack, now, r -> r.toBuilder().hosts(snapshots).build());
        return new Round(remaining, next, outcomes.released, outcomes.refused.stream().map(r -> r.failure).toList(),
                giveUp, false);
    }

    /** Deletes the stack's host resource group; true when it is gone (or was never there). */
    public boolean deleteGroup(String stack) {
        return deleteGroup(stack, OptionalLong.empty());
    }

    /**
     * Deletes the group only when it is the stack's (tagged {@code semaphore-agent-stack=<stack>}); another group of
     * that name fails the task with a {@link HostGroups.HostGroupException} naming it, and is left as it is.
     *
     * @param specVersion as for {@link #releaseEligible(String, Instant, OptionalLong)}
     */
    public boolean deleteGroup(String stack, OptionalLong specVersion) {
        HostRecords.requireStackName(stack);
        Optional<StackRecord> record = registry.get(stack);
        if (isBack(record, specVersion)) {
            return false;
        }
        String name = HostRecords.groupName(record, stack);
        HostRecords.ownedGroup(groups, name, stack);
        HostGroups.DeleteResult result = groups.delete(name);
        if (result instanceof HostGroups.DeleteResult.NotEmpty notEmpty) {
            throw new HostGroupNotEmptyException("DeleteGroup " + name + " for stack " + stack
                    + ": the group still holds " + String.join(", ", notEmpty.hostIds()));
        }
        HostRecords.update(registry, stack, clock.instant(),
                r -> r.toBuilder().hostGroupName(Optional.empty()).hosts(List.of()).build());
        return true;
    }

    /**
     * For every live macOS stack (or only {@code stack}): refreshes the hosts shown in the registry and, when its
     * spec sets {@code mac.autoReleaseHost}, releases the hosts above {@code mac.reservedHosts} that have been
     * empty past their 24 h (see {@link ReleasePass#surplus}).
     */
    public List<Surplus> releaseSurplus(Optional<String> stack) {
        stack.ifPresent(HostRecords::requireStackName);
        List<StackRecord> live = stack.map(name -> registry.get(name).stream().toList())
                .orElseGet(registry::listLive).stream()
                .filter(r -> r.status().hasLiveGroup() && r.spec().os() == OperatingSystem.MACOS)
                .toList();
        List<Surplus> answers = new ArrayList<>();
        for (StackRecord r : live) {
            answers.add(releaseSurplusOf(r));
        }
        return answers;
    }

    private Surplus releaseSurplusOf(StackRecord record) {
        Instant now = clock.instant();
        String stack = record.name();
        Map<String, HostSnapshot> previous = HostRecords.snapshotsOf(Optional.of(record));
        // Hosts the group allocated by itself for the stack's instances are the stack's to release too.
        String groupName = HostRecords.groupName(Optional.of(record), stack);
        if (HostRecords.ownedGroup(groups, groupName, stack).isPresent()) {
            HostRecords.claimGroupAllocated(pool, stack, groups.hostIds(groupName), record.spec().mac().dedicatedHosts());
        }
        List<DedicatedHost> described = pool.describeByStack(stack);
        List<HostSnapshot> gone = HostRecords.releasedButStillListed(previous, described);
        // A host released on an earlier pass and still listed as it was is neither counted against reservedHosts nor released again.
        List<DedicatedHost> hosts = described.stream()
                .filter(h -> !h.state().isReleased())
                .filter(h -> gone.stream().noneMatch(s -> s.hostId().equals(h.hostId())))
                .map(h -> HostRecords.carrySince(h, previous, now))
                .toList();
        List<DedicatedHost> surplus = ReleasePass.surplus(hosts, stack, record.spec().mac(),
                AllocationPlan.instanceTypeFor(record.spec()), now, rules);
        Outcomes outcomes = release(stack, surplus, now);
        List<HostSnapshot> kept = new ArrayList<>(gone);
        for (DedicatedHost h : hosts) {
            kept.add(outcomes.released.contains(h.hostId()) ? HostRecords.released(h, now)
                    : HostRecords.snapshot(h, Optional.empty(), Optional.empty()));
        }
        List<HostSnapshot> snapshots = HostRecords.sorted(kept);
        HostRecords.update(registry, stack, now, r -> r.toBuilder().hosts(snapshots).build());
        return new Surplus(stack, outcomes.released, outcomes.refused.stream().map(r -> r.failure).toList());
    }

    // ---- internals ----

    private record Refusal(DedicatedHost host, Failure failure) {
    }

    private record Outcomes(List<String> released, List<Refusal> refused) {
    }

    /** One ReleaseHosts call for {@code hosts}; a {@code MacHostReleased} event per host released or refused. */
    private Outcomes release(String stack, List<DedicatedHost> hosts, Instant now) {
        List<String> released = new ArrayList<>();
        List<Refusal> refused = new ArrayList<>();
        if (hosts.isEmpty()) {
            return new Outcomes(released, refused);
        }
        Map<String, DedicatedHost> byId = new java.util.LinkedHashMap<>();
        hosts.forEach(h -> byId.put(h.hostId(), h));
        List<DomainEvent> published = new ArrayList<>();
        for (HostPool.ReleaseOutcome outcome : pool.release(List.copyOf(byId.keySet()))) {
            DedicatedHost host = byId.get(outcome.hostId());
            if (host == null) {
                continue;
            }
            if (outcome instanceof HostPool.ReleaseOutcome.Released) {
                released.add(host.hostId());
                published.add(new DomainEvent.MacHostReleased(stack, host.hostId(), host.availabilityZone(),
                        "released", Optional.empty(), now));
            } else if (outcome instanceof HostPool.ReleaseOutcome.Refused r) {
                Failure failure = new Failure(host.hostId(), r.code(), r.message());
                refused.add(new Refusal(host, failure));
                published.add(new DomainEvent.MacHostReleased(stack, host.hostId(), host.availabilityZone(),
                        "failed", Optional.of(r.code() + ": " + r.message()), now));
            }
            // NotFound: EC2 no longer knows the host; nothing is left to release or to report.
        }
        if (!published.isEmpty()) {
            events.publish(published);
        }
        return new Outcomes(released, refused);
    }

    /**
     * Whether the stack exists again under its name. With the deleted spec version known: the registry holds a newer
     * one. Without it: the record's status is one of a stack being provisioned or running (release-mac-hosts starts
     * while destroy-stack still says DELETING, and a failed destroy says FAILED).
     */
    private static boolean isBack(Optional<StackRecord> record, OptionalLong specVersion) {
        if (record.isEmpty()) {
            return false;
        }
        if (specVersion.isPresent()) {
            return record.get().specVersion() > specVersion.getAsLong();
        }
        StackStatus status = record.get().status();
        return status != StackStatus.DELETED && status != StackStatus.DELETING && status != StackStatus.FAILED;
    }

    /** Seconds until the earliest check, at least {@link #MINIMUM_WAIT}, at most until the loop gives up. */
    private static long nextCheckSeconds(Instant now, List<Instant> checks, Instant giveUpAt) {
        Instant earliest = checks.stream().min(Comparator.naturalOrder()).orElse(now);
        Duration wait = Duration.between(now, earliest);
        // Rounding up keeps the next round from landing a fraction of a second before the moment.
        long seconds = wait.toSeconds() + (wait.isNegative() || wait.toNanosPart() == 0 ? 0 : 1);
        long untilGiveUp = Math.max(Duration.between(now, giveUpAt).toSeconds(), 0);
        return Math.max(MINIMUM_WAIT.toSeconds(), Math.min(seconds, Math.max(untilGiveUp, MINIMUM_WAIT.toSeconds())));
    }
}
