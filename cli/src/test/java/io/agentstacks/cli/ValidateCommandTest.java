package io.agentstacks.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ValidateCommandTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static void assertOneCleanLine(CliRun run, int exit, String file, String words) {
        assertThat(run.exit()).isEqualTo(exit);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).singleElement().satisfies(line -> {
            assertThat(line).startsWith(file + ": ").contains(words);
            assertThat(line).doesNotContain("Exception", "\tat ");
        });
    }

    @Test
    void everyExampleIsValid() throws IOException {
        List<String> files;
        try (Stream<Path> list = Files.list(CliRun.examples())) {
            files = list.filter(p -> p.toString().endsWith(".json")).map(Path::toString).sorted().toList();
        }

        CliRun run = CliRun.run(Stream.concat(Stream.of("validate"), files.stream()).toArray(String[]::new));

        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.outLines()).hasSize(files.size()).allSatisfy(l -> assertThat(l).contains(": valid"));
    }

    @Test
    void aSpecWithFiveMistakesPrintsFiveLinesNamingTheFiveFields() throws IOException {
        Path file = write("five.json", """
                {"stackName": "1st-agents", "agentTokenParameterName": "/semaphore/token",
                 "semaphoreOrganization": "acme", "minSize": -1, "volume": {"type": "gp5"},
                 "subnets": ["subnet-0123456789abcdef0"], "instanceTyp": "t3.micro"}""");

        CliRun run = CliRun.run("validate", file.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.outLines()).hasSize(5).allSatisfy(l -> assertThat(l).startsWith(file + ": "));
        assertThat(run.outLines()).anySatisfy(l -> assertThat(l).startsWith(file + ": stackName: "))
                .anySatisfy(l -> assertThat(l).startsWith(file + ": minSize: must be at least 0 (got \"-1\")"))
                .anySatisfy(l -> assertThat(l).startsWith(file + ": volume.type: "))
                .anySatisfy(l -> assertThat(l).startsWith(file + ": vpcId: is required when subnets are given"))
                .anySatisfy(l -> assertThat(l).startsWith(file + ": instanceTyp: ").contains("'instanceType'"));
    }

    @Test
    void anOlderConfigsViolationsNameTheOlderKey() throws IOException {
        Path file = write("config.json", """
                {"SEMAPHORE_AGENT_TOKEN_PARAMETER_NAME": "t", "SEMAPHORE_ORGANIZATION": "acme",
                 "SEMAPHORE_AGENT_VPC_ID": "vpc-0123456789abcdef0"}""");

        CliRun run = CliRun.run("validate", file.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.outLines()).containsExactlyInAnyOrder(
                file + ": stackName: is required (SEMAPHORE_AGENT_STACK_NAME)",
                file + ": subnets: must list at least one subnet when vpcId is set (SEMAPHORE_AGENT_SUBNETS)");
    }

    @Test
    void warningsGoToStandardErrorAndTheSpecIsStillValid() throws IOException {
        Path file = write("focal.json", """
                {"stackName": "a", "agentTokenParameterName": "t", "semaphoreOrganization": "acme",
                 "os": "ubuntu-focal"}""");

        CliRun run = CliRun.run("validate", file.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.outLines()).containsExactly(file + ": valid");
        assertThat(run.errLines()).singleElement().satisfies(l -> assertThat(l).startsWith(file + ": warning: os: "));
    }

    @Test
    void textThatIsNotJsonIsOneLineAndExitTwo() throws IOException {
        Path file = write("bad.json", "{\"stackName\": \"a\",\n  oops\n}");
        assertOneCleanLine(CliRun.run("validate", file.toString()), 2, file.toString(), "is not valid JSON");
    }

    @Test
    void jsonThatIsNotAnObjectIsOneLineAndExitTwo() throws IOException {
        Path file = write("list.json", "[{\"stackName\": \"a\"}]");
        assertOneCleanLine(CliRun.run("validate", file.toString()), 2, file.toString(), "not an array");
    }

    @Test
    void aBinaryFileIsOneLineAndExitTwo() throws IOException {
        Path file = Files.write(dir.resolve("image.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
        assertOneCleanLine(CliRun.run("validate", file.toString()), 2, file.toString(), "binary");
    }

    @Test
    void anOversizedFileIsOneLineAndExitTwo() throws IOException {
        Path file = write("huge.json", "{\"stackName\": \"" + "a".repeat(1 << 20) + "\"}");
        assertOneCleanLine(CliRun.run("validate", file.toString()), 2, file.toString(), "larger than 1048576 bytes");
    }

    @Test
    void aMissingFileOrADirectoryIsOneLineAndExitTwo() {
        Path missing = dir.resolve("missing.json");
        assertOneCleanLine(CliRun.run("validate", missing.toString()), 2, missing.toString(), "no such file");
        assertOneCleanLine(CliRun.run("validate", dir.toString()), 2, dir.toString(), "is a directory");
    }

    @Test
    void wrongTypesAreViolationsNotCrashes() throws IOException {
        Path file = write("types.json", """
                {"stackName": ["a"], "agentTokenParameterName": {"name": "t"}, "semaphoreOrganization": 7,
                 "minSize": "one", "volume": [], "tags": "Team:ci", "schedules": {}}""");

        CliRun run = CliRun.run("validate", file.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.outLines()).hasSize(7).allSatisfy(l -> assertThat(l).contains("must be"));
        assertThat(run.err()).isEmpty();
    }

    @Test
    void everyFileIsReportedAndTheWorstExitWins() throws IOException {
        Path good = CliRun.examples().resolve("linux-small.json");
        Path invalid = write("invalid.json", "{\"stackName\": \"a\", \"agentTokenParameterName\": \"t\"}");
        Path broken = write("broken.json", "{");

        CliRun run = CliRun.run("validate", good.toString(), invalid.toString(), broken.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.outLines()).containsExactly(good + ": valid",
                invalid + ": semaphoreEndpoint: either semaphoreEndpoint or semaphoreOrganization is required");
        assertThat(run.errLines()).singleElement().satisfies(l -> assertThat(l).startsWith(broken + ": "));
    }

    @Test
    void noFileIsAUsageError() {
        CliRun run = CliRun.run("validate");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required parameter").doesNotContain("Exception");
    }
}
