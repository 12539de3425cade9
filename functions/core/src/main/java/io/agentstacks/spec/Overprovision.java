package io.agentstacks.spec;

import java.util.Objects;

/** {@code scaling.overprovision}. */
public record Overprovision(OverprovisionStrategy strategy, int factor) {

    public Overprovision {
        Objects.requireNonNull(strategy, "strategy");
    }

    public static Overprovision none() {
        return new Overprovision(OverprovisionStrategy.NONE, 0);
    }
}
