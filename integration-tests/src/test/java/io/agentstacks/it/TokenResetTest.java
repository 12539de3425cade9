package io.agentstacks.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.local.aws.LocalApiGateway;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.token.AgentToken;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent type's token is reset in the Semaphore UI mid-run; the new one comes in through the token route. */
class TokenResetTest extends LocalScenario {

    private static final String STACK = "linux-small";
    private static final String SPEC = example("linux-small.json");
    private static final String PARAMETER = "/semaphore/agents/linux-small/token";

    private LocalApiGateway.Answer putToken(AgentToken token) {
        byte[] body = ("{\"token\": \"" + token.reveal() + "\"}").getBytes(StandardCharsets.UTF_8);
        return cp.api(new LocalApiGateway.Request("PUT", "/stacks/" + STACK + "/token", "",
                Map.of("Content-Type", List.of("application/json")), body));
    }

    @Test
    void aResetTokenDegradesTheStackAndTheNewTokenMakesItActiveAndScalingAgainWithinOnePollInterval() throws Exception {
        agentTypeFor(SPEC);
        post(SPEC);
        untilStatus(STACK, StackStatus.ACTIVE, 1, Duration.ofMinutes(30));
        until("first poll of the stack", () -> record(STACK).lastDemand().isPresent(), Duration.ofMinutes(2));
        cp.semaphore().enqueue(STACK, 2, 600);
        until("scaled to the first jobs", () -> desired(STACK) == 2, Duration.ofMinutes(1));
        until("the jobs run", () -> agentType(STACK).runningJobs() == 2, Duration.ofMinutes(5));

        AgentToken fresh = cp.semaphore().resetToken(STACK);
        remember(fresh);
        Duration degraded = untilStatus(STACK, StackStatus.DEGRADED, 1, Duration.ofMinutes(1));
        assertThat(degraded).as("the next poll sees the 401").isLessThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(record(STACK).reason()).hasValueSatisfying(r -> assertThat(r).contains(PARAMETER).contains("401"));
        assertThat(events(DomainEvent.TokenRejected.class, STACK)).isNotEmpty()
                .allSatisfy(e -> assertThat(e.source()).isEqualTo("poller"));
        JsonNode shown = get(STACK);
        assertThat(shown.path("status").asText()).isEqualTo("DEGRADED");

        cp.semaphore().enqueue(STACK, 2, 600);
        cp.advance(Duration.ofMinutes(2));
        assertThat(desired(STACK)).as("no scaling on a token Semaphore refuses").isEqualTo(2);
        assertThat(agentType(STACK).runningJobs()).as("running agents keep their jobs").isEqualTo(2);

        LocalApiGateway.Answer wrong = putToken(new AgentToken("not-the-new-token"));
        assertThat(wrong.status()).as("Semaphore refuses it: " + wrong.body()).isEqualTo(422);
        assertThat(cp.tokens().versions(PARAMETER)).hasSize(1);

        LocalApiGateway.Answer put = putToken(fresh);
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        JsonNode rotated = JSON.readTree(put.body());
        assertThat(rotated.path("parameterVersion").asLong()).isEqualTo(2);
        assertThat(put.body()).doesNotContain(fresh.reveal());
        assertThat(cp.tokens().versions(PARAMETER)).hasSize(2);
        assertThat(record(STACK).status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(events(DomainEvent.TokenRotated.class, STACK)).singleElement()
                .satisfies(e -> assertThat(e.parameterVersion()).isEqualTo(2));

        Duration scaledAgain = until("scales again", () -> desired(STACK) == 4, Duration.ofMinutes(2));
        assertThat(scaledAgain).as("within one poll interval (10 s) and EventBridge's delivery")
                .isLessThanOrEqualTo(Duration.ofMillis(10_500));
        until("new instances register with the new token", () -> agentType(STACK).runningJobs() == 4, Duration.ofMinutes(5));
    }
}
