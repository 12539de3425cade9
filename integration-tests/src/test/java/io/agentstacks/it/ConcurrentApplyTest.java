package io.agentstacks.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.inmemory.InMemoryStackDeployments;
import io.agentstacks.local.aws.LocalApiGateway;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The same spec posted 20 times at once, as a retrying client or a CI matrix might. */
class ConcurrentApplyTest extends LocalScenario {

    private static final String STACK = "linux-small";
    private static final String SPEC = example("linux-small.json");

    @Test
    void theSameSpecPostedTwentyTimesAtOnceMakesOneStackWithOneExecution() throws Exception {
        agentTypeFor(SPEC);
        ExecutorService threads = Executors.newFixedThreadPool(20);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<LocalApiGateway.Answer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                answers.add(threads.submit(() -> {
                    go.await();
                    return cp.api("POST", "/stacks", SPEC);
                }));
            }
            go.countDown();
            for (Future<LocalApiGateway.Answer> a : answers) {
                LocalApiGateway.Answer answer = a.get(60, TimeUnit.SECONDS);
                assertThat(answer.status()).as(answer.body()).isEqualTo(202);
                JsonNode body = JSON.readTree(answer.body());
                assertThat(body.path("name").asText()).isEqualTo(STACK);
                assertThat(body.path("version").asLong()).as("every answer names the one version").isEqualTo(1);
            }
        } finally {
            threads.shutdownNow();
        }
        List<String> accepted = cp.log().lines().stream().filter(l -> l.contains("\"stack.apply.accepted\"")).toList();
        assertThat(accepted).hasSize(20);
        assertThat(accepted).as("one request stored the spec; the others found it in flight")
                .filteredOn(l -> l.contains("\"disposition\":\"NEW_VERSION\"")).hasSize(1);
        assertThat(cp.registry().all()).singleElement().satisfies(r -> assertThat(r.specVersion()).isEqualTo(1));
        assertThat(cp.workflows().executions()).singleElement()
                .satisfies(e -> assertThat(e.name()).isEqualTo("linux-small-v1"));

        untilStatus(STACK, StackStatus.ACTIVE, 1, Duration.ofMinutes(30));
        assertThat(cp.stateMachines().executions("provision-stack")).hasSize(1);
        assertThat(cp.stacks().calls()).filteredOn(c -> c.operation().equals("CreateStack"))
                .extracting(InMemoryStackDeployments.Call::cloudFormationStackName).containsExactly("agent-stack-linux-small");
        assertThat(cp.stacks().stackNames()).containsExactly("agent-stack-linux-small");
        assertThat(group(STACK).maxSize()).isEqualTo(5);
    }
}
