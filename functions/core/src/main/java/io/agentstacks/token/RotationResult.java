package io.agentstacks.token;

import io.agentstacks.stacks.StackStatus;

import java.time.Instant;
import java.util.Objects;

/**
 * The outcome of {@link TokenRotation#rotate}. None of them holds the token; each maps to one HTTP answer.
 */
public sealed interface RotationResult {

    String stack();

    /**
     * Semaphore accepted the token and it is the current version of the stack's parameter (200).
     *
     * @param newVersionWritten false when the parameter already held this token (a retried request):
     *                          nothing was written and the existing version is answered
     */
    record Rotated(String stack, String parameterName, long parameterVersion, Instant rotatedAt,
                   boolean newVersionWritten) implements RotationResult {
        public Rotated {
            Objects.requireNonNull(stack, "stack");
            Objects.requireNonNull(parameterName, "parameterName");
            Objects.requireNonNull(rotatedAt, "rotatedAt");
        }
    }

    /** Semaphore refused the token (its HTTP status, 401 or 404); the parameter was left as it was (422). */
    record Rejected(String stack, String parameterName, int httpStatus) implements RotationResult {
    }

    /** Semaphore could not be asked (timeout, connection error, 5xx); nothing was written (503). */
    record SemaphoreUnavailable(String stack, String reason) implements RotationResult {
    }

    /**
     * The token parameter could not be read or written (SSM or KMS failed); retrying is safe, a token
     * written before the failure is recognised and not written again (503).
     */
    record StoreUnavailable(String stack, String parameterName, String reason) implements RotationResult {
    }

    /**
     * Other writers kept changing the stack's registry record; the parameter may hold the new token
     * already, and a retry completes the rotation without writing it again (503).
     */
    record RegistryBusy(String stack, int attempts) implements RotationResult {
    }

    /**
     * Another rotation of the stack, to another token, kept it for longer than this one waits; nothing was
     * written (503: a retry once it is done rotates to this token).
     */
    record InProgress(String stack) implements RotationResult {
    }

    /** No stack of that name (404). */
    record NotFound(String stack) implements RotationResult {
    }

    /** The stack is being deleted or is gone; its token cannot be replaced (409). */
    record Conflict(String stack, StackStatus status) implements RotationResult {
    }
}
