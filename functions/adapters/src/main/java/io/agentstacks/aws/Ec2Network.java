package io.agentstacks.aws;

import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.Network;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Vpc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The network of an agent stack. A spec that names its VPC and subnets gets them as they are, with its
 * availability zones, or, when it names none, the zones of its subnets (DescribeSubnets by {@code SubnetIds}:
 * macOS hosts are allocated per zone, so the zones must be known). Otherwise:
 * the region's default VPC (DescribeVpcs, {@code isDefault=true}) and its default subnets (DescribeSubnets,
 * {@code vpc-id} and {@code default-for-az=true}), limited to the spec's availability zones when it names
 * some, in zone order so that the stack's parameters are the same from one deploy to the next.
 */
public final class Ec2Network implements Network {

    private final Ec2Client ec2;

    public Ec2Network(Ec2Client ec2) {
        this.ec2 = Objects.requireNonNull(ec2, "ec2");
    }

    @Override
    public ResolvedNetwork resolve(StackSpec spec) {
        String stack = spec.stackName();
        if (spec.vpcId().isPresent()) {
            String vpcId = spec.vpcId().get();
            List<String> zones = spec.availabilityZones().isEmpty()
                    ? zonesOf(stack, vpcId, spec.subnets()) : spec.availabilityZones();
            return new ResolvedNetwork(vpcId, spec.subnets(), zones);
        }
        Optional<Vpc> vpc;
        try {
            vpc = ec2.describeVpcsPaginator(b -> b.filters(filter("isDefault", "true"))).vpcs().stream().findFirst();
        } catch (SdkException e) {
            throw new NetworkException("stack " + stack + ": EC2 DescribeVpcs (default VPC) failed: " + e.getMessage(), e);
        }
        String vpcId = vpc.map(Vpc::vpcId).orElseThrow(() -> new NetworkException("stack " + stack
                + ": the region has no default VPC; set vpcId and subnets in the spec", null));
        List<Subnet> subnets = new ArrayList<>();
        try {
            ec2.describeSubnetsPaginator(b -> b.filters(filter("vpc-id", vpcId), filter("default-for-az", "true")))
                    .subnets().forEach(subnets::add);
        } catch (SdkException e) {
            throw new NetworkException("stack " + stack + ": EC2 DescribeSubnets of default VPC " + vpcId + " failed: "
                    + e.getMessage(), e);
        }
        List<String> zones = spec.availabilityZones();
        List<Subnet> chosen = subnets.stream()
                .filter(s -> zones.isEmpty() || zones.contains(s.availabilityZone()))
                .sorted(Comparator.comparing(Subnet::availabilityZone).thenComparing(Subnet::subnetId))
                .toList();
        List<String> missing = zones.stream().distinct().filter(z -> chosen.stream().noneMatch(s -> s.availabilityZone().equals(z))).toList();
        if (!missing.isEmpty()) {
            throw new NetworkException("stack " + stack + ": the default VPC " + vpcId
                    + " has no default subnet in availability zone(s) " + String.join(", ", missing), null);
        }
        if (chosen.isEmpty()) {
            throw new NetworkException("stack " + stack + ": the default VPC " + vpcId
                    + " has no default subnets; set vpcId and subnets in the spec", null);
        }
        return new ResolvedNetwork(vpcId, chosen.stream().map(Subnet::subnetId).toList(),
                chosen.stream().map(Subnet::availabilityZone).distinct().toList());
    }

    /** The zones of the spec's own subnets, in zone order; each subnet must exist and be in {@code vpcId}. */
    private List<String> zonesOf(String stack, String vpcId, List<String> subnetIds) {
        List<Subnet> subnets;
        try {
            // With SubnetIds (and no MaxResults) EC2 answers every subnet in one page.
            subnets = ec2.describeSubnets(b -> b.subnetIds(subnetIds)).subnets();
        } catch (SdkException e) {
            throw new NetworkException("stack " + stack + ": EC2 DescribeSubnets of " + String.join(", ", subnetIds)
                    + " failed: " + e.getMessage(), e);
        }
        List<String> missing = subnetIds.stream()
                .filter(id -> subnets.stream().noneMatch(s -> s.subnetId().equals(id))).toList();
        if (!missing.isEmpty()) {
            throw new NetworkException("stack " + stack + ": EC2 does not list subnet(s) " + String.join(", ", missing), null);
        }
        List<String> elsewhere = subnets.stream().filter(s -> !vpcId.equals(s.vpcId()))
                .map(s -> s.subnetId() + " (in " + s.vpcId() + ")").toList();
        if (!elsewhere.isEmpty()) {
            throw new NetworkException("stack " + stack + ": subnet(s) " + String.join(", ", elsewhere)
                    + " are not in vpcId " + vpcId, null);
        }
        return subnets.stream().map(Subnet::availabilityZone).distinct().sorted().toList();
    }

    private static Filter filter(String name, String value) {
        return Filter.builder().name(name).values(value).build();
    }
}
