package io.agentstacks.hosts;

import io.agentstacks.spec.Mac;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rule applied to every host of a stack at once: which to release now, which to wait for (and until
 * when), which to leave alone. Pure; the caller does the ReleaseHosts call.
 */
public record ReleasePass(List<DedicatedHost> release, List<Waiting> waiting, List<Skipped> skipped) {

    public ReleasePass {
        release = List.copyOf(release);
        waiting = List.copyOf(waiting);
        skipped = List.copyOf(skipped);
    }

    public record Waiting(DedicatedHost host, ReleaseDecision.Wait decision) {
        public Waiting {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(decision, "decision");
        }
    }

    public record Skipped(DedicatedHost host, ReleaseDecision.Skip decision) {
        public Skipped {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(decision, "decision");
        }
    }

    /** Every host once (a host listed twice is decided once), in the order given. */
    public static ReleasePass plan(List<DedicatedHost> hosts, String stack, Instant now, ReleaseRules rules) {
        List<DedicatedHost> release = new ArrayList<>();
        List<Waiting> waiting = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (DedicatedHost host : distinct(hosts)) {
            ReleaseDecision decision = rules.decide(host, stack, now);
            if (decision instanceof ReleaseDecision.Wait w) {
                waiting.add(new Waiting(host, w));
            } else if (decision instanceof ReleaseDecision.Skip s) {
                skipped.add(new Skipped(host, s));
            } else {
                release.add(host);
            }
        }
        return new ReleasePass(release, waiting, skipped);
    }

    /**
     * For a live stack whose spec sets {@code mac.autoReleaseHost}: the hosts above {@code mac.reservedHosts}
     * that the rule would release (empty, available, past their 24 h) and that have been empty for at least
     * {@link ReleaseRules#surplusIdleGrace()}, so that a host is not released between two jobs. Hosts of
     * another instance type than {@code wantedInstanceType} (left from an older spec) go first.
     */
    public static List<DedicatedHost> surplus(List<DedicatedHost> hosts, String stack, Mac mac,
                                              String wantedInstanceType, Instant now, ReleaseRules rules) {
        if (!mac.autoReleaseHost()) {
            return List.of();
        }
        List<DedicatedHost> live = distinct(hosts).stream()
                .filter(h -> h.taggedFor(stack) && !h.state().isReleased())
                .toList();
        int allowed = live.size() - mac.reservedHosts();
        if (allowed <= 0) {
            return List.of();
        }
        Instant emptySinceAtLatest = now.minus(rules.surplusIdleGrace());
        return live.stream()
                .filter(h -> h.state() == HostState.AVAILABLE)
                .filter(h -> rules.decide(h, stack, now) instanceof ReleaseDecision.Release)
                .filter(h -> h.stateSince().map(since -> !since.isAfter(emptySinceAtLatest)).orElse(false))
                .sorted(Comparator.comparing((DedicatedHost h) -> h.instanceType().equals(wantedInstanceType))
                        .thenComparing(DedicatedHost::allocatedAt)
                        .thenComparing(DedicatedHost::hostId))
                .limit(allowed)
                .toList();
    }

    private static List<DedicatedHost> distinct(List<DedicatedHost> hosts) {
        Map<String, DedicatedHost> byId = new LinkedHashMap<>();
        hosts.forEach(h -> byId.putIfAbsent(h.hostId(), h));
        return List.copyOf(byId.values());
    }
}
