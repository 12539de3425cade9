package io.agentstacks.spec;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The per-field checks of a JSON spec, driven by {@link SpecFields}: unknown members (with the nearest
 * known name), types, ranges, allowed values, patterns, lengths and list sizes, and the "one of these
 * members" rules of objects. Every problem is reported; none stops the walk.
 */
final class FieldChecks {

    /** Violations, and the paths whose values cannot be trusted by rules between fields. */
    record Outcome(List<Violation> violations, Set<String> badPaths) {
    }

    private static final int SHOWN_VALUES = 12;
    private static final int SHOWN_LENGTH = 100;

    private final List<Violation> violations = new ArrayList<>();
    private final Set<String> bad = new LinkedHashSet<>();

    private FieldChecks() {
    }

    static Outcome check(JsonNode root) {
        FieldChecks checks = new FieldChecks();
        checks.object(root, SpecFields.root(), "");
        return new Outcome(List.copyOf(checks.violations), Set.copyOf(checks.bad));
    }

    private void object(JsonNode node, SpecField container, String path) {
        Map<String, SpecField> members = new LinkedHashMap<>();
        SpecFields.members(container).forEach(m -> members.put(m.name(), m));
        node.properties().forEach(e -> {
            SpecField member = members.get(e.getKey());
            if (member != null) {
                value(e.getValue(), member, join(path, e.getKey()));
            } else if (!container.passthroughKeys().contains(e.getKey())) {
                List<String> known = new ArrayList<>(members.keySet());
                known.addAll(container.passthroughKeys());
                unknown(e.getKey(), path, known);
            }
        });
        for (SpecField m : members.values()) {
            if (m.isRequired() && !node.has(m.name())) {
                fail(join(path, m.name()), "is required", null);
            }
        }
        List<String> anyOf = container.anyOfRequired();
        if (!anyOf.isEmpty() && anyOf.stream().noneMatch(node::has)) {
            fail(path.isEmpty() ? anyOf.get(0) : path, container.anyOfMessage().orElseThrow(), null);
        }
        List<String> oneOf = container.oneOfRequired();
        if (!oneOf.isEmpty()) {
            long present = oneOf.stream().filter(node::has).count();
            if (present != 1) {
                fail(path, (present == 0 ? "must set one of " : "must set only one of ")
                        + String.join(" and ", oneOf), null);
            }
        }
    }

    private void unknown(String key, String path, List<String> known) {
        String message;
        if (path.isEmpty() && key.startsWith("SEMAPHORE_")) {
            message = "is a key of the older tool's configuration, which cannot be mixed with spec fields"
                    + SpecFields.byLegacyKey(key).map(f -> "; write it as '" + f.path() + "'").orElse("");
        } else {
            message = "is not a field of " + (path.isEmpty() ? "the stack spec" : path)
                    + Suggestions.nearest(key, known).map(s -> "; did you mean '" + s + "'?").orElse("");
        }
        // The value of an unknown member is never echoed: it could be anything, a token included.
        violations.add(Violation.of(join(path, key), message));
    }

    private void value(JsonNode v, SpecField f, String path) {
        if (v.isNull()) {
            fail(path, "must be " + typeName(f) + ", not null; leave the field out for its default", null);
            return;
        }
        switch (f.type()) {
            case STRING -> {
                if (!v.isTextual()) {
                    typeError(v, f, path);
                } else {
                    string(v.textValue(), f, path);
                }
            }
            case INTEGER -> integer(v, f, path);
            case BOOLEAN -> {
                if (!v.isBoolean()) {
                    typeError(v, f, path);
                }
            }
            case STRING_LIST -> stringList(v, f, path);
            case STRING_MAP -> stringMap(v, f, path);
            case OBJECT -> {
                if (!v.isObject()) {
                    typeError(v, f, path);
                } else {
                    object(v, f, path);
                }
            }
            case OBJECT_LIST -> {
                if (!v.isArray()) {
                    typeError(v, f, path);
                    return;
                }
                count(v.size(), f, path);
                for (int i = 0; i < v.size(); i++) {
                    JsonNode element = v.get(i);
                    String at = path + "[" + i + "]";
                    if (!element.isObject()) {
                        fail(at, "must be an object, not " + jsonType(element), null);
                    } else {
                        object(element, f, at);
                    }
                }
            }
        }
    }

    private void string(String s, SpecField f, String path) {
        if (s.isEmpty()) {
            fail(path, "must not be empty; leave the field out for its default", null);
            return;
        }
        String shown = f.mayHoldSecret() ? null : shorten(s);
        if (!f.allowedValues().isEmpty() && !f.allowedValues().contains(s)) {
            String values = f.allowedValues().size() <= SHOWN_VALUES ? "one of " + String.join(", ", f.allowedValues())
                    : "an IANA time zone name such as Europe/Berlin";
            fail(path, "must be " + values + Suggestions.nearest(s, f.allowedValues())
                    .map(n -> "; did you mean '" + n + "'?").orElse(""), shown);
            return;
        }
        if (f.maxLength().isPresent() && length(s) > f.maxLength().getAsInt()) {
            fail(path, "must be at most " + f.maxLength().getAsInt() + " characters long (it has " + length(s) + ")",
                    shown);
            return;
        }
        if (f.compiledPattern().isPresent() && !f.compiledPattern().get().matcher(s).find()) {
            String hint = f.patternHint().orElseThrow();
            if (f.path().equals("schedules[].cron")) {
                hint = Cron.problem(s).orElse(hint);
            } else if (f.path().equals("stackName")) {
                hint = StackNameRule.problem(s).orElse(hint);
            }
            fail(path, hint, shown);
        }
    }

    private void integer(JsonNode v, SpecField f, String path) {
        if (!v.isNumber() || !(v.isIntegralNumber() || v.canConvertToExactIntegral())) {
            typeError(v, f, path);
            return;
        }
        BigDecimal n = v.decimalValue();
        long min = f.minimum().orElseThrow();
        long max = f.maximum().orElseThrow();
        boolean zero = f.zeroAllowed() && n.signum() == 0;
        if (!zero && (n.compareTo(BigDecimal.valueOf(min)) < 0 || n.compareTo(BigDecimal.valueOf(max)) > 0)) {
            String message = f.zeroAllowed() ? "must be 0 or between " + min + " and " + max
                    : n.compareTo(BigDecimal.valueOf(min)) < 0 ? "must be at least " + min : "must be at most " + max;
            fail(path, message, v.asText());
        }
    }

    private void stringList(JsonNode v, SpecField f, String path) {
        if (!v.isArray()) {
            typeError(v, f, path);
            return;
        }
        count(v.size(), f, path);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            String at = path + "[" + i + "]";
            if (!item.isTextual()) {
                fail(at, "must be a string, not " + jsonType(item), scalar(item));
            } else if (f.uniqueItems() && !seen.add(item.textValue())) {
                fail(at, "repeats an earlier item", shorten(item.textValue()));
            } else {
                string(item.textValue(), f, at);
            }
        }
    }

    private void stringMap(JsonNode v, SpecField f, String path) {
        if (!v.isObject()) {
            typeError(v, f, path);
            return;
        }
        count(v.size(), f, path);
        v.properties().forEach(e -> {
            String key = e.getKey();
            if (key.isEmpty()) {
                fail(path, "has an empty key", null);
            } else if (f.keyMaxLength().isPresent() && length(key) > f.keyMaxLength().getAsInt()) {
                fail(path, "key is longer than " + f.keyMaxLength().getAsInt() + " characters", shorten(key));
            } else if (f.keyReservedPrefix().isPresent()
                    && key.toLowerCase(Locale.ROOT).startsWith(f.keyReservedPrefix().get())) {
                fail(path, "key starts with " + f.keyReservedPrefix().get() + ", a prefix AWS reserves", shorten(key));
            }
            JsonNode value = e.getValue();
            String at = path + "." + key;
            if (!value.isTextual()) {
                fail(at, "must be a string, not " + jsonType(value), scalar(value));
            } else if (f.valueMaxLength().isPresent() && length(value.textValue()) > f.valueMaxLength().getAsInt()) {
                fail(at, "must be at most " + f.valueMaxLength().getAsInt() + " characters long", null);
            }
        });
    }

    private void count(int size, SpecField f, String path) {
        if (f.maxItems().isPresent() && size > f.maxItems().getAsInt()) {
            fail(path, "has " + size + " entries; at most " + f.maxItems().getAsInt() + " are allowed", null);
        }
        if (f.minItems().isPresent() && size < f.minItems().getAsInt()) {
            fail(path, "must have at least " + f.minItems().getAsInt() + (f.minItems().getAsInt() == 1 ? " entry" : " entries"),
                    null);
        }
    }

    private void typeError(JsonNode v, SpecField f, String path) {
        String got = v.isNumber() && f.type() == SpecField.Type.INTEGER ? v.asText() : jsonType(v);
        fail(path, "must be " + typeName(f) + ", not " + got, f.mayHoldSecret() ? null : scalar(v));
    }

    private void fail(String path, String message, String rejected) {
        violations.add(new Violation(path, message, Optional.ofNullable(rejected), Optional.empty()));
        bad.add(path);
    }

    private static String typeName(SpecField f) {
        return switch (f.type()) {
            case STRING -> "a string";
            case INTEGER -> "a whole number";
            case BOOLEAN -> "true or false";
            case STRING_LIST -> "an array of strings";
            case STRING_MAP, OBJECT -> "an object";
            case OBJECT_LIST -> "an array of objects";
        };
    }

    /** Characters as JSON Schema and AWS count them: code points, not UTF-16 units. */
    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    static String jsonType(JsonNode v) {
        if (v.isTextual()) {
            return "a string";
        } else if (v.isNumber()) {
            return "a number";
        } else if (v.isBoolean()) {
            return "a boolean";
        } else if (v.isArray()) {
            return "an array";
        } else if (v.isObject()) {
            return "an object";
        }
        return "null";
    }

    private static String scalar(JsonNode v) {
        if (v.isTextual()) {
            return shorten(v.textValue());
        }
        return v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    static String shorten(String s) {
        return s.length() <= SHOWN_LENGTH ? s : s.substring(0, SHOWN_LENGTH) + "…";
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
