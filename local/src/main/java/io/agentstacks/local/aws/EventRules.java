package io.agentstacks.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentstacks.events.EventRoutesFile;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code statemachines/event-rules.json} as the local control plane's bus runs it: the file read and validated by
 * core's {@link EventRoutesFile} (the same reader infra deploys from, so both route events the same way), with each
 * rule's pattern made an {@link EventPattern} the local bus can match (its {@code ${AWS::...}} replaced by the local
 * values; an operator the local bus does not implement is refused here) and each schedule's recurrence made a
 * {@link Timing} the simulated clock can fire.
 */
public record EventRules(List<Rule> rules, List<Schedule> schedules) {

    public static final String FILE_NAME = EventRoutesFile.FILE_NAME;

    /** An EventBridge rule on one bus ({@code control-plane} or {@code default}). */
    public record Rule(String name, String bus, EventPattern pattern, EventRoutesFile.Target target) {
    }

    /** An EventBridge Scheduler schedule with its fixed input. */
    public record Schedule(String name, String expression, Timing timing, EventRoutesFile.Target target, JsonNode input) {
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

        static Timing of(EventRoutesFile.Recurrence recurrence) {
            if (recurrence instanceof EventRoutesFile.Recurrence.Rate r) {
                return new Rate(r.period());
            }
            return new Daily(((EventRoutesFile.Recurrence.Daily) recurrence).at());
        }
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    /** What {@code ${AWS::...}} in a pattern is locally. */
    public static final Map<String, String> LOCAL_PSEUDO_PARAMETERS = Map.of("AWS::Partition", "aws",
            "AWS::Region", LocalLambdas.REGION, "AWS::AccountId", LocalLambdas.ACCOUNT);

    public EventRules {
        rules = List.copyOf(rules);
        schedules = List.copyOf(schedules);
    }

    /** The file, with the local values of {@code ${AWS::...}}. */
    public static EventRules read(Path file) {
        EventRoutesFile routes = EventRoutesFile.read(file);
        try {
            return of(routes, LOCAL_PSEUDO_PARAMETERS);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param pseudoParameters the values of {@code ${AWS::Partition}}, {@code ${AWS::Region}}, {@code ${AWS::AccountId}}
     * @throws IllegalArgumentException naming the rule and field that is wrong
     */
    public static EventRules parse(JsonNode root, Map<String, String> pseudoParameters) {
        return of(EventRoutesFile.parse(root), pseudoParameters);
    }

    /** The local bus's rules and schedules from the file as read. */
    public static EventRules of(EventRoutesFile routes, Map<String, String> pseudoParameters) {
        Objects.requireNonNull(pseudoParameters, "pseudoParameters");
        List<Rule> rules = new ArrayList<>();
        for (EventRoutesFile.Rule r : routes.rules()) {
            EventPattern pattern;
            try {
                pattern = EventPattern.of(substitute(r.eventPattern(), pseudoParameters));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(r.name() + ".eventPattern: " + e.getMessage(), e);
            }
            rules.add(new Rule(r.name(), r.bus(), pattern, r.target()));
        }
        List<Schedule> schedules = routes.schedules().stream()
                .map(s -> new Schedule(s.name(), s.expression(), Timing.of(s.recurrence()), s.target(), s.input()))
                .toList();
        return new EventRules(rules, schedules);
    }

    /** The rules of one bus that match the event, in file order. */
    public List<Rule> matching(String bus, JsonNode event) {
        return rules.stream().filter(r -> r.bus().equals(bus) && r.pattern().matches(event)).toList();
    }

    /** The pattern with {@code ${AWS::...}} replaced in every string by its value. */
    private static JsonNode substitute(JsonNode node, Map<String, String> values) {
        if (node.isTextual()) {
            Matcher m = PLACEHOLDER.matcher(node.textValue());
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = values.get(m.group(1));
                if (value == null) {
                    throw new IllegalArgumentException("${" + m.group(1) + "} has no value (given: " + values.keySet().stream()
                            .sorted().map(k -> "${" + k + "}").toList() + ")");
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
            node.properties().forEach(f -> o.set(f.getKey(), substitute(f.getValue(), values)));
            return o;
        }
        return node;
    }
}
