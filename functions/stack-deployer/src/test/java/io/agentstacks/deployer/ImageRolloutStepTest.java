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
    void theSameEventDeliveredTwiceStartsOneRefreshEvenAfterItFinished() throws Exception {
        String event = ImageBuilderEvents.stateChange("ubuntu-noble-x86_64", "AVAILABLE");

        SpecJson.MAPPER.readTree(f.handler.handle(event));
        f.fleet.refreshes.clear();
        JsonNode second = SpecJson.MAPPER.readTree(f.handler.handle(event));

        assertThat(f.fleet.calls).containsExactly("startInstanceRefresh " + f.groupOf("noble").orElseThrow());
        assertThat(second.path("outcome").asText()).isEqualTo("REFRESHED");
        assertThat(second.path("refreshes")).isEmpty();
        assertThat(second.path("skipped")).singleElement().satisfies(k -> {
            assertThat(k.path("stack").asText()).isEqualTo("noble");
            assertThat(k.path("reason").asText()).isEqualTo("image already rolled out");
        });
        assertThat(f.registry.get("noble").orElseThrow().rolledOutImage())
                .contains("arn:aws:imagebuilder:us-east-1:123456789012:image/semaphore-agent-ubuntu-noble-x86_64/1.0.4/1");
    }

    @Test
    void aStackWhoseRefreshCannotStartStopsNoOtherIsLoggedWithAMetricAndFailsTheInvocationForARetry() throws Exception {
        f.accept(Fixture.spec("noble-b"));
        f.provision("noble-b");
        f.logs.clear();
        f.fleet.calls.clear();
        String brokenGroup = f.groupOf("noble").orElseThrow();
        f.fleet.refusing.put(brokenGroup, new IllegalStateException("LimitExceeded: too many refreshes"));
        String event = ImageBuilderEvents.stateChange("ubuntu-noble-x86_64", "AVAILABLE");

        assertThatThrownBy(() -> f.handler.handle(event)).isInstanceOfSatisfying(StackDeployerHandler.ImageRolloutIncomplete.class, e -> {
            assertThat(e.getMessage()).contains("noble (StartInstanceRefresh failed: IllegalStateException: LimitExceeded: too many refreshes)")
                    .doesNotContain("noble-b (");
            assertThat(e.answer().path("outcome").asText()).isEqualTo("INCOMPLETE");
            assertThat(e.answer().path("refreshes")).singleElement()
                    .satisfies(r -> assertThat(r.path("stack").asText()).isEqualTo("noble-b"));
            assertThat(e.answer().path("failed")).singleElement().satisfies(r -> {
                assertThat(r.path("stack").asText()).isEqualTo("noble");
                assertThat(r.path("groupName").asText()).isEqualTo(brokenGroup);
            });
        });
        assertThat(f.logs).anySatisfy(l -> {
            JsonNode line = SpecJson.MAPPER.readTree(l);
            assertThat(line.path("event").asText()).isEqualTo("stack-deployer.instanceRefreshFailed");
            assertThat(line.path("stack").asText()).isEqualTo("noble");
            assertThat(line.path("ImageRolloutFailed").asInt()).isEqualTo(1);
            assertThat(line.path("_aws").path("CloudWatchMetrics").get(0).path("Namespace").asText()).isEqualTo("SemaphoreAgentStacks");
        });

        // Lambda retries the event once Auto Scaling accepts again: only the failed stack is refreshed.
        f.fleet.refusing.clear();
        f.fleet.refreshes.clear();
        f.fleet.calls.clear();
        JsonNode retry = SpecJson.MAPPER.readTree(f.handler.handle(event));

        assertThat(f.fleet.calls).containsExactly("startInstanceRefresh " + brokenGroup);
        assertThat(retry.path("refreshes")).singleElement().satisfies(r -> assertThat(r.path("stack").asText()).isEqualTo("noble"));
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
