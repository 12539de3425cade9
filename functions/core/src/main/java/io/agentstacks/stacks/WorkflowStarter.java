package io.agentstacks.stacks;

import java.util.Objects;
import java.util.Optional;

/**
 * Port: starts state machine executions (Step Functions StartExecution) and reads their status
 * (DescribeExecution).
 *
 * <p>Execution names are unique per state machine for 90 days after an execution closes. For a Standard
 * workflow, StartExecution with a name already used
 * <ul>
 *   <li>by an open execution with the same input succeeds and starts nothing: {@link StartResult.AlreadyRunning};</li>
 *   <li>by an open execution with another input, or by a closed one whatever the input, fails with
 *       ExecutionAlreadyExists: {@link StartResult.AlreadyStarted}.</li>
 * </ul>
 * Either way nothing new runs, which is what makes a retried {@code POST /stacks} start one provisioning
 * run, not two. Whether this very call started the execution cannot be told reliably from the answer
 * (two callers racing on one name both get a success), so callers must not hang a once-only effect on
 * {@link StartResult.Started}.
 */
public interface WorkflowStarter {

    /**
     * @param inputJson the execution input; must never hold a token or other secret
     */
    StartResult start(Workflow workflow, String executionName, String inputJson);

    /** The execution of that name of {@code workflow}, or empty when none was started (or it is past retention). */
    Optional<ExecutionStatus> describe(Workflow workflow, String executionName);

    sealed interface StartResult {
        String executionId();

        /** A new execution was started. */
        record Started(String executionId) implements StartResult {
        }

        /** An open execution of that name and input was already running; the call started nothing. */
        record AlreadyRunning(String executionId) implements StartResult {
        }

        /** The name is taken (ExecutionAlreadyExists): by a closed execution, or by an open one with another input. */
        record AlreadyStarted(String executionId) implements StartResult {
        }
    }

    /** Step Functions' execution statuses. */
    enum Status {
        RUNNING,
        SUCCEEDED,
        FAILED,
        TIMED_OUT,
        ABORTED,
        /** A failed execution whose redrive was asked for; it runs again. */
        PENDING_REDRIVE;

        /** True when the execution has ended and will take no further step. */
        public boolean isClosed() {
            return this != RUNNING && this != PENDING_REDRIVE;
        }
    }

    /**
     * What DescribeExecution says of one execution.
     *
     * @param error the error name of a failed, timed-out or aborted execution (such as {@code States.Timeout});
     *              never its cause, which may quote a task's output
     */
    record ExecutionStatus(String executionId, Status status, Optional<String> error) {
        public ExecutionStatus {
            Objects.requireNonNull(executionId, "executionId");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(error, "error");
        }

        public boolean isClosed() {
            return status.isClosed();
        }
    }
}
