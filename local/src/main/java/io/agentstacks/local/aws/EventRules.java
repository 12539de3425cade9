package io.agentstacks.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code statemachines/event-rules.json}: the EventBridge rules and schedules the control plane defines, read
 * by infra for the deployed control plane and by the local one, so that both route events the same way.
 */
public record EventRules(List<Rule> rules, List<Schedule> schedules) {

    public static final String FILE_NAME = "event-rules.json";

    /** Where a rule or schedule sends its event: a function (by module name) or a state machine (by definition name). */
    public record Target(Optional<String> function, Optional<String> stateMachine) {
        public Target {
            if (function.isPresent() == stateMachine.isPresent()) {
                throw new IllegalArgumentException("a target names either a function or a stateMachine");
            }
        }

        @Override
        public String toString() {
            return function.map(f -> "function " + f).orElseGet(() -> "state machine " + stateMachine.orElseThrow());
        }
    }

    /** An EventBridge rule on one bus ({@code control-plane} or {@code default}). */
    public record Rule(String name, String bus, EventPattern pattern, Target target) {
    }

    /** An EventBridge Scheduler schedule, {@code rate(...)} only, with its fixed input. */
    public record Schedule(String name, Duration rate, Target target, JsonNode input) {
    }

    public static final Set<String> BUSES = Set.of("control-plane", "default");

    private static final Pattern RATE = Pattern.compile("rate\\((\\d+) (minute|minutes|hour|hours|day|days)\\)");
    private static final ObjectMapper JSON = new ObjectMapper();

    public EventRules {
        rules = List.copyOf(rules);
        schedules = List.copyOf(schedules);
    }

    public static EventRules read(Path file) {
        try {
            return parse(JSON.readTree(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read as JSON: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException naming the rule and field that is wrong */
    public static EventRules parse(JsonNode root) {
        Objects.requireNonNull(root, "root");
        List<Rule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode r : array(root, "rules")) {
            String name = text(r, "name", "rules[]");
            if (!names.add(name)) {
                throw new IllegalArgumentException("rules: " + name + " is defined twice");
            }
            String bus = text(r, "bus", name);
            if (!BUSES.contains(bus)) {
                throw new IllegalArgumentException(name + ".bus: must be one of " + BUSES + ", not " + bus);
            }
            EventPattern pattern;
            try {
                pattern = EventPattern.of(r.path("eventPattern"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ".eventPattern: " + e.getMessage(), e);
            }
            rules.add(new Rule(name, bus, pattern, target(r, name)));
        }
        List<Schedule> schedules = new ArrayList<>();
        for (JsonNode s : array(root, "schedules")) {
            String name = text(s, "name", "schedules[]");
            if (!names.add(name)) {
                throw new IllegalArgumentException("schedules: " + name + " is defined twice");
            }
            String expression = text(s, "scheduleExpression", name);
            Matcher m = RATE.matcher(expression);
            if (!m.matches()) {
                throw new IllegalArgumentException(name + ".scheduleExpression: only rate(N minutes|hours|days) is "
                        + "supported, not " + expression);
            }
            long n = Long.parseLong(m.group(1));
            if (n < 1) {
                throw new IllegalArgumentException(name + ".scheduleExpression: the rate must be at least 1");
            }
            Duration rate = switch (m.group(2)) {
                case "minute", "minutes" -> Duration.ofMinutes(n);
                case "hour", "hours" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            JsonNode input = s.path("input");
            if (!input.isObject()) {
                throw new IllegalArgumentException(name + ".input: must be a JSON object");
            }
            schedules.add(new Schedule(name, rate, target(s, name), input.deepCopy()));
        }
        return new EventRules(rules, schedules);
    }

    /** The rules of one bus that match the event, in file order. */
    public List<Rule> matching(String bus, JsonNode event) {
        return rules.stream().filter(r -> r.bus().equals(bus) && r.pattern().matches(event)).toList();
    }

    private static Target target(JsonNode node, String name) {
        JsonNode t = node.path("target");
        if (!t.isObject()) {
            throw new IllegalArgumentException(name + ".target: must be {\"function\": ...} or {\"stateMachine\": ...}");
        }
        Optional<String> function = t.path("function").isTextual() ? Optional.of(t.get("function").textValue()) : Optional.empty();
        Optional<String> machine = t.path("stateMachine").isTextual() ? Optional.of(t.get("stateMachine").textValue())
                : Optional.empty();
        if (function.isPresent() == machine.isPresent() || t.size() != 1) {
            throw new IllegalArgumentException(name + ".target: must name exactly one of function and stateMachine");
        }
        return new Target(function, machine);
    }

    private static JsonNode array(JsonNode root, String field) {
        JsonNode a = root.path(field);
        if (!a.isArray()) {
            throw new IllegalArgumentException(field + ": must be an array");
        }
        return a;
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.path(field);
        if (!v.isTextual() || v.textValue().isBlank()) {
            throw new IllegalArgumentException(where + "." + field + ": is required (a string)");
        }
        return v.textValue();
    }
}
