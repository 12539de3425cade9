package io.agentstacks.spec;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** {@code scaling.overprovision.strategy}: extra agents kept above what the queue needs. */
public enum OverprovisionStrategy {
    NONE("none"),
    /** Adds {@code factor} agents. */
    NUMBER("number"),
    /** Adds {@code ceil(needed * factor / 100)} agents. */
    PERCENTAGE("percentage");

    private final String value;

    OverprovisionStrategy(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static Optional<OverprovisionStrategy> fromValue(String value) {
        return Arrays.stream(values()).filter(s -> s.value.equals(value)).findFirst();
    }

    public static List<String> allValues() {
        return Arrays.stream(values()).map(OverprovisionStrategy::value).toList();
    }

    @Override
    public String toString() {
        return value;
    }
}
