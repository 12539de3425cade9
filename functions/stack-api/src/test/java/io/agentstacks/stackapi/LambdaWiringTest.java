package io.agentstacks.stackapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.inmemory.InMemoryWorkflowStarter;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.WorkflowStarter;
import org.junit.jupiter.api.Test;

class LambdaWiringTest {

    @Test
    void theLambdaEntryWiresTheRoutesToThePortBeansOfItsContext() {
        try (StackApiHandler lambda = new StackApiHandler()) {
            var answer = StackApiHandlerTest.send(lambda, ApiGatewayEvents.post("/stacks", """
                    {"stackName": "ci", "agentTokenParameterName": "/semaphore/agents/ci/token", "semaphoreOrganization": "acme"}
                    """));

            assertThat(answer.status()).isEqualTo(202);
            assertThat(lambda.context().getBean(StackRegistry.class).get("ci")).isPresent();
            assertThat(((InMemoryWorkflowStarter) lambda.context().getBean(WorkflowStarter.class)).executions()).hasSize(1);
        }
    }
}
