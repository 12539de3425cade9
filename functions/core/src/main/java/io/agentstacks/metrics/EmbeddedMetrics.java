package io.agentstacks.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * CloudWatch embedded metric format: one JSON log line that CloudWatch Logs turns into metrics, in the
 * control plane's namespace. A line carries one set of dimensions and any number of metrics; other
 * fields are kept as log properties (searchable in Logs Insights, not metrics).
 */
public final class EmbeddedMetrics {

    public static final String NAMESPACE = "SemaphoreAgentStacks";

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private EmbeddedMetrics() {
    }

    /** A metric value with its CloudWatch unit ({@code Count}, {@code Seconds}, {@code None}...). */
    public record Metric(String name, double value, String unit) {
        public Metric {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(unit, "unit");
        }

        public static Metric count(String name, double value) {
            return new Metric(name, value, "Count");
        }
    }

    /**
     * @param dimensions dimension name to value, in order (e.g. Stack, JobState)
     * @param properties extra log fields, written as they are (no secrets)
     */
    public static String line(Instant at, Map<String, String> dimensions, List<Metric> metrics,
                              Map<String, ?> properties) {
        ObjectNode root = F.objectNode();
        ObjectNode aws = root.putObject("_aws");
        aws.put("Timestamp", at.toEpochMilli());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", NAMESPACE);
        ArrayNode dimensionSet = directive.putArray("Dimensions").addArray();
        dimensions.keySet().forEach(dimensionSet::add);
        ArrayNode defs = directive.putArray("Metrics");
        for (Metric m : metrics) {
            defs.addObject().put("Name", m.name()).put("Unit", m.unit());
        }
        properties.forEach((k, v) -> root.set(k, io.agentstacks.spec.SpecJson.MAPPER.valueToTree(v)));
        dimensions.forEach(root::put);
        for (Metric m : metrics) {
            if (m.value() == Math.rint(m.value()) && Math.abs(m.value()) < 1e15) {
                root.put(m.name(), (long) m.value());
            } else {
                root.put(m.name(), m.value());
            }
        }
        return root.toString();
    }

    public static String line(Instant at, Map<String, String> dimensions, Metric metric) {
        return line(at, dimensions, List.of(metric), Map.of());
    }

    /** Dimensions in the given order: {@code dims("Stack", "ci", "JobState", "queued")}. */
    public static Map<String, String> dims(String... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("dimension names and values come in pairs");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            m.put(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return m;
    }
}
