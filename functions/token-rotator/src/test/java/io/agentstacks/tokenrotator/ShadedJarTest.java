package io.agentstacks.tokenrotator;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.lambdatesting.ApiGatewayEvents;
import io.agentstacks.lambdatesting.AwsStandIn;
import io.agentstacks.lambdatesting.LambdaJarTest;
import io.agentstacks.lambdatesting.LambdaProcess;
import io.agentstacks.lambdatesting.LambdaScenarios;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

/**
 * token-rotator.jar as Lambda runs it (at verify, once shaded): its own JVM, the entry's no-argument constructor,
 * only the environment Lambda and the control plane give it, and every AWS call and Semaphore answered by a
 * loopback stand-in in the wire format. A token goes to Semaphore and to SSM, and nowhere else.
 */
class ShadedJarTest extends LambdaJarTest {

    ShadedJarTest() {
        super(LambdaScenarios.tokenRotator(), "AWS_REGION");
    }

    /** The only calls that may carry a token: Semaphore's check and SSM's write. */
    static final Set<String> TOKEN_CALLS = Set.of("GetMetrics", "PutParameter");
    static final String REFUSED = "rF5tG7yH9uJ1iK3oL5pZ7xC9vB1nM3qW";

    @Test
    void theEntryRotatesATokenRefusesAnotherAndChecksDailyAndNoTokenLeavesIt() {
        String input = scenario.arrange().apply(aws);
        aws.rejectToken(REFUSED);
        String refused = ApiGatewayEvents.request("PUT", "/stacks/probe/token").body("{\"token\":\"" + REFUSED + "\"}").json();

        LambdaProcess.Result run = lambda().invoke(input, refused, "{\"action\":\"dailyCheck\"}");

        scenario.check().accept(aws, run.answer(0));
        assertThat(LambdaScenarios.json(run.answer(1)).path("statusCode").asInt()).isEqualTo(422);
        assertThat(aws.parameterValue("/semaphore/probe/token")).isEqualTo(LambdaScenarios.NEW_TOKEN);
        assertThat(LambdaScenarios.json(run.answer(2)).toString()).contains("\"checked\":1");
        assertThat(aws.calls("PutEvents").stream().map(AwsStandIn.Call::body).toList()).anySatisfy(b -> assertThat(b).contains("TokenRotated"));
        List<String> tokens = List.of(LambdaScenarios.TOKEN, LambdaScenarios.NEW_TOKEN, REFUSED);
        assertThat(aws.calls()).filteredOn(c -> !TOKEN_CALLS.contains(c.operation()))
                .allSatisfy(c -> tokens.forEach(t -> assertThat(c.body()).doesNotContain(t)));
        tokens.forEach(t -> assertThat(run.everythingWritten()).doesNotContain(t));
        assertThat(run.everythingWritten()).doesNotContain(AwsStandIn.SECRET_ACCESS_KEY);
    }
}
