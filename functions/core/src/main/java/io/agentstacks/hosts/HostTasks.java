package io.agentstacks.hosts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;

/**
 * The JSON of the Mac host tasks (see the state machine task contracts): reading a task's input, checking it
 * before anything changes (every violation named at once), and writing the answers.
 *
 * <pre>
 * mac-host-allocator: {"action": "ensureHosts"|"detachHosts", "stack": "...", "specVersion": N}
 * mac-host-releaser:  {"action": "releaseEligible", "stack": "...", "startedAt": "ISO-8601"[, "specVersion": N]}
 *                     {"action": "deleteGroup", "stack": "..."[, "specVersion": N]}
 *                     {"action": "releaseSurplus"[, "stack": "..."]}   (on a schedule)
 * </pre>
 */
public final class HostTasks {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * A Mac host Lambda's stream: the task JSON in, {@code handler}'s answer JSON out. Input that is not JSON fails the
     * task before anything changes.
     */
    public static void serve(InputStream input, OutputStream output, UnaryOperator<JsonNode> handler) throws IOException {
        JsonNode task;
        try {
            task = MAPPER.readTree(input);
        } catch (IOException e) {
            throw new IllegalArgumentException("input: not JSON", e);
        }
        MAPPER.writeValue(output, handler.apply(task));
    }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private HostTasks() {
    }

    /** A task of the mac-host-allocator. */
    public sealed interface AllocatorTask {
        record EnsureHosts(String stack, long specVersion) implements AllocatorTask {
        }

        record DetachHosts(String stack, long specVersion) implements AllocatorTask {
        }
    }

    /** A task of the mac-host-releaser. */
    public sealed interface ReleaserTask {
        /** @param specVersion the deleted version, when the caller passes it (release-mac-hosts does) */
        record ReleaseEligible(String stack, Instant startedAt, OptionalLong specVersion) implements ReleaserTask {
        }

        record DeleteGroup(String stack, OptionalLong specVersion) implements ReleaserTask {
        }

        record ReleaseSurplus(Optional<String> stack) implements ReleaserTask {
        }
    }

    /** Reads a mac-host-allocator task; throws {@link IllegalArgumentException} naming every bad field. */
    public static AllocatorTask allocatorTask(JsonNode input) {
        List<String> problems = new ArrayList<>();
        String action = action(input, List.of("ensureHosts", "detachHosts"), problems);
        String stack = stack(input, true, problems);
        long specVersion = specVersion(input, problems);
        failOn(problems);
        return "ensureHosts".equals(action)
                ? new AllocatorTask.EnsureHosts(stack, specVersion)
                : new AllocatorTask.DetachHosts(stack, specVersion);
    }

    /** Reads a mac-host-releaser task; throws {@link IllegalArgumentException} naming every bad field. */
    public static ReleaserTask releaserTask(JsonNode input) {
        List<String> problems = new ArrayList<>();
        String action = action(input, List.of("releaseEligible", "deleteGroup", "releaseSurplus"), problems);
        boolean stackRequired = !"releaseSurplus".equals(action);
        String stack = stack(input, stackRequired, problems);
        Instant startedAt = "releaseEligible".equals(action) ? startedAt(input, problems) : null;
        OptionalLong specVersion = input != null && input.has("specVersion") && !input.get("specVersion").isNull()
                ? OptionalLong.of(specVersion(input, problems)) : OptionalLong.empty();
        failOn(problems);
        return switch (action) {
            case "releaseEligible" -> new ReleaserTask.ReleaseEligible(stack, startedAt, specVersion);
            case "deleteGroup" -> new ReleaserTask.DeleteGroup(stack, specVersion);
            default -> new ReleaserTask.ReleaseSurplus(Optional.ofNullable(stack));
        };
    }

    public static ObjectNode ensured(HostAllocationService.Ensured ensured) {
        ObjectNode out = JSON.objectNode();
        out.put("hostGroupName", ensured.hostGroupName());
        out.put("hostGroupArn", ensured.hostGroupArn());
        out.set("hostIds", strings(ensured.hostIds()));
        return out;
    }

    public static ObjectNode detached(HostAllocationService.Detached detached) {
        ObjectNode out = JSON.objectNode();
        out.set("hostIds", strings(detached.hostIds()));
        return out;
    }

    public static ObjectNode round(HostReleaseService.Round round) {
        ObjectNode out = JSON.objectNode();
        out.put("remaining", round.remaining());
        out.put("nextCheckSeconds", round.nextCheckSeconds());
        out.set("released", strings(round.released()));
        out.set("failed", failures(round.failed()));
        out.put("giveUp", round.giveUp());
        out.put("handedBack", round.handedBack());
        return out;
    }

    public static ObjectNode groupDeleted(boolean deleted) {
        return JSON.objectNode().put("deleted", deleted);
    }

    public static ObjectNode surplus(List<HostReleaseService.Surplus> answers) {
        ArrayNode stacks = JSON.arrayNode();
        for (HostReleaseService.Surplus s : answers) {
            ObjectNode one = stacks.addObject();
            one.put("stack", s.stack());
            one.set("released", strings(s.released()));
            one.set("failed", failures(s.failed()));
        }
        ObjectNode out = JSON.objectNode();
        out.set("stacks", stacks);
        return out;
    }

    // ---- reading ----

    private static String action(JsonNode input, List<String> allowed, List<String> problems) {
        if (input == null || !input.isObject()) {
            problems.add("input: must be a JSON object");
            return null;
        }
        JsonNode action = input.get("action");
        if (action == null || !action.isTextual() || !allowed.contains(action.asText())) {
            problems.add("action: must be one of " + String.join(", ", allowed));
            return null;
        }
        return action.asText();
    }

    private static String stack(JsonNode input, boolean required, List<String> problems) {
        JsonNode stack = input == null ? null : input.get("stack");
        if (stack == null || stack.isNull()) {
            if (required) {
                problems.add("stack: is required");
            }
            return null;
        }
        if (!stack.isTextual()) {
            problems.add("stack: must be a string");
            return null;
        }
        try {
            return HostRecords.requireStackName(stack.asText());
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    private static long specVersion(JsonNode input, List<String> problems) {
        JsonNode v = input == null ? null : input.get("specVersion");
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1) {
            problems.add("specVersion: must be a whole number, 1 or more");
            return 0;
        }
        return v.asLong();
    }

    private static Instant startedAt(JsonNode input, List<String> problems) {
        JsonNode v = input == null ? null : input.get("startedAt");
        if (v == null || !v.isTextual()) {
            problems.add("startedAt: must be an ISO-8601 instant, e.g. 2025-03-01T08:00:00Z");
            return null;
        }
        try {
            return Instant.parse(v.asText());
        } catch (DateTimeParseException e) {
            problems.add("startedAt: must be an ISO-8601 instant, e.g. 2025-03-01T08:00:00Z");
            return null;
        }
    }

    private static void failOn(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    // ---- writing ----

    private static ArrayNode strings(List<String> values) {
        ArrayNode array = JSON.arrayNode();
        values.forEach(array::add);
        return array;
    }

    private static ArrayNode failures(List<HostReleaseService.Failure> failures) {
        ArrayNode array = JSON.arrayNode();
        for (HostReleaseService.Failure f : failures) {
            array.addObject().put("hostId", f.hostId()).put("code", f.code()).put("message", f.message());
        }
        return array;
    }
}
