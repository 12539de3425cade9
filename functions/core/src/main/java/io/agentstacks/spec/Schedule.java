package io.agentstacks.spec;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * {@code schedules[]}: a scheduled action that sets the group's sizes at a cron time.
 *
 * @param cron     five-field cron expression, as Auto Scaling scheduled actions take it
 * @param timezone IANA time zone name; {@code Etc/UTC} when not given
 */
public record Schedule(String cron, OptionalInt minSize, OptionalInt maxSize, String timezone) {

    public static final String DEFAULT_TIMEZONE = "Etc/UTC";

    public Schedule {
        Objects.requireNonNull(cron, "cron");
        Objects.requireNonNull(minSize, "minSize");
        Objects.requireNonNull(maxSize, "maxSize");
        Objects.requireNonNull(timezone, "timezone");
    }
}
