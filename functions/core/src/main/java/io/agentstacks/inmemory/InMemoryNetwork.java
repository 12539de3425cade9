package io.agentstacks.inmemory;

import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.Network;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An account's network in memory, resolved as {@code Ec2Network} resolves it: a spec's own VPC and subnets
 * pass through; otherwise the default VPC and its default subnets, one per availability zone, limited to
 * the spec's zones when it names some. Without a default VPC, or without a default subnet in a named zone,
 * {@link #resolve} throws {@link NetworkException}. Subnets come in zone order, so that a stack's
 * parameters do not change from one resolution to the next.
 */
public final class InMemoryNetwork implements Network {

    private final Optional<String> defaultVpcId;
    /** Availability zone to default subnet id, sorted by zone. */
    private final TreeMap<String, String> defaultSubnets;

    private InMemoryNetwork(Optional<String> defaultVpcId, Map<String, String> defaultSubnets) {
        this.defaultVpcId = defaultVpcId;
        this.defaultSubnets = new TreeMap<>(defaultSubnets);
    }

    /** A region with a default VPC whose default subnets are given per availability zone. */
    public static InMemoryNetwork withDefaultVpc(String vpcId, Map<String, String> subnetByZone) {
        Objects.requireNonNull(vpcId, "vpcId");
        if (subnetByZone.isEmpty()) {
            throw new IllegalArgumentException("a default VPC has at least one default subnet");
        }
        return new InMemoryNetwork(Optional.of(vpcId), subnetByZone);
    }

    /** The default VPC of a fresh account in us-east-1, with three zones. */
    public static InMemoryNetwork typical() {
        return withDefaultVpc("vpc-0default0000000001", Map.of(
                "us-east-1a", "subnet-0default00000000a",
                "us-east-1b", "subnet-0default00000000b",
                "us-east-1c", "subnet-0default00000000c"));
    }

    /** A region whose default VPC was deleted. */
    public static InMemoryNetwork withoutDefaultVpc() {
        return new InMemoryNetwork(Optional.empty(), Map.of());
    }

    @Override
    public ResolvedNetwork resolve(StackSpec spec) {
        if (spec.vpcId().isPresent()) {
            return new ResolvedNetwork(spec.vpcId().get(), spec.subnets(), spec.availabilityZones());
        }
        String vpcId = defaultVpcId.orElseThrow(() -> new NetworkException(
                "stack " + spec.stackName() + ": the region has no default VPC; set vpcId and subnets in the spec", null));
        List<String> zones = (spec.availabilityZones().isEmpty() ? List.copyOf(defaultSubnets.keySet())
                : spec.availabilityZones()).stream().distinct().sorted().toList();
        List<String> subnets = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String zone : zones) {
            String subnet = defaultSubnets.get(zone);
            if (subnet == null) {
                missing.add(zone);
            } else {
                subnets.add(subnet);
            }
        }
        if (!missing.isEmpty()) {
            throw new NetworkException("stack " + spec.stackName() + ": the default VPC " + vpcId
                    + " has no default subnet in availability zone(s) " + String.join(", ", missing), null);
        }
        return new ResolvedNetwork(vpcId, subnets, zones);
    }
}
