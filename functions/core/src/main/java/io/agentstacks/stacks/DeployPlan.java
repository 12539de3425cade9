package io.agentstacks.stacks;

import io.agentstacks.stacks.StackDeployments.DeploymentStatus;

/**
 * What the deploy step does, given the CloudFormation stack it finds: the one decision between
 * "create", "update", "clear away a failed creation first", "wait" and "give up".
 */
public final class DeployPlan {

    /** The deploy step's move. */
    public sealed interface Action {
        /** No stack: create it. Also for our own create in progress: CloudFormation accepts its token again. */
        record Create() implements Action {
        }

        /** A stack that can take an update (or whose update in progress may be ours: its token decides). */
        record Update() implements Action {
        }

        /**
         * A creation failed and left a stack that cannot be updated ({@code ROLLBACK_COMPLETE}): delete it,
         * then create anew.
         */
        record Recreate(String stackStatus) implements Action {
        }

        /** Another operation is running that cannot be ours: wait and decide again. */
        record Wait(String stackStatus) implements Action {
        }

        /** The stack needs an operator, or this execution's own creation failed. */
        record Fail(String reason) implements Action {
        }
    }

    private DeployPlan() {
    }

    /**
     * @param firstAttempt true on the deploy step's first run in an execution; a failed creation found on a
     *                     later run is this execution's own, so it fails instead of looping on recreate
     */
    public static Action decide(DeploymentStatus current, boolean firstAttempt) {
        if (current instanceof DeploymentStatus.Absent) {
            return new Action.Create();
        }
        if (current instanceof DeploymentStatus.InProgress p) {
            return switch (p.stackStatus()) {
                case "CREATE_IN_PROGRESS" -> new Action.Create();
                case "UPDATE_IN_PROGRESS" -> new Action.Update();
                default -> new Action.Wait(p.stackStatus());
            };
        }
        if (current instanceof DeploymentStatus.Complete) {
            return new Action.Update();
        }
        DeploymentStatus.Failed f = (DeploymentStatus.Failed) current;
        return switch (f.stackStatus()) {
            case "UPDATE_ROLLBACK_COMPLETE" -> new Action.Update();
            case "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED" -> firstAttempt
                    ? new Action.Recreate(f.stackStatus())
                    : new Action.Fail("stack creation failed: " + f.reason());
            case "UPDATE_ROLLBACK_FAILED" -> new Action.Fail("the CloudFormation stack is UPDATE_ROLLBACK_FAILED ("
                    + f.reason() + "); continue the rollback in CloudFormation, then post the spec again");
            case "DELETE_FAILED" -> new Action.Fail("an earlier deletion of the CloudFormation stack failed ("
                    + f.reason() + "); delete the stack again");
            default -> new Action.Fail("the CloudFormation stack is " + f.stackStatus() + ": " + f.reason());
        };
    }
}
