package io.agentstacks.hosts;

/** Tags the control plane puts on the dedicated hosts it allocates or takes charge of. */
public final class HostTags {

    /**
     * {@code semaphore-agent-stack=<stack name>}: the host belongs to that stack and is released by the
     * control plane once the stack no longer needs it. A host without it is never released.
     */
    public static final String STACK = "semaphore-agent-stack";

    /**
     * {@code semaphore-agent-stack-adopted=<stack name>}: a host of the user's own, listed in the spec's
     * {@code mac.dedicatedHosts} and put into the stack's host resource group. The control plane takes it out
     * of the group when the stack goes, and leaves releasing it to its owner.
     */
    public static final String ADOPTED = "semaphore-agent-stack-adopted";

    private HostTags() {
    }
}
