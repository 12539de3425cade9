package io.agentstacks.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Valid specs with random damage (a field set to a value of any kind, or removed): the reader never
 * throws, and the JSON Schema agrees with it on valid/invalid, except where the reader's only
 * violations come from the rules the schema cannot state.
 */
class SchemaMutationTest {

    private static final List<String> VALUES = List.of("\"\"", "\"x\"", "\"t3.micro\"", "\"c7g.large\"",
            "\"mac2.metal\"", "\"mac1.metal\"", "\"arm64\"", "\"x86_64\"", "\"windows\"", "\"macos\"",
            "\"ubuntu-focal\"", "\"gp3\"", "\"io1\"", "\"st1\"", "\"gp2\"", "\"none\"", "\"number\"", "\"up-down\"",
            "\"Hibernated\"", "\"vpc-12345678\"", "\"subnet-12345678\"", "\"0 8 * * *\"", "\"Europe/Berlin\"",
            "\"mac2\"", "\"mac1\"", "-1", "0", "1", "2", "3", "100", "3000", "5000", "20000", "86400", "2.5", "4.0",
            "true", "false", "null", "[]", "{}", "[\"mac2\", \"mac1\"]", "[\"subnet-12345678\"]", "[1]",
            "[{\"instanceType\": \"t3.large\"}]", "[{\"instanceType\": \"c7g.large\", \"weightedCapacity\": 2}]",
            "{\"size\": 1}", "{\"Team\": \"ci\"}", "{\"aws:x\": \"y\"}",
            "[{\"cron\": \"0 8 * * *\", \"minSize\": 2}]", "{\"type\": \"io2\", \"sizeGib\": 10, \"iops\": 20000}");

    @Provide
    Arbitrary<JsonNode> damagedSpecs() {
        return Arbitraries.randomValue(SchemaMutationTest::damaged);
    }

    private static JsonNode damaged(Random r) {
        ObjectNode json = SpecJson.write(SpecGenerators.validSpec(r));
        List<SpecField> fields = SpecFields.all().stream().filter(f -> !f.path().contains("[]")).toList();
        for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
            String[] path = fields.get(r.nextInt(fields.size())).path().split("\\.");
            ObjectNode parent = json;
            for (int p = 0; p < path.length - 1; p++) {
                JsonNode child = parent.get(path[p]);
                parent = child instanceof ObjectNode o ? o : parent.putObject(path[p]);
            }
            String name = path[path.length - 1];
            if (r.nextInt(5) == 0) {
                parent.remove(name);
            } else {
                parent.set(name, SpecTestSupport.json(VALUES.get(r.nextInt(VALUES.size()))));
            }
        }
        return json;
    }

    @Property(tries = 1000)
    void theSchemaAndTheReaderAgreeOnDamagedSpecs(@ForAll("damagedSpecs") JsonNode spec) {
        SpecResult result = SpecReader.read(spec);
        List<String> schemaErrors = SpecTestSupport.schemaErrors(spec);

        boolean onlyValidatorOnlyRules = !result.isValid() && result.violations().stream()
                .allMatch(v -> SpecValidator.VALIDATOR_ONLY_RULES.stream().anyMatch(rule -> rule.produced(v)));
        Statistics.collect(result.isValid() ? "valid" : onlyValidatorOnlyRules ? "validator-only rules" : "invalid");
        if (onlyValidatorOnlyRules) {
            assertThat(schemaErrors).as("the schema states none of %s for %s", result.violations(), spec).isEmpty();
        } else {
            assertThat(schemaErrors.isEmpty()).as("schema %s, reader %s, for %s", schemaErrors, result.violations(),
                    spec).isEqualTo(result.isValid());
        }
    }
}
