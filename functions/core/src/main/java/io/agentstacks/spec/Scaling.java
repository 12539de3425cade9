package io.agentstacks.spec;

import java.util.Objects;

/** {@code scaling}: the policy the scaler applies to this stack's group. */
public record Scaling(ScalingPolicyKind policy, int scaleInIdleSeconds, Overprovision overprovision) {

    public static final int DEFAULT_SCALE_IN_IDLE_SECONDS = 300;

    public Scaling {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(overprovision, "overprovision");
    }

    public static Scaling defaults() {
        return new Scaling(ScalingPolicyKind.UP_ONLY, DEFAULT_SCALE_IN_IDLE_SECONDS, Overprovision.none());
    }
}
