package io.agentstacks.deployer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.lambdatesting.ImageBuilderEvents;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.SpecJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Image Builder's {@code EC2 Image Builder Image State Change} event, delivered to the stack-deployer function as
 * EventBridge delivers it, next to the task inputs of the state machines.
 */
class ImageRolloutStepTest {

    final Fixture f = new Fixture();

    @BeforeEach
    void fleets() {
        f.accept(Fixture.spec("noble"));
        f.provision("noble");
        f.accept(Fixture.spec("jammy").toBuilder().os(OperatingSystem.UBUNTU_JAMMY).build());
        f.provision("jammy");
        f.logs.clear();
        f.fleet.calls.clear();
    }

    @Test
    void anAvailableImageRefreshesTheActiveStacksOfItsOsAndArch() throws Exception {
        JsonNode answer = SpecJson.MAPPER.readTree(f.handler.handle(ImageBuilderEvents.stateChange("ubuntu-noble-x86_64", "AVAILABLE")));

        assertThat(answer.path("outcome").asText()).isEqualTo("REFRESHED");
        assertThat(answer.path("os").asText()).isEqualTo("ubuntu-noble");
        assertThat(answer.path("refreshes")).singleElement().satisfies(r -> {
            assertThat(r.path("stack").asText()).isEqualTo("noble");
            assertThat(r.path("groupName").asText()).isEqualTo(f.groupOf("noble").orElseThrow());
        });
        assertThat(f.fleet.calls).containsExactly("startInstanceRefresh " + f.groupOf("noble").orElseThrow());
        assertThat(f.logs).anySatisfy(l -> assertThat(l).contains("\"stack\":\"noble\"", "stack-deployer.instanceRefresh"));
    }

    @Test
    void theSameEventDeliveredTwiceAnswersTheRunningRefresh() throws Exception {
        String event = ImageBuilderEvents.stateChange("ubuntu-noble-x86_64", "AVAILABLE");

        JsonNode first = SpecJson.MAPPER.readTree(f.handler.handle(event));
        JsonNode second = SpecJson.MAPPER.readTree(f.handler.handle(event));

        assertThat(second.path("refreshes")).isEqualTo(first.path("refreshes"));
        assertThat(f.fleet.refreshes).hasSize(1);
    }

    @Test
    void anImageThatIsNotAvailableYetChangesNothing() throws Exception {
        JsonNode answer = SpecJson.MAPPER.readTree(f.handler.handle(ImageBuilderEvents.stateChange("ubuntu-noble-x86_64", "TESTING")));

        assertThat(answer.path("outcome").asText()).isEqualTo("IGNORED");
        assertThat(answer.path("reason").asText()).contains("TESTING");
        assertThat(f.fleet.calls).isEmpty();
    }

    @Test
    void anEventThatIsNotAnAgentImagesIsRefusedNamingTheField() {
        String other = ImageBuilderEvents.stateChange("ubuntu-noble-x86_64", "AVAILABLE").replace("semaphore-agent-", "someone-else-");
        String notImageBuilder = ImageBuilderEvents.stateChange("ubuntu-noble-x86_64", "AVAILABLE").replace("aws.imagebuilder", "aws.ec2");

        assertThatThrownBy(() -> f.handler.handle(other)).isInstanceOf(StackDeployerHandler.BadTaskInput.class)
                .hasMessageContaining("resources[0]");
        assertThatThrownBy(() -> f.handler.handle(notImageBuilder)).isInstanceOf(StackDeployerHandler.BadTaskInput.class)
                .hasMessageContaining("source");
        assertThat(f.fleet.calls).isEmpty();
    }
}
