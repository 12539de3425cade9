package io.agentstacks.deployer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.lambdatesting.AwsStandIn;
import io.agentstacks.lambdatesting.ImageBuilderEvents;
import io.agentstacks.lambdatesting.LambdaJarTest;
import io.agentstacks.lambdatesting.LambdaProcess;
import io.agentstacks.lambdatesting.LambdaScenarios;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * stack-deployer.jar as Lambda runs it (at verify, once shaded): its own JVM, the entry's no-argument constructor,
 * only the environment Lambda and the control plane give it, and every AWS call answered by a loopback stand-in in
 * the wire format. One warm JVM takes a stack through provisioning, another through deletion, a failed stack's
 * status, an update, and Image Builder's event: every SDK operation the jar's filtered SDK modules must serve.
 */
class ShadedJarTest extends LambdaJarTest {

    ShadedJarTest() {
        super(LambdaScenarios.stackDeployer(), "AGENT_STACK_TEMPLATE_URL");
    }

    final String deadline = Instant.now().plus(Duration.ofMinutes(30)).toString();

    @Test
    void everyStepAndTheImageRolloutAnswerThroughTheRealAdapters() {
        String resolve = scenario.arrange().apply(aws);
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        aws.seed(StackRecord.first(LambdaScenarios.linuxSpec("gone", aws), hourAgo).toBuilder().status(StackStatus.DELETING)
                .groupName(Optional.of("gone-asg")).build());
        aws.cloudFormationStack("agent-stack-gone", "CREATE_COMPLETE", "gone-asg");
        aws.group(new AwsStandIn.Group("gone-asg", 1, 5, 2, 2, false));
        aws.seed(StackRecord.first(LambdaScenarios.linuxSpec("broken", aws), hourAgo).toBuilder().status(StackStatus.PROVISIONING).build());
        aws.cloudFormationStack("agent-stack-broken", "ROLLBACK_COMPLETE", "broken-asg");
        aws.seed(StackRecord.first(LambdaScenarios.linuxSpec("upd", aws), hourAgo).toBuilder().specVersion(2)
                .status(StackStatus.UPDATING).groupName(Optional.of("upd-asg")).build());
        aws.cloudFormationStack("agent-stack-upd", "CREATE_COMPLETE", "upd-asg");
        String network = "\"network\":{\"vpcId\":\"vpc-0abc\",\"subnetIds\":[\"subnet-a\",\"subnet-b\"],"
                + "\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]},\"hostGroupArn\":\"\",\"attempt\":0,\"deadline\":\"" + deadline + "\"";
        String image = ImageBuilderEvents.stateChange("ubuntu-noble-x86_64", "AVAILABLE");

        LambdaProcess.Result run = lambda().invoke(resolve,
                task("deploy", "probe", 1, network),
                task("readStatus", "probe", 1, "\"workflow\":\"provision\",\"attempt\":1,\"deadline\":\"" + deadline + "\""),
                task("finalize", "probe", 1, null),
                task("readStatus", "broken", 1, "\"workflow\":\"provision\",\"attempt\":1,\"deadline\":\"" + deadline + "\""),
                task("scaleToZero", "gone", 1, "\"startedAt\":\"" + Instant.now() + "\""),
                task("readInstances", "gone", 1, "\"groupName\":\"gone-asg\",\"attempt\":0,\"deadline\":\"" + deadline + "\""),
                task("delete", "gone", 1, "\"attempt\":0,\"deadline\":\"" + deadline + "\""),
                task("readStatus", "gone", 1, "\"workflow\":\"destroy\",\"attempt\":0,\"deadline\":\"" + deadline + "\""),
                task("markDeleted", "gone", 1, null),
                task("deploy", "upd", 2, network),
                image,
                image,
                "{\"action\":\"finalize\",\"stack\":\"probe\"}");

        scenario.check().accept(aws, run.answer(0));
        assertThat(json(run, 1).path("outcome").asText()).isEqualTo("STARTED");
        assertThat(aws.calls("CreateStack")).singleElement().satisfies(c -> {
            assertThat(c.param("TemplateURL")).isEqualTo(AwsStandIn.TEMPLATE_URL);
            assertThat(c.param("ClientRequestToken")).isEqualTo("probe-v1-create");
            assertThat(c.param("RoleARN")).isEqualTo(AwsStandIn.CLOUDFORMATION_ROLE);
        });
        assertThat(json(run, 2).path("status").asText()).isEqualTo("COMPLETE");
        assertThat(json(run, 3).path("outcome").asText()).isEqualTo("APPLIED");
        assertThat(aws.calls("SuspendProcesses")).singleElement()
                .satisfies(c -> assertThat(c.param("ScalingProcesses.member.1")).isEqualTo("AZRebalance"));
        assertThat(json(run, 4).path("reason").asText()).isEqualTo("ROLLBACK_COMPLETE: InstanceRole: User is not authorized to perform: iam:CreateRole");
        assertThat(json(run, 5).path("outcome").asText()).isEqualTo("SCALED");
        assertThat(json(run, 6).path("status").asText()).isEqualTo("DRAINED");
        assertThat(json(run, 7).path("outcome").asText()).isEqualTo("STARTED");
        assertThat(json(run, 8).path("status").asText()).isEqualTo("ABSENT");
        assertThat(json(run, 9).path("outcome").asText()).isEqualTo("APPLIED");
        assertThat(aws.registry().get("gone").orElseThrow().status()).isEqualTo(StackStatus.DELETED);
        assertThat(json(run, 10).path("operation").asText()).isEqualTo("update");
        assertThat(aws.calls("UpdateStack")).singleElement().satisfies(c -> assertThat(c.param("ClientRequestToken")).isEqualTo("upd-v2-update"));
        JsonNode refreshed = json(run, 11);
        assertThat(refreshed.path("outcome").asText()).isEqualTo("REFRESHED");
        assertThat(refreshed.path("refreshes")).singleElement().satisfies(r -> assertThat(r.path("stack").asText()).isEqualTo("probe"));
        assertThat(json(run, 12).path("refreshes")).as("the same event again: no second refresh").isEmpty();
        assertThat(json(run, 12).path("skipped")).singleElement()
                .satisfies(k -> assertThat(k.path("reason").asText()).isEqualTo("image already rolled out"));
        assertThat(aws.calls("StartInstanceRefresh")).hasSize(1);
        assertThat(aws.registry().get("probe").orElseThrow().rolledOutImage()).as("recorded through DynamoDB")
                .contains("arn:aws:imagebuilder:us-east-1:123456789012:image/semaphore-agent-ubuntu-noble-x86_64/1.0.4/1");
        assertThat(run.error(13)).contains("BadTaskInput").contains("specVersion");
        assertThat(aws.calls("PutEvents").stream().map(AwsStandIn.Call::body).collect(Collectors.joining()))
                .contains("StackReady", "StackDeleted");
        assertThat(run.everythingWritten()).doesNotContain(AwsStandIn.SECRET_ACCESS_KEY);
    }

    private static String task(String action, String stack, long specVersion, String more) {
        return Fixture.input(action, stack, specVersion, more);
    }

    private static JsonNode json(LambdaProcess.Result run, int i) {
        return LambdaScenarios.json(run.answer(i));
    }
}
