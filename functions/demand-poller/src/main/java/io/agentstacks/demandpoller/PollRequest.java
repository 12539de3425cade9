package io.agentstacks.demandpoller;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * One invocation of the poller.
 *
 * <p>From the {@code poll-demand} state machine: {@code {"scheduledTime": "<ISO-8601>", "offsetSeconds": N}}
 * — the minute the execution covers (EventBridge Scheduler's scheduled time) and the second of that
 * minute this poll is for. From an EventBridge scheduled rule (a fallback without the state machine):
 * the rule's {@code Scheduled Event}, which polls every live stack once.
 *
 * @param single true for one poll of every stack, outside a minute's loop
 */
public record PollRequest(Instant scheduledTime, int offsetSeconds, boolean single) {

    public PollRequest {
        Objects.requireNonNull(scheduledTime, "scheduledTime");
        if (offsetSeconds < 0 || offsetSeconds >= 60) {
            throw new IllegalArgumentException("offsetSeconds must be 0 to 59, got " + offsetSeconds);
        }
    }

    /** Reads the invocation's input; the message of the exception names the offending field. */
    public static PollRequest from(JsonNode input) {
        if (input == null || !input.isObject()) {
            throw new IllegalArgumentException("input must be a JSON object");
        }
        if ("Scheduled Event".equals(input.path("detail-type").asText(null))) {
            return new PollRequest(instant(input, "time"), 0, true);
        }
        JsonNode offset = input.get("offsetSeconds");
        int o = 0;
        if (offset != null && !offset.isNull()) {
            if (!offset.isIntegralNumber() || !offset.canConvertToInt()) {
                throw new IllegalArgumentException("offsetSeconds must be a whole number of seconds");
            }
            o = offset.intValue();
            if (o < 0 || o >= 60) {
                throw new IllegalArgumentException("offsetSeconds must be 0 to 59, got " + o);
            }
        }
        return new PollRequest(instant(input, "scheduledTime"), o, false);
    }

    private static Instant instant(JsonNode input, String field) {
        JsonNode n = input.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException(field + " is required (an ISO-8601 time)");
        }
        try {
            return Instant.parse(n.textValue());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " must be an ISO-8601 time, got " + n.textValue());
        }
    }
}
