package io.agentstacks.spec;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;

import static io.agentstacks.spec.SpecTestSupport.base;
import static io.agentstacks.spec.SpecTestSupport.json;
import static io.agentstacks.spec.SpecTestSupport.merge;
import static org.assertj.core.api.Assertions.assertThat;

class SpecReaderTest {

    @Test
    void aSpecWithFiveMistakesGetsExactlyFiveViolationsNamingTheFiveFields() {
        SpecResult result = SpecReader.read(json("""
                {"stackName": "1st-agents", "agentTokenParameterName": "/semaphore/token",
                 "semaphoreOrganization": "acme", "minSize": -1, "volume": {"type": "gp5"},
                 "subnets": ["subnet-0123456789abcdef0"], "instanceTyp": "t3.micro"}"""));

        assertThat(result.isValid()).isFalse();
        assertThat(result.violations()).extracting(Violation::field)
                .containsExactlyInAnyOrder("stackName", "minSize", "volume.type", "vpcId", "instanceTyp");
    }

    @Test
    void aValidSpecComesBackWithEveryDefault() {
        SpecResult result = SpecReader.read(base());

        assertThat(result.violations()).isEmpty();
        assertThat(result.legacy()).isFalse();
        assertThat(result.spec()).contains(StackSpec.builder("agents", "/semaphore/agent-token")
                .semaphoreOrganization("acme").build());
    }

    @Test
    void anythingButAnObjectIsOneViolationAtTheRoot() {
        for (String text : List.of("[]", "\"spec\"", "42", "null", "true")) {
            SpecResult result = SpecReader.read(json(text));
            assertThat(result.violations()).singleElement().satisfies(v -> {
                assertThat(v.field()).isEqualTo("$");
                assertThat(v.message()).startsWith("a stack spec must be a JSON object");
            });
        }
        assertThat(SpecReader.read(null).violations()).hasSize(1);
    }

    @Test
    void anEmptyObjectNeedsItsNamesAndAnEndpoint() {
        assertThat(SpecReader.read(json("{}")).violations()).extracting(Violation::field)
                .containsExactlyInAnyOrder("stackName", "agentTokenParameterName", "semaphoreEndpoint");
    }

    @Test
    void oneMistakeIsReportedOnceEvenWhenOtherRulesReadTheField() {
        // arch is wrong: the instance type's architecture rule, which reads arch, stays quiet.
        assertThat(SpecReader.read(merge(base(), json("{\"arch\": \"aarch64\", \"instanceType\": \"c7g.large\"}")))
                .violations()).extracting(Violation::field).containsExactly("arch");
        // The volume type is wrong: the throughput rule, which reads the type, stays quiet.
        assertThat(SpecReader.read(merge(base(), json("{\"volume\": {\"type\": \"gp5\", \"throughputMibps\": 500}}")))
                .violations()).extracting(Violation::field).containsExactly("volume.type");
    }

    @Test
    void numbersTooLargeForAnyTypeAreOutOfRangeNotAnError() {
        for (String n : List.of("1e30", "123456789012345678901234567890", "-9e99")) {
            SpecResult result = SpecReader.read(merge(base(), json("{\"maxSize\": " + n + "}")));
            assertThat(result.violations()).singleElement().extracting(Violation::field).isEqualTo("maxSize");
        }
    }

    @Test
    void theValueOfAnUnknownFieldIsNeverEchoed() {
        SpecResult result = SpecReader.read(merge(base(), json("{\"agentToken\": \"s3cr3t-registration-token\"}")));

        assertThat(result.violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("agentToken");
            assertThat(v.rejectedValue()).isEmpty();
            assertThat(v.toString()).doesNotContain("s3cr3t");
        });
    }

    @Test
    void aTokenPastedAsTheParameterNameIsNeverEchoed() {
        SpecResult result = SpecReader.read(merge(base(),
                json("{\"agentTokenParameterName\": \"s3cr3t token with spaces\"}")));

        assertThat(result.violations()).singleElement().satisfies(v -> {
            assertThat(v.rejectedValue()).isEmpty();
            assertThat(v.toString()).doesNotContain("s3cr3t");
        });
    }

    @Test
    void rejectedValuesAreShownAndLongOnesShortened() {
        SpecResult result = SpecReader.read(merge(base(), json("{\"ami\": \"" + "x".repeat(500) + "\"}")));

        assertThat(result.violations()).singleElement().satisfies(v ->
                assertThat(v.rejectedValue()).hasValueSatisfying(r -> assertThat(r).hasSizeLessThan(110)));
    }

    @Test
    void anObjectOfOlderKeysIsReadAsTheOlderConfiguration() {
        SpecResult result = SpecReader.read(json("""
                {"SEMAPHORE_AGENT_STACK_NAME": "agents", "SEMAPHORE_AGENT_TOKEN_PARAMETER_NAME": "agents-token",
                 "SEMAPHORE_ORGANIZATION": "acme"}"""));

        assertThat(result.legacy()).isTrue();
        assertThat(result.spec()).hasValueSatisfying(s -> {
            assertThat(s.os()).isEqualTo(OperatingSystem.UBUNTU_FOCAL);
            assertThat(s.endpointHost()).isEqualTo("acme.semaphoreci.com");
        });
        assertThat(result.warnings()).extracting(Violation::field).contains("os");
    }

    @Test
    void doubtfulChoicesAreWarningsNotViolations() {
        SpecResult result = SpecReader.read(merge(base(), json("""
                {"semaphoreEndpoint": "acme.semaphoreci.com", "desiredCapacity": 1, "os": "ubuntu-focal"}""")));

        assertThat(result.isValid()).isTrue();
        assertThat(result.warnings()).extracting(Violation::field)
                .containsExactlyInAnyOrder("semaphoreOrganization", "desiredCapacity", "os");
    }

    @Test
    void theValidatorChecksSpecsBuiltInCode() {
        StackSpec spec = StackSpec.builder("agents", "agent-token").semaphoreOrganization("acme")
                .minSize(3).maxSize(1).desiredCapacity(OptionalInt.of(2)).instanceType("nope").build();

        assertThat(SpecValidator.validate(spec)).extracting(Violation::field)
                .containsExactlyInAnyOrder("minSize", "desiredCapacity", "instanceType");
    }

    @Test
    void aConvertedConfigsViolationsNameTheOlderKey() {
        SpecResult result = SpecReader.read(json("""
                {"SEMAPHORE_AGENT_STACK_NAME": "agents", "SEMAPHORE_AGENT_TOKEN_PARAMETER_NAME": "agents-token",
                 "SEMAPHORE_ORGANIZATION": "acme", "SEMAPHORE_AGENT_ASG_MIN_SIZE": "3",
                 "SEMAPHORE_AGENT_ASG_MAX_SIZE": "1", "SEMAPHORE_AGENT_VOLUME_NAME": "/dev/sda1",
                 "SEMAPHORE_AGENT_VOLUME_TYPE": "gp5"}"""));

        assertThat(result.violations()).extracting(Violation::field, v -> v.legacyKey().orElse(""))
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("minSize", "SEMAPHORE_AGENT_ASG_MIN_SIZE"),
                        org.assertj.core.groups.Tuple.tuple("volume.type", "SEMAPHORE_AGENT_VOLUME_TYPE"));
    }

    @Test
    void describeGivesFieldMessageAndOlderKey() {
        Violation v = Violation.of("subnets", "must list at least one subnet").withLegacyKey("SEMAPHORE_AGENT_SUBNETS");

        assertThat(v.describe()).isEqualTo("subnets: must list at least one subnet (SEMAPHORE_AGENT_SUBNETS)");
        assertThat(Violation.of("minSize", "must be at least 0").describe()).isEqualTo("minSize: must be at least 0");
    }

    @Test
    void anArrayNodeGivenAsOverridesIsCopiedNotShared() {
        var requirements = JsonNodeFactory.instance.objectNode();
        requirements.putObject("VCpuCount").put("Min", 2);
        InstanceOverride override = InstanceOverride.ofRequirements(requirements, OptionalInt.empty());
        requirements.putObject("MemoryMiB").put("Min", 1);

        assertThat(override.instanceRequirements()).hasValueSatisfying(r -> assertThat(r.has("MemoryMiB")).isFalse());
    }
}
