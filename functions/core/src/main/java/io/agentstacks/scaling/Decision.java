package io.agentstacks.scaling;

import java.util.Objects;

/** What the scaler should do with a group: set its desired capacity, or leave it as it is. */
public sealed interface Decision {

    /** Why, in words an operator reads in an event or a log line (never a secret). */
    String reason();

    /** Set the group's desired capacity to {@code desired}. */
    record ScaleTo(int desired, String reason) implements Decision {
        public ScaleTo {
            if (desired < 0) {
                throw new IllegalArgumentException("desired capacity cannot be negative: " + desired);
            }
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Leave desired capacity as it is. */
    record Hold(String reason) implements Decision {
        public Hold {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
