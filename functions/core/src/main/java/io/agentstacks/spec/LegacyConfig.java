package io.agentstacks.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Converts the older tool's configuration — a JSON object of {@code SEMAPHORE_*} keys (its config.json)
 * and/or its environment variables — into a spec in the new format, with the older tool's meaning:
 *
 * <ul>
 *   <li>environment variables override the file key by key, and an empty value means "unset", so an
 *       empty variable hides the file's value and the default applies;</li>
 *   <li>a boolean is true only for the string {@code "true"};</li>
 *   <li>numbers are parsed strictly (the older {@code parseInt} read {@code "64GB"} as 64 and {@code "abc"}
 *       as NaN): a bad number is a violation naming the older key;</li>
 *   <li>lists are comma separated, items trimmed, empty items dropped;</li>
 *   <li>tags are {@code K:V,K2:V2}, split on the first colon only, so values may contain colons;</li>
 *   <li>the OS keeps the older default {@code ubuntu-focal};</li>
 *   <li>keys the older tool ignored are ignored with a warning.</li>
 * </ul>
 *
 * The converted JSON then goes through the same checks as any spec ({@link SpecReader}).
 */
public final class LegacyConfig {

    public static final String PREFIX = "SEMAPHORE_";
    /** Environment variable the older tool read the config file's path from. */
    public static final String CONFIG_PATH_VARIABLE = "SEMAPHORE_AGENT_STACK_CONFIG";

    private static final String A = "SEMAPHORE_AGENT_";
    private static final String OVERRIDES_KEY = A + "ASG_LAUNCH_TEMPLATE_OVERRIDES_JSON";
    private static final String REQUIREMENTS_KEY = A + "ASG_INSTANCE_REQUIREMENTS_JSON";
    private static final String STRATEGY_KEY = A + "OVERPROVISION_STRATEGY";
    private static final String FACTOR_KEY = A + "OVERPROVISION_FACTOR";
    private static final String FACTOR_PATH = "scaling.overprovision.factor";
    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]+");

    /** Keys of earlier versions of the older tool, with what became of them. */
    static final Map<String, String> OBSOLETE = Map.of(
            A + "ASG_WARM_POOL_STATE", "belonged to the first version of the older tool and is ignored; "
                    + "a spec's warmPool {size, state} replaces it",
            A + "VERSION", "is obsolete and ignored: the agent version comes with the AMI the image pipelines build",
            A + "VM_USER", "is obsolete and ignored",
            "SEMAPHORE_API_TOKEN_PARAMETER_NAME", "is obsolete and ignored: agents register with the agent type's "
                    + "token, named by SEMAPHORE_AGENT_TOKEN_PARAMETER_NAME",
            A + "TYPE_NAME", "is obsolete and ignored: the agent type is the one whose token the stack uses",
            CONFIG_PATH_VARIABLE, "names the configuration file itself; inside the file it is ignored");

    /**
     * The outcome of a conversion.
     *
     * @param spec         the configuration in the new format; values that could not be converted are left out
     * @param violations   what could not be converted, each naming the older key
     * @param warnings     keys ignored, values read as the older tool read them
     * @param badPaths     spec paths whose older value was bad (rules between fields skip them)
     * @param legacyKeys   for spec paths (and list entries such as {@code launchTemplateOverrides[0]}), the older key
     */
    public record Conversion(ObjectNode spec, List<Violation> violations, List<Violation> warnings,
                             Set<String> badPaths, Map<String, String> legacyKeys) {
    }

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final ObjectNode spec = JsonNodeFactory.instance.objectNode();
    private final List<Violation> violations = new ArrayList<>();
    private final List<Violation> warnings = new ArrayList<>();
    private final Set<String> bad = new LinkedHashSet<>();
    private final Map<String, String> legacyKeys = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    private LegacyConfig() {
    }

    /** A non-empty JSON object whose every key starts with {@code SEMAPHORE_}: the older tool's config.json. */
    public static boolean isLegacy(JsonNode json) {
        if (json == null || !json.isObject() || json.isEmpty()) {
            return false;
        }
        Iterator<String> names = json.fieldNames();
        while (names.hasNext()) {
            if (!names.next().startsWith(PREFIX)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Converts a config file's object (may be null: environment only) and the environment's
     * {@code SEMAPHORE_*} variables, which override the file's keys one by one.
     */
    public static Conversion convert(JsonNode file, Map<String, String> environment) {
        LegacyConfig c = new LegacyConfig();
        c.merge(file, environment);
        c.convertKnownKeys();
        return new Conversion(c.spec, List.copyOf(c.violations), List.copyOf(c.warnings), Set.copyOf(c.bad),
                Map.copyOf(c.legacyKeys));
    }

    private void merge(JsonNode file, Map<String, String> environment) {
        if (file != null && file.isObject()) {
            file.properties().forEach(e -> {
                String key = e.getKey();
                JsonNode v = e.getValue();
                if (v.isNull()) {
                    return;
                }
                if (!knownKey(key)) {
                    warnUnknown(key, true);
                } else if (!v.isTextual()) {
                    Optional<SpecField> f = SpecFields.byLegacyKey(key);
                    String path = f.map(SpecField::path).orElse(key);
                    violations.add(new Violation(path, "must be a JSON string, as every value of the older tool's "
                            + "configuration (it read 0 and false as unset and true as false)",
                            Optional.of(FieldChecks.jsonType(v)), Optional.of(key)));
                    bad.add(path);
                } else {
                    values.put(key, v.textValue());
                }
            });
        }
        new TreeMap<>(environment).forEach((key, value) -> {
            if (!key.startsWith(PREFIX) || value == null) {
                return;
            }
            if (!knownKey(key)) {
                warnUnknown(key, false);
                return;
            }
            String fromFile = values.get(key);
            if (value.isEmpty() && fromFile != null && !fromFile.isEmpty()) {
                warnings.add(new Violation(pathOf(key), "the environment sets " + key + " to an empty string, which "
                        + "hides the config file's value: the default applies, as in the older tool",
                        Optional.empty(), Optional.of(key)));
            }
            values.put(key, value);
        });
    }

    private static boolean knownKey(String key) {
        return SpecFields.byLegacyKey(key).isPresent();
    }

    private void warnUnknown(String key, boolean fromFile) {
        String obsolete = OBSOLETE.get(key);
        if (!fromFile && key.equals(CONFIG_PATH_VARIABLE)) {
            return;
        }
        if (obsolete != null) {
            warnings.add(Violation.of(key, obsolete));
        } else if (fromFile) {
            warnings.add(Violation.of(key, "is not a key of the older tool, which ignored it; ignored"));
        } else if (key.startsWith(A) && !key.startsWith(A + "MACHINE_")) {
            // Other SEMAPHORE_* variables (a Semaphore job sets many) are none of the older tool's business.
            warnings.add(Violation.of(key, "is not a key of the older tool, which ignored it; ignored"));
        }
    }

    private static String pathOf(String key) {
        return SpecFields.byLegacyKey(key).map(SpecField::path).orElse(key);
    }

    private void convertKnownKeys() {
        String strategy = value(STRATEGY_KEY).orElse(OverprovisionStrategy.NONE.value());
        Set<String> ignored = ignoredAsBefore();
        ArrayNode overrides = JsonNodeFactory.instance.arrayNode();
        for (SpecField f : SpecFields.all()) {
            if (f.legacyKey().isEmpty()) {
                continue;
            }
            String key = f.legacyKey().get();
            if (key.equals(OVERRIDES_KEY) || key.equals(REQUIREMENTS_KEY) || ignored.contains(key)) {
                continue;
            }
            if (key.equals(FACTOR_KEY)) {
                factor(strategy);
                continue;
            }
            Optional<String> v = value(key);
            if (v.isEmpty()) {
                if (f.path().equals("os")) {
                    put("os", JsonNodeFactory.instance.textNode(StackSpec.LEGACY_DEFAULT_OS.value()), key);
                }
                continue;
            }
            String text = v.get();
            switch (f.type()) {
                case STRING -> put(f.path(), JsonNodeFactory.instance.textNode(text.strip()), key);
                case INTEGER -> number(f.path(), text, key, "is not a whole number");
                case BOOLEAN -> bool(f.path(), text, key);
                case STRING_LIST -> {
                    ArrayNode list = f.path().equals("mac.families")
                            ? JsonNodeFactory.instance.arrayNode().add(text.strip()) : csv(text);
                    if (!list.isEmpty()) {
                        put(f.path(), list, key);
                    }
                }
                case STRING_MAP -> tags(f.path(), text, key);
                default -> throw new IllegalStateException("no conversion for " + f);
            }
        }
        value(OVERRIDES_KEY).ifPresent(text -> parseObject(text, OVERRIDES_KEY)
                .ifPresent(o -> addOverride(overrides, cfnOverride(o), OVERRIDES_KEY)));
        value(REQUIREMENTS_KEY).ifPresent(text -> parseObject(text, REQUIREMENTS_KEY).ifPresent(o -> {
            ObjectNode element = JsonNodeFactory.instance.objectNode();
            element.set("instanceRequirements", cfnCase(o, true));
            addOverride(overrides, element, REQUIREMENTS_KEY);
        }));
        if (!overrides.isEmpty()) {
            put("launchTemplateOverrides", overrides, null);
        }
    }

    /**
     * Keys whose values the older tool accepted and then did not use; a spec would refuse them, so they
     * are left out (same meaning) with a warning: subnets without a VPC, volume settings without a
     * volume name (no block device mapping was made), throughput on a volume type other than gp3.
     */
    private Set<String> ignoredAsBefore() {
        Set<String> ignored = new LinkedHashSet<>();
        if (value(A + "VPC_ID").isEmpty()) {
            ignore(ignored, A + "SUBNETS", "is ignored without SEMAPHORE_AGENT_VPC_ID, as in the older tool");
        }
        if (value(A + "VOLUME_NAME").isEmpty()) {
            for (String k : List.of("VOLUME_TYPE", "VOLUME_SIZE", "VOLUME_IOPS", "VOLUME_THROUGHPUT")) {
                ignore(ignored, A + k, "is ignored without SEMAPHORE_AGENT_VOLUME_NAME, as in the older tool (it made "
                        + "no block device mapping then); the spec's default root volume applies");
            }
        } else if (!value(A + "VOLUME_TYPE").orElse(Volume.DEFAULT_TYPE).strip().equals("gp3")) {
            ignore(ignored, A + "VOLUME_THROUGHPUT", "is ignored for a volume type other than gp3, as in the older tool");
        }
        return ignored;
    }

    private void ignore(Set<String> ignored, String key, String message) {
        value(key).ifPresent(v -> {
            ignored.add(key);
            warnings.add(new Violation(pathOf(key), message, Optional.of(FieldChecks.shorten(v)), Optional.of(key)));
        });
    }

    /** The value of a key, unless unset: absent or empty, as the older tool's {@code !params[name]}. */
    private Optional<String> value(String key) {
        return Optional.ofNullable(values.get(key)).filter(v -> !v.isEmpty());
    }

    /** The older tool ignored the factor with strategy none, and rejected a non-number or a number under 1 otherwise. */
    private void factor(String strategy) {
        Optional<String> v = value(FACTOR_KEY);
        if (strategy.equals(OverprovisionStrategy.NONE.value())) {
            v.filter(text -> !text.strip().equals("0")).ifPresent(text -> warnings.add(new Violation(FACTOR_PATH,
                    "is ignored with strategy none, as in the older tool", Optional.of(FieldChecks.shorten(text)),
                    Optional.of(FACTOR_KEY))));
            return;
        }
        String text = v.orElse("0");
        boolean converted = number(FACTOR_PATH, text, FACTOR_KEY, "is invalid: not a whole number");
        if (converted && OverprovisionStrategy.fromValue(strategy).isPresent()
                && new BigInteger(text.strip()).compareTo(BigInteger.ONE) < 0) {
            spec.withObjectProperty("scaling").withObjectProperty("overprovision").remove("factor");
            fail(FACTOR_PATH, "must be greater than zero", text, FACTOR_KEY);
        }
    }

    private boolean number(String path, String text, String key, String message) {
        String t = text.strip();
        if (!WHOLE_NUMBER.matcher(t).matches()) {
            fail(path, message, text, key);
            return false;
        }
        put(path, JsonNodeFactory.instance.numberNode(new BigInteger(t)), key);
        return true;
    }

    private void bool(String path, String text, String key) {
        boolean b = text.equals("true");
        if (!b && !text.equals("false")) {
            warnings.add(new Violation(path, "\"" + FieldChecks.shorten(text) + "\" is read as false: only the string "
                    + "\"true\" is true, as in the older tool", Optional.empty(), Optional.of(key)));
        }
        put(path, JsonNodeFactory.instance.booleanNode(b), key);
    }

    private static ArrayNode csv(String text) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (String item : text.split(",")) {
            if (!item.isBlank()) {
                list.add(item.strip());
            }
        }
        return list;
    }

    private void tags(String path, String text, String key) {
        ObjectNode tags = JsonNodeFactory.instance.objectNode();
        boolean ok = true;
        for (String item : text.split(",")) {
            String pair = item.strip();
            if (pair.isEmpty()) {
                continue;
            }
            int colon = pair.indexOf(':');
            if (colon < 0) {
                fail(path, "has a pair without a colon; write Key:Value pairs separated by commas", pair, key);
                ok = false;
                continue;
            }
            tags.put(pair.substring(0, colon).strip(), pair.substring(colon + 1).strip());
        }
        if (ok && !tags.isEmpty()) {
            put(path, tags, key);
        }
    }

    private Optional<ObjectNode> parseObject(String text, String key) {
        String path = "launchTemplateOverrides";
        try {
            JsonNode node = STRICT.readTree(text);
            if (node != null && node.isObject()) {
                return Optional.of((ObjectNode) node);
            }
            fail(path, "must be a JSON object", null, key);
        } catch (JsonProcessingException e) {
            fail(path, "is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")", null, key);
        }
        return Optional.empty();
    }

    /** A CloudFormation-shaped override ({@code {"InstanceType": …}}) in the spec's shape. */
    private static ObjectNode cfnOverride(ObjectNode o) {
        ObjectNode element = JsonNodeFactory.instance.objectNode();
        o.properties().forEach(e -> {
            String k = e.getKey();
            JsonNode v = e.getValue();
            switch (k) {
                case "InstanceType", "instanceType" -> element.set("instanceType", v);
                case "WeightedCapacity", "weightedCapacity" -> element.set("weightedCapacity",
                        v.isTextual() && WHOLE_NUMBER.matcher(v.textValue().strip()).matches()
                                ? JsonNodeFactory.instance.numberNode(new BigInteger(v.textValue().strip())) : v);
                case "InstanceRequirements", "instanceRequirements" ->
                        element.set("instanceRequirements", cfnCase(v, true));
                default -> element.set(k, v);
            }
        });
        return element;
    }

    /**
     * The older tool handed this JSON to a CDK L1 property, whose members are CloudFormation's names with
     * the first letter lowered ({@code vCpuCount}, {@code totalLocalStorageGb}); the spec uses
     * CloudFormation's own names ({@code VCpuCount}, {@code TotalLocalStorageGB}).
     */
    private static JsonNode cfnCase(JsonNode node, boolean top) {
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            node.properties().forEach(e -> out.set(cfnName(e.getKey(), top), cfnCase(e.getValue(), false)));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(e -> out.add(cfnCase(e, false)));
            return out;
        }
        return node;
    }

    private static String cfnName(String key, boolean top) {
        if (top) {
            List<String> names = new ArrayList<>(List.of("VCpuCount", "MemoryMiB"));
            names.addAll(SpecFields.INSTANCE_REQUIREMENTS_OPTIONAL);
            for (String name : names) {
                if (name.toLowerCase(Locale.ROOT).equals(key.toLowerCase(Locale.ROOT))) {
                    return name;
                }
            }
        }
        return key.isEmpty() ? key : Character.toUpperCase(key.charAt(0)) + key.substring(1);
    }

    private void addOverride(ArrayNode overrides, ObjectNode element, String key) {
        legacyKeys.put("launchTemplateOverrides[" + overrides.size() + "]", key);
        overrides.add(element);
    }

    private void put(String path, JsonNode value, String key) {
        String[] parts = path.split("\\.");
        ObjectNode parent = spec;
        for (int i = 0; i < parts.length - 1; i++) {
            parent = parent.withObjectProperty(parts[i]);
        }
        parent.set(parts[parts.length - 1], value);
        if (key != null) {
            legacyKeys.put(path, key);
        }
    }

    private void fail(String path, String message, String rejected, String key) {
        violations.add(new Violation(path, message, Optional.ofNullable(rejected).map(FieldChecks::shorten),
                Optional.of(key)));
        bad.add(path);
    }
}
