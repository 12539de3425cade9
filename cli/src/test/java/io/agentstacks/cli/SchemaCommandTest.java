package io.agentstacks.cli;

import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.SpecSchema;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaCommandTest {

    @Test
    void schemaPrintsTheGeneratedJsonSchema() throws Exception {
        CliRun run = CliRun.run("schema");

        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(SpecJson.MAPPER.readTree(run.out()).toString()).isEqualTo(SpecSchema.generate().toString());
        assertThat(run.out()).contains("\"$schema\": \"https://json-schema.org/draft/2020-12/schema\"");
    }

    @Test
    void theToolListsItsSpecCommands() {
        CliRun run = CliRun.run("--help");

        assertThat(run.out()).contains("validate", "convert", "schema");
    }
}
