package io.agentstacks.stacks;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A Mac dedicated host of a stack as last seen, shown by {@code GET /stacks/{name}} until released (a host the
 * releaser has just released stays, as {@code released}, while EC2's DescribeHosts may still list it as it was).
 *
 * @param state       EC2's allocation state, e.g. {@code available}, {@code pending}
 * @param nextCheckAt when the releaser looks at it next, while it waits for it
 * @param waitingFor  why the host is not released yet (instance, scrubbing, 24 h minimum, refused release)
 * @param stateSince  since when the host has been in this state and occupancy, as first seen by the control
 *                    plane (EC2 does not report it); the release rule uses it to bound a scrub
 */
public record HostSnapshot(
        String hostId,
        String availabilityZone,
        String state,
        int instances,
        Instant allocatedAt,
        Optional<Instant> nextCheckAt,
        Optional<String> waitingFor,
        Optional<Instant> stateSince) {

    public HostSnapshot {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(availabilityZone, "availabilityZone");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(allocatedAt, "allocatedAt");
        Objects.requireNonNull(nextCheckAt, "nextCheckAt");
        Objects.requireNonNull(waitingFor, "waitingFor");
        Objects.requireNonNull(stateSince, "stateSince");
    }

    /** A snapshot without {@code stateSince} (the form before that field existed). */
    public HostSnapshot(String hostId, String availabilityZone, String state, int instances, Instant allocatedAt,
                        Optional<Instant> nextCheckAt, Optional<String> waitingFor) {
        this(hostId, availabilityZone, state, instances, allocatedAt, nextCheckAt, waitingFor, Optional.empty());
    }
}
