package io.agentstacks.demandpoller;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.lambdatesting.AwsStandIn;
import io.agentstacks.lambdatesting.LambdaJarTest;
import io.agentstacks.lambdatesting.LambdaProcess;
import io.agentstacks.lambdatesting.LambdaScenarios;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Collectors;

/**
 * demand-poller.jar as Lambda runs it (at verify, once shaded): its own JVM, the entry's no-argument constructor,
 * only the environment Lambda and the control plane give it, and every AWS call and Semaphore answered by a
 * loopback stand-in in the wire format.
 */
class ShadedJarTest extends LambdaJarTest {

    ShadedJarTest() {
        super(LambdaScenarios.demandPoller(), "EVENT_BUS_NAME");
    }

    @Test
    void theEntryPollsALiveStackThroughTheRealAdaptersAndNoTokenLeavesIt() {
        String input = scenario.arrange().apply(aws);
        aws.seed(LambdaScenarios.active(LambdaScenarios.linuxSpec("refused", aws), "refused-asg"));
        aws.parameter("/semaphore/refused/token", LambdaScenarios.NEW_TOKEN);
        aws.rejectToken(LambdaScenarios.NEW_TOKEN);

        LambdaProcess.Result run = lambda().invoke(input, "{\"offsetSeconds\":5}");

        assertThat(LambdaScenarios.json(run.answer(0)).path("polled").asInt()).isEqualTo(2);
        assertThat(aws.calls("GetMetrics")).extracting(c -> c.header("Authorization"))
                .containsExactlyInAnyOrder("Token " + LambdaScenarios.TOKEN, "Token " + LambdaScenarios.NEW_TOKEN);
        assertThat(aws.calls("PutEvents").stream().map(AwsStandIn.Call::body).collect(Collectors.joining()))
                .contains("DemandObserved", "TokenRejected").doesNotContain(LambdaScenarios.TOKEN, LambdaScenarios.NEW_TOKEN);
        assertThat(aws.registry().get("refused").orElseThrow().status()).isEqualTo(StackStatus.DEGRADED);
        assertThat(run.error(1)).contains("scheduledTime");
        assertThat(run.everythingWritten()).doesNotContain(LambdaScenarios.TOKEN, LambdaScenarios.NEW_TOKEN, AwsStandIn.SECRET_ACCESS_KEY);
        assertThat(aws.calls("PutItem")).allSatisfy(c -> assertThat(c.body()).doesNotContain(LambdaScenarios.TOKEN, LambdaScenarios.NEW_TOKEN));
    }
}
