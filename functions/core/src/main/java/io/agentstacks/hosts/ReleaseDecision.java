package io.agentstacks.hosts;

import java.time.Instant;
import java.util.Objects;

/** What to do with one host now: the answer of {@link ReleaseRules#decide}. */
public sealed interface ReleaseDecision {

    String reason();

    /** Call ReleaseHosts for it now. */
    record Release(String reason) implements ReleaseDecision {
        public Release {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Not yet: look again at {@code until}, the earliest moment the answer can change. */
    record Wait(Instant until, String reason) implements ReleaseDecision {
        public Wait {
            Objects.requireNonNull(until, "until");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Never: the host is not this stack's to release, or it is gone already. */
    record Skip(String reason) implements ReleaseDecision {
        public Skip {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
