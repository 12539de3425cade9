package io.agentstacks.aws;

import io.agentstacks.stacks.Workflow;
import io.agentstacks.stacks.WorkflowStarter;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Starts the control plane's state machines with StartExecution. An execution name can be used once per
 * state machine: ExecutionAlreadyExists is {@link StartResult.AlreadyStarted}, with the execution's ARN
 * (the state machine's ARN with {@code :stateMachine:} turned into {@code :execution:}, plus {@code :<name>}).
 */
public final class StepFunctionsWorkflowStarter implements WorkflowStarter {

    private final SfnClient sfn;
    private final Map<Workflow, String> stateMachineArns;

    /** @param stateMachineArns the ARN of each workflow this starter may start */
    public StepFunctionsWorkflowStarter(SfnClient sfn, Map<Workflow, String> stateMachineArns) {
        this.sfn = Objects.requireNonNull(sfn, "sfn");
        this.stateMachineArns = new EnumMap<>(stateMachineArns);
        this.stateMachineArns.forEach((w, arn) -> {
            if (!arn.contains(":stateMachine:")) {
                throw new IllegalArgumentException("not a state machine ARN for " + w.definitionName() + ": " + arn);
            }
        });
    }

    @Override
    public StartResult start(Workflow workflow, String executionName, String inputJson) {
        String arn = stateMachineArns.get(workflow);
        if (arn == null) {
            throw new IllegalStateException("no state machine ARN configured for " + workflow.definitionName());
        }
        try {
            return new StartResult.Started(sfn.startExecution(b -> b.stateMachineArn(arn).name(executionName).input(inputJson))
                    .executionArn());
        } catch (ExecutionAlreadyExistsException e) {
            return new StartResult.AlreadyStarted(executionArn(arn, executionName));
        } catch (SdkException e) {
            throw new IllegalStateException("Step Functions StartExecution of " + workflow.definitionName() + " execution "
                    + executionName + " failed: " + e.getMessage(), e);
        }
    }

    static String executionArn(String stateMachineArn, String executionName) {
        return stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + executionName;
    }
}
