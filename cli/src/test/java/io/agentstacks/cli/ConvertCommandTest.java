package io.agentstacks.cli;

import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.SpecReader;
import io.agentstacks.spec.SpecResult;
import io.agentstacks.spec.StackSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConvertCommandTest {

    private static final String OLDER = """
            {"SEMAPHORE_AGENT_STACK_NAME": "legacy", "SEMAPHORE_AGENT_TOKEN_PARAMETER_NAME": "legacy-token",
             "SEMAPHORE_ORGANIZATION": "acme", "SEMAPHORE_AGENT_ASG_MAX_SIZE": "3",
             "SEMAPHORE_AGENT_TAGS": "Team:ci,Url:https://x:1"}""";

    @TempDir
    Path dir;

    private static StackSpec parse(String json) throws IOException {
        SpecResult result = SpecReader.read(SpecJson.MAPPER.readTree(json));
        assertThat(result.violations()).isEmpty();
        assertThat(result.legacy()).isFalse();
        return result.spec().orElseThrow();
    }

    @Test
    void anOlderConfigBecomesACanonicalSpecThatValidates() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), OLDER);

        CliRun run = CliRun.run("convert", file.toString());

        assertThat(run.exit()).isZero();
        StackSpec spec = parse(run.out());
        assertThat(spec.maxSize()).isEqualTo(3);
        assertThat(spec.tags()).containsEntry("Url", "https://x:1");
        assertThat(run.out()).contains("\"stackName\": \"legacy\"").contains("\"imageRollout\": true");
        // The older default OS is kept, with a warning on standard error.
        assertThat(spec.os().value()).isEqualTo("ubuntu-focal");
        assertThat(run.errLines()).singleElement().satisfies(l ->
                assertThat(l).startsWith(file + ": warning: os: ").endsWith("(SEMAPHORE_AGENT_OS)"));
    }

    @Test
    void environmentVariablesOverrideTheFileWithEnv() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), OLDER);
        Map<String, String> env = Map.of("SEMAPHORE_AGENT_ASG_MAX_SIZE", "7", "SEMAPHORE_AGENT_OS", "ubuntu-noble",
                "PATH", "/usr/bin");

        assertThat(parse(CliRun.run(env, "convert", "--env", file.toString()).out()).maxSize()).isEqualTo(7);
        // Without --env the environment is not read.
        assertThat(parse(CliRun.run(env, "convert", file.toString()).out()).maxSize()).isEqualTo(3);
    }

    @Test
    void withEnvAloneTheEnvironmentIsTheConfiguration() throws IOException {
        Map<String, String> env = Map.of("SEMAPHORE_AGENT_STACK_NAME", "from-env",
                "SEMAPHORE_AGENT_TOKEN_PARAMETER_NAME", "env-token", "SEMAPHORE_ENDPOINT", "acme.semaphoreci.com",
                "SEMAPHORE_AGENT_OS", "ubuntu-jammy");

        CliRun run = CliRun.run(env, "convert", "--env");

        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(parse(run.out()).stackName()).isEqualTo("from-env");
    }

    @Test
    void withEnvAloneTheConfigFileNamedInTheEnvironmentIsRead() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), OLDER);

        CliRun run = CliRun.run(Map.of("SEMAPHORE_AGENT_STACK_CONFIG", file.toString()), "convert", "--env");

        assertThat(run.exit()).isZero();
        assertThat(parse(run.out()).stackName()).isEqualTo("legacy");
    }

    @Test
    void aSpecConvertsToItsCanonicalFormAndConvertingAgainChangesNothing() throws IOException {
        Path example = CliRun.examples().resolve("linux-arm64-spot-private.json");

        CliRun first = CliRun.run("convert", example.toString());
        Path canonical = Files.writeString(dir.resolve("canonical.json"), first.out());
        CliRun second = CliRun.run("convert", canonical.toString());

        assertThat(first.exit()).isZero();
        assertThat(second.out()).isEqualTo(first.out());
        assertThat(parse(first.out())).isEqualTo(parse(Files.readString(example)));
    }

    @Test
    void anInvalidConfigPrintsItsViolationsAndNoJson() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), """
                {"SEMAPHORE_AGENT_STACK_NAME": "a", "SEMAPHORE_AGENT_TOKEN_PARAMETER_NAME": "t",
                 "SEMAPHORE_ORGANIZATION": "acme", "SEMAPHORE_AGENT_OVERPROVISION_STRATEGY": "number",
                 "SEMAPHORE_AGENT_OVERPROVISION_FACTOR": "not-a-number"}""");

        CliRun run = CliRun.run("convert", file.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).contains(file + ": scaling.overprovision.factor: is invalid: not a whole number "
                + "(got \"not-a-number\") (SEMAPHORE_AGENT_OVERPROVISION_FACTOR)");
    }

    @Test
    void envWithANewFormatSpecIsAUsageError() {
        CliRun run = CliRun.run("convert", "--env", CliRun.examples().resolve("linux-small.json").toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().satisfies(l -> assertThat(l).contains("--env applies to"));
    }

    @Test
    void neitherFileNorEnvIsAUsageError() {
        CliRun run = CliRun.run("convert");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().satisfies(l -> assertThat(l).contains("give a FILE"));
    }

    @Test
    void anUnreadableFileIsOneLineAndExitTwo() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.json"), "\"just a string\"");

        CliRun run = CliRun.run("convert", file.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).containsExactly(file + ": is not a stack spec: a spec is a JSON object, not a string");
    }
}
