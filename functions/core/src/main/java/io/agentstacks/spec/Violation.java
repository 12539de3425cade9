package io.agentstacks.spec;

import java.util.Objects;
import java.util.Optional;

/**
 * One thing wrong (or, as a warning, doubtful) in a spec.
 *
 * @param field         JSON path of the field in the spec, e.g. {@code volume.throughputMibps} or {@code schedules[1].cron}
 * @param message       what is wrong, in words a user can act on
 * @param rejectedValue the offending value as text, when there is one; never a secret
 * @param legacyKey     for a converted older configuration, the older key the field came from
 */
public record Violation(String field, String message, Optional<String> rejectedValue, Optional<String> legacyKey) {

    public Violation {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(rejectedValue, "rejectedValue");
        Objects.requireNonNull(legacyKey, "legacyKey");
    }

    public static Violation of(String field, String message) {
        return new Violation(field, message, Optional.empty(), Optional.empty());
    }

    public static Violation of(String field, String message, Object rejected) {
        return new Violation(field, message, Optional.ofNullable(rejected).map(String::valueOf), Optional.empty());
    }

    public Violation withLegacyKey(String key) {
        return new Violation(field, message, rejectedValue, Optional.of(key));
    }

    /** {@code field: message (LEGACY_KEY)}, the form the CLI prints after the file name. */
    public String describe() {
        return field + ": " + message + legacyKey.map(k -> " (" + k + ")").orElse("");
    }
}
