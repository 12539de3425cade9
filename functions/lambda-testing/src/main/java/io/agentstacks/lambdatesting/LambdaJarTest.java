package io.agentstacks.lambdatesting;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every Lambda module's ShadedJarTest checks on its shaded jar (run at verify, once the jar is built), besides
 * the invocations of its own: the jar's size, the plain entry of the cold-start comparison answering the Lambda's
 * scenario as the Micronaut entry does, and a setting left out failing the constructor, before any call, with an
 * error that names the variable. Every run is a new JVM on the jar alone ({@link LambdaProcess}) against a fresh
 * loopback {@link AwsStandIn}.
 */
public abstract class LambdaJarTest {

    /** Surefire runs a module's tests in the module's directory. */
    protected static final Path MODULE = Path.of("");

    protected final LambdaScenario scenario;
    protected final AwsStandIn aws = AwsStandIn.start();
    private final String requiredVariable;

    /** @param requiredVariable one environment variable the entry cannot start without */
    protected LambdaJarTest(LambdaScenario scenario, String requiredVariable) {
        this.scenario = scenario;
        this.requiredVariable = requiredVariable;
    }

    /** The Lambda entry, from the jar, with the stand-in's environment. */
    protected LambdaProcess lambda() {
        return scenario.process(MODULE, aws, false);
    }

    @AfterEach
    void stopTheStandIn() {
        aws.close();
    }

    @Test
    void theJarStaysUnderTheSizeBudget() {
        assertThat(LambdaJars.assertUnderBudget(scenario.jar(MODULE))).isLessThan(LambdaJars.BUDGET_BYTES);
    }

    @Test
    void thePlainEntryIsTheSameHandlerWiredByHand() {
        scenario.run(MODULE, aws, true);
    }

    @Test
    void underSnapStartTheRoleCredentialsComeFromTheContainerEndpoint() {
        String input = scenario.arrange().apply(aws);
        int callsBefore = aws.calls().size();

        LambdaProcess.Result run = lambda().environment(aws.snapStartEnvironment()).invoke(input);

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        var lambdaCalls = aws.calls().subList(callsBefore, aws.calls().size());
        assertThat(lambdaCalls).as("calls of %s; answers %s; stderr %s", scenario.module(), run.answers(), run.stderr()).anySatisfy(c -> assertThat(c.operation()).isEqualTo("GetContainerCredentials"));
        assertThat(lambdaCalls).filteredOn(c -> c.headers().containsKey("x-amz-date"))
                .isNotEmpty()
                .allSatisfy(c -> assertThat(c.headers().get("authorization")).contains("Credential=" + AwsStandIn.CONTAINER_ACCESS_KEY_ID + "/"));
        scenario.check().accept(aws, run.answer(0));
        // The container's authorization token and the role's keys are for signing only: never written, never sent.
        assertThat(run.everythingWritten()).as("everything %s wrote under SnapStart", scenario.module())
                .doesNotContain(AwsStandIn.CONTAINER_AUTHORIZATION_TOKEN)
                .doesNotContain(AwsStandIn.SECRET_ACCESS_KEY)
                .doesNotContain(AwsStandIn.CONTAINER_SESSION_TOKEN);
        assertThat(aws.everythingReceived()).as("request lines and bodies %s sent", scenario.module())
                .doesNotContain(AwsStandIn.CONTAINER_AUTHORIZATION_TOKEN)
                .doesNotContain(AwsStandIn.SECRET_ACCESS_KEY);
    }

    @Test
    void withoutOneOfItsSettingsTheEntryDoesNotStartAndNamesTheVariable() {
        String input = scenario.arrange().apply(aws);
        int callsBefore = aws.calls().size();
        Map<String, String> env = new LinkedHashMap<>(aws.lambdaEnvironment());
        env.remove(requiredVariable);

        LambdaProcess.Result run = lambda().environment(env).invoke(input);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains(requiredVariable + " is not set");
        assertThat(aws.calls()).hasSize(callsBefore);
    }
}
