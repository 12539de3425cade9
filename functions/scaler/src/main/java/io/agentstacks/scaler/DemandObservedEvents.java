package io.agentstacks.scaler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.agentstacks.events.DomainEvent;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * {@code DemandObserved} as EventBridge delivers it to a rule's Lambda target: the envelope
 * ({@code version}, {@code id}, {@code detail-type}, {@code source}, {@code account}, {@code time},
 * {@code region}, {@code resources}) around the detail, whose fields are the event record's components
 * with instants as ISO-8601 strings.
 */
public final class DemandObservedEvents {

    public static final String DETAIL_TYPE = "DemandObserved";

    private DemandObservedEvents() {
    }

    /** Reads a delivered event; the exception's message names the field that is wrong. */
    public static DomainEvent.DemandObserved read(JsonNode event) {
        if (event == null || !event.isObject()) {
            throw new IllegalArgumentException("the input must be an EventBridge event (a JSON object)");
        }
        String detailType = event.path("detail-type").asText("");
        if (!DETAIL_TYPE.equals(detailType)) {
            throw new IllegalArgumentException("detail-type must be " + DETAIL_TYPE + ", got '" + detailType + "'");
        }
        String source = event.path("source").asText("");
        if (!DomainEvent.SOURCE.equals(source)) {
            throw new IllegalArgumentException("source must be " + DomainEvent.SOURCE + ", got '" + source + "'");
        }
        JsonNode d = event.get("detail");
        if (d == null || !d.isObject()) {
            throw new IllegalArgumentException("detail must be a JSON object");
        }
        return new DomainEvent.DemandObserved(text(d, "stack"), text(d, "groupName"), count(d, "queuedJobs"),
                count(d, "runningJobs"), count(d, "idleAgents"), count(d, "occupiedAgents"), instant(d, "at"));
    }

    /** The event as EventBridge would deliver it (for tests and the local simulation). */
    public static ObjectNode envelope(DomainEvent.DemandObserved e, String account, String region) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("version", "0");
        o.put("id", UUID.nameUUIDFromBytes((e.stack() + e.at()).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString());
        o.put("detail-type", DETAIL_TYPE);
        o.put("source", DomainEvent.SOURCE);
        o.put("account", account);
        // EventBridge's envelope time has second precision.
        o.put("time", e.at().truncatedTo(ChronoUnit.SECONDS).toString());
        o.put("region", region);
        o.putArray("resources");
        ObjectNode d = o.putObject("detail");
        d.put("stack", e.stack());
        d.put("groupName", e.groupName());
        d.put("queuedJobs", e.queuedJobs());
        d.put("runningJobs", e.runningJobs());
        d.put("idleAgents", e.idleAgents());
        d.put("occupiedAgents", e.occupiedAgents());
        d.put("at", e.at().toString());
        return o;
    }

    private static String text(JsonNode d, String field) {
        JsonNode n = d.get(field);
        if (n == null || !n.isTextual() || n.textValue().isBlank()) {
            throw new IllegalArgumentException("detail." + field + " is required (a string)");
        }
        return n.textValue();
    }

    private static int count(JsonNode d, String field) {
        JsonNode n = d.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
            throw new IllegalArgumentException("detail." + field + " must be a count (a whole number, 0 or more)");
        }
        return n.intValue();
    }

    private static Instant instant(JsonNode d, String field) {
        JsonNode n = d.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("detail." + field + " is required (an ISO-8601 time)");
        }
        try {
            return Instant.parse(n.textValue());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("detail." + field + " must be an ISO-8601 time, got " + n.textValue());
        }
    }
}
