package io.agentstacks.spec;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published JSON Schema and the reader agree on every example and every case of the table. Where
 * the schema cannot state a rule (SpecValidator.VALIDATOR_ONLY_RULES), the schema accepts the spec and
 * the reader's only violations are that rule's.
 */
class SchemaAgreementTest {

    @TestFactory
    Stream<DynamicTest> schemaAndReaderAgreeOnEveryCase() {
        return SpecCase.all().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            SpecResult result = SpecReader.read(c.spec());
            List<String> schemaErrors = SpecTestSupport.schemaErrors(c.spec());
            if (c.validatorOnly().isPresent()) {
                SpecValidator.ValidatorOnlyRule rule = SpecValidator.VALIDATOR_ONLY_RULES.stream()
                        .filter(r -> r.name().equals(c.validatorOnly().get())).findFirst().orElseThrow();
                assertThat(schemaErrors).as("the schema cannot state %s", rule.name()).isEmpty();
                assertThat(result.violations()).as("violations of %s", c).isNotEmpty()
                        .allSatisfy(v -> assertThat(rule.produced(v)).as("%s is %s's", v, rule.name()).isTrue());
            } else {
                assertThat(schemaErrors.isEmpty()).as("schema says %s; reader says %s", schemaErrors,
                        result.violations()).isEqualTo(result.isValid());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> schemaAcceptsEveryExample() throws IOException {
        try (Stream<Path> files = Files.list(SpecTestSupport.repoRoot().resolve("examples"))) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream()
                    .filter(p -> !LegacyConfig.isLegacy(SpecTestSupport.readJson(p)))
                    .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () ->
                            assertThat(SpecTestSupport.schemaErrors(SpecTestSupport.readJson(p))).isEmpty()));
        }
    }

    @Test
    void everyValidatorOnlyRuleSaysWhyAndHasACase() {
        assertThat(SpecValidator.VALIDATOR_ONLY_RULES).hasSizeLessThanOrEqualTo(6)
                .allSatisfy(r -> assertThat(r.why()).isNotBlank());
        List<String> exercised = SpecCase.all().stream().flatMap(c -> c.validatorOnly().stream()).toList();
        assertThat(exercised).containsAll(SpecValidator.VALIDATOR_ONLY_RULES.stream()
                .map(SpecValidator.ValidatorOnlyRule::name).toList());
    }

    @Test
    void theSchemaIsDraft202012AndClosed() {
        var schema = SpecSchema.generate();
        assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.get("additionalProperties").asBoolean()).isFalse();
        assertThat(schema.get("required").toString()).isEqualTo("[\"stackName\",\"agentTokenParameterName\"]");
    }
}
