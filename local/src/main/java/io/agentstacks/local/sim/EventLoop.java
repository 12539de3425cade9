package io.agentstacks.local.sim;

import io.agentstacks.inmemory.InMemoryFleetControl;

import java.time.Instant;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * Discrete-event loop: runs scheduled actions and the fleet's own transitions (instances booting) in
 * time order, moving the simulated clock to each one's time.
 */
final class EventLoop {

    private record Timed(Instant at, long seq, Runnable action) {
    }

    private final SimClock clock;
    private final InMemoryFleetControl fleet;
    private final PriorityQueue<Timed> queue = new PriorityQueue<>((a, b) -> {
        int c = a.at().compareTo(b.at());
        return c != 0 ? c : Long.compare(a.seq(), b.seq());
    });
    private long seq;

    EventLoop(SimClock clock, InMemoryFleetControl fleet) {
        this.clock = clock;
        this.fleet = fleet;
    }

    void at(Instant when, Runnable action) {
        queue.add(new Timed(when.isBefore(clock.instant()) ? clock.instant() : when, seq++, action));
    }

    void after(double seconds, Runnable action) {
        at(clock.instant().plusNanos(Math.round(seconds * 1e9)), action);
    }

    /** Runs everything due up to {@code end}, then leaves the clock at {@code end}. */
    void runUntil(Instant end) {
        while (true) {
            Optional<Instant> fleetNext = fleet.nextEventAt();
            Timed next = queue.peek();
            boolean fleetFirst = fleetNext.isPresent() && (next == null || fleetNext.get().isBefore(next.at()));
            Instant t = fleetFirst ? fleetNext.get() : next == null ? null : next.at();
            if (t == null || t.isAfter(end)) {
                break;
            }
            clock.set(t);
            if (fleetFirst) {
                fleet.settle();
            } else {
                queue.poll().action().run();
            }
        }
        clock.set(end);
        fleet.settle();
    }
}
