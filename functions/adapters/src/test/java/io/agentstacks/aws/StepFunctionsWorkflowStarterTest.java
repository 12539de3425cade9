package io.agentstacks.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.agentstacks.stacks.Workflow;
import io.agentstacks.stacks.WorkflowStarter.ExecutionStatus;
import io.agentstacks.stacks.WorkflowStarter.StartResult;
import io.agentstacks.stacks.WorkflowStarter.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

class StepFunctionsWorkflowStarterTest {

    @RegisterExtension
    static WireMockExtension aws = AwsStandIn.server();

    static final String JSON_10 = "application/x-amz-json-1.0";
    static final String PROVISION = "arn:aws:states:us-east-1:123456789012:stateMachine:provision-stack";
    static final String DESTROY = "arn:aws:states:us-east-1:123456789012:stateMachine:destroy-stack";

    final StepFunctionsWorkflowStarter starter = new StepFunctionsWorkflowStarter(AwsStandIn.client(SfnClient.builder(), aws),
            Map.of(Workflow.PROVISION_STACK, PROVISION, Workflow.DESTROY_STACK, DESTROY));

    static MappingBuilder startExecution() {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AWSStepFunctions.StartExecution"));
    }

    static ResponseDefinitionBuilder error(String type, String message) {
        return aResponse().withStatus(400).withHeader("Content-Type", JSON_10)
                .withBody("{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}");
    }

    @Test
    void startsTheWorkflowsStateMachineWithTheNameAndInput() {
        aws.stubFor(startExecution().willReturn(aResponse().withStatus(200).withHeader("Content-Type", JSON_10)
                .withBody("{\"executionArn\":\"arn:aws:states:us-east-1:123456789012:execution:provision-stack:ci-v3\",\"startDate\":1.893456E9}")));

        StartResult r = starter.start(Workflow.PROVISION_STACK, "ci-v3", "{\"stack\":\"ci\",\"specVersion\":3}");

        assertThat(r).isEqualTo(new StartResult.Started("arn:aws:states:us-east-1:123456789012:execution:provision-stack:ci-v3"));
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("AWSStepFunctions.StartExecution"))
                .withHeader("Content-Type", equalTo(JSON_10))
                .withRequestBody(equalToJson("{\"stateMachineArn\":\"" + PROVISION + "\",\"name\":\"ci-v3\","
                        + "\"input\":\"{\\\"stack\\\":\\\"ci\\\",\\\"specVersion\\\":3}\"}")));
    }

    @Test
    void anExecutionThatExistsCountsAsStarted() {
        aws.stubFor(startExecution().willReturn(error("ExecutionAlreadyExists",
                "Execution Already Exists: 'arn:aws:states:us-east-1:123456789012:execution:destroy-stack:ci-delete-v3'")));

        StartResult r = starter.start(Workflow.DESTROY_STACK, "ci-delete-v3", "{}");

        assertThat(r).isEqualTo(new StartResult.AlreadyStarted("arn:aws:states:us-east-1:123456789012:execution:destroy-stack:ci-delete-v3"));
    }

    @Test
    void aThrottledStartIsRetriedAndThenSucceeds() {
        aws.stubFor(startExecution().inScenario("throttle").whenScenarioStateIs(STARTED)
                .willReturn(error("ThrottlingException", "Rate exceeded")).willSetStateTo("retried"));
        aws.stubFor(startExecution().inScenario("throttle").whenScenarioStateIs("retried")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", JSON_10)
                        .withBody("{\"executionArn\":\"arn:aws:states:us-east-1:123456789012:execution:provision-stack:ci-v1\",\"startDate\":1.9E9}")));

        assertThat(starter.start(Workflow.PROVISION_STACK, "ci-v1", "{}")).isInstanceOf(StartResult.Started.class);
        aws.verify(2, postRequestedFor(urlEqualTo("/")));
    }

    @Test
    void aStateMachineThatDoesNotExistIsAnErrorNamingTheWorkflow() {
        aws.stubFor(startExecution().willReturn(error("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + PROVISION + "'")));
        assertThatThrownBy(() -> starter.start(Workflow.PROVISION_STACK, "ci-v1", "{}"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("provision-stack").hasMessageContaining("ci-v1")
                .hasMessageContaining("Does Not Exist");
    }

    @Test
    void aWorkflowWithoutAnArnIsRefusedBeforeAnyCall() {
        assertThatThrownBy(() -> starter.start(Workflow.RELEASE_MAC_HOSTS, "ci-release-v1", "{}"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("release-mac-hosts");
        aws.verify(0, postRequestedFor(urlEqualTo("/")));
    }

    // ---- StartExecution of an open execution's name and input: success with the original startDate ----

    /** 2030-01-01T00:00:00Z, the moment these calls are sent. */
    static final Clock SENT_AT = Clock.fixed(Instant.ofEpochSecond(1_893_456_000L), ZoneOffset.UTC);

    final StepFunctionsWorkflowStarter startedAt2030 = new StepFunctionsWorkflowStarter(
            AwsStandIn.client(SfnClient.builder(), aws), Map.of(Workflow.PROVISION_STACK, PROVISION, Workflow.DESTROY_STACK, DESTROY),
            SENT_AT);

    static ResponseDefinitionBuilder started(String name, String startDate) {
        return aResponse().withStatus(200).withHeader("Content-Type", JSON_10).withBody("{\"executionArn\":\""
                + "arn:aws:states:us-east-1:123456789012:execution:provision-stack:" + name + "\",\"startDate\":" + startDate + "}");
    }

    @Test
    void aSuccessCarryingAStartDateFromBeforeTheCallIsTheExecutionAlreadyRunning() {
        aws.stubFor(startExecution().willReturn(started("ci-v3", "1.8934559E9")));

        assertThat(startedAt2030.start(Workflow.PROVISION_STACK, "ci-v3", "{}")).isEqualTo(
                new StartResult.AlreadyRunning("arn:aws:states:us-east-1:123456789012:execution:provision-stack:ci-v3"));
    }

    @Test
    void aSuccessCarryingAStartDateFromTheCallItselfIsANewExecution() {
        aws.stubFor(startExecution().willReturn(started("ci-v3", "1.893456000412E9")));

        assertThat(startedAt2030.start(Workflow.PROVISION_STACK, "ci-v3", "{}")).isEqualTo(
                new StartResult.Started("arn:aws:states:us-east-1:123456789012:execution:provision-stack:ci-v3"));
    }

    @Test
    void aStartDateWithinTheClockToleranceCountsAsThisCallsOwn() {
        aws.stubFor(startExecution().willReturn(started("ci-v3", "1.8934559995E9")));

        assertThat(startedAt2030.start(Workflow.PROVISION_STACK, "ci-v3", "{}")).isInstanceOf(StartResult.Started.class);
    }

    // ---- DescribeExecution ----

    static MappingBuilder describeExecution() {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AWSStepFunctions.DescribeExecution"));
    }

    @Test
    void describeSendsTheExecutionArnOfTheNameAndReadsARunningExecution() {
        aws.stubFor(describeExecution().willReturn(aResponse().withStatus(200).withHeader("Content-Type", JSON_10).withBody("""
                {"executionArn":"arn:aws:states:us-east-1:123456789012:execution:provision-stack:ci-v3",
                 "stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:provision-stack",
                 "name":"ci-v3","status":"RUNNING","startDate":1.893456E9,
                 "input":"{\\"stack\\":\\"ci\\",\\"specVersion\\":3}","inputDetails":{"included":true},
                 "redriveCount":0,"redriveStatus":"NOT_REDRIVABLE"}""")));

        Optional<ExecutionStatus> run = starter.describe(Workflow.PROVISION_STACK, "ci-v3");

        assertThat(run).contains(new ExecutionStatus("arn:aws:states:us-east-1:123456789012:execution:provision-stack:ci-v3",
                Status.RUNNING, Optional.empty()));
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("AWSStepFunctions.DescribeExecution"))
                .withHeader("Content-Type", equalTo(JSON_10))
                .withRequestBody(equalToJson("{\"executionArn\":\"arn:aws:states:us-east-1:123456789012:execution:provision-stack:ci-v3\"}")));
    }

    @Test
    void describeReadsATimedOutExecutionsErrorButNeverItsCause() {
        aws.stubFor(describeExecution().willReturn(aResponse().withStatus(200).withHeader("Content-Type", JSON_10).withBody("""
                {"executionArn":"arn:aws:states:us-east-1:123456789012:execution:destroy-stack:ci-delete-v2",
                 "stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:destroy-stack",
                 "name":"ci-delete-v2","status":"TIMED_OUT","startDate":1.893456E9,"stopDate":1.8934776E9,
                 "input":"{}","inputDetails":{"included":true},
                 "error":"States.Timeout","cause":"The execution timed out after task output {\\"secret\\":1}",
                 "redriveCount":0,"redriveStatus":"REDRIVABLE"}""")));

        ExecutionStatus run = starter.describe(Workflow.DESTROY_STACK, "ci-delete-v2").orElseThrow();

        assertThat(run.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(run.isClosed()).isTrue();
        assertThat(run.error()).contains("States.Timeout");
        assertThat(run.toString()).doesNotContain("secret");
    }

    @Test
    void describeOfAnExecutionStepFunctionsDoesNotKnowIsEmpty() {
        aws.stubFor(describeExecution().willReturn(error("ExecutionDoesNotExist",
                "Execution Does Not Exist: 'arn:aws:states:us-east-1:123456789012:execution:provision-stack:ci-v9'")));

        assertThat(starter.describe(Workflow.PROVISION_STACK, "ci-v9")).isEmpty();
    }

    @Test
    void describeThatFailsIsAnErrorNamingTheExecution() {
        aws.stubFor(describeExecution().willReturn(error("AccessDeniedException", "not authorized to perform: states:DescribeExecution")));

        assertThatThrownBy(() -> starter.describe(Workflow.DESTROY_STACK, "ci-delete-v1"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("DescribeExecution")
                .hasMessageContaining("destroy-stack").hasMessageContaining("ci-delete-v1");
    }

    @Test
    void theExecutionArnOfANameIsBuiltFromTheStateMachineArn() {
        assertThat(StepFunctionsWorkflowStarter.executionArn(PROVISION, "ci-v9"))
                .isEqualTo("arn:aws:states:us-east-1:123456789012:execution:provision-stack:ci-v9");
    }
}
