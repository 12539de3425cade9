package io.agentstacks.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code statemachines/event-rules.json}: the EventBridge rules and schedules the control plane defines, read
 * by infra for the deployed control plane and by the local one, so that both route events the same way.
 */
public record EventRules(List<Rule> rules, List<Schedule> schedules) {

    public static final String FILE_NAME = "event-rules.json";

    /**
     * Where a rule or schedule sends its event: a function (by module name) or a state machine (by definition name),
     * with EventBridge's delivery settings (infra applies them; locally every delivery is made once, on time) and,
     * for a function, Lambda's asynchronous invocation settings, which {@link LocalEventBus} honours.
     */
    public record Target(Optional<String> function, Optional<String> stateMachine, OptionalInt retryAttempts,
                         OptionalInt maximumEventAgeSeconds, Optional<AsyncInvoke> asyncInvoke) {
        public Target {
            if (function.isPresent() == stateMachine.isPresent()) {
                throw new IllegalArgumentException("a target names either a function or a stateMachine");
            }
            if (asyncInvoke.isPresent() && function.isEmpty()) {
                throw new IllegalArgumentException("asynchronous invocation settings are a function target's only");
            }
        }

        /** The function's settings as written, or Lambda's defaults (2 retries, 6 hours, no failure queue). */
        public AsyncInvoke asyncInvokeOrDefault() {
            return asyncInvoke.orElse(AsyncInvoke.LAMBDA_DEFAULT);
        }

        @Override
        public String toString() {
            return function.map(f -> "function " + f).orElseGet(() -> "state machine " + stateMachine.orElseThrow());
        }
    }

    /**
     * Lambda's asynchronous invocation settings of a target function: {@code functionRetryAttempts} (0–2),
     * {@code functionMaximumEventAgeSeconds} (60–21600), {@code functionFailureQueue}.
     */
    public record AsyncInvoke(int retryAttempts, int maximumEventAgeSeconds, boolean failureQueue) {
        public static final AsyncInvoke LAMBDA_DEFAULT = new AsyncInvoke(2, 21_600, false);
    }

    /** An EventBridge rule on one bus ({@code control-plane} or {@code default}). */
    public record Rule(String name, String bus, EventPattern pattern, Target target) {
    }

    /** An EventBridge Scheduler schedule with its fixed input. */
    public record Schedule(String name, String expression, Timing timing, Target target, JsonNode input) {
    }

    /** When a schedule fires (UTC): {@code rate(...)}, or a daily {@code cron(M H * * ? *)}. */
    public sealed interface Timing {
        /** The first time it fires after {@code start}. */
        Instant first(Instant start);

        Duration period();

        /** Every {@code period}, from the first whole minute after the start (Scheduler's rate schedules). */
        record Rate(Duration period) implements Timing {
            @Override
            public Instant first(Instant start) {
                return start.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1))
                        .plus(period.compareTo(Duration.ofMinutes(1)) <= 0 ? Duration.ZERO : period);
            }
        }

        /** Every day at {@code at}, UTC. */
        record Daily(LocalTime at) implements Timing {
            @Override
            public Instant first(Instant start) {
                Instant today = start.truncatedTo(ChronoUnit.DAYS).plusSeconds(at.toSecondOfDay());
                return today.isAfter(start) ? today : today.plus(Duration.ofDays(1));
            }

            @Override
            public Duration period() {
                return Duration.ofDays(1);
            }
        }
    }

    public static final Set<String> BUSES = Set.of("control-plane", "default");

    private static final Pattern RATE = Pattern.compile("rate\\((\\d+) (minute|minutes|hour|hours|day|days)\\)");
    private static final Pattern DAILY_CRON = Pattern.compile("cron\\((\\d{1,2}) (\\d{1,2}) \\* \\* \\? \\*\\)");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9:]+)}");

    /** What {@code ${AWS::...}} in a pattern is locally. */
    public static final Map<String, String> LOCAL_PSEUDO_PARAMETERS = Map.of("AWS::Partition", "aws",
            "AWS::Region", LocalLambdas.REGION, "AWS::AccountId", LocalLambdas.ACCOUNT);
    private static final ObjectMapper JSON = new ObjectMapper();

    public EventRules {
        rules = List.copyOf(rules);
        schedules = List.copyOf(schedules);
    }

    /** The file, with the local values of {@code ${AWS::...}}. */
    public static EventRules read(Path file) {
        try {
            return parse(JSON.readTree(Files.readAllBytes(file)), LOCAL_PSEUDO_PARAMETERS);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read as JSON: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param pseudoParameters the values of {@code ${AWS::Partition}}, {@code ${AWS::Region}}, {@code ${AWS::AccountId}}
     * @throws IllegalArgumentException naming the rule and field that is wrong
     */
    public static EventRules parse(JsonNode root, Map<String, String> pseudoParameters) {
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
                pattern = EventPattern.of(substitute(r.path("eventPattern"), pseudoParameters));
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
            JsonNode input = s.path("input");
            if (!input.isObject()) {
                throw new IllegalArgumentException(name + ".input: must be a JSON object");
            }
            schedules.add(new Schedule(name, expression, timing(expression, name), target(s, name), input.deepCopy()));
        }
        return new EventRules(rules, schedules);
    }

    /** The rules of one bus that match the event, in file order. */
    public List<Rule> matching(String bus, JsonNode event) {
        return rules.stream().filter(r -> r.bus().equals(bus) && r.pattern().matches(event)).toList();
    }

    private static Timing timing(String expression, String name) {
        Matcher rate = RATE.matcher(expression);
        if (rate.matches()) {
            long n = Long.parseLong(rate.group(1));
            if (n < 1) {
                throw new IllegalArgumentException(name + ".scheduleExpression: the rate must be at least 1");
            }
            return new Timing.Rate(switch (rate.group(2)) {
                case "minute", "minutes" -> Duration.ofMinutes(n);
                case "hour", "hours" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        Matcher cron = DAILY_CRON.matcher(expression);
        if (cron.matches()) {
            int minute = Integer.parseInt(cron.group(1));
            int hour = Integer.parseInt(cron.group(2));
            if (minute < 60 && hour < 24) {
                return new Timing.Daily(LocalTime.of(hour, minute));
            }
        }
        throw new IllegalArgumentException(name + ".scheduleExpression: must be rate(N minutes|hours|days) or a daily "
                + "cron(M H * * ? *), not " + expression);
    }

    /** The pattern with {@code ${AWS::...}} replaced in every string; any other placeholder is refused. */
    private static JsonNode substitute(JsonNode node, Map<String, String> values) {
        if (node.isTextual()) {
            Matcher m = PLACEHOLDER.matcher(node.textValue());
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = values.get(m.group(1));
                if (value == null) {
                    throw new IllegalArgumentException("${" + m.group(1) + "} is not one of " + values.keySet().stream()
                            .sorted().map(k -> "${" + k + "}").toList());
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            return TextNode.valueOf(out.toString());
        }
        if (node.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            node.forEach(e -> a.add(substitute(e, values)));
            return a;
        }
        if (node.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            node.fields().forEachRemaining(f -> o.set(f.getKey(), substitute(f.getValue(), values)));
            return o;
        }
        return node;
    }

    private static Target target(JsonNode node, String name) {
        JsonNode t = node.path("target");
        if (!t.isObject()) {
            throw new IllegalArgumentException(name + ".target: must be {\"function\": ...} or {\"stateMachine\": ...}");
        }
        Optional<String> function = t.path("function").isTextual() ? Optional.of(t.get("function").textValue()) : Optional.empty();
        Optional<String> machine = t.path("stateMachine").isTextual() ? Optional.of(t.get("stateMachine").textValue())
                : Optional.empty();
        if (function.isPresent() == machine.isPresent()) {
            throw new IllegalArgumentException(name + ".target: must name exactly one of function and stateMachine");
        }
        List<String> functionFields = List.of("functionRetryAttempts", "functionMaximumEventAgeSeconds", "functionFailureQueue");
        t.fieldNames().forEachRemaining(f -> {
            if (!List.of("function", "stateMachine", "retryAttempts", "maximumEventAgeSeconds").contains(f) && !functionFields.contains(f)) {
                throw new IllegalArgumentException(name + ".target." + f + ": is not a target field (function, stateMachine,"
                        + " retryAttempts, maximumEventAgeSeconds, " + String.join(", ", functionFields) + ")");
            }
        });
        Optional<AsyncInvoke> async = Optional.empty();
        if (functionFields.stream().anyMatch(t::has)) {
            if (function.isEmpty()) {
                throw new IllegalArgumentException(name + ".target: " + functionFields + " are for a function target only");
            }
            for (String required : functionFields.subList(0, 2)) {
                if (!t.has(required)) {
                    throw new IllegalArgumentException(name + ".target." + required + ": is required with the other function settings");
                }
            }
            JsonNode queue = t.path("functionFailureQueue");
            if (!queue.isMissingNode() && !queue.isBoolean()) {
                throw new IllegalArgumentException(name + ".target.functionFailureQueue: must be true or false");
            }
            async = Optional.of(new AsyncInvoke(count(t, "functionRetryAttempts", 0, 2, name).getAsInt(),
                    count(t, "functionMaximumEventAgeSeconds", 60, 21_600, name).getAsInt(), queue.asBoolean(false)));
        }
        return new Target(function, machine, count(t, "retryAttempts", 0, 185, name),
                count(t, "maximumEventAgeSeconds", 60, 86_400, name), async);
    }

    private static OptionalInt count(JsonNode t, String field, int min, int max, String name) {
        JsonNode v = t.get(field);
        if (v == null) {
            return OptionalInt.empty();
        }
        if (!v.isIntegralNumber() || v.intValue() < min || v.intValue() > max) {
            throw new IllegalArgumentException(name + ".target." + field + ": must be a whole number from " + min + " to " + max);
        }
        return OptionalInt.of(v.intValue());
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
