package io.agentstacks.stackapi;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The API's log: one JSON object per line ({@code level}, {@code event}, {@code stack} and numbers),
 * written to standard output, which Lambda sends to CloudWatch Logs. Callers pass names, versions,
 * statuses and counts only: never a request body, a spec field or a header value.
 */
public final class ApiLog {

    private final Consumer<String> lines;
    private final Clock clock;

    public ApiLog(Consumer<String> lines, Clock clock) {
        this.lines = Objects.requireNonNull(lines, "lines");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public static ApiLog stdout(Clock clock) {
        return new ApiLog(System.out::println, clock);
    }

    /** A new line for {@code event}; add fields, then {@link Line#write()}. */
    Line info(String event) {
        return new Line("INFO", event);
    }

    Line error(String event) {
        return new Line("ERROR", event);
    }

    final class Line {
        private final ObjectNode json = JsonNodeFactory.instance.objectNode();

        private Line(String level, String event) {
            json.put("time", clock.instant().toString());
            json.put("level", level);
            json.put("event", event);
        }

        Line put(String key, String value) {
            if (value != null) {
                json.put(key, value);
            }
            return this;
        }

        Line put(String key, long value) {
            json.put(key, value);
            return this;
        }

        void write() {
            lines.accept(json.toString());
        }
    }
}
