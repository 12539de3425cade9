package io.agentstacks.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
 * {@code statemachines/event-rules.json} as infra reads it: the control plane's EventBridge rules and
 * EventBridge Scheduler schedules, which {@link EventRoutes} creates as they are written there (the local
 * control plane reads the same file). Every field the file may hold is applied; any other field is refused,
 * so that a setting added to the file can never be silently left out of the deployment.
 */
public record EventRulesFile(List<Rule> rules, List<Schedule> schedules) {

    public static final String FILE_NAME = "event-rules.json";
    /** {@code control-plane}: the control plane's own bus; {@code default}: the account's default bus (AWS services' events). */
    public static final Set<String> BUSES = Set.of("control-plane", "default");
    /** The only placeholders a pattern's strings may hold; infra makes them the deployment's pseudo parameters. */
    public static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::Partition", "AWS::Region", "AWS::AccountId");

    private static final Set<String> RULE_FIELDS = Set.of("name", "description", "bus", "eventPattern", "target");
    private static final Set<String> SCHEDULE_FIELDS = Set.of("name", "description", "scheduleExpression", "target", "input");
    private static final Set<String> TARGET_FIELDS = Set.of("function", "stateMachine", "retryAttempts", "maximumEventAgeSeconds",
            "functionRetryAttempts", "functionMaximumEventAgeSeconds", "functionFailureQueue");
    /** Fields of a function target only: Lambda's asynchronous invocation settings of the function's alias. */
    private static final Set<String> FUNCTION_ONLY_FIELDS = Set.of("functionRetryAttempts", "functionMaximumEventAgeSeconds",
            "functionFailureQueue");
    private static final Pattern RATE = Pattern.compile("rate\\(([1-9]\\d*) (minute|minutes|hour|hours|day|days)\\)");
    private static final Pattern DAILY_CRON = Pattern.compile("cron\\(([1-5]?\\d) (1?\\d|2[0-3]) \\* \\* \\? \\*\\)");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,39}");

    /**
     * Where an event goes: a control plane function by module name ({@link ControlPlaneFunction#module()}) or
     * a state machine by definition name, with EventBridge's (or Scheduler's) retry attempts and maximum event
     * age, which cover only a failed delivery (the Invoke or StartExecution call refused or throttled).
     *
     * <p>EventBridge and Scheduler invoke a function asynchronously, so an error of the function itself is
     * retried by Lambda, as the function's {@link AsyncInvoke} settings say.
     */
    public record Target(Optional<String> function, Optional<String> stateMachine, OptionalInt retryAttempts,
                         OptionalInt maximumEventAgeSeconds, Optional<AsyncInvoke> asyncInvoke) {
        public Target {
            if (function.isPresent() == stateMachine.isPresent()) {
                throw new IllegalArgumentException("a target names exactly one of function and stateMachine");
            }
            if (asyncInvoke.isPresent() && function.isEmpty()) {
                throw new IllegalArgumentException("asynchronous invocation settings are a function target's only");
            }
        }
    }

    /**
     * Lambda's asynchronous invocation settings of a target function's alias (an EventInvokeConfig):
     * {@code functionRetryAttempts} (0–2; Lambda retries a function error about 1 and then 2 minutes later),
     * {@code functionMaximumEventAgeSeconds} (60–21600; an event older than that, waiting in Lambda's queue or
     * for a retry, is dropped) and {@code functionFailureQueue}: whether an event dropped after its last
     * attempt is sent to an encrypted SQS queue, with an alarm, rather than lost.
     */
    public record AsyncInvoke(int retryAttempts, int maximumEventAgeSeconds, boolean failureQueue) {
        public static final int MAX_RETRY_ATTEMPTS = 2;
        public static final int MIN_EVENT_AGE_SECONDS = 60;
        public static final int MAX_EVENT_AGE_SECONDS = 21_600;
    }

    /** An EventBridge rule; {@code eventPattern} as written, {@code ${AWS::...}} placeholders included. */
    public record Rule(String name, String description, String bus, JsonNode eventPattern, Target target) {
    }

    /** An EventBridge Scheduler schedule (UTC) with its fixed input. */
    public record Schedule(String name, String description, String expression, Target target, JsonNode input) {
    }

    public EventRulesFile {
        rules = List.copyOf(rules);
        schedules = List.copyOf(schedules);
    }

    /** @throws IllegalArgumentException naming the file, the entry and the field that is wrong */
    public static EventRulesFile read(Path file) {
        try {
            return parse(new ObjectMapper().readTree(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read as JSON: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException naming the entry and the field that is wrong */
    public static EventRulesFile parse(JsonNode root) {
        Objects.requireNonNull(root, "root");
        Set<String> names = new HashSet<>();
        List<Rule> rules = new ArrayList<>();
        for (JsonNode r : array(root, "rules")) {
            String name = name(r, "rules[]", names);
            onlyFields(r, RULE_FIELDS, name);
            String bus = text(r, "bus", name);
            if (!BUSES.contains(bus)) {
                throw new IllegalArgumentException(name + ".bus: must be one of " + BUSES.stream().sorted().toList() + ", not " + bus);
            }
            JsonNode pattern = r.path("eventPattern");
            if (!pattern.isObject() || pattern.isEmpty()) {
                throw new IllegalArgumentException(name + ".eventPattern: must be a non-empty JSON object");
            }
            checkPlaceholders(pattern, name + ".eventPattern");
            rules.add(new Rule(name, text(r, "description", name), bus, pattern.deepCopy(), target(r, name)));
        }
        List<Schedule> schedules = new ArrayList<>();
        for (JsonNode s : array(root, "schedules")) {
            String name = name(s, "schedules[]", names);
            onlyFields(s, SCHEDULE_FIELDS, name);
            String expression = text(s, "scheduleExpression", name);
            if (!RATE.matcher(expression).matches() && !DAILY_CRON.matcher(expression).matches()) {
                throw new IllegalArgumentException(name + ".scheduleExpression: must be rate(N minutes|hours|days) or a daily "
                        + "cron(M H * * ? *), not " + expression);
            }
            JsonNode input = s.path("input");
            if (!input.isObject()) {
                throw new IllegalArgumentException(name + ".input: must be a JSON object");
            }
            schedules.add(new Schedule(name, text(s, "description", name), expression, target(s, name), input.deepCopy()));
        }
        sameAsyncInvokePerFunction(rules, schedules);
        return new EventRulesFile(rules, schedules);
    }

    /** Lambda keeps one EventInvokeConfig per alias: every entry that targets a function must agree on it. */
    private static void sameAsyncInvokePerFunction(List<Rule> rules, List<Schedule> schedules) {
        Map<String, String> first = new HashMap<>();
        Map<String, Optional<AsyncInvoke>> settings = new HashMap<>();
        List<Map.Entry<String, Target>> entries = new ArrayList<>();
        rules.forEach(r -> entries.add(Map.entry(r.name(), r.target())));
        schedules.forEach(s -> entries.add(Map.entry(s.name(), s.target())));
        for (var e : entries) {
            Target t = e.getValue();
            if (t.function().isEmpty()) {
                continue;
            }
            String function = t.function().get();
            Optional<AsyncInvoke> before = settings.putIfAbsent(function, t.asyncInvoke());
            if (before != null && !before.equals(t.asyncInvoke())) {
                throw new IllegalArgumentException(e.getKey() + ".target: function " + function + " has other asynchronous invocation"
                        + " settings (functionRetryAttempts, functionMaximumEventAgeSeconds, functionFailureQueue) in "
                        + first.get(function) + "; Lambda keeps one set per function alias, so they must be the same");
            }
            first.putIfAbsent(function, e.getKey());
        }
    }

    private static String name(JsonNode entry, String where, Set<String> seen) {
        String name = text(entry, "name", where);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + ".name: must be letters and digits, starting with a letter (at most 40), not " + name);
        }
        if (!seen.add(name)) {
            throw new IllegalArgumentException(name + ": is defined twice");
        }
        return name;
    }

    private static Target target(JsonNode entry, String name) {
        JsonNode t = entry.path("target");
        if (!t.isObject()) {
            throw new IllegalArgumentException(name + ".target: must be {\"function\": ...} or {\"stateMachine\": ...}");
        }
        onlyFields(t, TARGET_FIELDS, name + ".target");
        Optional<String> function = optionalText(t, "function", name + ".target");
        Optional<String> machine = optionalText(t, "stateMachine", name + ".target");
        if (function.isPresent() == machine.isPresent()) {
            throw new IllegalArgumentException(name + ".target: must name exactly one of function and stateMachine");
        }
        Optional<AsyncInvoke> async = Optional.empty();
        boolean anyAsync = FUNCTION_ONLY_FIELDS.stream().anyMatch(t::has);
        if (anyAsync && function.isEmpty()) {
            throw new IllegalArgumentException(name + ".target: " + FUNCTION_ONLY_FIELDS.stream().sorted().toList()
                    + " are Lambda's asynchronous invocation settings, for a function target only");
        }
        if (anyAsync) {
            for (String required : List.of("functionRetryAttempts", "functionMaximumEventAgeSeconds")) {
                if (!t.has(required)) {
                    throw new IllegalArgumentException(name + ".target." + required + ": is required with the other function settings "
                            + "(Lambda's defaults would apply silently otherwise)");
                }
            }
            JsonNode queue = t.path("functionFailureQueue");
            if (!queue.isMissingNode() && !queue.isBoolean()) {
                throw new IllegalArgumentException(name + ".target.functionFailureQueue: must be true or false");
            }
            async = Optional.of(new AsyncInvoke(
                    count(t, "functionRetryAttempts", 0, AsyncInvoke.MAX_RETRY_ATTEMPTS, name).getAsInt(),
                    count(t, "functionMaximumEventAgeSeconds", AsyncInvoke.MIN_EVENT_AGE_SECONDS, AsyncInvoke.MAX_EVENT_AGE_SECONDS, name).getAsInt(),
                    queue.asBoolean(false)));
        }
        return new Target(function, machine, count(t, "retryAttempts", 0, 185, name), count(t, "maximumEventAgeSeconds", 60, 86_400, name),
                async);
    }

    private static void checkPlaceholders(JsonNode node, String where) {
        if (node.isTextual()) {
            Matcher m = PLACEHOLDER.matcher(node.textValue());
            while (m.find()) {
                if (!PSEUDO_PARAMETERS.contains(m.group(1))) {
                    throw new IllegalArgumentException(where + ": ${" + m.group(1) + "} is not one of "
                            + PSEUDO_PARAMETERS.stream().sorted().map(p -> "${" + p + "}").toList());
                }
            }
        } else if (node.isObject()) {
            node.properties().forEach(f -> checkPlaceholders(f.getValue(), where + "." + f.getKey()));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkPlaceholders(node.get(i), where + "[" + i + "]");
            }
        }
    }

    private static void onlyFields(JsonNode node, Set<String> allowed, String where) {
        node.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                throw new IllegalArgumentException(where + "." + f + ": is not a field infra knows (" + allowed.stream().sorted().toList()
                        + "); add it to infra (EventRoutes) before using it");
            }
        });
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

    private static Optional<String> optionalText(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isTextual() || v.textValue().isBlank()) {
            throw new IllegalArgumentException(where + "." + field + ": must be a non-empty string");
        }
        return Optional.of(v.textValue());
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.path(field);
        if (!v.isTextual() || v.textValue().isBlank()) {
            throw new IllegalArgumentException(where + "." + field + ": is required (a string)");
        }
        return v.textValue();
    }
}
