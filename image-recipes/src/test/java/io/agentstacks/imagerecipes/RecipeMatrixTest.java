package io.agentstacks.imagerecipes;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecipeMatrixTest {

    private static final RecipeMatrix MATRIX = RecipeMatrix.load(ScriptSandbox.RECIPES_DIR);

    @Test
    void theMatrixHasEveryUbuntuOnBothArchitecturesWindowsAndMacos() {
        assertThat(MATRIX.images()).extracting(RecipeMatrix.Image::id).containsExactly(
                "ubuntu-focal-x86-64", "ubuntu-focal-arm64", "ubuntu-jammy-x86-64", "ubuntu-jammy-arm64",
                "ubuntu-noble-x86-64", "ubuntu-noble-arm64", "windows-x86-64", "macos-arm64");
    }

    @Test
    void parentImagesAreAwsPublicParametersOfTheRightArchitecture() {
        for (RecipeMatrix.Image image : MATRIX.images()) {
            if (image.family().equals("linux")) {
                assertThat(image.parentImageSsmParameter())
                        .startsWith("/aws/service/canonical/ubuntu/server/")
                        .contains(image.arch().equals("arm64") ? "/arm64/" : "/amd64/");
            }
        }
        assertThat(MATRIX.images()).filteredOn(i -> i.os().equals("windows")).singleElement()
                .extracting(RecipeMatrix.Image::parentImageSsmParameter)
                .isEqualTo("/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base");
        assertThat(MATRIX.images()).filteredOn(i -> i.os().equals("macos")).singleElement()
                .extracting(RecipeMatrix.Image::parentImageSsmParameter)
                .isEqualTo("/aws/service/ec2-macos/sonoma/arm64_mac/latest/image_id");
    }

    @Test
    void theAgentComponentGetsThePinnedReleaseForItsOsAndArchitecture() {
        RecipeMatrix.Image nobleArm = MATRIX.images().stream().filter(i -> i.id().equals("ubuntu-noble-arm64")).findFirst().orElseThrow();
        var parameters = MATRIX.componentParameters(nobleArm, List.of("AgentUrl", "AgentSha256", "ToolboxUrl"));
        assertThat(parameters).containsEntry("AgentUrl",
                "https://github.com/semaphoreci/agent/releases/download/v2.2.23/agent_Linux_arm64.tar.gz");
        assertThat(parameters).containsEntry("ToolboxUrl",
                "https://github.com/semaphoreci/toolbox/releases/download/v1.20.5/self-hosted-linux-arm.tar");
        assertThat(parameters.get("AgentSha256")).matches("[0-9a-f]{64}|" + RecipeMatrix.MISSING_CHECKSUM);
    }

    @Test
    void checksumsNotFilledInYetAreListedPerImage() {
        RecipeMatrix.Image macos = MATRIX.images().stream().filter(i -> i.os().equals("macos")).findFirst().orElseThrow();
        // recipes.json has no checksum yet (none could be fetched where it was written): each is named.
        assertThat(MATRIX.missingChecksums(macos)).contains(
                "macos/semaphore-agent AgentSha256", "macos/semaphore-agent ToolboxSha256",
                "macos/tools AwsCliSha256", "macos/cloudwatch-agent CloudWatchAgentSha256");
    }

    @Test
    void aBrokenMatrixIsRejectedNamingEveryField() throws IOException {
        Path dir = Files.createTempDirectory("recipes");
        Files.createDirectories(dir.resolve("components"));
        Files.writeString(dir.resolve("recipes.json"), """
                {"semaphoreAgent":{"version":"v2.2.23","downloadUrl":"https://x/{version}/{asset}",
                   "assets":{"linux-x86_64":{"asset":"a.tar.gz","sha256":"not-a-checksum"}}},
                 "toolbox":{"version":"v1","downloadUrl":"https://x/{version}/{asset}","assets":{}},
                 "awsCliMacos":{"downloadUrl":"https://x"},"cloudWatchAgentMacos":{"downloadUrl":"https://y"},
                 "images":[{"os":"ubuntu-noble","arch":"x86_64","platform":"Linux","parentImageSsmParameter":"ami-123",
                   "buildInstanceType":"t3.large","rootVolumeGiB":64,"schedule":"weekly","components":["linux/missing"]}]}
                """);
        assertThatThrownBy(() -> RecipeMatrix.load(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("semaphoreAgent.assets.linux-x86_64.sha256")
                .hasMessageContaining("images[0].parentImageSsmParameter")
                .hasMessageContaining("images[0].schedule")
                .hasMessageContaining("linux/missing")
                .hasMessageContaining("toolbox.assets: no asset for linux-x86_64");
    }
}
