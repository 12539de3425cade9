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
 * pass through, with its zones or, when it names none, the zones of its subnets (which must be known, see
 * {@link #withSubnet}, and in that VPC); otherwise the default VPC and its default subnets, one per availability zone, limited to
 * the spec's zones when it names some. Without a default VPC, or without a default subnet in a named zone,
 * {@link #resolve} throws {@link NetworkException}. Subnets come in zone order, so that a stack's
 * parameters do not change from one resolution to the next.
 */
public final class InMemoryNetwork implements Network {

    private final Optional<String> defaultVpcId;
    /** Availability zone to default subnet id, sorted by zone. */
    private final TreeMap<String, String> defaultSubnets;
    /** Every subnet of the account (the default ones included): id to its VPC and zone. */
    private final Map<String, Subnet> subnets;

    private record Subnet(String vpcId, String availabilityZone) {
    }

    private InMemoryNetwork(Optional<String> defaultVpcId, Map<String, String> defaultSubnets, Map<String, Subnet> others) {
        this.defaultVpcId = defaultVpcId;
        this.defaultSubnets = new TreeMap<>(defaultSubnets);
        Map<String, Subnet> all = new TreeMap<>(others);
        defaultVpcId.ifPresent(vpc -> defaultSubnets.forEach((zone, id) -> all.put(id, new Subnet(vpc, zone))));
        this.subnets = Map.copyOf(all);
    }

    /** This network with one more (non-default) subnet, in {@code vpcId} and {@code availabilityZone}. */
    public InMemoryNetwork withSubnet(String vpcId, String subnetId, String availabilityZone) {
        Map<String, Subnet> others = new TreeMap<>(subnets);
        others.put(Objects.requireNonNull(subnetId, "subnetId"), new Subnet(Objects.requireNonNull(vpcId, "vpcId"),
                Objects.requireNonNull(availabilityZone, "availabilityZone")));
        return new InMemoryNetwork(defaultVpcId, defaultSubnets, others);
    }

    /** A region with a default VPC whose default subnets are given per availability zone. */
    public static InMemoryNetwork withDefaultVpc(String vpcId, Map<String, String> subnetByZone) {
        Objects.requireNonNull(vpcId, "vpcId");
        if (subnetByZone.isEmpty()) {
            throw new IllegalArgumentException("a default VPC has at least one default subnet");
        }
        return new InMemoryNetwork(Optional.of(vpcId), subnetByZone, Map.of());
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
        return new InMemoryNetwork(Optional.empty(), Map.of(), Map.of());
    }

    @Override
    public ResolvedNetwork resolve(StackSpec spec) {
        if (spec.vpcId().isPresent()) {
            String vpcId = spec.vpcId().get();
            return new ResolvedNetwork(vpcId, spec.subnets(), spec.availabilityZones().isEmpty()
                    ? zonesOf(spec.stackName(), vpcId, spec.subnets()) : spec.availabilityZones());
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

    private List<String> zonesOf(String stack, String vpcId, List<String> subnetIds) {
        List<String> missing = subnetIds.stream().filter(id -> !subnets.containsKey(id)).toList();
        if (!missing.isEmpty()) {
            throw new NetworkException("stack " + stack + ": EC2 DescribeSubnets of " + String.join(", ", subnetIds)
                    + " failed: InvalidSubnetID.NotFound: The subnet ID '" + missing.get(0) + "' does not exist", null);
        }
        List<String> elsewhere = subnetIds.stream().filter(id -> !subnets.get(id).vpcId().equals(vpcId))
                .map(id -> id + " (in " + subnets.get(id).vpcId() + ")").toList();
        if (!elsewhere.isEmpty()) {
            throw new NetworkException("stack " + stack + ": subnet(s) " + String.join(", ", elsewhere)
                    + " are not in vpcId " + vpcId, null);
        }
        return subnetIds.stream().map(id -> subnets.get(id).availabilityZone()).distinct().sorted().toList();
    }
}
