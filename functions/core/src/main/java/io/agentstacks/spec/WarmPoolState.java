package io.agentstacks.spec;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** {@code warmPool.state}: the state instances wait in, as Auto Scaling names it. */
public enum WarmPoolState {
    STOPPED("Stopped"),
    HIBERNATED("Hibernated");

    private final String value;

    WarmPoolState(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static Optional<WarmPoolState> fromValue(String value) {
        return Arrays.stream(values()).filter(s -> s.value.equals(value)).findFirst();
    }

    public static List<String> allValues() {
        return Arrays.stream(values()).map(WarmPoolState::value).toList();
    }

    @Override
    public String toString() {
        return value;
    }
}
