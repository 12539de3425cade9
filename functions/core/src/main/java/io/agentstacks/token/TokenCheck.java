package io.agentstacks.token;

import java.util.Objects;

/**
 * What the daily check found for one live stack. None of them holds the token.
 */
public sealed interface TokenCheck {

    String stack();

    /** Semaphore accepts the stored token; nothing changed. */
    record Accepted(String stack, String parameterName, long parameterVersion) implements TokenCheck {
    }

    /** Semaphore accepts the stored token again: the stack was DEGRADED for its token and is ACTIVE now. */
    record Recovered(String stack, String parameterName, long parameterVersion) implements TokenCheck {
    }

    /**
     * Semaphore refuses the stored token: a {@code TokenRejected} event was put and the stack is DEGRADED.
     *
     * @param newlyDegraded false when the stack was DEGRADED already (by the poller or an earlier check)
     */
    record Rejected(String stack, String parameterName, long parameterVersion, int httpStatus,
                    boolean newlyDegraded) implements TokenCheck {
    }

    /** The stack's token parameter does not exist: new agents cannot register, so the stack is DEGRADED. */
    record ParameterMissing(String stack, String parameterName, boolean newlyDegraded) implements TokenCheck {
    }

    /**
     * Semaphore refused the token read (or the parameter was missing), but by the time the outcome was to be
     * recorded the registry recorded a newer token ({@code recordedVersion}, from a {@code set-token} meanwhile):
     * nothing changed and no event was put; the next poll or check judges the new token.
     */
    record Superseded(String stack, String parameterName, long recordedVersion) implements TokenCheck {
    }

    /** Semaphore could not be asked; nothing changed (the next check, or the poller, will tell). */
    record SemaphoreUnavailable(String stack, String reason) implements TokenCheck {
    }

    /** The parameter could not be read (SSM or KMS failed); nothing changed. */
    record StoreUnavailable(String stack, String parameterName, String reason) implements TokenCheck {
    }

    /** Recording the outcome failed (registry or bus); the message says which call. */
    record Failed(String stack, String reason) implements TokenCheck {
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
