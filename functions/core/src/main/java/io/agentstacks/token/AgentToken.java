package io.agentstacks.token;

import java.util.Objects;

/**
 * A Semaphore agent registration token. Its {@link #toString()} never shows the value, so that a token
 * passed by mistake to a log line, an exception message or an event stays hidden; read it with
 * {@link #reveal()} only where it is sent to Semaphore or stored in SSM, and clean text that may quote it with
 * {@link #maskedIn}.
 */
public final class AgentToken {

    private final String value;

    public AgentToken(String value) {
        Objects.requireNonNull(value, "token");
        if (value.isBlank()) {
            throw new IllegalArgumentException("token is empty");
        }
        this.value = value;
    }

    public String reveal() {
        return value;
    }

    /**
     * {@code text} (an adapter's message, say) with every occurrence of this token's value replaced by {@code ****};
     * no text is the empty one.
     */
    public String maskedIn(String text) {
        return text == null ? "" : text.replace(value, "****");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AgentToken t && t.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "AgentToken[****]";
    }
}
