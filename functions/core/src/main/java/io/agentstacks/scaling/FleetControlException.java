package io.agentstacks.scaling;

/**
 * A {@link FleetControl} call that Auto Scaling refused or that could not be made. The message names the
 * call and the group.
 */
public final class FleetControlException extends RuntimeException {

    /** What went wrong, as far as a caller needs to tell. */
    public enum Kind {
        /** The group does not exist. */
        NOT_FOUND,
        /** Auto Scaling refused the values (e.g. desired above max, below min). */
        INVALID,
        /** Throttled or contended after the SDK's retries; trying later may work. */
        THROTTLED,
        /** Anything else: network, service error. */
        FAILED
    }

    private final Kind kind;

    public FleetControlException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public FleetControlException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}
