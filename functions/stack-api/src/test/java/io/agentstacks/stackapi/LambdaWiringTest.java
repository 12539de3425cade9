package io.agentstacks.stackapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.agentstacks.inmemory.InMemoryWorkflowStarter;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.WorkflowStarter;
import io.micronaut.function.aws.proxy.MockLambdaContext;
import org.junit.jupiter.api.Test;

class LambdaWiringTest {

    @Test
    void theLambdaEntryWiresTheControllerToThePortBeans() {
        try (StackApiHandler lambda = new StackApiHandler()) {
            APIGatewayProxyResponseEvent response = lambda.handleRequest(ApiGatewayEvents.post("/stacks", """
                    {"stackName": "ci", "agentTokenParameterName": "/semaphore/agents/ci/token", "semaphoreOrganization": "acme"}
                    """).event(), new MockLambdaContext());

            assertThat(response.getStatusCode()).isEqualTo(202);
            var context = lambda.getApplicationContext();
            assertThat(context.getBean(StackRegistry.class).get("ci")).isPresent();
            assertThat(((InMemoryWorkflowStarter) context.getBean(WorkflowStarter.class)).executions()).hasSize(1);
        }
    }
}
