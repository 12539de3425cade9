package io.agentstacks.local.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The simulation's clock: it moves only when the event loop moves it, never backwards. */
public final class SimClock extends Clock {

    private volatile Instant now;

    public SimClock(Instant start) {
        this.now = start;
    }

    void set(Instant t) {
        if (t.isBefore(now)) {
            throw new IllegalStateException("the simulated clock cannot go back from " + now + " to " + t);
        }
        now = t;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
