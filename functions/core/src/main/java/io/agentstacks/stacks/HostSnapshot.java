package io.agentstacks.stacks;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** A Mac dedicated host of a stack as last seen, shown by {@code GET /stacks/{name}} until released. */
public record HostSnapshot(
        String hostId,
        String availabilityZone,
        String state,
        int instances,
        Instant allocatedAt,
        Optional<Instant> nextCheckAt,
        Optional<String> waitingFor) {

    public HostSnapshot {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(availabilityZone, "availabilityZone");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(allocatedAt, "allocatedAt");
        Objects.requireNonNull(nextCheckAt, "nextCheckAt");
        Objects.requireNonNull(waitingFor, "waitingFor");
    }
}
