package io.agentstacks.stackapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.lambdatesting.ApiGatewayEvents;
import io.agentstacks.lambdatesting.AwsStandIn;
import io.agentstacks.lambdatesting.LambdaJarTest;
import io.agentstacks.lambdatesting.LambdaProcess;
import io.agentstacks.lambdatesting.LambdaScenarios;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;


/**
 * stack-api.jar as Lambda runs it (at verify, once shaded): its own JVM, the entry's no-argument constructor, only
 * the environment Lambda and the control plane give it, and every AWS call answered by a loopback stand-in in the
 * wire format; the requests are API Gateway proxy events as API Gateway sends them.
 */
class ShadedJarTest extends LambdaJarTest {

    ShadedJarTest() {
        super(LambdaScenarios.stackApi(), "DESTROY_STACK_ARN");
    }

    @Test
    void everyRouteAnswersThroughTheRealAdapters() {
        String post = scenario.arrange().apply(aws);
        aws.seed(LambdaScenarios.active(LambdaScenarios.linuxSpec("live", aws), "live-asg"));
        aws.group(new AwsStandIn.Group("live-asg", 0, 20, 2, 2, false));

        LambdaProcess.Result run = lambda().invoke(post, post,
                ApiGatewayEvents.request("GET", "/stacks/live").json(),
                ApiGatewayEvents.request("GET", "/stacks").query("limit", "1").json(),
                ApiGatewayEvents.request("DELETE", "/stacks/live").json());

        scenario.check().accept(aws, run.answer(0));
        assertThat(LambdaScenarios.json(run.answer(1)).path("statusCode").asInt()).as("the same POST again").isEqualTo(202);
        assertThat(LambdaScenarios.json(run.answer(2)).path("statusCode").asInt()).isEqualTo(200);
        assertThat(aws.calls("DescribeAutoScalingGroups")).isNotEmpty();
        assertThat(LambdaScenarios.json(run.answer(3)).path("body").asText()).contains("live").contains("nextPageToken");
        assertThat(LambdaScenarios.json(run.answer(4)).path("statusCode").asInt()).isEqualTo(202);
        assertThat(aws.registry().get("live").orElseThrow().status()).isEqualTo(StackStatus.DELETING);
        assertThat(aws.calls("DescribeExecution")).as("a retried POST finds the execution of its version running")
                .anySatisfy(c -> assertThat(c.json().path("executionArn").asText()).endsWith(":execution:provision-stack:probe-v1"));
        assertThat(aws.calls("StartExecution")).as("one execution per spec version")
                .extracting(c -> c.json().path("name").asText() + " " + c.json().path("stateMachineArn").asText())
                .containsExactly("probe-v1 " + AwsStandIn.stateMachineArn("provision-stack"),
                        "live-delete-v1 " + AwsStandIn.stateMachineArn("destroy-stack"));
        assertThat(run.everythingWritten()).doesNotContain(AwsStandIn.SECRET_ACCESS_KEY);
    }
}
