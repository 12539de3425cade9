package io.agentstacks.hosts;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a dedicated host of a stack may be released: a pure function of the host's facts and the time.
 *
 * <p>What EC2 imposes, and the rule follows: a host holds one Mac instance and cannot be released while
 * it does; a host must stay allocated 24 h before it can be released; after its instance stops or
 * terminates a Mac host is {@code pending} while it is scrubbed (up to ~50 min on x86, ~4.5 h on Apple
 * silicon) and cannot be released meanwhile. What the control plane adds: a host that is not tagged
 * {@code semaphore-agent-stack=<stack>} is never touched.
 *
 * <p>Every {@link ReleaseDecision.Wait} names the earliest moment the answer can change, so a caller that
 * sleeps until then loses at most one poll interval against the earliest allowed release.
 *
 * @param minimumAllocation EC2's minimum allocation period of a Mac host (24 h)
 * @param pendingPoll       how often to look at a scrubbing host while its scrub may end any minute
 * @param overduePoll       how often to look at a host scrubbing longer than its family's maximum
 * @param occupiedPoll      how often to look at a host that still holds an instance
 * @param unsettledPoll     how often to look at a host under assessment or in a state unknown to this code
 * @param failedRetry       how long after an {@code Unsuccessful} ReleaseHosts answer to try again
 * @param surplusIdleGrace  how long a live stack's host must have been empty before it counts as surplus
 */
public record ReleaseRules(
        Duration minimumAllocation,
        Duration pendingPoll,
        Duration overduePoll,
        Duration occupiedPoll,
        Duration unsettledPoll,
        Duration failedRetry,
        Duration surplusIdleGrace) {

    public static final ReleaseRules DEFAULT = new ReleaseRules(
            Duration.ofHours(24), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(10),
            Duration.ofMinutes(15), Duration.ofMinutes(5), Duration.ofHours(1));

    public ReleaseRules {
        Objects.requireNonNull(minimumAllocation, "minimumAllocation");
        Objects.requireNonNull(pendingPoll, "pendingPoll");
        Objects.requireNonNull(overduePoll, "overduePoll");
        Objects.requireNonNull(occupiedPoll, "occupiedPoll");
        Objects.requireNonNull(unsettledPoll, "unsettledPoll");
        Objects.requireNonNull(failedRetry, "failedRetry");
        Objects.requireNonNull(surplusIdleGrace, "surplusIdleGrace");
    }

    /** The moment the host's minimum allocation period ends. */
    public Instant minimumAllocationEnd(DedicatedHost host) {
        return host.allocatedAt().plus(minimumAllocation);
    }

    /** The rule: may {@code host} be released for {@code stack} at {@code now}? */
    public ReleaseDecision decide(DedicatedHost host, String stack, Instant now) {
        if (!host.taggedFor(stack)) {
            return new ReleaseDecision.Skip("not tagged " + HostTags.STACK + "=" + stack);
        }
        if (host.state().isReleased()) {
            return new ReleaseDecision.Skip("already " + host.state().wire());
        }
        if (host.occupied()) {
            return new ReleaseDecision.Wait(now.plus(occupiedPoll),
                    "holds " + host.instanceCount() + " instance(s)");
        }
        Instant minimumEnd = minimumAllocationEnd(host);
        return switch (host.state()) {
            case PENDING -> scrubbing(host, now, minimumEnd);
            case UNDER_ASSESSMENT, UNKNOWN -> new ReleaseDecision.Wait(later(minimumEnd, now.plus(unsettledPoll)),
                    "state " + host.state().wire() + ", not settled");
            case AVAILABLE, PERMANENT_FAILURE -> now.isBefore(minimumEnd)
                    ? new ReleaseDecision.Wait(minimumEnd, "24 h minimum allocation ends at " + minimumEnd)
                    : new ReleaseDecision.Release("empty, " + host.state().wire() + ", allocated over 24 h ago");
            case RELEASED, RELEASED_PERMANENT_FAILURE -> throw new IllegalStateException("handled above");
        };
    }

    private ReleaseDecision scrubbing(DedicatedHost host, Instant now, Instant minimumEnd) {
        // EC2 does not say when a scrub began; the caller's first sighting is an upper bound of it, and
        // without one, "now" is: either way scrubbing is over by since + the family's maximum.
        Instant since = host.stateSince().orElse(now);
        Instant scrubOverBy = since.plus(MacFamily.scrubMaxOf(host.instanceType()));
        if (now.isBefore(minimumEnd) && !minimumEnd.isBefore(scrubOverBy)) {
            return new ReleaseDecision.Wait(minimumEnd,
                    "pending (scrubbing, over by " + scrubOverBy + "); 24 h minimum allocation ends at " + minimumEnd);
        }
        // The scrub may end any time: look again soon, though never before the 24 h are over.
        boolean overdue = !now.isBefore(scrubOverBy);
        Duration poll = overdue ? overduePoll : pendingPoll;
        return new ReleaseDecision.Wait(later(minimumEnd, now.plus(poll)),
                overdue ? "pending (scrubbing longer than expected, since " + since + ")"
                        : "pending (scrubbing since " + since + ", over by " + scrubOverBy + ")");
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
