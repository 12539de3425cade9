package io.agentstacks.imagerecipes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every shell script of the images parses and passes shellcheck (installed by the build if absent). */
class ScriptLintTest {

    static Stream<Path> shellScripts() throws IOException {
        try (Stream<Path> files = Files.walk(ScriptSandbox.RECIPES_DIR.resolve("scripts"))) {
            return files.filter(p -> p.toString().endsWith(".sh")).sorted().toList().stream();
        }
    }

    @Test
    void thereAreScriptsToCheckForEveryUnixPlatform() throws IOException {
        assertThat(shellScripts().map(p -> p.getParent().getFileName().toString()).distinct())
                .contains("common", "linux", "macos");
    }

    @ParameterizedTest
    @MethodSource("shellScripts")
    void everyShellScriptParsesWithBashN(Path script) throws Exception {
        Run run = run(script.getParent(), "bash", "-n", script.toString());
        assertThat(run.exitCode).as(run.output).isZero();
    }

    @ParameterizedTest
    @MethodSource("shellScripts")
    void everyShellScriptPassesShellcheck(Path script) throws Exception {
        Run run = run(script.getParent(), "shellcheck", "-x", "--source-path=SCRIPTDIR", script.getFileName().toString());
        assertThat(run.exitCode).as(run.output).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"linux", "macos"})
    void theImageBuildRefusesAnAgentWithoutAChecksumBeforeDownloadingAnything(String os) throws Exception {
        Path script = ScriptSandbox.RECIPES_DIR.resolve("scripts/" + os + "/install-agent.sh");
        Run run = run(script.getParent(), "bash", script.toString(),
                "https://github.com/semaphoreci/agent/releases/download/v2.2.23/agent_Linux_x86_64.tar.gz", "none",
                "https://github.com/semaphoreci/toolbox/releases/download/v1.20.5/self-hosted-linux.tar", "none");
        assertThat(run.exitCode).isNotZero();
        assertThat(run.output).contains("no SHA-256 for https://github.com/semaphoreci/agent/releases/download/v2.2.23/agent_Linux_x86_64.tar.gz");
    }

    private record Run(int exitCode, String output) {
    }

    private static Run run(Path dir, String... command) throws Exception {
        Path log = Files.createTempFile("lint", ".log");
        try {
            Process process = new ProcessBuilder(List.of(command)).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
            }
            return new Run(process.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
