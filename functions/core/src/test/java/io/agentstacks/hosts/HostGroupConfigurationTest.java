package io.agentstacks.hosts;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.spec.Mac;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

class HostGroupConfigurationTest {

    private static final String LICENSE = "arn:aws:license-manager:us-east-1:123456789012:license-configuration:lic-0123456789abcdef";

    @Test
    void theGroupIsConfiguredAsTheOlderToolConfiguredIt() {
        var config = HostGroupConfiguration.of(new Mac(List.of("mac2"), List.of(), Optional.of(LICENSE), true, true, 0));

        assertThat(config.items()).containsExactly(
                new HostGroupConfiguration.Item("AWS::EC2::HostManagement", List.of(
                        new HostGroupConfiguration.Parameter("allowed-host-based-license-configurations", List.of(LICENSE)),
                        new HostGroupConfiguration.Parameter("allowed-host-families", List.of("mac2")),
                        new HostGroupConfiguration.Parameter("auto-allocate-host", List.of("true")),
                        new HostGroupConfiguration.Parameter("auto-release-host", List.of("true")))),
                new HostGroupConfiguration.Item("AWS::ResourceGroups::Generic", List.of(
                        new HostGroupConfiguration.Parameter("allowed-resource-types", List.of("AWS::EC2::Host")),
                        new HostGroupConfiguration.Parameter("deletion-protection", List.of("UNLESS_EMPTY")))));
    }

    @Test
    void withoutALicenseConfigurationTheGroupAllowsAnyInsteadOfAnEmptyArn() {
        var items = HostGroupConfiguration.of(new Mac(List.of("mac1"), List.of(), Optional.empty(), false, false, 0)).items();

        assertThat(items.get(0).parameters()).first()
                .isEqualTo(new HostGroupConfiguration.Parameter("any-host-based-license-configuration", List.of("true")));
        assertThat(items.get(0).parameters()).extracting(HostGroupConfiguration.Parameter::name)
                .doesNotContain("allowed-host-based-license-configurations");
        assertThat(items.get(0).parameters()).contains(
                new HostGroupConfiguration.Parameter("auto-allocate-host", List.of("false")),
                new HostGroupConfiguration.Parameter("auto-release-host", List.of("false")));
    }

    @Test
    void withReservedHostsTheGroupLeavesReleasingToTheControlPlane() {
        var reserved = HostGroupConfiguration.of(new Mac(List.of("mac2"), List.of(), Optional.empty(), true, true, 2));
        var none = HostGroupConfiguration.of(new Mac(List.of("mac2"), List.of(), Optional.empty(), true, true, 0));

        assertThat(reserved.autoReleaseHost()).as("the group could release the hosts reservedHosts keeps").isFalse();
        assertThat(reserved.items().get(0).parameters())
                .contains(new HostGroupConfiguration.Parameter("auto-release-host", List.of("false")));
        assertThat(none.autoReleaseHost()).isTrue();
    }

    @Test
    void aConfigurationReadBackFromItsItemsIsTheSame() {
        var config = new HostGroupConfiguration(List.of("mac2", "mac2-m2"), List.of(LICENSE), false, true);

        assertThat(HostGroupConfiguration.fromItems(config.items())).isEqualTo(config);
    }
}
