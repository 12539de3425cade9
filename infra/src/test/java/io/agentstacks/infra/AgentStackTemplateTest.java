package io.agentstacks.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.agentstacks.spec.Purchase;
import io.agentstacks.spec.SpecReader;
import io.agentstacks.spec.SpecResult;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.AgentStackNames;
import io.agentstacks.stacks.AgentStackParameters;
import io.agentstacks.stacks.Network.ResolvedNetwork;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static io.agentstacks.infra.CloudFormationResolverTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent-stack template, deployed (resolved as CloudFormation would resolve it) with the parameters the
 * control plane computes for each example spec, against what the older tool created for the same config
 * (legacy notes §3).
 */
class AgentStackTemplateTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Path EXAMPLES = Path.of(System.getProperty("examples.dir", "../examples")).toAbsolutePath().normalize();

    /** The account's default VPC as the deployer resolves it (three default subnets, one per zone). */
    static final ResolvedNetwork DEFAULT_VPC = new ResolvedNetwork("vpc-0def0000000000001",
            List.of("subnet-0def000000000000a", "subnet-0def000000000000b", "subnet-0def000000000000c"),
            List.of("us-east-1a", "us-east-1b", "us-east-1c"));
    static final String HOST_GROUP = "arn:aws:resource-groups:us-east-1:123456789012:group/macos";

    static AgentStackTemplate stack;
    static JsonNode template;

    @BeforeAll
    static void synthesize() {
        App app = new App();
        stack = new AgentStackTemplate(app, "AgentStack");
        Aspects.of(app).add(new AwsSolutionsChecks());
        app.synth();
        template = MAPPER.valueToTree(Template.fromStack(stack).toJSON());
    }

    record Deployed(Map<String, String> parameters, Map<String, JsonNode> resources, Map<String, JsonNode> outputs) {
        JsonNode props(String logicalId) {
            assertThat(resources).containsKey(logicalId);
            return resources.get(logicalId).get("Properties");
        }

        List<String> types() {
            return resources.values().stream().map(r -> r.get("Type").asText()).sorted().toList();
        }

        JsonNode config() {
            return read(props("AgentConfig").get("Value").asText());
        }

        String userData() {
            return new String(Base64.getDecoder().decode(props("LaunchTemplate").at("/LaunchTemplateData/UserData").asText()),
                    StandardCharsets.UTF_8);
        }

        JsonNode statement(String sid) {
            for (JsonNode s : props("InstanceRole").at("/Policies/0/PolicyDocument/Statement")) {
                if (s.path("Sid").asText().equals(sid)) {
                    return s;
                }
            }
            return null;
        }
    }

    static Deployed deploy(StackSpec spec, ResolvedNetwork network, Optional<String> hostGroup) {
        Map<String, String> parameters = AgentStackParameters.of(spec, network, hostGroup);
        CloudFormationResolver r = new CloudFormationResolver(template, parameters);
        return new Deployed(parameters, r.resources(), r.outputs());
    }

    static StackSpec example(String file) {
        try {
            SpecResult result = SpecReader.read(MAPPER.readTree(Files.readString(EXAMPLES.resolve(file))));
            assertThat(result.violations()).as(file).isEmpty();
            return result.spec().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static JsonNode read(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The older tool's config parameter value (§3.1), key for key and in its order. */
    static JsonNode legacyConfig(String endpoint, String tokenParameter, String stack, String idle, String... envVars) {
        ArrayNode env = MAPPER.createArrayNode();
        for (String v : envVars) {
            env.add(v);
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("endpoint", endpoint);
        c.put("agentTokenParameterName", tokenParameter);
        c.put("sshKeysParameterName", stack + "-ssh-public-keys");
        c.put("disconnectAfterJob", "true");
        c.put("disconnectAfterIdleTimeout", idle);
        c.put("envVars", env);
        c.put("usePreSignedURL", false);
        return MAPPER.valueToTree(c);
    }

    /** The first seven keys of the config are the older tool's, equal and in order; then the new ones. */
    static void assertConfigKeepsTheOlderToolsKeys(Deployed d, JsonNode legacy, String stack, int grace) {
        JsonNode config = d.config();
        List<String> keys = new ArrayList<>();
        config.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("endpoint", "agentTokenParameterName", "sshKeysParameterName", "disconnectAfterJob",
                "disconnectAfterIdleTimeout", "envVars", "usePreSignedURL", "stackName", "logGroupPrefix",
                "interruptionGracePeriodSeconds", "lifecycleHookName");
        legacy.properties().forEach(e -> assertThat(config.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue()));
        assertThat(config.get("stackName").asText()).isEqualTo(stack);
        assertThat(config.get("logGroupPrefix").asText()).isEqualTo("/semaphore-agent-stacks/" + stack);
        assertThat(config.get("interruptionGracePeriodSeconds").asInt()).isEqualTo(grace);
        assertThat(config.get("lifecycleHookName").asText()).isEqualTo(grace > 0 ? AgentStackNames.TERMINATE_LIFECYCLE_HOOK_NAME : "");
        assertThat(d.props("AgentConfig").get("Name").asText()).isEqualTo(stack + "-config");
        assertThat(d.props("AgentConfig").get("Type").asText()).isEqualTo("String");
        assertThat(d.props("SshKeys").get("Name").asText()).isEqualTo(stack + "-ssh-public-keys");
    }

    static final List<String> LINUX_LOG_GROUPS = List.of("agent", "system", "cloud-init", "cloud-init/output", "cfn-init");

    static void assertLogGroups(Deployed d, String stack, List<String> names) {
        List<String> made = d.resources().values().stream().filter(r -> r.get("Type").asText().equals("AWS::Logs::LogGroup"))
                .map(r -> r.at("/Properties/LogGroupName").asText()).toList();
        assertThat(made).containsExactlyInAnyOrderElementsOf(names.stream().map(n -> "/semaphore-agent-stacks/" + stack + "/" + n).toList());
        d.resources().values().stream().filter(r -> r.get("Type").asText().equals("AWS::Logs::LogGroup"))
                .forEach(r -> assertThat(r.at("/Properties/RetentionInDays").asInt()).isEqualTo(30));
        // The instances may write to these groups only.
        List<String> writable = new ArrayList<>();
        d.statement("WriteOwnLogs").get("Resource").forEach(a -> writable.add(a.asText()));
        assertThat(writable).hasSize(names.size()).allMatch(a -> a.startsWith("<GetAtt LogGroup") && a.endsWith(".Arn>"));
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    // ---- the example specs ----

    @Test
    void linuxSmallIsTheOlderToolsDefaultStackWithItsSizeTypeAndTags() {
        StackSpec spec = example("linux-small.json");
        Deployed d = deploy(spec, DEFAULT_VPC, Optional.empty());

        // The older tool's resources for this config (§3), less what the control plane now does once for all
        // stacks (scaler, AZRebalance suspender, SSH key updater), plus the instances' own log groups.
        assertThat(d.types()).containsExactly(
                "AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::LaunchTemplate", "AWS::EC2::SecurityGroup",
                "AWS::IAM::InstanceProfile", "AWS::IAM::Role", "AWS::Logs::LogGroup", "AWS::Logs::LogGroup",
                "AWS::Logs::LogGroup", "AWS::Logs::LogGroup", "AWS::Logs::LogGroup", "AWS::SSM::Parameter", "AWS::SSM::Parameter");
        assertConfigKeepsTheOlderToolsKeys(d, legacyConfig("my-org.semaphoreci.com", "/semaphore/agents/linux-small/token",
                "linux-small", "300"), "linux-small", 0);

        JsonNode asg = d.props("AutoScalingGroup");
        assertThat(asg.get("MinSize").asText()).isEqualTo("0");
        assertThat(asg.get("MaxSize").asText()).isEqualTo("5");
        assertThat(asg.has("DesiredCapacity")).as("desired is left to the scaler").isFalse();
        assertThat(asg.get("Cooldown").asText()).isEqualTo("60");
        assertThat(texts(asg.get("VPCZoneIdentifier"))).isEqualTo(DEFAULT_VPC.subnetIds());
        assertThat(asg.at("/MixedInstancesPolicy/InstancesDistribution")).isEqualTo(json(
                "{'OnDemandBaseCapacity': '0', 'OnDemandPercentageAboveBaseCapacity': '100'}"));
        assertThat(asg.at("/MixedInstancesPolicy/LaunchTemplate")).isEqualTo(json(
                "{'LaunchTemplateSpecification': {'LaunchTemplateId': '<Ref LaunchTemplate>', 'Version': '<GetAtt LaunchTemplate.LatestVersionNumber>'}}"));
        assertThat(asg.has("LaunchTemplate")).isFalse();
        assertThat(asg.has("MaxInstanceLifetime")).isFalse();
        assertThat(asg.has("MetricsCollection")).isFalse();
        assertThat(asg.has("LifecycleHookSpecificationList")).isFalse();
        assertThat(asg.get("CapacityRebalance").asText()).isEqualTo("false");
        assertThat(asg.get("NewInstancesProtectedFromScaleIn").asText()).isEqualTo("false");
        assertThat(asg.get("Tags")).containsExactlyInAnyOrderElementsOf(json("[{'Key': 'application', 'Value': 'semaphore-agent', 'PropagateAtLaunch': true},"
                + "{'Key': 'agent-stacks:os', 'Value': 'ubuntu-noble', 'PropagateAtLaunch': true},"
                + "{'Key': 'agent-stacks:arch', 'Value': 'x86_64', 'PropagateAtLaunch': true}]"));
        // The spec's tags go on every resource as CloudFormation stack tags, as Tags.of(stack) did.
        assertThat(AgentStackParameters.stackTags(spec)).containsEntry("Team", "platform")
                .containsEntry(AgentStackNames.TAG_STACK_NAME, "linux-small");

        JsonNode lt = d.props("LaunchTemplate").get("LaunchTemplateData");
        assertThat(lt.get("ImageId").asText()).isEqualTo("resolve:ssm:/semaphore-agent/ami/ubuntu-noble/x86_64");
        assertThat(lt.get("InstanceType").asText()).isEqualTo("t3.small");
        assertThat(texts(lt.get("SecurityGroupIds"))).containsExactly("<GetAtt SecurityGroup.GroupId>");
        assertThat(lt.has("NetworkInterfaces")).isFalse();
        assertThat(lt.has("KeyName")).isFalse();
        assertThat(lt.has("Placement")).isFalse();
        assertThat(lt.has("LicenseSpecifications")).isFalse();
        assertThat(lt.get("InstanceInitiatedShutdownBehavior").asText()).isEqualTo("terminate");
        assertThat(lt.get("IamInstanceProfile")).isEqualTo(json("{'Arn': '<GetAtt InstanceProfile.Arn>'}"));
        // The older tool left the AMI's volume alone without SEMAPHORE_AGENT_VOLUME_NAME; now the root volume is
        // always named, with the older tool's defaults (gp2, 64 GiB), so that it is encrypted.
        assertThat(lt.get("BlockDeviceMappings")).isEqualTo(json(
                "[{'DeviceName': '/dev/sda1', 'Ebs': {'VolumeType': 'gp2', 'VolumeSize': '64', 'Encrypted': true, 'DeleteOnTermination': true}}]"));
        assertThat(lt.get("MetadataOptions")).isEqualTo(json(
                "{'HttpEndpoint': 'enabled', 'HttpTokens': 'required', 'HttpPutResponseHopLimit': 2, 'InstanceMetadataTags': 'enabled'}"));
        assertThat(d.userData()).isEqualTo("#!/bin/bash\n/opt/semaphore/agent/start.sh linux-small-config");

        JsonNode sg = d.props("SecurityGroup");
        assertThat(sg.get("VpcId").asText()).isEqualTo(DEFAULT_VPC.vpcId());
        assertThat(sg.get("SecurityGroupEgress")).isEqualTo(json(
                "[{'IpProtocol': '-1', 'CidrIp': '0.0.0.0/0', 'Description': 'Allow all outbound traffic by default'}]"));
        assertThat(d.resources()).doesNotContainKeys("SecurityGroupSshIngress", "SecurityGroupIpv6Egress", "WarmPool", "Schedule1");
        assertLogGroups(d, "linux-small", LINUX_LOG_GROUPS);
        assertThat(d.outputs().get(AgentStackNames.OUTPUT_AUTO_SCALING_GROUP_NAME).asText()).isEqualTo("<Ref AutoScalingGroup>");
    }

    @Test
    void theArm64SpotFleetSpreadsOverItsOverridesWithItsSpotMixSubnetsVolumeCacheSchedulesAndGracePeriod() {
        StackSpec spec = example("linux-arm64-spot-private.json");
        ResolvedNetwork own = new ResolvedNetwork(spec.vpcId().orElseThrow(), spec.subnets(), List.of());
        Deployed d = deploy(spec, own, Optional.empty());

        assertConfigKeepsTheOlderToolsKeys(d, legacyConfig("my-org.semaphoreci.com", "/semaphore/agents/linux-arm64/token",
                "linux-arm64-spot", "300", "SEMAPHORE_CACHE_BACKEND=s3", "SEMAPHORE_CACHE_S3_BUCKET=my-org-semaphore-cache",
                "SEMAPHORE_CACHE_USE_EC2_INSTANCE_PROFILE=true"), "linux-arm64-spot", 120);

        JsonNode asg = d.props("AutoScalingGroup");
        assertThat(asg.get("MaxSize").asText()).isEqualTo("20");
        assertThat(texts(asg.get("VPCZoneIdentifier"))).containsExactly(
                "subnet-0a1b2c3d4e5f67891", "subnet-0a1b2c3d4e5f67892", "subnet-0a1b2c3d4e5f67893");
        assertThat(asg.has("AvailabilityZones")).isFalse();
        assertThat(asg.at("/MixedInstancesPolicy/InstancesDistribution")).isEqualTo(json(
                "{'OnDemandBaseCapacity': '1', 'OnDemandPercentageAboveBaseCapacity': '20', 'SpotAllocationStrategy': 'price-capacity-optimized'}"));
        assertThat(asg.at("/MixedInstancesPolicy/LaunchTemplate/Overrides")).isEqualTo(json(
                "[{'InstanceType': 'c7g.xlarge'}, {'InstanceType': 'm7g.xlarge'}, {'InstanceType': 'c6g.xlarge'}, {'InstanceType': 'c8g.xlarge'}]"));
        assertThat(asg.get("CapacityRebalance").asText()).isEqualTo("true");
        assertThat(asg.get("LifecycleHookSpecificationList")).isEqualTo(json("[{'LifecycleTransition': 'autoscaling:EC2_INSTANCE_TERMINATING', "
                + "'LifecycleHookName': 'semaphore-agent-graceful-shutdown', 'HeartbeatTimeout': '180', 'DefaultResult': 'CONTINUE'}]"));

        JsonNode lt = d.props("LaunchTemplate").get("LaunchTemplateData");
        assertThat(lt.get("ImageId").asText()).isEqualTo("resolve:ssm:/semaphore-agent/ami/ubuntu-noble/arm64");
        assertThat(lt.get("InstanceType").asText()).isEqualTo("c7g.xlarge");
        assertThat(lt.get("BlockDeviceMappings")).isEqualTo(json("[{'DeviceName': '/dev/sda1', 'Ebs': {'VolumeType': 'gp3', "
                + "'VolumeSize': '100', 'Iops': '4000', 'Throughput': '250', 'Encrypted': true, 'DeleteOnTermination': true}}]"));
        assertThat(d.props("SecurityGroup").get("VpcId").asText()).isEqualTo("vpc-0a1b2c3d4e5f67890");

        assertThat(d.statement("ListCacheBucket").get("Resource")).isEqualTo(json("['arn:aws:s3:::my-org-semaphore-cache']"));
        assertThat(d.statement("UseCacheBucket").get("Resource")).isEqualTo(json("['arn:aws:s3:::my-org-semaphore-cache/*']"));
        assertThat(texts(d.statement("UseCacheBucket").get("Action"))).containsExactly("s3:GetObject", "s3:PutObject", "s3:DeleteObject");

        assertThat(d.props("Schedule1")).isEqualTo(json("{'AutoScalingGroupName': '<Ref AutoScalingGroup>', "
                + "'Recurrence': '0 7 * * MON-FRI', 'MinSize': '2', 'TimeZone': 'Europe/Berlin'}"));
        assertThat(d.props("Schedule2")).isEqualTo(json("{'AutoScalingGroupName': '<Ref AutoScalingGroup>', "
                + "'Recurrence': '0 19 * * MON-FRI', 'MinSize': '0', 'TimeZone': 'Europe/Berlin'}"));
        assertThat(d.resources()).doesNotContainKeys("Schedule3", "WarmPool", "SecurityGroupSshIngress");
        assertThat(AgentStackParameters.stackTags(spec)).containsEntry("Team", "platform").containsEntry("CostCenter", "ci");
        assertLogGroups(d, "linux-arm64-spot", LINUX_LOG_GROUPS);
    }

    @Test
    void windowsBootsWithPowershellHasNoSshAndWaitsInAWarmPoolWithItsPlainLaunchTemplate() {
        StackSpec spec = example("windows.json").toBuilder().keyName(Optional.of("ops")).build();
        Deployed d = deploy(spec, DEFAULT_VPC, Optional.empty());

        assertConfigKeepsTheOlderToolsKeys(d, legacyConfig("my-org.semaphoreci.com", "/semaphore/agents/windows/token",
                "windows", "900"), "windows", 0);
        assertThat(d.userData()).isEqualTo("<powershell>C:\\semaphore-agent\\start.ps1 windows-config</powershell>");
        JsonNode lt = d.props("LaunchTemplate").get("LaunchTemplateData");
        assertThat(lt.get("ImageId").asText()).isEqualTo("resolve:ssm:/semaphore-agent/ami/windows/x86_64");
        assertThat(lt.get("InstanceType").asText()).isEqualTo("m6i.large");
        assertThat(lt.get("KeyName").asText()).isEqualTo("ops");
        assertThat(lt.at("/BlockDeviceMappings/0/DeviceName").asText()).isEqualTo("/dev/sda1");
        assertThat(lt.at("/BlockDeviceMappings/0/Ebs/VolumeSize").asText()).isEqualTo("128");
        // A key pair, but Windows: no SSH from anywhere (the older tool's rule: Windows goes through SSM).
        assertThat(d.resources()).doesNotContainKey("SecurityGroupSshIngress");

        JsonNode asg = d.props("AutoScalingGroup");
        assertThat(asg.has("MixedInstancesPolicy")).isFalse();
        assertThat(asg.get("LaunchTemplate")).isEqualTo(json("{'LaunchTemplateId': '<Ref LaunchTemplate>', 'Version': '<GetAtt LaunchTemplate.LatestVersionNumber>'}"));
        assertThat(d.props("WarmPool")).isEqualTo(json("{'AutoScalingGroupName': '<Ref AutoScalingGroup>', "
                + "'MinSize': '1', 'MaxGroupPreparedCapacity': '1', 'PoolState': 'Stopped'}"));
        assertLogGroups(d, "windows", List.of("agent", "system", "cfn-init", "EC2Launch/UserdataExecution"));
    }

    @Test
    void macosRunsOnItsHostResourceGroupWithItsLicenseInItsZones() {
        StackSpec spec = example("macos.json");
        ResolvedNetwork zones = new ResolvedNetwork(DEFAULT_VPC.vpcId(), List.of("subnet-0def000000000000a", "subnet-0def000000000000b"),
                List.of("us-east-1a", "us-east-1b"));
        Deployed d = deploy(spec, zones, Optional.of(HOST_GROUP));

        assertConfigKeepsTheOlderToolsKeys(d, legacyConfig("my-org.semaphoreci.com", "/semaphore/agents/macos/token",
                "macos", "86400"), "macos", 0);
        JsonNode lt = d.props("LaunchTemplate").get("LaunchTemplateData");
        assertThat(lt.get("Placement")).isEqualTo(json("{'HostResourceGroupArn': '" + HOST_GROUP + "'}"));
        assertThat(lt.get("LicenseSpecifications")).isEqualTo(json("[{'LicenseConfigurationArn': "
                + "'arn:aws:license-manager:us-east-1:123456789012:license-configuration:lic-0123456789abcdef0123456789abcdef'}]"));
        assertThat(lt.get("ImageId").asText()).isEqualTo("resolve:ssm:/semaphore-agent/ami/macos/arm64");
        assertThat(lt.get("InstanceType").asText()).isEqualTo("mac2.metal");
        assertThat(lt.at("/BlockDeviceMappings/0/Ebs/VolumeType").asText()).isEqualTo("gp3");
        assertThat(lt.at("/BlockDeviceMappings/0/Ebs/VolumeSize").asText()).isEqualTo("200");
        assertThat(d.userData()).isEqualTo("#!/bin/bash\n/opt/semaphore/agent/start.sh macos-config");
        // The older tool set AvailabilityZones; the deployer resolves the default subnets of those zones instead.
        assertThat(texts(d.props("AutoScalingGroup").get("VPCZoneIdentifier"))).containsExactly("subnet-0def000000000000a", "subnet-0def000000000000b");
        assertThat(d.props("AutoScalingGroup").at("/MaxSize").asText()).isEqualTo("2");
        // The host resource group is the allocator's (outside the stack, so that hosts outlive it until released).
        assertThat(d.types()).doesNotContain("AWS::ResourceGroups::Group");
        assertLogGroups(d, "macos", List.of("agent", "system", "cloud-init", "agent/health"));
    }

    @Test
    void theOlderToolsConfigDeploysWhatTheOlderToolDeployed() {
        StackSpec spec = example("legacy-config.json");
        Deployed d = deploy(spec, DEFAULT_VPC, Optional.empty());

        assertConfigKeepsTheOlderToolsKeys(d, legacyConfig("my-org.semaphoreci.com", "legacy-linux-token", "legacy-linux", "300"),
                "legacy-linux", 0);
        JsonNode lt = d.props("LaunchTemplate").get("LaunchTemplateData");
        assertThat(lt.get("ImageId").asText()).isEqualTo("resolve:ssm:/semaphore-agent/ami/ubuntu-jammy/x86_64");
        assertThat(lt.get("InstanceType").asText()).isEqualTo("t3.medium");
        assertThat(lt.get("BlockDeviceMappings")).isEqualTo(json(
                "[{'DeviceName': '/dev/sda1', 'Ebs': {'VolumeType': 'gp2', 'VolumeSize': '100', 'Encrypted': true, 'DeleteOnTermination': true}}]"));
        JsonNode asg = d.props("AutoScalingGroup");
        assertThat(asg.get("MinSize").asText()).isEqualTo("0");
        assertThat(asg.get("MaxSize").asText()).isEqualTo("5");
        assertThat(asg.has("DesiredCapacity")).isFalse();
        assertThat(asg.at("/MixedInstancesPolicy/InstancesDistribution")).isEqualTo(json(
                "{'OnDemandBaseCapacity': '0', 'OnDemandPercentageAboveBaseCapacity': '100'}"));
        assertThat(AgentStackParameters.stackTags(spec)).containsEntry("Team", "platform").containsEntry("Env", "ci");
        // The older tool's instance policy, scoped tighter: its own region and account, its own parameters.
        assertThat(d.statement("ReadOwnParameters").get("Resource")).isEqualTo(json("["
                + "'arn:aws:ssm:us-east-1:123456789012:parameter/legacy-linux-config',"
                + "'arn:aws:ssm:us-east-1:123456789012:parameter/legacy-linux-ssh-public-keys',"
                + "'arn:aws:ssm:us-east-1:123456789012:parameter/legacy-linux-token']"));
        assertThat(d.statement("DecryptOwnToken")).as("the aws/ssm key's own policy covers it").isNull();
        assertThat(texts(d.props("InstanceRole").get("ManagedPolicyArns")))
                .containsExactly("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
        assertLogGroups(d, "legacy-linux", LINUX_LOG_GROUPS);
    }

    // ---- settings no example uses ----

    static StackSpec small() {
        return example("linux-small.json");
    }

    @Test
    void aKeyPairOnLinuxOpensSshFromAnywhereAsTheOlderToolDid() {
        Deployed d = deploy(small().toBuilder().keyName(Optional.of("ops")).build(), DEFAULT_VPC, Optional.empty());
        assertThat(d.props("SecurityGroupSshIngress")).isEqualTo(json("{'GroupId': '<GetAtt SecurityGroup.GroupId>', "
                + "'IpProtocol': 'tcp', 'FromPort': 22, 'ToPort': 22, 'CidrIp': '0.0.0.0/0', 'Description': 'allow ssh access from anywhere'}"));
        assertThat(d.props("LaunchTemplate").at("/LaunchTemplateData/KeyName").asText()).isEqualTo("ops");
    }

    @Test
    void anExistingSecurityGroupIsUsedAndNoneIsCreatedEvenWithAKeyPair() {
        Deployed d = deploy(small().toBuilder().securityGroupId(Optional.of("sg-0123456789abcdef0")).keyName(Optional.of("ops")).build(),
                DEFAULT_VPC, Optional.empty());
        assertThat(d.types()).doesNotContain("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress");
        assertThat(texts(d.props("LaunchTemplate").at("/LaunchTemplateData/SecurityGroupIds"))).containsExactly("sg-0123456789abcdef0");
    }

    @Test
    void ipv6PutsTheGroupOnTheNetworkInterfaceWithOneIpv6AddressAndAllowsIpv6Egress() {
        Deployed d = deploy(small().toBuilder().useIpv6(true).build(), DEFAULT_VPC, Optional.empty());
        JsonNode lt = d.props("LaunchTemplate").get("LaunchTemplateData");
        assertThat(lt.has("SecurityGroupIds")).isFalse();
        assertThat(lt.get("NetworkInterfaces")).isEqualTo(json(
                "[{'DeviceIndex': 0, 'Groups': ['<GetAtt SecurityGroup.GroupId>'], 'Ipv6AddressCount': 1}]"));
        assertThat(d.props("SecurityGroupIpv6Egress").get("CidrIpv6").asText()).isEqualTo("::/0");
        Deployed own = deploy(small().toBuilder().useIpv6(true).securityGroupId(Optional.of("sg-1")).build(), DEFAULT_VPC, Optional.empty());
        assertThat(own.props("LaunchTemplate").at("/LaunchTemplateData/NetworkInterfaces/0/Groups")).isEqualTo(json("['sg-1']"));
        assertThat(own.resources()).doesNotContainKey("SecurityGroupIpv6Egress");
    }

    @Test
    void groupSettingsAmiPoliciesKeyAndWeightsReachTheirProperties() {
        StackSpec spec = small().toBuilder()
                .minSize(1).desiredCapacity(OptionalInt.of(2)).maxSize(9)
                .groupMetrics(List.of("GroupDesiredCapacity", "GroupInServiceInstances"))
                .maxInstanceLifetimeSeconds(86400)
                .newInstancesProtectedFromScaleIn(true)
                .ami(Optional.of("ami-0123456789abcdef0"))
                .managedPolicyNames(List.of("ci-extra", "team/ci-more"))
                .agentTokenKmsKey(Optional.of("alias/ci-tokens"))
                .launchTemplateOverrides(List.of(new io.agentstacks.spec.InstanceOverride("t3.small", OptionalInt.of(1)),
                        new io.agentstacks.spec.InstanceOverride("t3.large", OptionalInt.of(4))))
                .purchase(new Purchase(0, 0, Optional.of("prioritized"), Optional.of("capacity-optimized"), false))
                .build();
        Deployed d = deploy(spec, DEFAULT_VPC, Optional.empty());
        JsonNode asg = d.props("AutoScalingGroup");
        assertThat(asg.get("DesiredCapacity").asText()).isEqualTo("2");
        assertThat(asg.get("MinSize").asText()).isEqualTo("1");
        assertThat(asg.get("MetricsCollection")).isEqualTo(json(
                "[{'Granularity': '1Minute', 'Metrics': ['GroupDesiredCapacity', 'GroupInServiceInstances']}]"));
        assertThat(asg.get("MaxInstanceLifetime").asText()).isEqualTo("86400");
        assertThat(asg.get("NewInstancesProtectedFromScaleIn").asText()).isEqualTo("true");
        assertThat(asg.at("/MixedInstancesPolicy/InstancesDistribution")).isEqualTo(json("{'OnDemandBaseCapacity': '0', "
                + "'OnDemandPercentageAboveBaseCapacity': '0', 'OnDemandAllocationStrategy': 'prioritized', 'SpotAllocationStrategy': 'capacity-optimized'}"));
        assertThat(asg.at("/MixedInstancesPolicy/LaunchTemplate/Overrides")).isEqualTo(json(
                "[{'InstanceType': 't3.small', 'WeightedCapacity': '1'}, {'InstanceType': 't3.large', 'WeightedCapacity': '4'}]"));
        assertThat(d.props("LaunchTemplate").at("/LaunchTemplateData/ImageId").asText()).isEqualTo("ami-0123456789abcdef0");
        assertThat(texts(d.props("InstanceRole").get("ManagedPolicyArns"))).containsExactly(
                "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                "arn:aws:iam::123456789012:policy/ci-extra",
                "arn:aws:iam::123456789012:policy/team/ci-more");
        // A customer key, named by alias: decryption only through SSM, only for this stack's token parameter.
        assertThat(d.statement("DecryptOwnToken")).isEqualTo(json("{'Sid': 'DecryptOwnToken', 'Effect': 'Allow', "
                + "'Action': ['kms:Decrypt'], 'Resource': ['arn:aws:kms:us-east-1:*:key/*'], 'Condition': {'StringEquals': {"
                + "'kms:ViaService': 'ssm.us-east-1.amazonaws.com', "
                + "'kms:EncryptionContext:PARAMETER_ARN': 'arn:aws:ssm:us-east-1:123456789012:parameter/semaphore/agents/linux-small/token'}}}"));
    }

    @Test
    void everyManagedPolicySlotTheSpecAllowsIsFilledAndNoMore() {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= AgentStackTemplate.MANAGED_POLICY_SLOTS; i++) {
            names.add("p" + i);
        }
        Deployed d = deploy(small().toBuilder().managedPolicyNames(names).build(), DEFAULT_VPC, Optional.empty());
        assertThat(texts(d.props("InstanceRole").get("ManagedPolicyArns"))).hasSize(AgentStackTemplate.MANAGED_POLICY_SLOTS + 1)
                .endsWith("arn:aws:iam::123456789012:policy/p" + AgentStackTemplate.MANAGED_POLICY_SLOTS);
        assertThat(AgentStackTemplate.MANAGED_POLICY_SLOTS).isEqualTo(19);
    }

    @Test
    void tenSchedulesAndTenOverridesFillEverySlotInOrder() {
        List<io.agentstacks.spec.Schedule> schedules = new ArrayList<>();
        List<io.agentstacks.spec.InstanceOverride> overrides = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            schedules.add(new io.agentstacks.spec.Schedule("0 " + i + " * * *", OptionalInt.empty(), OptionalInt.of(i + 1), "Etc/UTC"));
            overrides.add(new io.agentstacks.spec.InstanceOverride("t3." + List.of("nano", "micro", "small", "medium", "large",
                    "xlarge", "2xlarge", "nano", "micro", "small").get(i), OptionalInt.empty()));
        }
        Deployed d = deploy(small().toBuilder().maxSize(20).schedules(schedules).launchTemplateOverrides(overrides).build(),
                DEFAULT_VPC, Optional.empty());
        for (int i = 1; i <= 10; i++) {
            assertThat(d.props("Schedule" + i).get("Recurrence").asText()).isEqualTo("0 " + (i - 1) + " * * *");
            assertThat(d.props("Schedule" + i).get("MaxSize").asText()).isEqualTo(Integer.toString(i));
            assertThat(d.props("Schedule" + i).has("MinSize")).isFalse();
        }
        assertThat(d.props("AutoScalingGroup").at("/MixedInstancesPolicy/LaunchTemplate/Overrides")).hasSize(10);
    }

    // ---- the template itself ----

    @Test
    void theTemplateDeclaresExactlyTheParametersTheDeployerPassesAllWithoutDefaults() {
        List<String> declared = new ArrayList<>();
        template.get("Parameters").fieldNames().forEachRemaining(declared::add);
        assertThat(declared).containsExactlyInAnyOrderElementsOf(AgentStackParameters.NAMES);
        template.get("Parameters").properties().forEach(e -> {
            assertThat(e.getValue().has("Default")).as(e.getKey()).isFalse();
            assertThat(e.getValue().get("Type").asText()).as(e.getKey())
                    .isEqualTo(AgentStackTemplate.LIST_PARAMETERS.contains(e.getKey()) ? "CommaDelimitedList" : "String");
        });
        assertThat(template.has("Rules")).as("no CDK bootstrap check: the control plane deploys it").isFalse();
        assertThat(template.at("/Resources/CDKMetadata").isMissingNode()).isTrue();
    }

    @Test
    void everyParameterIsUsedByAResourceAConditionOrAnOutput() {
        String body = template.get("Resources").toString() + template.get("Conditions") + template.get("Outputs");
        List<String> unused = AgentStackParameters.NAMES.stream()
                .filter(name -> !body.contains("{\"Ref\":\"" + name + "\"}") && !body.contains("${" + name + "}")).toList();
        assertThat(unused).isEmpty();
    }

    @Test
    void theStackOutputsItsGroupNameForTheDeployer() {
        assertThat(template.at("/Outputs/" + AgentStackNames.OUTPUT_AUTO_SCALING_GROUP_NAME + "/Value")).isEqualTo(json("{'Ref': 'AutoScalingGroup'}"));
    }

    @Test
    void theSshKeysAreGithubsPublishedHostKeys() throws Exception {
        // Fingerprints as GitHub publishes them (docs.github.com, "GitHub's SSH key fingerprints").
        Map<String, String> published = Map.of(
                "ssh-ed25519", "+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU",
                "ecdsa-sha2-nistp256", "p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM",
                "ssh-rsa", "uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s");
        JsonNode keys = read(template.at("/Resources/SshKeys/Properties/Value").asText());
        assertThat(keys).hasSize(3);
        for (JsonNode key : keys) {
            String[] parts = key.asText().split(" ");
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(parts[1]));
            assertThat(Base64.getEncoder().withoutPadding().encodeToString(digest)).as(parts[0]).isEqualTo(published.get(parts[0]));
        }
    }

    @Test
    void cdkNagAwsSolutionsFindsNoUnsuppressedErrorOrWarningAndEverySuppressionSaysWhy() {
        assertThat(Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-.*"))).isEmpty();
        assertThat(Annotations.fromStack(stack).findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"))).isEmpty();
        IamStatements.assertEverySuppressionHasAReason(template);
    }

    @Test
    void everyIamStatementNamesItsResourcesOrCarriesTheReasonItCannot() {
        IamStatements.assertWildcardsAreExplained(template);
    }

    @Test
    void theTemplateIsTheSameByteForByteFromOneJvmToTheNextSoThatItsAssetOnlyChangesWithIt() throws Exception {
        // Map.of iterates in an order seeded per JVM: a template built from it would differ on every synth.
        Path here = AgentStackTemplate.synthesize(Files.createTempDirectory("agent-stack-here"));
        Path there = Files.createTempDirectory("agent-stack-there");
        Process fork = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SynthesizeAgentStack.class.getName(), there.toString())
                .redirectErrorStream(true).redirectOutput(there.resolve("fork.log").toFile()).start();
        assertThat(fork.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(fork.exitValue()).as(Files.readString(there.resolve("fork.log"))).isZero();
        assertThat(Files.readString(there.resolve(AgentStackTemplate.TEMPLATE_FILE))).isEqualTo(Files.readString(here));
    }

    @Test
    void synthesizingAloneWritesTheTemplateFile() throws Exception {
        Path file = AgentStackTemplate.synthesize(Files.createTempDirectory("agent-stack"));
        assertThat(file.getFileName().toString()).isEqualTo(AgentStackTemplate.TEMPLATE_FILE);
        assertThat(read(Files.readString(file)).get("Parameters")).hasSize(AgentStackParameters.NAMES.size());
    }
}
