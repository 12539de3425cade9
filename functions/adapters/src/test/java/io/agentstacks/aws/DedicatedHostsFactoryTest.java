package io.agentstacks.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

import java.util.Map;

class DedicatedHostsFactoryTest {

    @Test
    void theRegionComesFromAwsRegion() {
        assertThat(new DedicatedHostsFactory(Map.of("AWS_REGION", "eu-west-1")).region()).isEqualTo(Region.EU_WEST_1);
    }

    @Test
    void aMissingRegionIsAnErrorNamingTheVariable() {
        assertThatThrownBy(() -> new DedicatedHostsFactory(Map.of()).hostPool()).hasMessageStartingWith("AWS_REGION is not set");
    }

    @Test
    void theBeansAreTheEc2AndResourceGroupsAdapters() {
        var factory = new DedicatedHostsFactory(Map.of("AWS_REGION", "us-east-1"));

        assertThat(factory.hostPool()).isInstanceOf(Ec2HostPool.class);
        assertThat(factory.hostGroups()).isInstanceOf(ResourceGroupsHostGroups.class);
    }
}
