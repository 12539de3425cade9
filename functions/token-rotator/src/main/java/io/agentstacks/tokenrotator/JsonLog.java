package io.agentstacks.tokenrotator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One JSON object per line on standard output (CloudWatch Logs keeps each as one event): {@code time},
 * {@code level}, {@code event}, {@code stack} and the numbers that matter. Callers put no token in a line.
 */
public final class JsonLog {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final PrintStream out;
    private final Clock clock;

    public JsonLog(PrintStream out, Clock clock) {
        this.out = Objects.requireNonNull(out, "out");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A line with {@code level} and {@code event}; {@code fields} adds the rest. */
    public void write(String level, String event, Consumer<ObjectNode> fields) {
        ObjectNode line = MAPPER.createObjectNode();
        line.put("time", clock.instant().toString());
        line.put("level", level);
        line.put("event", event);
        fields.accept(line);
        write(line);
    }

    public void info(String event, Consumer<ObjectNode> fields) {
        write("INFO", event, fields);
    }

    public void warn(String event, Consumer<ObjectNode> fields) {
        write("WARN", event, fields);
    }

    public void error(String event, Consumer<ObjectNode> fields) {
        write("ERROR", event, fields);
    }

    /** Writes {@code line} as it is (e.g. an embedded-metric-format record). */
    public void write(ObjectNode line) {
        try {
            String text = MAPPER.writeValueAsString(line);
            synchronized (out) {
                out.println(text);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a log line could not be written as JSON", e);
        }
    }

    public Clock clock() {
        return clock;
    }
}
