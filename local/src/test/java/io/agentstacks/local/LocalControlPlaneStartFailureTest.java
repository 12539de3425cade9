package io.agentstacks.local;

import io.agentstacks.local.sfn.StateMachineFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A control plane that cannot be built leaves nothing running: no server, no bound port, no thread. */
class LocalControlPlaneStartFailureTest {

    @TempDir
    Path dir;

    @Test
    void aRuleTargetingAnUnknownFunctionFailsTheStartAndStopsTheServersAlreadyStarted() throws IOException {
        StateMachineFiles real = StateMachineFiles.locate();
        Path copy = dir.resolve("statemachines");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(real.directory())) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (!name.equals("event-rules.json") && !name.equals("target")) {
                    Files.createSymbolicLink(copy.resolve(name), f);
                }
            }
        }
        String rules = Files.readString(real.eventRules());
        assertThat(rules).contains("\"function\": \"scaler\"");
        Files.writeString(copy.resolve("event-rules.json"), rules.replace("\"function\": \"scaler\"", "\"function\": \"no-such-function\""));
        Set<Thread> before = httpServerThreads();

        assertThatThrownBy(() -> LocalControlPlane.start(LocalControlPlane.Options.defaults().withFiles(new StateMachineFiles(copy))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no-such-function");

        // The fake Semaphore's server had started (its dispatcher thread) before the rule was read; it is stopped.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(httpServerThreads()).as("server threads started by the failed start").isSubsetOf(before));
    }

    private static Set<Thread> httpServerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && (t.getName().startsWith("HTTP-Dispatcher") || t.getName().startsWith("fake-semaphore")
                        || t.getName().startsWith("sfn-task-")))
                .collect(Collectors.toSet());
    }
}
