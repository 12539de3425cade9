package io.agentstacks.stacks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.spec.SpecJson;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one JSON form of a record's snapshots ({@link DemandSnapshot}, {@link DecisionSnapshot}, {@link HostSnapshot}):
 * the registry table stores it and {@code GET /stacks/{name}} shows it, so a field added to a snapshot is added to
 * both. Times are ISO-8601; an empty optional is left out. Holds no secret: snapshots are counts, states and times.
 */
public final class SnapshotJson {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private SnapshotJson() {
    }

    public static ObjectNode write(DemandSnapshot d) {
        ObjectNode o = F.objectNode();
        o.put("queuedJobs", d.queuedJobs());
        o.put("runningJobs", d.runningJobs());
        o.put("idleAgents", d.idleAgents());
        o.put("occupiedAgents", d.occupiedAgents());
        o.put("observedAt", d.observedAt().toString());
        return o;
    }

    public static ObjectNode write(DecisionSnapshot d) {
        ObjectNode o = F.objectNode();
        o.put("action", d.action());
        o.put("previousDesired", d.previousDesired());
        o.put("desired", d.desired());
        o.put("reason", d.reason());
        o.put("observedAt", d.observedAt().toString());
        o.put("decidedAt", d.decidedAt().toString());
        d.surplusSince().ifPresent(v -> o.put("surplusSince", v.toString()));
        d.groupSizes().ifPresent(g -> {
            o.put("groupMin", g.min());
            o.put("groupMax", g.max());
        });
        return o;
    }

    public static ObjectNode write(HostSnapshot h) {
        ObjectNode o = F.objectNode();
        o.put("hostId", h.hostId());
        o.put("availabilityZone", h.availabilityZone());
        o.put("state", h.state());
        o.put("instances", h.instances());
        o.put("allocatedAt", h.allocatedAt().toString());
        h.nextCheckAt().ifPresent(v -> o.put("nextCheckAt", v.toString()));
        h.waitingFor().ifPresent(v -> o.put("waitingFor", v));
        h.stateSince().ifPresent(v -> o.put("stateSince", v.toString()));
        return o;
    }

    public static ArrayNode writeHosts(List<HostSnapshot> hosts) {
        ArrayNode a = F.arrayNode();
        hosts.forEach(h -> a.add(write(h)));
        return a;
    }

    public static DemandSnapshot demand(String json) {
        JsonNode o = tree(json);
        return new DemandSnapshot(o.path("queuedJobs").asInt(), o.path("runningJobs").asInt(), o.path("idleAgents").asInt(),
                o.path("occupiedAgents").asInt(), Instant.parse(o.path("observedAt").asText()));
    }

    public static DecisionSnapshot decision(String json) {
        JsonNode o = tree(json);
        return new DecisionSnapshot(o.path("action").asText(), o.path("previousDesired").asInt(), o.path("desired").asInt(),
                o.path("reason").asText(), Instant.parse(o.path("observedAt").asText()),
                Instant.parse(o.path("decidedAt").asText()), instant(o, "surplusSince"),
                // absent in decisions stored before the scaler recorded the group's sizes
                o.hasNonNull("groupMin") && o.hasNonNull("groupMax")
                        ? Optional.of(new DecisionSnapshot.GroupSizes(o.get("groupMin").asInt(), o.get("groupMax").asInt()))
                        : Optional.empty());
    }

    public static List<HostSnapshot> hosts(String json) {
        List<HostSnapshot> out = new ArrayList<>();
        for (JsonNode o : tree(json)) {
            out.add(new HostSnapshot(o.path("hostId").asText(), o.path("availabilityZone").asText(), o.path("state").asText(),
                    o.path("instances").asInt(), Instant.parse(o.path("allocatedAt").asText()), instant(o, "nextCheckAt"),
                    o.hasNonNull("waitingFor") ? Optional.of(o.get("waitingFor").asText()) : Optional.empty(),
                    instant(o, "stateSince")));
        }
        return out;
    }

    private static Optional<Instant> instant(JsonNode o, String field) {
        return o.hasNonNull(field) ? Optional.of(Instant.parse(o.get(field).asText())) : Optional.empty();
    }

    private static JsonNode tree(String json) {
        try {
            return SpecJson.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("registry attribute is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
