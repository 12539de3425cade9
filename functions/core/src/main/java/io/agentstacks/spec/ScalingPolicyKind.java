package io.agentstacks.spec;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** {@code scaling.policy}: how desired capacity follows demand. */
public enum ScalingPolicyKind {
    /** The older tool's behaviour: desired capacity is only ever raised; agents end themselves. */
    UP_ONLY("up-only"),
    /** Also lowers desired capacity once agents have been idle for {@code scaling.scaleInIdleSeconds}. */
    UP_DOWN("up-down");

    private final String value;

    ScalingPolicyKind(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static Optional<ScalingPolicyKind> fromValue(String value) {
        return Arrays.stream(values()).filter(p -> p.value.equals(value)).findFirst();
    }

    public static List<String> allValues() {
        return Arrays.stream(values()).map(ScalingPolicyKind::value).toList();
    }

    @Override
    public String toString() {
        return value;
    }
}
