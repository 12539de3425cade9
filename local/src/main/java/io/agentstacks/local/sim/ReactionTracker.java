package io.agentstacks.local.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reaction time: from a change at Semaphore that leaves the group short (the capacity the policy would
 * ask for is above desired) to the next SetDesiredCapacity call that raises desired. A shortage that
 * ends before any call (jobs finished, capacity caught up) is not counted.
 */
final class ReactionTracker {

    private final List<Instant> pending = new ArrayList<>();
    private final List<Double> reactions = new ArrayList<>();

    void demandChanged(Instant at, int needed, int desired) {
        if (needed > desired) {
            pending.add(at);
        } else {
            pending.clear();
        }
    }

    void raised(Instant at) {
        for (Instant t : pending) {
            reactions.add(Duration.between(t, at).toNanos() / 1e9);
        }
        pending.clear();
    }

    List<Double> reactions() {
        return List.copyOf(reactions);
    }
}
