package io.agentstacks.aws;

import io.agentstacks.stacks.Workflow;
import io.agentstacks.stacks.WorkflowStarter;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.util.EnumMap;
import java.util.Map;

/**
 * The {@link WorkflowStarter} bean for Lambdas: the state machines named by {@code PROVISION_STACK_ARN},
 * {@code DESTROY_STACK_ARN} and, when set, {@code RELEASE_MAC_HOSTS_ARN}. Its SDK client is built here for
 * this adapter only and is no bean itself, so that other factories' clients of the same service cannot clash
 * with it; a Lambda whose jar leaves the service's SDK module out never builds it. Region, credentials,
 * timeouts and retries: {@link SdkClientDefaults}.
 */
@Factory
@Requires(classes = SfnClient.class)
public final class StepFunctionsWorkflowStarterFactory {

    @Singleton
    public WorkflowStarter workflowStarter() {
        Map<Workflow, String> arns = new EnumMap<>(Workflow.class);
        arns.put(Workflow.PROVISION_STACK, SdkClientDefaults.required("PROVISION_STACK_ARN"));
        arns.put(Workflow.DESTROY_STACK, SdkClientDefaults.required("DESTROY_STACK_ARN"));
        SdkClientDefaults.optional("RELEASE_MAC_HOSTS_ARN").ifPresent(arn -> arns.put(Workflow.RELEASE_MAC_HOSTS, arn));
        return new StepFunctionsWorkflowStarter(client(), arns);
    }

    private static SfnClient client() {
        return SfnClient.builder().region(SdkClientDefaults.region()).credentialsProvider(SdkClientDefaults.credentials())
                .httpClient(SdkClientDefaults.httpClient()).overrideConfiguration(SdkClientDefaults.overrideConfiguration()).build();
    }
}
