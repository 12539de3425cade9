package io.agentstacks.spec;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * One field of the stack spec as {@link SpecFields} declares it: where it is, its JSON type, its
 * default, the constraints a value must meet on its own, its description and the older tool's key.
 *
 * <p>A path names nested objects with dots and list elements with {@code []}: {@code volume.iops},
 * {@code schedules[].cron}. For lists of strings the constraints ({@link #allowedValues}, {@link #pattern},
 * {@link #maxLength}) apply to each item. Instances are built once, by {@link SpecFields}, and never change.
 */
public final class SpecField {

    /** JSON shape of a field's value. */
    public enum Type {
        STRING("string"),
        INTEGER("integer"),
        /** A JSON number, fractions allowed (CloudFormation's {@code Number}). */
        NUMBER("number"),
        BOOLEAN("boolean"),
        STRING_LIST("array of strings"),
        /** A JSON object of string values with user-chosen keys (tags). */
        STRING_MAP("object of strings"),
        OBJECT("object"),
        OBJECT_LIST("array of objects");

        private final String label;

        Type(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final String path;
    private final Type type;
    private boolean required;
    private JsonNode defaultValue;
    private String defaultText;
    private Long minimum;
    private Long maximum;
    private boolean zeroAllowed;
    private List<String> allowedValues = List.of();
    private boolean listValuesInDocs = true;
    private String pattern;
    private Pattern compiledPattern;
    private String patternHint;
    private Integer maxLength;
    private Integer minItems;
    private Integer maxItems;
    private boolean uniqueItems;
    private Integer keyMaxLength;
    private String keyReservedPrefix;
    private Integer valueMaxLength;
    private String keyPattern;
    private Pattern compiledKeyPattern;
    private String keyPatternHint;
    private List<String> anyOfRequired = List.of();
    private List<String> oneOfRequired = List.of();
    private String anyOfMessage;
    private List<String> unsupportedKeys = List.of();
    private String unsupportedReason;
    private String description = "";
    private String legacyKey;
    private boolean mayHoldSecret;

    SpecField(String path, Type type) {
        this.path = Objects.requireNonNull(path);
        this.type = Objects.requireNonNull(type);
    }

    // --- builder steps, used by SpecFields while it declares the registry ---

    SpecField required() {
        required = true;
        return this;
    }

    SpecField defaultValue(JsonNode value) {
        defaultValue = value;
        return this;
    }

    /** How the README shows the default when it is not a plain JSON value ("unset", "the OS's root device"). */
    SpecField defaultText(String text) {
        defaultText = text;
        return this;
    }

    SpecField range(long min, long max) {
        minimum = min;
        maximum = max;
        return this;
    }

    /** 0 is allowed besides {@code min..max} (0 means "off"). */
    SpecField zeroOrRange(long min, long max) {
        zeroAllowed = true;
        return range(min, max);
    }

    SpecField values(List<String> values) {
        allowedValues = List.copyOf(values);
        return this;
    }

    /** For long lists (time zones): the README names the kind of value instead of listing them. */
    SpecField valuesNotListedInDocs() {
        listValuesInDocs = false;
        return this;
    }

    SpecField pattern(String regex, String hint) {
        pattern = regex;
        compiledPattern = Pattern.compile(regex);
        patternHint = hint;
        return this;
    }

    SpecField maxLength(int max) {
        maxLength = max;
        return this;
    }

    SpecField items(int min, int max) {
        minItems = min;
        maxItems = max;
        return this;
    }

    SpecField maxItems(int max) {
        maxItems = max;
        return this;
    }

    SpecField unique() {
        uniqueItems = true;
        return this;
    }

    SpecField keys(int maxKeyLength, String reservedPrefix, int maxValueLength) {
        keyMaxLength = maxKeyLength;
        keyReservedPrefix = reservedPrefix;
        valueMaxLength = maxValueLength;
        return this;
    }

    /** For a map: every key matches {@code regex} (a Java and ECMA-262 regular expression); {@code hint} says how. */
    SpecField keyPattern(String regex, String hint) {
        keyPattern = regex;
        compiledKeyPattern = Pattern.compile(regex);
        keyPatternHint = hint;
        return this;
    }

    /** For an object: at least one of these members must be present. */
    SpecField anyOf(String message, String... members) {
        anyOfRequired = List.of(members);
        anyOfMessage = message;
        return this;
    }

    /** For an object: exactly one of these members must be present. */
    SpecField oneOf(String... members) {
        oneOfRequired = List.of(members);
        return this;
    }

    /**
     * For an object: member names that AWS knows but the control plane cannot deploy; each is refused with
     * {@code reason} instead of as an unknown name.
     */
    SpecField unsupported(List<String> keys, String reason) {
        unsupportedKeys = List.copyOf(keys);
        unsupportedReason = reason;
        return this;
    }

    SpecField doc(String text) {
        description = text;
        return this;
    }

    SpecField legacy(String key) {
        legacyKey = key;
        return this;
    }

    /** The value might be a secret pasted in the wrong place: never echo it in a violation. */
    SpecField secretLike() {
        mayHoldSecret = true;
        return this;
    }

    // --- reading ---

    public String path() {
        return path;
    }

    /** The last segment of the path: the JSON member name. */
    public String name() {
        String p = path.endsWith("[]") ? path.substring(0, path.length() - 2) : path;
        int dot = p.lastIndexOf('.');
        return dot < 0 ? p : p.substring(dot + 1);
    }

    /** The path of the object holding this field: {@code ""} for the root, {@code schedules[]} for a list element. */
    public String parentPath() {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(0, dot);
    }

    /** The path prefix of this object's (or list element's) members. */
    public String childPrefix() {
        return switch (type) {
            case OBJECT -> path + ".";
            case OBJECT_LIST -> path + "[].";
            default -> throw new IllegalStateException(path + " has no members");
        };
    }

    public Type type() {
        return type;
    }

    public boolean isRequired() {
        return required;
    }

    public Optional<JsonNode> defaultValue() {
        return Optional.ofNullable(defaultValue).map(JsonNode::deepCopy);
    }

    public Optional<String> defaultText() {
        return Optional.ofNullable(defaultText);
    }

    public OptionalLong minimum() {
        return minimum == null ? OptionalLong.empty() : OptionalLong.of(minimum);
    }

    public OptionalLong maximum() {
        return maximum == null ? OptionalLong.empty() : OptionalLong.of(maximum);
    }

    public boolean zeroAllowed() {
        return zeroAllowed;
    }

    public List<String> allowedValues() {
        return allowedValues;
    }

    public boolean listValuesInDocs() {
        return listValuesInDocs;
    }

    public Optional<String> pattern() {
        return Optional.ofNullable(pattern);
    }

    Optional<Pattern> compiledPattern() {
        return Optional.ofNullable(compiledPattern);
    }

    public Optional<String> patternHint() {
        return Optional.ofNullable(patternHint);
    }

    public OptionalInt maxLength() {
        return maxLength == null ? OptionalInt.empty() : OptionalInt.of(maxLength);
    }

    public OptionalInt minItems() {
        return minItems == null ? OptionalInt.empty() : OptionalInt.of(minItems);
    }

    public OptionalInt maxItems() {
        return maxItems == null ? OptionalInt.empty() : OptionalInt.of(maxItems);
    }

    public boolean uniqueItems() {
        return uniqueItems;
    }

    public OptionalInt keyMaxLength() {
        return keyMaxLength == null ? OptionalInt.empty() : OptionalInt.of(keyMaxLength);
    }

    public Optional<String> keyReservedPrefix() {
        return Optional.ofNullable(keyReservedPrefix);
    }

    public OptionalInt valueMaxLength() {
        return valueMaxLength == null ? OptionalInt.empty() : OptionalInt.of(valueMaxLength);
    }

    public Optional<String> keyPattern() {
        return Optional.ofNullable(keyPattern);
    }

    Optional<Pattern> compiledKeyPattern() {
        return Optional.ofNullable(compiledKeyPattern);
    }

    public Optional<String> keyPatternHint() {
        return Optional.ofNullable(keyPatternHint);
    }

    public List<String> anyOfRequired() {
        return anyOfRequired;
    }

    public Optional<String> anyOfMessage() {
        return Optional.ofNullable(anyOfMessage);
    }

    public List<String> oneOfRequired() {
        return oneOfRequired;
    }

    public List<String> unsupportedKeys() {
        return unsupportedKeys;
    }

    public Optional<String> unsupportedReason() {
        return Optional.ofNullable(unsupportedReason);
    }

    public String description() {
        return description;
    }

    public Optional<String> legacyKey() {
        return Optional.ofNullable(legacyKey);
    }

    public boolean mayHoldSecret() {
        return mayHoldSecret;
    }

    @Override
    public String toString() {
        return path + " (" + type.label() + ")";
    }
}
