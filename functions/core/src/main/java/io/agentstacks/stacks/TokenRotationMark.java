package io.agentstacks.stacks;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A stack's token rotation as the registry records it, written (conditionally, like every registry write)
 * before the token parameter is: it serialises rotations of one stack, so that a retried or concurrent
 * {@code PUT /stacks/{name}/token} with the same token writes no second parameter version.
 *
 * @param fingerprint      a one-way hash of the rotated token, never the token: it only tells whether two
 *                         requests carry the same token. Never logged nor answered ({@link #toString} hides it).
 * @param startedAt        when the rotation took the stack; a rotation that never finished can be taken over later
 * @param parameterVersion the parameter version holding that token, once the rotation is done
 */
public record TokenRotationMark(String fingerprint, Instant startedAt, OptionalLong parameterVersion) {

    public TokenRotationMark {
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(parameterVersion, "parameterVersion");
        if (fingerprint.isBlank()) {
            throw new IllegalArgumentException("fingerprint must not be blank");
        }
    }

    /** A rotation that has taken the stack and not written or found its parameter version yet. */
    public static TokenRotationMark started(String fingerprint, Instant at) {
        return new TokenRotationMark(fingerprint, at, OptionalLong.empty());
    }

    public TokenRotationMark done(long version) {
        return new TokenRotationMark(fingerprint, startedAt, OptionalLong.of(version));
    }

    public boolean isDone() {
        return parameterVersion.isPresent();
    }

    @Override
    public String toString() {
        return "TokenRotationMark[fingerprint=(hidden), startedAt=" + startedAt + ", parameterVersion=" + parameterVersion + "]";
    }
}
