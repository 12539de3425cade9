package io.agentstacks.token;

import java.util.Objects;

/** A token as read from its SSM parameter, with the parameter version it came from. */
public record StoredToken(AgentToken token, long version) {
    public StoredToken {
        Objects.requireNonNull(token, "token");
    }
}
