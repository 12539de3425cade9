package io.agentstacks.stacks;

/** Where an agent stack is in its life; stored in the registry and shown by {@code GET /stacks/{name}}. */
public enum StackStatus {
    /** Spec stored, provisioning not started yet. */
    PENDING,
    /** First CloudFormation create in progress. */
    PROVISIONING,
    /** The group exists and scales with demand. */
    ACTIVE,
    /** A newer spec version is being applied; the group keeps scaling meanwhile. */
    UPDATING,
    /** The group exists but cannot scale, e.g. Semaphore rejects the registration token. */
    DEGRADED,
    /** Provisioning, update or deletion failed; {@code reason} says why. */
    FAILED,
    /** Deletion in progress. */
    DELETING,
    /** Gone; the record is kept so that the name's history and Mac host release can be read. */
    DELETED;

    /** True when the stack has an Auto Scaling group that should follow demand. */
    public boolean hasLiveGroup() {
        return this == ACTIVE || this == UPDATING || this == DEGRADED;
    }
}
