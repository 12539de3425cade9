package io.agentstacks.local.sfn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StateMachineFilesTest {

    @Test
    void isFoundFromAnyDirectoryOfTheCheckout() {
        StateMachineFiles found = StateMachineFiles.locate(Optional.empty(), Map.of(), Path.of("src/main"));
        assertThat(found.eventRules()).isRegularFile();
        assertThat(found.runner()).isRegularFile();
        assertThat(found.definition("provision-stack")).isRegularFile();
    }

    @Test
    void aNamedDirectoryWinsAndMustBeTheStatemachinesDirectory(@TempDir Path elsewhere) {
        Path real = StateMachineFiles.locate().directory();
        assertThat(StateMachineFiles.locate(Optional.empty(), Map.of(StateMachineFiles.ENV, real.toString()), elsewhere)
                .directory()).isEqualTo(real);
        assertThatThrownBy(() -> StateMachineFiles.locate(Optional.of(elsewhere.toString()), Map.of(), real))
                .hasMessageContaining("-D" + StateMachineFiles.PROPERTY).hasMessageContaining("event-rules.json");
    }

    @Test
    void outsideACheckoutItSaysWhatToDo(@TempDir Path elsewhere) {
        assertThatThrownBy(() -> StateMachineFiles.locate(Optional.empty(), Map.of(), elsewhere))
                .hasMessageContaining(StateMachineFiles.ENV);
    }

    @Test
    void missingNodePackagesSayHowToInstallThem(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("event-rules.json"), "{}");
        assertThatThrownBy(() -> new StateMachineFiles(dir).requireNodePackages()).hasMessageContaining("npm ci")
                .hasMessageContaining("mvn -B verify");
    }
}
