package io.agentstacks.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
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
 * {@code statemachines/event-rules.json}: the control plane's EventBridge rules and EventBridge Scheduler
 * schedules, read and validated here once for both readers: infra (which deploys them) and the local control
 * plane (whose bus delivers events by them). Every field the file may hold is read; any other field is refused,
 * naming its path, so that a setting added to the file can never be silently left out by either reader.
 *
 * <p>What only one reader can check stays with it: infra that a target is a control plane function or state
 * machine it deploys; local that a pattern uses only the operators its bus implements.
 */
public record EventRoutesFile(List<Rule> rules, List<Schedule> schedules) {

    public static final String FILE_NAME = "event-rules.json";
    /** {@code control-plane}: the control plane's own bus; {@code default}: the account's default bus (AWS services' events). */
    public static final Set<String> BUSES = Set.of("control-plane", "default");
    /** The only placeholders a pattern's strings may hold ({@code ${AWS::Partition}} ...): the deployment's pseudo parameters. */
    public static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::Partition", "AWS::Region", "AWS::AccountId");
    /** EventBridge's and Scheduler's retry policy: 0–185 attempts, 60 s to 24 h of event age. */
    public static final int MAX_DELIVERY_RETRY_ATTEMPTS = 185;
    public static final int MIN_DELIVERY_EVENT_AGE_SECONDS = 60;
    public static final int MAX_DELIVERY_EVENT_AGE_SECONDS = 86_400;

    private static final Set<String> TOP_FIELDS = Set.of("comment", "rules", "schedules");
    private static final Set<String> RULE_FIELDS = Set.of("name", "description", "bus", "eventPattern", "target");
    private static final Set<String> SCHEDULE_FIELDS = Set.of("name", "description", "scheduleExpression", "target", "input");
    private static final Set<String> TARGET_FIELDS = Set.of("function", "stateMachine", "retryAttempts", "maximumEventAgeSeconds",
            "functionRetryAttempts", "functionMaximumEventAgeSeconds", "functionFailureQueue");
    /** Fields of a function target only: Lambda's asynchronous invocation settings of the function's alias. */
    private static final List<String> FUNCTION_ONLY_FIELDS = List.of("functionFailureQueue", "functionMaximumEventAgeSeconds",
            "functionRetryAttempts");
    private static final Pattern RATE = Pattern.compile("rate\\(([1-9]\\d{0,5}) (minute|minutes|hour|hours|day|days)\\)");
    private static final Pattern DAILY_CRON = Pattern.compile("cron\\(([1-5]?\\d) (1?\\d|2[0-3]) \\* \\* \\? \\*\\)");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,39}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where an event goes: a control plane function by module name ({@code functions/<name>}) or a state machine
     * by definition name ({@code statemachines/<name>.asl.json}), with EventBridge's (or Scheduler's) retry
     * attempts and maximum event age, which cover only a failed delivery (the Invoke or StartExecution call
     * refused or throttled).
     *
     * <p>EventBridge and Scheduler invoke a function asynchronously, so an error of the function itself is
     * retried by Lambda, as the function's {@link AsyncInvoke} settings say.
     */
    public record Target(Optional<String> function, Optional<String> stateMachine, OptionalInt retryAttempts,
                         OptionalInt maximumEventAgeSeconds, Optional<AsyncInvoke> asyncInvoke) {
        public Target {
            Objects.requireNonNull(function, "function");
            Objects.requireNonNull(stateMachine, "stateMachine");
            Objects.requireNonNull(retryAttempts, "retryAttempts");
            Objects.requireNonNull(maximumEventAgeSeconds, "maximumEventAgeSeconds");
            Objects.requireNonNull(asyncInvoke, "asyncInvoke");
            if (function.isPresent() == stateMachine.isPresent()) {
                throw new IllegalArgumentException("a target names exactly one of function and stateMachine");
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
        /** What Lambda does when a function has no such settings. */
        public static final AsyncInvoke LAMBDA_DEFAULT = new AsyncInvoke(MAX_RETRY_ATTEMPTS, MAX_EVENT_AGE_SECONDS, false);

        public AsyncInvoke {
            if (retryAttempts < 0 || retryAttempts > MAX_RETRY_ATTEMPTS) {
                throw new IllegalArgumentException("retryAttempts: must be from 0 to " + MAX_RETRY_ATTEMPTS);
            }
            if (maximumEventAgeSeconds < MIN_EVENT_AGE_SECONDS || maximumEventAgeSeconds > MAX_EVENT_AGE_SECONDS) {
                throw new IllegalArgumentException("maximumEventAgeSeconds: must be from " + MIN_EVENT_AGE_SECONDS + " to "
                        + MAX_EVENT_AGE_SECONDS);
            }
        }
    }

    /** An EventBridge rule; {@code eventPattern} as written, {@code ${AWS::...}} placeholders included. */
    public record Rule(String name, String description, String bus, JsonNode eventPattern, Target target) {
        public Rule {
            eventPattern = eventPattern.deepCopy();
        }

        /** A copy: the record stays as read. */
        @Override
        public JsonNode eventPattern() {
            return eventPattern.deepCopy();
        }
    }

    /** An EventBridge Scheduler schedule (UTC) with its fixed input; {@code recurrence} is {@code expression} read. */
    public record Schedule(String name, String description, String expression, Recurrence recurrence, Target target, JsonNode input) {
        public Schedule {
            input = input.deepCopy();
        }

        /** A copy: the record stays as read. */
        @Override
        public JsonNode input() {
            return input.deepCopy();
        }
    }

    /** When a schedule fires, in UTC: {@code rate(N minutes|hours|days)} or a daily {@code cron(M H * * ? *)}. */
    public sealed interface Recurrence {
        /** {@code rate(...)}: every {@code period}. */
        record Rate(Duration period) implements Recurrence {
        }

        /** {@code cron(M H * * ? *)}: every day at {@code at}, UTC. */
        record Daily(LocalTime at) implements Recurrence {
        }
    }

    public EventRoutesFile {
        rules = List.copyOf(rules);
        schedules = List.copyOf(schedules);
    }

    /** @throws IllegalArgumentException naming the file, the entry and the field that is wrong */
    public static EventRoutesFile read(Path file) {
        try {
            return parse(JSON.readTree(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read as JSON: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException naming the entry and the field that is wrong */
    public static EventRoutesFile parse(JsonNode root) {
        Objects.requireNonNull(root, "root");
        if (!root.isObject()) {
            throw new IllegalArgumentException("must be a JSON object with rules and schedules");
        }
        onlyFields(root, TOP_FIELDS, "(file)");
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
            rules.add(new Rule(name, text(r, "description", name), bus, pattern, target(r, name)));
        }
        List<Schedule> schedules = new ArrayList<>();
        for (JsonNode s : array(root, "schedules")) {
            String name = name(s, "schedules[]", names);
            onlyFields(s, SCHEDULE_FIELDS, name);
            String expression = text(s, "scheduleExpression", name);
            Recurrence recurrence = recurrence(expression, name);
            JsonNode input = s.path("input");
            if (!input.isObject()) {
                throw new IllegalArgumentException(name + ".input: must be a JSON object");
            }
            schedules.add(new Schedule(name, text(s, "description", name), expression, recurrence, target(s, name), input));
        }
        sameAsyncInvokePerFunction(rules, schedules);
        return new EventRoutesFile(rules, schedules);
    }

    private static Recurrence recurrence(String expression, String name) {
        Matcher rate = RATE.matcher(expression);
        if (rate.matches()) {
            long n = Long.parseLong(rate.group(1));
            return new Recurrence.Rate(switch (rate.group(2)) {
                case "minute", "minutes" -> Duration.ofMinutes(n);
                case "hour", "hours" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        Matcher cron = DAILY_CRON.matcher(expression);
        if (cron.matches()) {
            return new Recurrence.Daily(LocalTime.of(Integer.parseInt(cron.group(2)), Integer.parseInt(cron.group(1))));
        }
        throw new IllegalArgumentException(name + ".scheduleExpression: must be rate(N minutes|hours|days) or a daily "
                + "cron(M H * * ? *), not " + expression);
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
        if (!entry.isObject()) {
            throw new IllegalArgumentException(where + ": must be a JSON object");
        }
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
        String where = name + ".target";
        if (!t.isObject()) {
            throw new IllegalArgumentException(where + ": must be {\"function\": ...} or {\"stateMachine\": ...}");
        }
        onlyFields(t, TARGET_FIELDS, where);
        Optional<String> function = optionalText(t, "function", where);
        Optional<String> machine = optionalText(t, "stateMachine", where);
        if (function.isPresent() == machine.isPresent()) {
            throw new IllegalArgumentException(where + ": must name exactly one of function and stateMachine");
        }
        Optional<AsyncInvoke> async = Optional.empty();
        if (FUNCTION_ONLY_FIELDS.stream().anyMatch(t::has)) {
            if (function.isEmpty()) {
                throw new IllegalArgumentException(where + ": " + FUNCTION_ONLY_FIELDS
                        + " are Lambda's asynchronous invocation settings, for a function target only");
            }
            for (String required : List.of("functionRetryAttempts", "functionMaximumEventAgeSeconds")) {
                if (!t.has(required)) {
                    throw new IllegalArgumentException(where + "." + required + ": is required with the other function settings "
                            + "(Lambda's defaults would apply silently otherwise)");
                }
            }
            JsonNode queue = t.path("functionFailureQueue");
            if (!queue.isMissingNode() && !queue.isBoolean()) {
                throw new IllegalArgumentException(where + ".functionFailureQueue: must be true or false");
            }
            async = Optional.of(new AsyncInvoke(
                    count(t, "functionRetryAttempts", 0, AsyncInvoke.MAX_RETRY_ATTEMPTS, where).getAsInt(),
                    count(t, "functionMaximumEventAgeSeconds", AsyncInvoke.MIN_EVENT_AGE_SECONDS, AsyncInvoke.MAX_EVENT_AGE_SECONDS, where)
                            .getAsInt(),
                    queue.asBoolean(false)));
        }
        return new Target(function, machine, count(t, "retryAttempts", 0, MAX_DELIVERY_RETRY_ATTEMPTS, where),
                count(t, "maximumEventAgeSeconds", MIN_DELIVERY_EVENT_AGE_SECONDS, MAX_DELIVERY_EVENT_AGE_SECONDS, where), async);
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
                throw new IllegalArgumentException(where + "." + f + ": is not a field of " + FILE_NAME + " ("
                        + allowed.stream().sorted().toList() + "); add it to EventRoutesFile and to both of its readers"
                        + " (infra's EventRoutes, the local control plane's LocalEventBus) before using it");
            }
        });
    }

    private static OptionalInt count(JsonNode t, String field, int min, int max, String where) {
        JsonNode v = t.get(field);
        if (v == null) {
            return OptionalInt.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw new IllegalArgumentException(where + "." + field + ": must be a whole number from " + min + " to " + max);
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
