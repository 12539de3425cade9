package io.agentstacks.aws;

import io.agentstacks.stacks.Workflow;
import io.agentstacks.stacks.WorkflowStarter;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Starts the control plane's state machines with StartExecution and reads them with DescribeExecution.
 *
 * <p>For a name already used, Step Functions answers ExecutionAlreadyExists ({@link StartResult.AlreadyStarted},
 * with the execution's ARN: the state machine's ARN with {@code :stateMachine:} turned into {@code :execution:},
 * plus {@code :<name>}) when that execution is closed or has another input; when it is open with the same input
 * it answers success with the <em>original</em> execution's ARN and startDate. A startDate from before this call
 * was sent is therefore {@link StartResult.AlreadyRunning}. Two calls racing within {@link #CLOCK_TOLERANCE}
 * both read as {@link StartResult.Started}: nothing once-only may hang on that answer.
 */
public final class StepFunctionsWorkflowStarter implements WorkflowStarter {

    /** Allowance for the difference between this host's clock and Step Functions'. */
    static final Duration CLOCK_TOLERANCE = Duration.ofSeconds(1);

    private final SfnClient sfn;
    private final Map<Workflow, String> stateMachineArns;
    private final Clock clock;

    /** @param stateMachineArns the ARN of each workflow this starter may start */
    public StepFunctionsWorkflowStarter(SfnClient sfn, Map<Workflow, String> stateMachineArns) {
        this(sfn, stateMachineArns, Clock.systemUTC());
    }

    StepFunctionsWorkflowStarter(SfnClient sfn, Map<Workflow, String> stateMachineArns, Clock clock) {
        this.sfn = Objects.requireNonNull(sfn, "sfn");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.stateMachineArns = new EnumMap<>(stateMachineArns);
        this.stateMachineArns.forEach((w, arn) -> {
            if (!arn.contains(":stateMachine:")) {
                throw new IllegalArgumentException("not a state machine ARN for " + w.definitionName() + ": " + arn);
            }
        });
    }

    @Override
    public StartResult start(Workflow workflow, String executionName, String inputJson) {
        String arn = arnOf(workflow);
        Instant sent = clock.instant();
        try {
            StartExecutionResponse r = sfn.startExecution(b -> b.stateMachineArn(arn).name(executionName).input(inputJson));
            boolean earlier = r.startDate() != null && r.startDate().isBefore(sent.minus(CLOCK_TOLERANCE));
            return earlier ? new StartResult.AlreadyRunning(r.executionArn()) : new StartResult.Started(r.executionArn());
        } catch (ExecutionAlreadyExistsException e) {
            return new StartResult.AlreadyStarted(executionArn(arn, executionName));
        } catch (SdkException e) {
            throw new IllegalStateException("Step Functions StartExecution of " + workflow.definitionName() + " execution "
                    + executionName + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<ExecutionStatus> describe(Workflow workflow, String executionName) {
        String executionArn = executionArn(arnOf(workflow), executionName);
        DescribeExecutionResponse r;
        try {
            r = sfn.describeExecution(b -> b.executionArn(executionArn));
        } catch (ExecutionDoesNotExistException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new IllegalStateException("Step Functions DescribeExecution of " + workflow.definitionName() + " execution "
                    + executionName + " failed: " + e.getMessage(), e);
        }
        // The response also carries the input, output and cause; none is read (the cause may quote a task's output).
        return Optional.of(new ExecutionStatus(executionArn, status(r.statusAsString(), workflow, executionName),
                Optional.ofNullable(r.error()).filter(s -> !s.isEmpty())));
    }

    private static Status status(String wire, Workflow workflow, String executionName) {
        try {
            return Status.valueOf(String.valueOf(wire));
        } catch (IllegalArgumentException e) {
            // A status this code does not know is not taken for closed: nothing is marked failed on a guess.
            throw new IllegalStateException("Step Functions DescribeExecution of " + workflow.definitionName() + " execution "
                    + executionName + " answered an unknown status " + wire, e);
        }
    }

    private String arnOf(Workflow workflow) {
        String arn = stateMachineArns.get(workflow);
        if (arn == null) {
            throw new IllegalStateException("no state machine ARN configured for " + workflow.definitionName());
        }
        return arn;
    }

    static String executionArn(String stateMachineArn, String executionName) {
        return stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + executionName;
    }
}
