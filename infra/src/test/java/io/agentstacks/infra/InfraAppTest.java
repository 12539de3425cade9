package io.agentstacks.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.cxapi.CloudAssembly;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class InfraAppTest {

    @Test
    void theAppSynthesizesTheControlPlaneTheImagePipelinesAndTheAgentStackTemplateAssetWithoutCredentialsOrNetwork() throws Exception {
        Path out = Files.createTempDirectory("cdk-out");
        Path inputs = Files.createTempDirectory("inputs");
        App app = InfraApp.build(ControlPlaneFixture.ROOT, out.toString(),
                (a, template) -> {
                    ControlPlaneProps fixture = ControlPlaneFixture.props(inputs, Optional.empty(), false);
                    return new ControlPlaneProps(fixture.jars(), fixture.definitions(), fixture.eventRules(), template, Optional.empty(), false);
                });
        CloudAssembly assembly = app.synth();

        assertThat(out.resolve(ControlPlaneStack.NAME + ".template.json")).exists();
        assertThat(out.resolve(InfraApp.IMAGE_PIPELINES_STACK + ".template.json")).exists();
        assertThat(Files.readString(out.resolve(InfraApp.IMAGE_PIPELINES_STACK + ".template.json"))).contains("/semaphore-agent/ami/ubuntu-noble/arm64");
        // The agent-stack template is published as a file asset of the control plane.
        List<Path> assets;
        try (Stream<Path> files = Files.list(out)) {
            assets = files.filter(p -> p.getFileName().toString().matches("asset\\.[0-9a-f]{64}\\.json")).toList();
        }
        assertThat(assets).hasSize(1);
        JsonNode template = new ObjectMapper().readTree(assets.get(0).toFile());
        assertThat(template.at("/Outputs/AutoScalingGroupName").isMissingNode()).isFalse();
        assertThat(template.get("Parameters").size()).isEqualTo(io.agentstacks.stacks.AgentStackParameters.NAMES.size());
        // No lookups: nothing was asked of an AWS account while synthesizing.
        assertThat(assembly.getManifest().getMissing()).isNullOrEmpty();
        assertThat(assembly.getStackByName(ControlPlaneStack.NAME).getEnvironment().getAccount()).isEqualTo("unknown-account");
    }
}
