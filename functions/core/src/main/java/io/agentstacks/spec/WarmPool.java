package io.agentstacks.spec;

import java.util.Objects;

/** {@code warmPool}: pre-initialised instances kept stopped (or hibernated) for a fast start. */
public record WarmPool(int size, WarmPoolState state) {

    public WarmPool {
        Objects.requireNonNull(state, "state");
    }
}
