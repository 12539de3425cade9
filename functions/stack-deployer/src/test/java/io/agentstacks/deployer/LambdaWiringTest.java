package io.agentstacks.deployer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.inmemory.InMemoryStackDeployments;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.stacks.StackDeployments;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

class LambdaWiringTest {

    static final String TEMPLATE = "https://cp-assets.s3.us-east-1.amazonaws.com/agent-stack.template.json";
    String saved;

    @BeforeEach
    void templateUrl() {
        saved = System.getProperty("AGENT_STACK_TEMPLATE_URL");
        System.setProperty("AGENT_STACK_TEMPLATE_URL", TEMPLATE);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty("AGENT_STACK_TEMPLATE_URL");
        } else {
            System.setProperty("AGENT_STACK_TEMPLATE_URL", saved);
        }
    }

    @Test
    void theLambdaEntryRunsATaskOverThePortBeans() throws Exception {
        try (StackDeployerFunction lambda = lambda()) {
            StackRegistry registry = lambda.context().getBean(StackRegistry.class);
            registry.put(StackRecord.first(Fixture.spec("ci"), java.time.Instant.parse("2030-01-01T00:00:00Z")));

            JsonNode answer = invoke(lambda, Fixture.input("deploy", "ci", 1, "\"network\":{\"vpcId\":\"vpc-1\","
                    + "\"subnetIds\":[\"subnet-a\"],\"availabilityZones\":[\"us-east-1a\"]},\"hostGroupArn\":\"\","
                    + "\"attempt\":0,\"deadline\":\"2030-01-01T00:30:00Z\""));

            assertThat(answer.get("outcome").asText()).isEqualTo("STARTED");
            InMemoryStackDeployments cfn = (InMemoryStackDeployments) lambda.context().getBean(StackDeployments.class);
            assertThat(cfn.calls()).singleElement().satisfies(c -> assertThat(c.clientRequestToken()).isEqualTo("ci-v1-create"));
            assertThat(cfn.outputs("agent-stack-ci")).isPresent();
        }
    }

    @Test
    void badTaskInputFailsTheInvocationWithTheFieldNamed() {
        try (StackDeployerFunction lambda = lambda()) {
            assertThatThrownBy(() -> invoke(lambda, "{\"action\":\"finalize\",\"stack\":\"ci\"}"))
                    .isInstanceOf(StackDeployerHandler.BadTaskInput.class).hasMessageContaining("specVersion");
        }
    }

    @Test
    void withoutTheTemplateUrlTheFunctionDoesNotStart() {
        System.clearProperty("AGENT_STACK_TEMPLATE_URL");
        assertThatThrownBy(LambdaWiringTest::lambda).hasStackTraceContaining("AGENT_STACK_TEMPLATE_URL is not set");
    }

    /** The entry over the function's own context builder, plus the environment that enables the in-memory ports. */
    static StackDeployerFunction lambda() {
        return new StackDeployerFunction(StackDeployerFunction.contextBuilder().environments(InMemoryPortsFactory.ENVIRONMENT).start());
    }

    private static JsonNode invoke(StackDeployerFunction lambda, String json) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        lambda.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), out, null);
        return SpecJson.MAPPER.readTree(out.toByteArray());
    }
}
