package io.agentstacks.inmemory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A clock that only moves when told to: the in-memory ports and every test that needs time to pass
 * drive one of these instead of sleeping. Thread-safe; {@link #advance} never goes backwards.
 */
public final class ManualClock extends Clock {

    private final Object lock = new Object();
    private Instant now;

    public ManualClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    /** A clock at a fixed, recognisable instant (2030-01-01T00:00:00Z). */
    public static ManualClock startingAt2030() {
        return new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    }

    public void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("a clock cannot go back: " + by);
        }
        synchronized (lock) {
            now = now.plus(by);
        }
    }

    public void set(Instant to) {
        synchronized (lock) {
            if (to.isBefore(now)) {
                throw new IllegalArgumentException("a clock cannot go back from " + now + " to " + to);
            }
            now = to;
        }
    }

    @Override
    public Instant instant() {
        synchronized (lock) {
            return now;
        }
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) {
            return this;
        }
        throw new UnsupportedOperationException("ManualClock is always UTC");
    }
}
