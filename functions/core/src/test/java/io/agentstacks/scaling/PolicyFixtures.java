package io.agentstacks.scaling;

import io.agentstacks.demand.Demand;
import io.agentstacks.demand.Observation;
import io.agentstacks.spec.Overprovision;
import io.agentstacks.spec.OverprovisionStrategy;
import io.agentstacks.spec.Scaling;
import io.agentstacks.spec.ScalingPolicyKind;
import io.agentstacks.spec.StackSpec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Small builders for policy tests. */
final class PolicyFixtures {

    static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    private PolicyFixtures() {
    }

    static StackSpec spec(ScalingPolicyKind policy, OverprovisionStrategy strategy, int factor, int scaleInIdleSeconds) {
        return StackSpec.builder("ci-linux", "/semaphore/ci-linux/token")
                .semaphoreOrganization("acme")
                .minSize(0)
                .maxSize(50)
                .scaling(new Scaling(policy, scaleInIdleSeconds, new Overprovision(strategy, factor)))
                .build();
    }

    static StackSpec upOnly() {
        return spec(ScalingPolicyKind.UP_ONLY, OverprovisionStrategy.NONE, 0, 300);
    }

    static StackSpec upDown(int scaleInIdleSeconds) {
        return spec(ScalingPolicyKind.UP_DOWN, OverprovisionStrategy.NONE, 0, scaleInIdleSeconds);
    }

    static GroupState group(int min, int max, int desired) {
        return group(min, max, desired, 0);
    }

    /** A group whose first {@code protectedCount} instances are protected from scale-in. */
    static GroupState group(int min, int max, int desired, int protectedCount) {
        List<GroupState.Instance> instances = new ArrayList<>();
        for (int i = 0; i < desired; i++) {
            instances.add(new GroupState.Instance("i-" + String.format("%017x", i), "InService", "us-east-1a",
                    i < protectedCount));
        }
        return new GroupState("ci-linux-asg", min, max, desired, instances, 0);
    }

    static Observation observed(int queued, int running, int idle, int occupied, Instant at) {
        return new Observation.Observed(new Demand(queued, running, idle, occupied), at);
    }

    static Observation observed(int queued, int running) {
        return observed(queued, running, 0, running, NOW);
    }
}
