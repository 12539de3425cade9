package io.agentstacks.demand;

import java.time.Instant;
import java.util.Objects;

/** The outcome of asking Semaphore for one stack's demand at one moment. */
public sealed interface Observation {

    Instant at();

    /** Semaphore answered 200 with a well-formed body. */
    record Observed(Demand demand, Instant at) implements Observation {
        public Observed {
            Objects.requireNonNull(demand, "demand");
            Objects.requireNonNull(at, "at");
        }
    }

    /** Semaphore answered 401 or 404: the registration token is wrong (reset, or never right). */
    record TokenRejected(int httpStatus, Instant at) implements Observation {
        public TokenRejected {
            Objects.requireNonNull(at, "at");
        }
    }

    /** No usable answer: timeout, connection error, 5xx, malformed or oversized body. */
    record Unavailable(String reason, Instant at) implements Observation {
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(at, "at");
        }
    }
}
