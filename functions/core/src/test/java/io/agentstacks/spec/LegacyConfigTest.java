package io.agentstacks.spec;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static io.agentstacks.spec.SpecTestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/** Conversion of the older tool's SEMAPHORE_* configuration, with its own test cases among them. */
class LegacyConfigTest {

    private static final String REQUIRED = """
            "SEMAPHORE_AGENT_STACK_NAME": "test-stack", "SEMAPHORE_AGENT_TOKEN_PARAMETER_NAME": "test-token",
            "SEMAPHORE_ORGANIZATION": "test\"""";

    private static SpecResult read(String keys) {
        return SpecReader.read(json("{" + REQUIRED + (keys.isEmpty() ? "" : ", " + keys) + "}"));
    }

    private static SpecResult read(String keys, Map<String, String> env) {
        return SpecReader.readLegacy(json("{" + REQUIRED + (keys.isEmpty() ? "" : ", " + keys) + "}"), env);
    }

    private static StackSpec spec(SpecResult result) {
        assertThat(result.violations()).as("violations").isEmpty();
        return result.spec().orElseThrow();
    }

    // --- the older tool's own test cases ---

    @Test
    void aConfigWithoutAStackNameIsRefusedNamingTheOlderKey() {
        SpecResult result = SpecReader.read(json("""
                {"SEMAPHORE_AGENT_TOKEN_PARAMETER_NAME": "test-token", "SEMAPHORE_ORGANIZATION": "test"}"""));

        assertThat(result.violations()).extracting(Violation::describe)
                .containsExactly("stackName: is required (SEMAPHORE_AGENT_STACK_NAME)");
    }

    @Test
    void aVpcWithoutSubnetsIsRefusedNamingTheOlderKey() {
        SpecResult result = read("\"SEMAPHORE_AGENT_VPC_ID\": \"vpc-0123456789abcdef0\"");

        assertThat(result.violations()).extracting(Violation::field, v -> v.legacyKey().orElseThrow())
                .containsExactly(tuple("subnets", "SEMAPHORE_AGENT_SUBNETS"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"number", "percentage"})
    void anOverprovisionFactorThatIsNotANumberIsInvalid(String strategy) {
        SpecResult result = read("\"SEMAPHORE_AGENT_OVERPROVISION_STRATEGY\": \"" + strategy + "\", "
                + "\"SEMAPHORE_AGENT_OVERPROVISION_FACTOR\": \"not-a-number\"");

        assertThat(result.violations()).extracting(Violation::describe).containsExactly(
                "scaling.overprovision.factor: is invalid: not a whole number (SEMAPHORE_AGENT_OVERPROVISION_FACTOR)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"number", "percentage"})
    void aNegativeOverprovisionFactorMustBeGreaterThanZero(String strategy) {
        SpecResult result = read("\"SEMAPHORE_AGENT_OVERPROVISION_STRATEGY\": \"" + strategy + "\", "
                + "\"SEMAPHORE_AGENT_OVERPROVISION_FACTOR\": \"-1\"");

        assertThat(result.violations()).extracting(Violation::describe).containsExactly(
                "scaling.overprovision.factor: must be greater than zero (SEMAPHORE_AGENT_OVERPROVISION_FACTOR)");
    }

    @Test
    void aStrategyWithoutAFactorFailsAsTheOlderDefaultZeroDid() {
        assertThat(read("\"SEMAPHORE_AGENT_OVERPROVISION_STRATEGY\": \"number\"").violations())
                .extracting(Violation::field).containsExactly("scaling.overprovision.factor");
    }

    @Test
    void anUnknownStrategyIsInvalid() {
        assertThat(read("\"SEMAPHORE_AGENT_OVERPROVISION_STRATEGY\": \"double\"").violations())
                .extracting(Violation::field, v -> v.legacyKey().orElseThrow())
                .containsExactly(tuple("scaling.overprovision.strategy", "SEMAPHORE_AGENT_OVERPROVISION_STRATEGY"));
    }

    @Test
    void withStrategyNoneTheFactorIsIgnoredAsTheOlderToolDid() {
        SpecResult result = read("\"SEMAPHORE_AGENT_OVERPROVISION_FACTOR\": \"not-a-number\"");

        assertThat(spec(result).scaling().overprovision()).isEqualTo(Overprovision.none());
        assertThat(result.warnings()).extracting(Violation::field).contains("scaling.overprovision.factor");
    }

    @Test
    void tagsAreTrimmedPairs() {
        StackSpec s = spec(read("\"SEMAPHORE_AGENT_TAGS\": \" Name : Something ,Category:SomethingElse\""));

        assertThat(s.tags()).containsExactly(Map.entry("Name", "Something"), Map.entry("Category", "SomethingElse"));
    }

    @Test
    void aTagValueMayContainColonsAndTrailingCommasAreDropped() {
        StackSpec s = spec(read("\"SEMAPHORE_AGENT_TAGS\": \"Url:https://ci.example.com:8443,Team:ci,\""));

        assertThat(s.tags()).containsExactly(Map.entry("Url", "https://ci.example.com:8443"), Map.entry("Team", "ci"));
    }

    @Test
    void aTagWithoutAColonIsAViolationNotACrash() {
        SpecResult result = read("\"SEMAPHORE_AGENT_TAGS\": \"Team:ci,oops\"");

        assertThat(result.violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("tags");
            assertThat(v.legacyKey()).contains("SEMAPHORE_AGENT_TAGS");
            assertThat(v.rejectedValue()).contains("oops");
        });
    }

    @Test
    void anEndpointThatWouldCarryTheTokenInCleartextIsRefusedNamingTheOlderKey() {
        SpecResult result = read("\"SEMAPHORE_ENDPOINT\": \"http://10.0.0.1:8080\"");

        assertThat(result.violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("semaphoreEndpoint");
            assertThat(v.legacyKey()).contains("SEMAPHORE_ENDPOINT");
            assertThat(v.message()).contains("no http://, IP address, port");
        });
    }

    @Test
    void aTagKeyThatInstancesCannotCarryInTheirMetadataIsRefusedNamingTheOlderKey() {
        SpecResult result = read("\"SEMAPHORE_AGENT_TAGS\": \"Cost Center:42,Team:ci\"");

        assertThat(result.violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("tags");
            assertThat(v.legacyKey()).contains("SEMAPHORE_AGENT_TAGS");
            assertThat(v.rejectedValue()).contains("Cost Center");
            assertThat(v.message()).contains("no spaces or /");
        });
    }

    // --- environment over file ---

    @Test
    void environmentVariablesOverrideTheFileKeyByKey() {
        StackSpec s = spec(read("\"SEMAPHORE_AGENT_ASG_MAX_SIZE\": \"3\", \"SEMAPHORE_AGENT_INSTANCE_TYPE\": \"t3.small\"",
                Map.of("SEMAPHORE_AGENT_ASG_MAX_SIZE", "5", "HOME", "/root")));

        assertThat(s.maxSize()).isEqualTo(5);
        assertThat(s.instanceType()).isEqualTo("t3.small");
    }

    @Test
    void anEmptyEnvironmentVariableHidesTheFileValueAndTheDefaultApplies() {
        SpecResult result = read("\"SEMAPHORE_AGENT_DISCONNECT_AFTER_IDLE_TIMEOUT\": \"900\"",
                Map.of("SEMAPHORE_AGENT_DISCONNECT_AFTER_IDLE_TIMEOUT", ""));

        assertThat(spec(result).disconnectAfterIdleSeconds()).isEqualTo(300);
        assertThat(result.warnings()).extracting(Violation::field).contains("disconnectAfterIdleSeconds");
    }

    @Test
    void theEnvironmentAloneIsAConfiguration() {
        SpecResult result = SpecReader.readLegacy(null, Map.of("SEMAPHORE_AGENT_STACK_NAME", "env-stack",
                "SEMAPHORE_AGENT_TOKEN_PARAMETER_NAME", "env-token", "SEMAPHORE_ENDPOINT", "acme.semaphoreci.com",
                "SEMAPHORE_GIT_BRANCH", "main", "SEMAPHORE_AGENT_MACHINE_TYPE", "e1-standard-2"));

        assertThat(spec(result).stackName()).isEqualTo("env-stack");
        assertThat(result.legacy()).isTrue();
        assertThat(result.warnings()).extracting(Violation::field).containsExactly("os");
    }

    // --- values as the older tool read them ---

    @Test
    void onlyTheStringTrueIsTrue() {
        SpecResult result = read("\"SEMAPHORE_AGENT_USE_IPV6\": \"true\", \"SEMAPHORE_AGENT_USE_PRE_SIGNED_URL\": \"TRUE\","
                + "\"SEMAPHORE_AGENT_DISCONNECT_AFTER_JOB\": \"false\", \"SEMAPHORE_AGENT_ALLOW_PUBLIC_SUBNET\": \"1\"");
        StackSpec s = spec(result);

        assertThat(s.useIpv6()).isTrue();
        assertThat(s.usePreSignedUrl()).isFalse();
        assertThat(s.disconnectAfterJob()).isFalse();
        assertThat(s.allowPublicSubnet()).isFalse();
        assertThat(result.warnings()).extracting(Violation::field)
                .contains("usePreSignedUrl", "allowPublicSubnet").doesNotContain("disconnectAfterJob", "useIpv6");
    }

    @Test
    void unsetBooleansKeepTheOlderDefaults() {
        StackSpec s = spec(read(""));

        assertThat(s.disconnectAfterJob()).isTrue();
        assertThat(s.dynamicScaling()).isTrue();
        assertThat(s.usePreSignedUrl()).isFalse();
        assertThat(s.mac().autoAllocateHost()).isTrue();
    }

    @Test
    void listsAreSplitOnCommasTrimmedAndEmptyItemsDropped() {
        StackSpec s = spec(read("\"SEMAPHORE_AGENT_AZS\": \" us-east-1a, ,us-east-1b ,\","
                + "\"SEMAPHORE_AGENT_MANAGED_POLICY_NAMES\": \",\""));

        assertThat(s.availabilityZones()).containsExactly("us-east-1a", "us-east-1b");
        assertThat(s.managedPolicyNames()).isEmpty();
    }

    @Test
    void numbersAreParsedStrictly() {
        SpecResult result = read("\"SEMAPHORE_AGENT_VOLUME_NAME\": \"/dev/sda1\", \"SEMAPHORE_AGENT_VOLUME_SIZE\": \"64GB\","
                + "\"SEMAPHORE_AGENT_ASG_MAX_SIZE\": \" 4 \"");

        assertThat(result.violations()).extracting(Violation::describe)
                .containsExactly("volume.sizeGib: is not a whole number (SEMAPHORE_AGENT_VOLUME_SIZE)");
        assertThat(result.violations().get(0).rejectedValue()).contains("64GB");
    }

    @Test
    void aJsonNumberOrBooleanInTheFileIsRefusedBecauseTheOlderToolMisreadIt() {
        SpecResult result = read("\"SEMAPHORE_AGENT_DISCONNECT_AFTER_IDLE_TIMEOUT\": 0, \"SEMAPHORE_AGENT_USE_IPV6\": true");

        assertThat(result.violations()).extracting(Violation::field, v -> v.legacyKey().orElseThrow())
                .containsExactlyInAnyOrder(tuple("disconnectAfterIdleSeconds", "SEMAPHORE_AGENT_DISCONNECT_AFTER_IDLE_TIMEOUT"),
                        tuple("useIpv6", "SEMAPHORE_AGENT_USE_IPV6"));
    }

    @Test
    void nullAndEmptyStringMeanUnset() {
        StackSpec s = spec(read("\"SEMAPHORE_AGENT_INSTANCE_TYPE\": null, \"SEMAPHORE_AGENT_ASG_DESIRED\": \"\""));

        assertThat(s.instanceType()).isEqualTo("t2.micro");
        assertThat(s.desiredCapacity()).isEmpty();
    }

    @Test
    void theOsKeepsTheOlderDefaultWithAWarning() {
        SpecResult result = read("");

        assertThat(spec(result).os()).isEqualTo(OperatingSystem.UBUNTU_FOCAL);
        assertThat(result.warnings()).singleElement().satisfies(w -> {
            assertThat(w.field()).isEqualTo("os");
            assertThat(w.legacyKey()).contains("SEMAPHORE_AGENT_OS");
            assertThat(w.message()).contains("past its standard support");
        });
    }

    @Test
    void unknownAndObsoleteKeysAreIgnoredWithAWarning() {
        SpecResult result = read("\"SEMAPHORE_AGENT_VERSION\": \"v2.0.18\", \"SEMAPHORE_AGENT_ASG_WARM_POOL_STATE\": \"Stopped\","
                + "\"SEMAPHORE_AGENT_INSTANCE_TYP\": \"t3.micro\", \"SEMAPHORE_AGENT_STACK_CONFIG\": \"config.json\"");

        assertThat(result.isValid()).isTrue();
        assertThat(result.warnings()).extracting(Violation::field).contains("SEMAPHORE_AGENT_VERSION",
                "SEMAPHORE_AGENT_ASG_WARM_POOL_STATE", "SEMAPHORE_AGENT_INSTANCE_TYP", "SEMAPHORE_AGENT_STACK_CONFIG");
        assertThat(result.warnings()).filteredOn(w -> w.field().equals("SEMAPHORE_AGENT_ASG_WARM_POOL_STATE"))
                .singleElement().satisfies(w -> assertThat(w.message()).contains("warmPool"));
    }

    @Test
    void unknownEnvironmentVariablesOfTheAgentPrefixAreWarnedAboutAndOthersIgnored() {
        SpecResult result = read("", Map.of("SEMAPHORE_AGENT_INSTANCE_TYP", "t3.micro", "SEMAPHORE_JOB_ID", "1",
                "SEMAPHORE_AGENT_STACK_CONFIG", "config.json"));

        assertThat(result.warnings()).extracting(Violation::field)
                .containsExactlyInAnyOrder("os", "SEMAPHORE_AGENT_INSTANCE_TYP");
    }

    @Test
    void settingsTheOlderToolAcceptedButIgnoredAreLeftOutWithAWarning() {
        SpecResult result = read("\"SEMAPHORE_AGENT_SUBNETS\": \"subnet-12345678\", \"SEMAPHORE_AGENT_VOLUME_TYPE\": \"io1\","
                + "\"SEMAPHORE_AGENT_VOLUME_SIZE\": \"20\"");
        StackSpec s = spec(result);

        assertThat(s.subnets()).isEmpty();
        assertThat(s.volume()).isEqualTo(Volume.defaults());
        assertThat(result.warnings()).extracting(Violation::field, v -> v.legacyKey().orElseThrow()).contains(
                tuple("subnets", "SEMAPHORE_AGENT_SUBNETS"), tuple("volume.type", "SEMAPHORE_AGENT_VOLUME_TYPE"),
                tuple("volume.sizeGib", "SEMAPHORE_AGENT_VOLUME_SIZE"));
    }

    @Test
    void throughputOnAVolumeOtherThanGp3IsLeftOutAsTheOlderToolDid() {
        SpecResult result = read("\"SEMAPHORE_AGENT_VOLUME_NAME\": \"/dev/sda1\", \"SEMAPHORE_AGENT_VOLUME_THROUGHPUT\": \"300\"");

        assertThat(spec(result).volume().throughputMibps()).isEmpty();
        assertThat(result.warnings()).extracting(Violation::field).contains("volume.throughputMibps");
    }

    // --- overrides in JSON ---

    @Test
    void theForksSingleOverrideObjectBecomesAOneEntryList() {
        StackSpec s = spec(read("\"SEMAPHORE_AGENT_ASG_LAUNCH_TEMPLATE_OVERRIDES_JSON\": "
                + "\"{\\\"InstanceType\\\": \\\"t3.large\\\", \\\"WeightedCapacity\\\": \\\"2\\\"}\""));

        assertThat(s.launchTemplateOverrides()).containsExactly(new InstanceOverride("t3.large", OptionalInt.of(2)));
    }

    @Test
    void upstreamInstanceRequirementsBecomeAnOverrideInCloudFormationNames() {
        StackSpec s = spec(read("\"SEMAPHORE_AGENT_ASG_INSTANCE_REQUIREMENTS_JSON\": \"{\\\"vCpuCount\\\": {\\\"min\\\": 2, "
                + "\\\"max\\\": 4}, \\\"memoryMiB\\\": {\\\"min\\\": 4096}, \\\"totalLocalStorageGb\\\": {\\\"min\\\": 10}, "
                + "\\\"cpuManufacturers\\\": [\\\"intel\\\"]}\""));

        assertThat(s.launchTemplateOverrides()).singleElement().satisfies(o -> {
            assertThat(o.instanceType()).isEmpty();
            assertThat(o.instanceRequirements()).map(JsonNode::toString).contains("{\"VCpuCount\":{\"Min\":2,\"Max\":4},"
                    + "\"MemoryMiB\":{\"Min\":4096},\"TotalLocalStorageGB\":{\"Min\":10},\"CpuManufacturers\":[\"intel\"]}");
        });
    }

    @Test
    void anInstanceRequirementTheTemplateCannotTakeIsRefusedNamingTheOlderKey() {
        SpecResult result = read("\"SEMAPHORE_AGENT_ASG_INSTANCE_REQUIREMENTS_JSON\": \"{\\\"vCpuCount\\\": {\\\"min\\\": 2}, "
                + "\\\"memoryMiB\\\": {\\\"min\\\": 4096}, \\\"acceleratorCount\\\": {\\\"min\\\": 1}}\"");

        assertThat(result.violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("launchTemplateOverrides[0].instanceRequirements.AcceleratorCount");
            assertThat(v.message()).contains("not supported by the agent-stack template");
            assertThat(v.legacyKey()).contains("SEMAPHORE_AGENT_ASG_INSTANCE_REQUIREMENTS_JSON");
        });
    }

    @Test
    void instanceRequirementsFromBothOlderKeysAreRefusedForTheTemplatesOneSlotNamingTheSecondKey() {
        SpecResult result = read("\"SEMAPHORE_AGENT_ASG_LAUNCH_TEMPLATE_OVERRIDES_JSON\": \"{\\\"InstanceRequirements\\\": "
                + "{\\\"VCpuCount\\\": {\\\"Min\\\": 2}, \\\"MemoryMiB\\\": {\\\"Min\\\": 4096}}}\", "
                + "\"SEMAPHORE_AGENT_ASG_INSTANCE_REQUIREMENTS_JSON\": \"{\\\"vCpuCount\\\": {\\\"min\\\": 4}, "
                + "\\\"memoryMiB\\\": {\\\"min\\\": 8192}}\"");

        assertThat(result.violations()).extracting(Violation::field, v -> v.legacyKey().orElseThrow())
                .containsExactly(tuple("launchTemplateOverrides[1].instanceRequirements",
                        "SEMAPHORE_AGENT_ASG_INSTANCE_REQUIREMENTS_JSON"));
    }

    @Test
    void overridesThatAreNotJsonAreRefusedNamingTheOlderKey() {
        SpecResult result = read("\"SEMAPHORE_AGENT_ASG_INSTANCE_REQUIREMENTS_JSON\": \"{vCpuCount: 2\"");

        assertThat(result.violations()).extracting(Violation::field, v -> v.legacyKey().orElseThrow())
                .containsExactly(tuple("launchTemplateOverrides", "SEMAPHORE_AGENT_ASG_INSTANCE_REQUIREMENTS_JSON"));
    }

    @Test
    void aProblemInsideAConvertedOverrideNamesItsKey() {
        SpecResult result = read("\"SEMAPHORE_AGENT_ASG_LAUNCH_TEMPLATE_OVERRIDES_JSON\": \"{\\\"InstanceType\\\": \\\"c7g.large\\\"}\"");

        assertThat(result.violations()).extracting(Violation::field, v -> v.legacyKey().orElseThrow()).containsExactly(
                tuple("launchTemplateOverrides[0].instanceType", "SEMAPHORE_AGENT_ASG_LAUNCH_TEMPLATE_OVERRIDES_JSON"));
    }

    // --- whole configurations ---

    @Test
    void aFullOlderConfigConvertsToASpecOfTheSameMeaningFieldByField() {
        JsonNode config = SpecTestSupport.readJson(Path.of("src/test/resources/legacy/full-config.json"));
        SpecResult result = SpecReader.read(config);
        StackSpec s = spec(result);

        assertThat(result.legacy()).isTrue();
        // The one setting that no longer applies: the older tool's per-stack scaler ran in the VPC.
        assertThat(result.warnings()).extracting(Violation::field).containsExactly("allowPublicSubnet");
        assertThat(s.stackName()).isEqualTo("linux-large");
        assertThat(s.agentTokenParameterName()).isEqualTo("linux-large-token");
        assertThat(s.agentTokenKmsKey()).contains("1234abcd-12ab-34cd-56ef-1234567890ab");
        // SEMAPHORE_ENDPOINT empty: the organization gives the endpoint, as getSemaphoreEndpoint() did.
        assertThat(s.semaphoreEndpoint()).isEmpty();
        assertThat(s.endpointHost()).isEqualTo("acme.semaphoreci.com");
        assertThat(s.instanceType()).isEqualTo("c6i.large");
        assertThat(s.minSize()).isEqualTo(1);
        assertThat(s.maxSize()).isEqualTo(10);
        // ASG_DESIRED empty: DesiredCapacity left out of the group.
        assertThat(s.desiredCapacity()).isEmpty();
        assertThat(s.groupMetrics()).containsExactly("GroupDesiredCapacity", "GroupInServiceInstances",
                "GroupPendingInstances");
        assertThat(s.maxInstanceLifetimeSeconds()).isEqualTo(86_400);
        assertThat(s.launchTemplateOverrides()).containsExactly(new InstanceOverride("c6a.large", OptionalInt.empty()));
        assertThat(s.purchase().capacityRebalance()).isTrue();
        assertThat(s.newInstancesProtectedFromScaleIn()).isFalse();
        assertThat(s.disconnectAfterJob()).isFalse();
        assertThat(s.disconnectAfterIdleSeconds()).isEqualTo(600);
        assertThat(s.os()).isEqualTo(OperatingSystem.UBUNTU_JAMMY);
        assertThat(s.arch()).isEqualTo(Arch.X86_64);
        assertThat(s.securityGroupId()).contains("sg-0123456789abcdef0");
        assertThat(s.keyName()).contains("ci-key");
        assertThat(s.cacheBucketName()).contains("acme-semaphore-cache");
        assertThat(s.vpcId()).contains("vpc-0123456789abcdef0");
        // getAsList: split, trim, drop empty items.
        assertThat(s.subnets()).containsExactly("subnet-0123456789abcdef0", "subnet-0123456789abcdef1");
        assertThat(s.dynamicScaling()).isTrue();
        assertThat(s.ami()).contains("ami-0123456789abcdef0");
        assertThat(s.managedPolicyNames()).containsExactly("SemaphoreArtifacts", "SemaphoreEcr");
        assertThat(s.volume()).isEqualTo(new Volume(Optional.of("/dev/sda1"), "gp3", 200, OptionalInt.of(4500),
                OptionalInt.of(450)));
        // The older getTags() cut "eng:42" to "eng" (a bug, notes §8.4); the value is kept whole.
        assertThat(s.tags()).containsExactly(Map.entry("Team", "CI"), Map.entry("CostCenter", "eng:42"));
        assertThat(s.mac()).isEqualTo(Mac.defaults());
        assertThat(s.availabilityZones()).isEmpty();
        assertThat(s.usePreSignedUrl()).isTrue();
        assertThat(s.scaling().overprovision()).isEqualTo(new Overprovision(OverprovisionStrategy.PERCENTAGE, 25));
        // The older scaler only ever raised capacity.
        assertThat(s.scaling().policy()).isEqualTo(ScalingPolicyKind.UP_ONLY);
        assertThat(s.useIpv6()).isFalse();
        assertThat(s.allowPublicSubnet()).isTrue();
        assertThat(s.purchase()).isEqualTo(new Purchase(1, 50, Optional.of("lowest-price"),
                Optional.of("price-capacity-optimized"), true));
        assertThat(s.pollIntervalSeconds()).isEqualTo(10);
        assertThat(s.warmPool()).isEmpty();
        assertThat(s.schedules()).isEmpty();
    }

    @Test
    void theDocumentedMacOsConfigConvertsAndValidates() {
        SpecResult result = SpecReader.read(json("""
                {"SEMAPHORE_AGENT_STACK_NAME": "mac-agents", "SEMAPHORE_AGENT_TOKEN_PARAMETER_NAME": "mac-token",
                 "SEMAPHORE_ORGANIZATION": "acme", "SEMAPHORE_AGENT_OS": "macos",
                 "SEMAPHORE_AGENT_DISCONNECT_AFTER_IDLE_TIMEOUT": "86400", "SEMAPHORE_AGENT_MAC_FAMILY": "mac1",
                 "SEMAPHORE_AGENT_INSTANCE_TYPE": "mac1.metal", "SEMAPHORE_AGENT_AZS": "us-east-1a,us-east-1b,us-east-1d",
                 "SEMAPHORE_AGENT_LICENSE_CONFIGURATION_ARN":
                   "arn:aws:license-manager:us-east-1:123456789012:license-configuration:lic-0123456789abcdef0123456789abcdef"}"""));
        StackSpec s = spec(result);

        assertThat(s.mac().families()).containsExactly("mac1");
        assertThat(s.availabilityZones()).hasSize(3);
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void theOlderKeysOfTheNotesAllConvert() {
        List<String> keys = List.of("SEMAPHORE_AGENT_STACK_NAME", "SEMAPHORE_AGENT_TOKEN_PARAMETER_NAME",
                "SEMAPHORE_ENDPOINT", "SEMAPHORE_ORGANIZATION", "SEMAPHORE_AGENT_INSTANCE_TYPE",
                "SEMAPHORE_AGENT_ASG_MIN_SIZE", "SEMAPHORE_AGENT_ASG_MAX_SIZE", "SEMAPHORE_AGENT_ASG_DESIRED",
                "SEMAPHORE_AGENT_ASG_METRICS", "SEMAPHORE_AGENT_ASG_MAX_INSTANCE_LIFETIME",
                "SEMAPHORE_AGENT_ASG_INSTANCE_REQUIREMENTS_JSON", "SEMAPHORE_AGENT_DISCONNECT_AFTER_JOB",
                "SEMAPHORE_AGENT_DISCONNECT_AFTER_IDLE_TIMEOUT", "SEMAPHORE_AGENT_OS", "SEMAPHORE_AGENT_ARCH",
                "SEMAPHORE_AGENT_SECURITY_GROUP_ID", "SEMAPHORE_AGENT_KEY_NAME", "SEMAPHORE_AGENT_CACHE_BUCKET_NAME",
                "SEMAPHORE_AGENT_TOKEN_KMS_KEY", "SEMAPHORE_AGENT_VPC_ID", "SEMAPHORE_AGENT_SUBNETS",
                "SEMAPHORE_AGENT_USE_DYNAMIC_SCALING", "SEMAPHORE_AGENT_AMI", "SEMAPHORE_AGENT_MANAGED_POLICY_NAMES",
                "SEMAPHORE_AGENT_VOLUME_NAME", "SEMAPHORE_AGENT_VOLUME_TYPE", "SEMAPHORE_AGENT_VOLUME_SIZE",
                "SEMAPHORE_AGENT_VOLUME_IOPS", "SEMAPHORE_AGENT_VOLUME_THROUGHPUT", "SEMAPHORE_AGENT_TAGS",
                "SEMAPHORE_AGENT_LICENSE_CONFIGURATION_ARN", "SEMAPHORE_AGENT_MAC_FAMILY",
                "SEMAPHORE_AGENT_MAC_DEDICATED_HOSTS", "SEMAPHORE_AGENT_AZS", "SEMAPHORE_AGENT_USE_PRE_SIGNED_URL",
                "SEMAPHORE_AGENT_OVERPROVISION_STRATEGY", "SEMAPHORE_AGENT_OVERPROVISION_FACTOR",
                "SEMAPHORE_AGENT_USE_IPV6", "SEMAPHORE_AGENT_ALLOW_PUBLIC_SUBNET",
                "SEMAPHORE_AGENT_ON_DEMAND_BASE_CAPACITY", "SEMAPHORE_AGENT_ON_DEMAND_PERCENTAGE_ABOVE_BASE",
                "SEMAPHORE_AGENT_SPOT_ALLOCATION_STRATEGY",
                // The fork's keys (notes, Appendix A) and the issue's.
                "SEMAPHORE_AGENT_ASG_LAUNCH_TEMPLATE_OVERRIDES_JSON", "SEMAPHORE_AGENT_ON_DEMAND_ALLOCATION_STRATEGY",
                "SEMAPHORE_AGENT_ASG_CAPACITY_REBALANCE", "SEMAPHORE_AGENT_ASG_NEW_INSTANCES_PROTECTED_FROM_SCALE_IN",
                "SEMAPHORE_AGENT_AUTO_ALLOCATE_HOST", "SEMAPHORE_AGENT_AUTO_RELEASE_HOST");

        assertThat(keys).allSatisfy(k -> assertThat(SpecFields.byLegacyKey(k)).as(k).isPresent());
        assertThat(SpecFields.all().stream().flatMap(f -> f.legacyKey().stream()).toList())
                .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(keys);
    }
}
