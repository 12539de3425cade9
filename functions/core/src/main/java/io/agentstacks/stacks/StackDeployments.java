package io.agentstacks.stacks;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Port: CloudFormation stacks built from the agent-stack template, one per agent stack. */
public interface StackDeployments {

    /**
     * Creates the stack; creating one that already exists with this token is not an error.
     *
     * @throws StackBusy when a stack of that name already exists (created with another token)
     */
    void create(DeploymentRequest request);

    /**
     * Updates the stack. "No updates are to be performed" is {@link UpdateResult#NO_CHANGES}, not an error;
     * repeating an update with the token of the one in progress answers {@link UpdateResult#STARTED}.
     *
     * @throws StackBusy when another operation is in progress on the stack
     */
    UpdateResult update(DeploymentRequest request);

    /**
     * Deletes the stack; deleting one that is gone or being deleted is not an error. A stack still being
     * created is deleted at once: CloudFormation cancels the creation.
     *
     * @throws StackBusy when the stack is being updated (or cleaned up, or rolled back) and cannot be deleted now
     */
    void delete(String cloudFormationStackName, String clientRequestToken);

    DeploymentStatus describe(String cloudFormationStackName);

    /**
     * The id, raw status and outputs of an existing stack, whatever its status (also after a failed update,
     * when {@link #describe} folds it into {@link DeploymentStatus.Failed}); empty when there is none.
     */
    Optional<StackOutputs> outputs(String cloudFormationStackName);

    enum UpdateResult { STARTED, NO_CHANGES }

    /**
     * @param clientRequestToken makes a retried call idempotent (e.g. {@code <stack>-v<N>-create})
     */
    record DeploymentRequest(String cloudFormationStackName, String templateUrl, Map<String, String> parameters,
                             Map<String, String> tags, String clientRequestToken) {
        public DeploymentRequest {
            Objects.requireNonNull(cloudFormationStackName, "cloudFormationStackName");
            Objects.requireNonNull(templateUrl, "templateUrl");
            parameters = Map.copyOf(parameters);
            tags = Map.copyOf(tags);
            Objects.requireNonNull(clientRequestToken, "clientRequestToken");
        }
    }

    /** What an existing stack reports about itself. */
    record StackOutputs(String stackId, String stackStatus, Map<String, String> outputs) {
        public StackOutputs {
            Objects.requireNonNull(stackId, "stackId");
            Objects.requireNonNull(stackStatus, "stackStatus");
            outputs = Map.copyOf(outputs);
        }

        public Optional<String> output(String key) {
            return Optional.ofNullable(outputs.get(key));
        }
    }

    /**
     * The operation cannot start now because of the stack's current state (another operation is in
     * progress, or a stack of that name exists already); waiting and trying again may succeed.
     */
    final class StackBusy extends RuntimeException {
        private final String stackStatus;

        public StackBusy(String cloudFormationStackName, String stackStatus, String message) {
            super("CloudFormation stack " + cloudFormationStackName + " is busy (" + stackStatus + "): " + message);
            this.stackStatus = stackStatus;
        }

        /** The stack's status when the call was refused, or {@code UNKNOWN}. */
        public String stackStatus() {
            return stackStatus;
        }
    }

    /** A CloudFormation stack's status, folded into what the workflows branch on. */
    sealed interface DeploymentStatus {
        /** No such stack (never created, or DELETE_COMPLETE). */
        record Absent() implements DeploymentStatus {
        }

        /** A *_IN_PROGRESS status: wait and look again. */
        record InProgress(String stackStatus) implements DeploymentStatus {
        }

        /** CREATE_COMPLETE or UPDATE_COMPLETE, with the stack's outputs and id. */
        record Complete(String stackStatus, String stackId, Map<String, String> outputs) implements DeploymentStatus {
            public Complete {
                outputs = Map.copyOf(outputs);
            }

            public Optional<String> output(String key) {
                return Optional.ofNullable(outputs.get(key));
            }
        }

        /** A *_FAILED or *ROLLBACK* status; {@code reason} is the first failed resource's reason. */
        record Failed(String stackStatus, String reason) implements DeploymentStatus {
        }
    }
}
