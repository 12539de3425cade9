package io.agentstacks.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.spec.Arch;
import io.agentstacks.spec.InstanceOverride;
import io.agentstacks.spec.Mac;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.Purchase;
import io.agentstacks.spec.Schedule;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.spec.Volume;
import io.agentstacks.spec.WarmPool;
import io.agentstacks.spec.WarmPoolState;
import io.agentstacks.stacks.Network.ResolvedNetwork;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.IntStream;

class AgentStackParametersTest {

    static final ResolvedNetwork NET = new ResolvedNetwork("vpc-1", List.of("subnet-a", "subnet-b"), List.of("us-east-1a", "us-east-1b"));

    static StackSpec minimal() {
        return StackSpec.builder("ci-agents", "ci-agents-token").semaphoreOrganization("acme").build();
    }

    static StackSpec full() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("team", "platform");
        tags.put("cost-center", "42");
        return minimal().toBuilder()
                .agentTokenParameterName("/semaphore/ci-agents/token")
                .agentTokenKmsKey(Optional.of("1234abcd-12ab-34cd-56ef-1234567890ab"))
                .semaphoreEndpoint("acme.example.com")
                .instanceType("m6i.large").minSize(1).maxSize(20).desiredCapacity(OptionalInt.of(2))
                .groupMetrics(List.of("GroupDesiredCapacity", "GroupInServiceInstances"))
                .maxInstanceLifetimeSeconds(86400)
                .launchTemplateOverrides(List.of(new InstanceOverride("m6i.large", OptionalInt.of(1)),
                        new InstanceOverride("m6i.xlarge", OptionalInt.of(2)), new InstanceOverride("m5.large", OptionalInt.empty())))
                .newInstancesProtectedFromScaleIn(true)
                .disconnectAfterJob(false).disconnectAfterIdleSeconds(600).interruptionGracePeriodSeconds(900)
                .usePreSignedUrl(true).arch(Arch.ARM64).os(OperatingSystem.UBUNTU_JAMMY)
                .ami(Optional.of("ami-0123456789abcdef0")).keyName(Optional.of("ops")).securityGroupId(Optional.of("sg-1"))
                .useIpv6(true).cacheBucketName(Optional.of("ci-cache")).managedPolicyNames(List.of("extra-a", "extra-b"))
                .tags(tags)
                .volume(new Volume(Optional.of("/dev/xvda"), "gp3", 100, OptionalInt.of(4000), OptionalInt.of(250)))
                .purchase(new Purchase(1, 25, Optional.of("prioritized"), Optional.of("price-capacity-optimized"), true))
                .warmPool(Optional.of(new WarmPool(2, WarmPoolState.HIBERNATED)))
                .schedules(List.of(new Schedule("0 7 * * MON-FRI", OptionalInt.of(3), OptionalInt.empty(), "Europe/Berlin"),
                        new Schedule("0 19 * * MON-FRI", OptionalInt.of(0), OptionalInt.of(20), "Etc/UTC")))
                .build();
    }

    static StackSpec mac() {
        return minimal().toBuilder().os(OperatingSystem.MACOS).arch(Arch.ARM64).instanceType("mac2.metal")
                .mac(new Mac(List.of("mac2"), List.of(), Optional.of("arn:aws:license-manager:us-east-1:1:license-configuration:lic-1"),
                        true, true, 0))
                .build();
    }

    @Test
    void everySpecGetsEveryParameterOfTheTemplateAndNothingElse() {
        for (StackSpec s : List.of(minimal(), full(), mac())) {
            Map<String, String> p = AgentStackParameters.of(s, NET, Optional.empty());
            assertThat(List.copyOf(p.keySet())).isEqualTo(AgentStackParameters.NAMES);
            assertThat(p.values()).doesNotContainNull();
        }
        assertThat(AgentStackParameters.NAMES).doesNotHaveDuplicates().hasSizeLessThanOrEqualTo(200);
    }

    @Test
    void aMinimalSpecHasTheOlderToolsDefaultsAndEmptyOptionals() {
        Map<String, String> p = AgentStackParameters.of(minimal(), NET, Optional.empty());
        assertThat(p).containsEntry("AgentStackName", "ci-agents")
                .containsEntry("AgentConfigParameterName", "ci-agents-config")
                .containsEntry("SshKeysParameterName", "ci-agents-ssh-public-keys")
                .containsEntry("LogGroupPrefix", "/semaphore-agent-stacks/ci-agents")
                .containsEntry("AgentTokenParameterName", "ci-agents-token")
                .containsEntry("AgentTokenParameterPath", "ci-agents-token")
                .containsEntry("AgentTokenKmsKeyId", "")
                .containsEntry("OsFamily", "linux").containsEntry("AgentOs", "ubuntu-noble").containsEntry("AgentArch", "x86_64")
                .containsEntry("ImageId", "resolve:ssm:/semaphore-agent/ami/ubuntu-noble/x86_64")
                .containsEntry("InstanceType", "t2.micro")
                .containsEntry("KeyName", "").containsEntry("SecurityGroupId", "").containsEntry("UseIpv6", "false")
                .containsEntry("CacheBucketName", "").containsEntry("ManagedPolicyNames", "")
                .containsEntry("RootDeviceName", "/dev/sda1").containsEntry("RootVolumeType", "gp2")
                .containsEntry("RootVolumeSize", "64").containsEntry("RootVolumeIops", "").containsEntry("RootVolumeThroughput", "")
                .containsEntry("LicenseConfigurationArn", "").containsEntry("HostResourceGroupArn", "")
                .containsEntry("VpcId", "vpc-1").containsEntry("Subnets", "subnet-a,subnet-b")
                .containsEntry("MinSize", "0").containsEntry("MaxSize", "1").containsEntry("DesiredCapacity", "")
                .containsEntry("GroupMetrics", "").containsEntry("MaxInstanceLifetime", "")
                .containsEntry("NewInstancesProtectedFromScaleIn", "false").containsEntry("CapacityRebalance", "false")
                .containsEntry("OnDemandBaseCapacity", "0").containsEntry("OnDemandPercentageAboveBaseCapacity", "100")
                .containsEntry("OnDemandAllocationStrategy", "").containsEntry("SpotAllocationStrategy", "")
                .containsEntry("WarmPoolSize", "").containsEntry("WarmPoolState", "")
                .containsEntry("TerminationGracePeriodSeconds", "").containsEntry("TerminateHookHeartbeatSeconds", "");
        IntStream.rangeClosed(1, 10).forEach(i -> assertThat(p)
                .containsEntry("Override" + i + "InstanceType", "").containsEntry("Override" + i + "WeightedCapacity", "")
                .containsEntry("Schedule" + i + "Recurrence", "").containsEntry("Schedule" + i + "MinSize", "")
                .containsEntry("Schedule" + i + "MaxSize", "").containsEntry("Schedule" + i + "TimeZone", ""));
    }

    @Test
    void aFullSpecFillsEveryParameterItCan() {
        Map<String, String> p = AgentStackParameters.of(full(), NET, Optional.of("arn:ignored-on-linux"));
        assertThat(p).containsEntry("AgentTokenParameterName", "/semaphore/ci-agents/token")
                .containsEntry("AgentTokenParameterPath", "semaphore/ci-agents/token")
                .containsEntry("AgentTokenKmsKeyId", "1234abcd-12ab-34cd-56ef-1234567890ab")
                .containsEntry("AgentOs", "ubuntu-jammy").containsEntry("AgentArch", "arm64")
                .containsEntry("ImageId", "ami-0123456789abcdef0").containsEntry("InstanceType", "m6i.large")
                .containsEntry("KeyName", "ops").containsEntry("SecurityGroupId", "sg-1").containsEntry("UseIpv6", "true")
                .containsEntry("CacheBucketName", "ci-cache").containsEntry("ManagedPolicyNames", "extra-a,extra-b")
                .containsEntry("RootDeviceName", "/dev/xvda").containsEntry("RootVolumeType", "gp3")
                .containsEntry("RootVolumeSize", "100").containsEntry("RootVolumeIops", "4000").containsEntry("RootVolumeThroughput", "250")
                .containsEntry("HostResourceGroupArn", "")
                .containsEntry("MinSize", "1").containsEntry("MaxSize", "20").containsEntry("DesiredCapacity", "2")
                .containsEntry("GroupMetrics", "GroupDesiredCapacity,GroupInServiceInstances")
                .containsEntry("MaxInstanceLifetime", "86400")
                .containsEntry("NewInstancesProtectedFromScaleIn", "true").containsEntry("CapacityRebalance", "true")
                .containsEntry("OnDemandBaseCapacity", "1").containsEntry("OnDemandPercentageAboveBaseCapacity", "25")
                .containsEntry("OnDemandAllocationStrategy", "prioritized")
                .containsEntry("SpotAllocationStrategy", "price-capacity-optimized")
                .containsEntry("Override1InstanceType", "m6i.large").containsEntry("Override1WeightedCapacity", "1")
                .containsEntry("Override2InstanceType", "m6i.xlarge").containsEntry("Override2WeightedCapacity", "2")
                .containsEntry("Override3InstanceType", "m5.large").containsEntry("Override3WeightedCapacity", "")
                .containsEntry("Override4InstanceType", "")
                .containsEntry("WarmPoolSize", "2").containsEntry("WarmPoolState", "Hibernated")
                .containsEntry("Schedule1Recurrence", "0 7 * * MON-FRI").containsEntry("Schedule1MinSize", "3")
                .containsEntry("Schedule1MaxSize", "").containsEntry("Schedule1TimeZone", "Europe/Berlin")
                .containsEntry("Schedule2Recurrence", "0 19 * * MON-FRI").containsEntry("Schedule2MinSize", "0")
                .containsEntry("Schedule2MaxSize", "20").containsEntry("Schedule2TimeZone", "Etc/UTC")
                .containsEntry("Schedule3Recurrence", "")
                .containsEntry("TerminationGracePeriodSeconds", "900").containsEntry("TerminateHookHeartbeatSeconds", "960");
    }

    @Test
    void aMacStackIsPlacedOnItsHostGroupWithItsLicense() {
        Map<String, String> p = AgentStackParameters.of(mac(), NET, Optional.of("arn:aws:resource-groups:us-east-1:1:group/ci-agents"));
        assertThat(p).containsEntry("OsFamily", "macos")
                .containsEntry("HostResourceGroupArn", "arn:aws:resource-groups:us-east-1:1:group/ci-agents")
                .containsEntry("LicenseConfigurationArn", "arn:aws:license-manager:us-east-1:1:license-configuration:lic-1")
                .containsEntry("ImageId", "resolve:ssm:/semaphore-agent/ami/macos/arm64");
        assertThat(AgentStackParameters.of(minimal().toBuilder().os(OperatingSystem.WINDOWS).build(), NET, Optional.empty()))
                .containsEntry("OsFamily", "windows");
    }

    @Test
    void theAgentConfigKeepsTheOlderToolsKeysAndNamesTheTokenWithoutHoldingIt() throws Exception {
        JsonNode c = new ObjectMapper().readTree(AgentStackParameters.of(full(), NET, Optional.empty()).get("AgentConfigJson"));
        assertThat(iterable(c.fieldNames())).containsExactly("endpoint", "agentTokenParameterName",
                "sshKeysParameterName", "disconnectAfterJob", "disconnectAfterIdleTimeout", "envVars", "usePreSignedURL",
                "stackName", "logGroupPrefix", "interruptionGracePeriodSeconds", "lifecycleHookName");
        assertThat(c.get("interruptionGracePeriodSeconds").asInt()).isEqualTo(900);
        assertThat(c.get("lifecycleHookName").asText()).isEqualTo(AgentStackNames.TERMINATE_LIFECYCLE_HOOK_NAME);
        assertThat(c.get("endpoint").asText()).isEqualTo("acme.example.com");
        assertThat(c.get("agentTokenParameterName").asText()).isEqualTo("/semaphore/ci-agents/token");
        assertThat(c.get("disconnectAfterJob").isTextual()).isTrue();
        assertThat(c.get("disconnectAfterJob").asText()).isEqualTo("false");
        assertThat(c.get("disconnectAfterIdleTimeout").asText()).isEqualTo("600");
        assertThat(c.get("usePreSignedURL").isBoolean()).isTrue();
        assertThat(c.get("envVars")).extracting(JsonNode::asText).containsExactly("SEMAPHORE_CACHE_BACKEND=s3",
                "SEMAPHORE_CACHE_S3_BUCKET=ci-cache", "SEMAPHORE_CACHE_USE_EC2_INSTANCE_PROFILE=true");
    }

    @Test
    void aMinimalAgentConfigIsTheOlderToolsDefaultOne() {
        assertThat(AgentStackParameters.agentConfigJson(minimal())).isEqualTo("{\"endpoint\":\"acme.semaphoreci.com\","
                + "\"agentTokenParameterName\":\"ci-agents-token\",\"sshKeysParameterName\":\"ci-agents-ssh-public-keys\","
                + "\"disconnectAfterJob\":\"true\",\"disconnectAfterIdleTimeout\":\"300\",\"envVars\":[],"
                + "\"usePreSignedURL\":false,\"stackName\":\"ci-agents\",\"logGroupPrefix\":\"/semaphore-agent-stacks/ci-agents\","
                + "\"interruptionGracePeriodSeconds\":0,\"lifecycleHookName\":\"\"}");
    }

    @Test
    void theTerminateHookWaitsTheGracePeriodPlusAMarginWithinAutoScalingsLimit() {
        assertThat(AgentStackParameters.of(minimal().toBuilder().interruptionGracePeriodSeconds(1).build(), NET, Optional.empty()))
                .containsEntry("TerminationGracePeriodSeconds", "1").containsEntry("TerminateHookHeartbeatSeconds", "61");
        assertThat(AgentStackParameters.of(minimal().toBuilder().interruptionGracePeriodSeconds(7200).build(), NET, Optional.empty()))
                .containsEntry("TerminationGracePeriodSeconds", "7200").containsEntry("TerminateHookHeartbeatSeconds", "7200");
    }

    @Test
    void anEndpointWithASchemeIsWrittenAsTheBareHostTheAgentExpects() {
        StackSpec s = minimal().toBuilder().semaphoreEndpoint("https://acme.example.com").build();
        assertThat(AgentStackParameters.agentConfigJson(s)).contains("\"endpoint\":\"acme.example.com\"");
    }

    @Test
    void theSameSpecAlwaysGivesTheSameParametersSoThatAnUnchangedSpecIsNoUpdate() {
        assertThat(AgentStackParameters.of(full(), NET, Optional.empty())).isEqualTo(AgentStackParameters.of(full(), NET, Optional.empty()));
    }

    @Test
    void moreThanTenOverridesOrSchedulesCannotBeExpressed() {
        StackSpec overrides = minimal().toBuilder().launchTemplateOverrides(Collections.nCopies(11,
                new InstanceOverride("m5.large", OptionalInt.empty()))).build();
        assertThatThrownBy(() -> AgentStackParameters.of(overrides, NET, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("launchTemplateOverrides").hasMessageContaining("10");
        StackSpec schedules = minimal().toBuilder().schedules(Collections.nCopies(11,
                new Schedule("0 7 * * *", OptionalInt.of(1), OptionalInt.empty(), "Etc/UTC"))).build();
        assertThatThrownBy(() -> AgentStackParameters.of(schedules, NET, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schedules");
    }

    @Test
    void aNetworkWithoutSubnetsIsRefused() {
        assertThatThrownBy(() -> AgentStackParameters.of(minimal(), new ResolvedNetwork("vpc-1", List.of(), List.of()), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subnets");
    }

    @Test
    void stackTagsAreTheSpecsTagsPlusTheControlPlanesOwn() {
        assertThat(AgentStackParameters.stackTags(full())).containsExactly(
                Map.entry("team", "platform"), Map.entry("cost-center", "42"),
                Map.entry("agent-stacks:stack-name", "ci-agents"), Map.entry("agent-stacks:managed-by", "semaphore-agent-stacks"));
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        return () -> it;
    }
}
