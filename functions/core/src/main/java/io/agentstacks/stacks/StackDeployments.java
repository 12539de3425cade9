package io.agentstacks.stacks;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Port: CloudFormation stacks built from the agent-stack template, one per agent stack. */
public interface StackDeployments {

    /** Creates the stack; creating one that already exists with this token is not an error. */
    void create(DeploymentRequest request);

    /** Updates the stack. "No updates are to be performed" is {@link UpdateResult#NO_CHANGES}, not an error. */
    UpdateResult update(DeploymentRequest request);

    /** Deletes the stack; deleting one that is gone or being deleted is not an error. */
    void delete(String cloudFormationStackName, String clientRequestToken);

    DeploymentStatus describe(String cloudFormationStackName);

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
