package io.agentstacks.stacks;

/**
 * Port: starts state machine executions (Step Functions StartExecution).
 *
 * <p>Execution names are unique per state machine: starting a name that was already used answers
 * {@link StartResult.AlreadyStarted}, which callers treat as success. This is what makes a retried
 * {@code POST /stacks} start one provisioning run, not two.
 */
public interface WorkflowStarter {

    /**
     * @param inputJson the execution input; must never hold a token or other secret
     */
    StartResult start(Workflow workflow, String executionName, String inputJson);

    sealed interface StartResult {
        String executionId();

        record Started(String executionId) implements StartResult {
        }

        record AlreadyStarted(String executionId) implements StartResult {
        }
    }
}
