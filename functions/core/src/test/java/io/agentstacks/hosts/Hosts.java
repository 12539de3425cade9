package io.agentstacks.hosts;

import io.agentstacks.spec.Arch;
import io.agentstacks.spec.Mac;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.StackSpec;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Test fixtures: hosts and macOS specs. */
final class Hosts {

    static final String STACK = "mac-agents";
    /** The stack's host resource group, as the allocator names it. */
    static final String GROUP = io.agentstacks.stacks.AgentStackNames.hostGroupName(STACK);
    static final Instant T0 = Instant.parse("2025-03-01T08:00:00Z");

    private Hosts() {
    }

    static DedicatedHost host(String id, HostState state, int instances, Instant allocatedAt) {
        return new DedicatedHost(id, "us-east-1a", "mac2.metal", state,
                instances == 0 ? List.of() : List.of("i-" + id.substring(2)), allocatedAt,
                Map.of(HostTags.STACK, STACK), Optional.empty());
    }

    static DedicatedHost untagged(String id, Instant allocatedAt) {
        return new DedicatedHost(id, "us-east-1a", "mac2.metal", HostState.AVAILABLE, List.of(), allocatedAt,
                Map.of(), Optional.empty());
    }

    static StackSpec macSpec(Mac mac, List<String> zones) {
        return StackSpec.builder(STACK, "/semaphore/mac-token")
                .semaphoreOrganization("acme")
                .os(OperatingSystem.MACOS)
                .arch(Arch.ARM64)
                .instanceType("mac2.metal")
                .availabilityZones(zones)
                .mac(mac)
                .build();
    }

    static Mac mac(int reservedHosts, List<String> dedicatedHosts) {
        return new Mac(List.of("mac2"), dedicatedHosts, Optional.empty(), true, true, reservedHosts);
    }
}
