package io.agentstacks.local.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.local.LocalControlPlane;
import io.agentstacks.local.sfn.StateMachineRunner.ExecutionView;
import io.agentstacks.local.sfn.StateMachineRunner.Status;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.stacks.Workflow;
import io.agentstacks.stacks.WorkflowStarter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The deployed definitions run in aws-local-stepfunctions on the simulated clock, their Tasks in this JVM. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StateMachineRunnerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private LocalControlPlane cp;

    @BeforeAll
    void start() {
        cp = LocalControlPlane.start(LocalControlPlane.Options.defaults());
    }

    @AfterAll
    void stop() {
        cp.close();
    }

    private static String spec(String name, String extra) {
        return "{\"stackName\": \"" + name + "\", \"agentTokenParameterName\": \"/semaphore/" + name + "/token\","
                + " \"semaphoreOrganization\": \"my-org\", \"instanceType\": \"t3.small\", \"maxSize\": 2" + extra + "}";
    }

    private ExecutionView provision(String stack) {
        return cp.stateMachines().executions("provision-stack").stream().filter(e -> e.name().startsWith(stack + "-v"))
                .findFirst().orElseThrow();
    }

    @Test
    void waitsTakeSimulatedTimeAndTheExecutionStartsAtTheSimulatedInstant() throws Exception {
        String body = spec("waits", "");
        cp.createAgentType(SpecJson.readTrusted(JSON.readTree(body)));
        Instant posted = cp.now();
        assertThat(cp.api("POST", "/stacks", body).status()).isEqualTo(202);
        cp.runUntil("provisioned", () -> provision("waits").status() != Status.RUNNING, Duration.ofHours(1));

        ExecutionView e = provision("waits");
        assertThat(e.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(e.startedAt()).isEqualTo(posted);
        // CloudFormation takes 3 min; the workflow looks after each of the deployer's waits (SecondsPath): 10, 15,
        // 22, 33, 50, 60 s, and finds the stack complete at 190 s. No Wait slept real time.
        int waited = java.util.stream.IntStream.range(0, 6).map(io.agentstacks.stacks.DeployWaitSchedule::waitSeconds).sum();
        assertThat(waited).isEqualTo(190);
        assertThat(Duration.between(e.startedAt(), e.endedAt().orElseThrow())).isEqualTo(Duration.ofSeconds(waited));
        JsonNode output = e.output().orElseThrow();
        assertThat(Instant.parse(output.path("startedAt").asText())).as("$$.Execution.StartTime").isEqualTo(posted);
        assertThat(Instant.parse(output.path("network").path("deadline").asText())).isEqualTo(posted.plus(Duration.ofMinutes(30)));
        assertThat(cp.registry().get("waits").orElseThrow().status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(e.input().toString()).as("the execution's input is kept").contains("\"waits\"");
        assertThat(cp.stateMachines().taskCalls()).as("each Task's input and output is kept").anySatisfy(t -> {
            assertThat(t.input().path("action").asText()).isEqualTo("resolveNetwork");
            assertThat(t.input().path("stack").asText()).isEqualTo("waits");
            assertThat(t.output()).hasValueSatisfying(o -> assertThat(o.path("vpcId").asText()).isNotEmpty());
        });
        assertThat(cp.workflows().describe(Workflow.PROVISION_STACK, "waits-v1")).as("DescribeExecution")
                .hasValueSatisfying(d -> assertThat(d.status()).isEqualTo(WorkflowStarter.Status.SUCCEEDED));
    }

    @Test
    void aFailingTaskReachesTheDefinitionsCatchWithTheFunctionsErrorMessage() throws Exception {
        String body = spec("nozone", ", \"availabilityZones\": [\"us-east-1f\"]");
        cp.createAgentType(SpecJson.readTrusted(JSON.readTree(body)));
        assertThat(cp.api("POST", "/stacks", body).status()).isEqualTo(202);
        cp.runUntil("failed", () -> provision("nozone").status() != Status.RUNNING, Duration.ofHours(1));

        ExecutionView e = provision("nozone");
        assertThat(e.status()).isEqualTo(Status.FAILED);
        assertThat(e.error()).hasValue("StackFailed");
        assertThat(e.lastStates()).containsSubsequence("ResolveNetwork", "MarkFailed", "Failed");
        var record = cp.registry().get("nozone").orElseThrow();
        assertThat(record.status()).isEqualTo(StackStatus.FAILED);
        assertThat(record.reason()).hasValueSatisfying(r -> assertThat(r).contains("us-east-1f"));
        assertThat(cp.lambdas().failures()).anySatisfy(f -> assertThat(f.function()).isEqualTo("stack-deployer"));
        assertThat(cp.stateMachines().taskCalls()).as("a failed Task is kept with its error and cause").anySatisfy(t -> {
            assertThat(t.input().path("stack").asText()).isEqualTo("nozone");
            assertThat(t.output()).isEmpty();
            assertThat(t.error()).isPresent();
            assertThat(t.cause()).hasValueSatisfying(c -> assertThat(c).contains("us-east-1f"));
        });
        assertThat(cp.workflows().describe(Workflow.PROVISION_STACK, "nozone-v1")).hasValueSatisfying(d -> {
            assertThat(d.status()).isEqualTo(WorkflowStarter.Status.FAILED);
            assertThat(d.error()).hasValue("StackFailed");
        });
    }

    @Test
    void pollDemandRunsEveryMinuteForTheMinuteItCovers() {
        Instant from = cp.now();
        cp.advance(Duration.ofMinutes(3));
        List<ExecutionView> polls = cp.stateMachines().executions("poll-demand").stream()
                .filter(e -> !e.startedAt().isBefore(from)).toList();
        assertThat(polls).hasSizeGreaterThanOrEqualTo(2).allSatisfy(p -> {
            assertThat(p.startedAt().getEpochSecond() % 60).as("on the minute").isZero();
            assertThat(p.status()).isNotEqualTo(Status.FAILED);
        });
        assertThat(polls.get(0).startedAt()).isAfterOrEqualTo(T0);
    }
}
