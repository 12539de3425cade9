package io.agentstacks.aws;

import io.agentstacks.stacks.Workflow;
import io.agentstacks.stacks.WorkflowStarter;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Beans on Step Functions: the {@link WorkflowStarter} of the control plane's state machines.
 * The client is built by {@link SdkClients}; the factory is only active when the service's SDK module is in the
 * jar, so a Lambda that leaves the module out never sees these beans. Plain entries (the cold-start
 * comparison) call the same methods by hand.
 */
@Factory
@Requires(classes = SfnClient.class)
public final class StepFunctionsFactory {

    @Singleton
    public SfnClient client() {
        return SdkClients.build(SfnClient.builder());
    }

    @Singleton
    public WorkflowStarter workflowStarter(SfnClient sfn) {
        return new StepFunctionsWorkflowStarter(sfn, stateMachineArns());
    }

    /**
     * Each workflow's state machine ARN from {@code <DEFINITION_NAME>_ARN}: {@code PROVISION_STACK_ARN} and
     * {@code DESTROY_STACK_ARN} are required (the API starts them), {@code RELEASE_MAC_HOSTS_ARN} is read when set.
     */
    public static Map<Workflow, String> stateMachineArns() {
        Map<Workflow, String> arns = new EnumMap<>(Workflow.class);
        for (Workflow w : Workflow.values()) {
            if (w == Workflow.RELEASE_MAC_HOSTS) {
                LambdaEnvironment.optional(arnVariable(w)).ifPresent(arn -> arns.put(w, arn));
            } else {
                arns.put(w, LambdaEnvironment.required(arnVariable(w)));
            }
        }
        return arns;
    }

    /** {@code PROVISION_STACK_ARN} for provision-stack, and so on. */
    public static String arnVariable(Workflow workflow) {
        return workflow.definitionName().toUpperCase(Locale.ROOT).replace('-', '_') + "_ARN";
    }
}
