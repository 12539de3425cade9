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

/** The specs a user starts from are valid, and show what their names promise. */
class ExamplesTest {

    private static final Path EXAMPLES = SpecTestSupport.repoRoot().resolve("examples");

    private static StackSpec example(String name) {
        SpecResult result = SpecReader.read(SpecTestSupport.readJson(EXAMPLES.resolve(name)));
        assertThat(result.violations()).as(name).isEmpty();
        assertThat(result.warnings()).as(name).isEmpty();
        return result.spec().orElseThrow();
    }

    @TestFactory
    Stream<DynamicTest> everyExampleIsValidWithoutWarnings() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(EXAMPLES)) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("linux-small.json",
                "linux-arm64-spot-private.json", "windows.json", "macos.json", "legacy-config.json");
        return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(),
                () -> example(p.getFileName().toString())));
    }

    @Test
    void theSmallLinuxExampleIsX86AndMostlyDefaults() {
        StackSpec s = example("linux-small.json");
        assertThat(s.arch()).isEqualTo(Arch.X86_64);
        assertThat(s.os()).isEqualTo(OperatingSystem.UBUNTU_NOBLE);
        assertThat(s.launchTemplateOverrides()).isEmpty();
    }

    @Test
    void theArm64ExampleUsesGravitonSpotAndAPrivateVpc() {
        StackSpec s = example("linux-arm64-spot-private.json");
        assertThat(s.arch()).isEqualTo(Arch.ARM64);
        assertThat(InstanceCatalogue.archOf(InstanceCatalogue.familyOf(s.instanceType()))).contains(Arch.ARM64);
        assertThat(s.purchase().usesSpot()).isTrue();
        assertThat(s.vpcId()).isPresent();
        assertThat(s.subnets()).isNotEmpty();
        assertThat(s.launchTemplateOverrides()).hasSizeGreaterThan(2).allSatisfy(o -> assertThat(
                InstanceCatalogue.archOf(InstanceCatalogue.familyOf(o.instanceType().orElseThrow()))).contains(Arch.ARM64));
    }

    @Test
    void theWindowsAndMacExamplesAreWhatTheySay() {
        assertThat(example("windows.json").os()).isEqualTo(OperatingSystem.WINDOWS);
        StackSpec mac = example("macos.json");
        assertThat(mac.os()).isEqualTo(OperatingSystem.MACOS);
        assertThat(mac.instanceType()).isEqualTo("mac2.metal");
        assertThat(mac.mac().licenseConfigurationArn()).isPresent();
        assertThat(mac.mac().reservedHosts()).isPositive();
    }

    @Test
    void theOlderConfigExampleConverts() {
        SpecResult result = SpecReader.read(SpecTestSupport.readJson(EXAMPLES.resolve("legacy-config.json")));
        assertThat(result.legacy()).isTrue();
        assertThat(result.spec()).hasValueSatisfying(s -> assertThat(s.volume().sizeGib()).isEqualTo(100));
    }
}
