package io.agentstacks.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.Network.NetworkException;
import io.agentstacks.stacks.Network.ResolvedNetwork;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

class InMemoryNetworkTest {

    static StackSpec.Builder spec() {
        return StackSpec.builder("ci", "ci-token").semaphoreOrganization("acme");
    }

    @Test
    void aSpecsOwnVpcAndSubnetsPassThrough() {
        ResolvedNetwork n = InMemoryNetwork.typical().resolve(spec().vpcId(Optional.of("vpc-own"))
                .subnets(List.of("subnet-b", "subnet-a")).availabilityZones(List.of("us-east-1b")).build());
        assertThat(n).isEqualTo(new ResolvedNetwork("vpc-own", List.of("subnet-b", "subnet-a"), List.of("us-east-1b")));
    }

    @Test
    void withoutAVpcTheDefaultSubnetsOfEveryZoneAreUsedInZoneOrder() {
        ResolvedNetwork n = InMemoryNetwork.typical().resolve(spec().build());
        assertThat(n.vpcId()).isEqualTo("vpc-0default0000000001");
        assertThat(n.subnetIds()).containsExactly("subnet-0default00000000a", "subnet-0default00000000b", "subnet-0default00000000c");
        assertThat(n.availabilityZones()).containsExactly("us-east-1a", "us-east-1b", "us-east-1c");
    }

    @Test
    void theSpecsZonesLimitTheDefaultSubnets() {
        ResolvedNetwork n = InMemoryNetwork.typical().resolve(spec().availabilityZones(List.of("us-east-1c", "us-east-1a")).build());
        assertThat(n.subnetIds()).containsExactly("subnet-0default00000000a", "subnet-0default00000000c");
        assertThat(n.availabilityZones()).containsExactly("us-east-1a", "us-east-1c");
    }

    @Test
    void aZoneWithoutADefaultSubnetIsNamedInTheError() {
        assertThatThrownBy(() -> InMemoryNetwork.typical().resolve(spec().availabilityZones(List.of("us-east-1f")).build()))
                .isInstanceOf(NetworkException.class).hasMessageContaining("us-east-1f").hasMessageContaining("ci");
    }

    @Test
    void aRegionWithoutADefaultVpcAsksForOneInTheSpec() {
        assertThatThrownBy(() -> InMemoryNetwork.withoutDefaultVpc().resolve(spec().build()))
                .isInstanceOf(NetworkException.class).hasMessageContaining("no default VPC").hasMessageContaining("vpcId");
    }

    @Test
    void aSpecsOwnSubnetsGiveTheZonesWhenTheSpecNamesNone() {
        InMemoryNetwork account = InMemoryNetwork.typical().withSubnet("vpc-own", "subnet-b", "us-east-1d")
                .withSubnet("vpc-own", "subnet-a", "us-east-1b");

        ResolvedNetwork n = account.resolve(spec().vpcId(Optional.of("vpc-own")).subnets(List.of("subnet-b", "subnet-a")).build());

        assertThat(n).isEqualTo(new ResolvedNetwork("vpc-own", List.of("subnet-b", "subnet-a"), List.of("us-east-1b", "us-east-1d")));
    }

    @Test
    void anUnknownSubnetOrOneOfAnotherVpcIsNamed() {
        InMemoryNetwork account = InMemoryNetwork.typical().withSubnet("vpc-own", "subnet-a", "us-east-1b");

        assertThatThrownBy(() -> account.resolve(spec().vpcId(Optional.of("vpc-own")).subnets(List.of("subnet-a", "subnet-x")).build()))
                .isInstanceOf(NetworkException.class).hasMessageContaining("subnet-x").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> account.resolve(spec().vpcId(Optional.of("vpc-own")).subnets(List.of("subnet-0default00000000a")).build()))
                .isInstanceOf(NetworkException.class)
                .hasMessage("stack ci: subnet(s) subnet-0default00000000a (in vpc-0default0000000001) are not in vpcId vpc-own");
    }
}
