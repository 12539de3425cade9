package io.agentstacks.local.aws;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An EventBridge event pattern, matched as EventBridge matches it, for the operators the control plane's
 * rules may use (statemachines/event-rules.json):
 *
 * <ul>
 *   <li>a field's pattern is an array of matchers; the field matches when one matcher matches its value, or
 *       one of its values when the event's field is an array;</li>
 *   <li>a nested object pattern matches the event's nested object field by field; every field named in a
 *       pattern must match (AND), and fields the pattern does not name are ignored;</li>
 *   <li>matchers: an exact string, number (compared as numbers) or boolean, {@code null} (a field present and
 *       null), {@code {"prefix": "..."}}, {@code {"suffix": "..."}}, {@code {"equals-ignore-case": "..."}},
 *       {@code {"anything-but": value | [values] | {"prefix": "..."}}} (a present field that is none of them),
 *       {@code {"exists": true|false}}, and {@code {"numeric": [">", 0, "<=", 5]}}.</li>
 * </ul>
 *
 * A pattern with anything else (another operator, a scalar where an array belongs) is refused when it is
 * read, naming the path, so that a rule the local bus cannot evaluate is never silently ignored.
 */
public final class EventPattern {

    private final JsonNode pattern;

    private EventPattern(JsonNode pattern) {
        this.pattern = pattern;
    }

    /**
     * @throws IllegalArgumentException naming the path of the first part of the pattern that is not supported
     */
    public static EventPattern of(JsonNode pattern) {
        Objects.requireNonNull(pattern, "pattern");
        if (!pattern.isObject() || pattern.isEmpty()) {
            throw new IllegalArgumentException("an event pattern must be a non-empty JSON object");
        }
        check(pattern, "");
        return new EventPattern(pattern.deepCopy());
    }

    public JsonNode json() {
        return pattern.deepCopy();
    }

    /** Whether the event (the whole envelope: source, detail-type, detail, ...) matches. */
    public boolean matches(JsonNode event) {
        return event != null && event.isObject() && matchesObject(pattern, event);
    }

    private static boolean matchesObject(JsonNode pattern, JsonNode event) {
        for (Iterator<Map.Entry<String, JsonNode>> it = pattern.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode value = event == null || !event.isObject() ? null : event.get(f.getKey());
            if (f.getValue().isObject()) {
                if (value == null || !value.isObject() || !matchesObject(f.getValue(), value)) {
                    return false;
                }
            } else if (!matchesField(f.getValue(), value)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchesField(JsonNode matchers, JsonNode value) {
        List<JsonNode> values = new ArrayList<>();
        if (value != null && value.isArray()) {
            value.forEach(values::add);
        } else if (value != null) {
            values.add(value);
        }
        for (JsonNode matcher : matchers) {
            if (matcher.isObject() && matcher.has("exists")) {
                if (matcher.get("exists").asBoolean() == (value != null)) {
                    return true;
                }
                continue;
            }
            for (JsonNode v : values) {
                if (matchesValue(matcher, v)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean matchesValue(JsonNode matcher, JsonNode v) {
        if (matcher.isNull()) {
            return v.isNull();
        }
        if (matcher.isTextual()) {
            return v.isTextual() && v.textValue().equals(matcher.textValue());
        }
        if (matcher.isNumber()) {
            return v.isNumber() && v.decimalValue().compareTo(matcher.decimalValue()) == 0;
        }
        if (matcher.isBoolean()) {
            return v.isBoolean() && v.booleanValue() == matcher.booleanValue();
        }
        Map.Entry<String, JsonNode> op = matcher.fields().next();
        JsonNode arg = op.getValue();
        return switch (op.getKey()) {
            case "prefix" -> v.isTextual() && v.textValue().startsWith(arg.textValue());
            case "suffix" -> v.isTextual() && v.textValue().endsWith(arg.textValue());
            case "equals-ignore-case" -> v.isTextual()
                    && v.textValue().toLowerCase(Locale.ROOT).equals(arg.textValue().toLowerCase(Locale.ROOT));
            case "anything-but" -> anythingBut(arg, v);
            case "numeric" -> v.isNumber() && numeric(arg, v.doubleValue());
            default -> throw new IllegalStateException("operator checked when the pattern was read: " + op.getKey());
        };
    }

    private static boolean anythingBut(JsonNode arg, JsonNode v) {
        if (arg.isObject()) {
            return !(v.isTextual() && v.textValue().startsWith(arg.get("prefix").textValue()));
        }
        if (arg.isArray()) {
            for (JsonNode a : arg) {
                if (matchesValue(a, v)) {
                    return false;
                }
            }
            return true;
        }
        return !matchesValue(arg, v);
    }

    private static boolean numeric(JsonNode arg, double v) {
        for (int i = 0; i < arg.size(); i += 2) {
            double bound = arg.get(i + 1).doubleValue();
            boolean ok = switch (arg.get(i).textValue()) {
                case "<" -> v < bound;
                case "<=" -> v <= bound;
                case "=" -> v == bound;
                case ">=" -> v >= bound;
                case ">" -> v > bound;
                default -> throw new IllegalStateException("comparison checked when the pattern was read");
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    // ---- reading -----------------------------------------------------------------------------------

    private static void check(JsonNode node, String path) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String here = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
            JsonNode v = f.getValue();
            if (v.isObject()) {
                if (v.isEmpty()) {
                    throw new IllegalArgumentException(here + ": an object in a pattern must name at least one field");
                }
                check(v, here);
            } else if (v.isArray()) {
                if (v.isEmpty()) {
                    throw new IllegalArgumentException(here + ": a field's matchers must be a non-empty array");
                }
                for (JsonNode m : v) {
                    checkMatcher(m, here);
                }
            } else {
                throw new IllegalArgumentException(here + ": must be an array of matchers or an object, not " + v);
            }
        }
    }

    private static void checkMatcher(JsonNode m, String path) {
        if (m.isTextual() || m.isNumber() || m.isBoolean() || m.isNull()) {
            return;
        }
        if (!m.isObject() || m.size() != 1) {
            throw new IllegalArgumentException(path + ": a matcher is a value or an object with one operator, not " + m);
        }
        Map.Entry<String, JsonNode> op = m.fields().next();
        JsonNode arg = op.getValue();
        switch (op.getKey()) {
            case "prefix", "suffix", "equals-ignore-case" -> {
                if (!arg.isTextual()) {
                    throw new IllegalArgumentException(path + ": " + op.getKey() + " takes a string");
                }
            }
            case "exists" -> {
                if (!arg.isBoolean()) {
                    throw new IllegalArgumentException(path + ": exists takes true or false");
                }
            }
            case "anything-but" -> {
                boolean ok = arg.isTextual() || arg.isNumber() || arg.isBoolean()
                        || (arg.isObject() && arg.size() == 1 && arg.path("prefix").isTextual());
                if (arg.isArray()) {
                    ok = !arg.isEmpty();
                    for (JsonNode a : arg) {
                        ok &= a.isTextual() || a.isNumber() || a.isBoolean();
                    }
                }
                if (!ok) {
                    throw new IllegalArgumentException(path + ": anything-but takes a value, a list of values or {\"prefix\": ...}");
                }
            }
            case "numeric" -> {
                boolean ok = arg.isArray() && (arg.size() == 2 || arg.size() == 4);
                for (int i = 0; ok && i < arg.size(); i += 2) {
                    ok = arg.get(i).isTextual() && List.of("<", "<=", "=", ">=", ">").contains(arg.get(i).textValue())
                            && arg.get(i + 1).isNumber();
                }
                if (!ok) {
                    throw new IllegalArgumentException(path + ": numeric takes [op, number] or [op, number, op, number]");
                }
            }
            default -> throw new IllegalArgumentException(path + ": operator " + op.getKey()
                    + " is not supported by the local event bus (supported: prefix, suffix, equals-ignore-case, "
                    + "anything-but, exists, numeric)");
        }
    }

    @Override
    public String toString() {
        return pattern.toString();
    }
}
