package io.agentstacks.scaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventJson;
import io.agentstacks.lambdatesting.AwsStandIn;
import io.agentstacks.lambdatesting.LambdaJarTest;
import io.agentstacks.lambdatesting.LambdaProcess;
import io.agentstacks.lambdatesting.LambdaScenarios;
import org.junit.jupiter.api.Test;

import java.time.Instant;

/**
 * scaler.jar as Lambda runs it (at verify, once shaded): its own JVM, the entry's no-argument constructor, only
 * the environment Lambda and the control plane give it, and every AWS call answered by a loopback stand-in in the
 * wire format. Proves that the jar holds every class its calls need and that the wiring resolves from
 * environment variables alone.
 */
class ShadedJarTest extends LambdaJarTest {

    ShadedJarTest() {
        super(LambdaScenarios.scaler(), "REGISTRY_TABLE");
    }

    @Test
    void theEntryScalesAGroupThroughTheRealAdaptersAndReadsAWarmPool() {
        String input = scenario.arrange().apply(aws);
        aws.seed(LambdaScenarios.active(LambdaScenarios.linuxSpec("warm", aws), "warm-asg"));
        aws.group(new AwsStandIn.Group("warm-asg", 0, 20, 1, 1, true));
        String warm = EventJson.envelope(new DomainEvent.DemandObserved("warm", "warm-asg", 2, 0, 0, 0, Instant.now()),
                AwsStandIn.ACCOUNT, AwsStandIn.REGION).toString();

        LambdaProcess.Result run = lambda().invoke(input, warm, "{\"detail-type\":\"DemandObserved\"}");

        scenario.check().accept(aws, run.answer(0));
        assertThat(aws.calls("SetDesiredCapacity").get(0).param("HonorCooldown")).isEqualTo("false");
        assertThat(aws.calls("SetDesiredCapacity").get(0).header("Authorization")).contains("Credential=" + AwsStandIn.ACCESS_KEY_ID + "/");
        assertThat(aws.calls("DescribeWarmPool")).singleElement().satisfies(c -> assertThat(c.param("AutoScalingGroupName")).isEqualTo("warm-asg"));
        assertThat(LambdaScenarios.json(run.answer(1)).path("outcome").asText()).isNotEqualTo("rejected");
        assertThat(LambdaScenarios.json(run.answer(2)).path("outcome").asText()).isEqualTo("rejected");
        assertThat(aws.calls("PutEvents")).hasSize(2);
        assertThat(run.everythingWritten()).doesNotContain(AwsStandIn.SECRET_ACCESS_KEY);
    }
}
