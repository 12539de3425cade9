package io.agentstacks.spec;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** CPU architecture of the agents ({@code arch}). */
public enum Arch {
    X86_64("x86_64"),
    ARM64("arm64");

    private final String value;

    Arch(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static Optional<Arch> fromValue(String value) {
        return Arrays.stream(values()).filter(a -> a.value.equals(value)).findFirst();
    }

    public static List<String> allValues() {
        return Arrays.stream(values()).map(Arch::value).toList();
    }

    @Override
    public String toString() {
        return value;
    }
}
