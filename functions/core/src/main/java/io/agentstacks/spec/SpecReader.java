package io.agentstacks.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one entry point for specs from users (API, CLI): reads a JSON spec, or the older tool's
 * {@code SEMAPHORE_*} configuration, and checks it. Every caller gets the same violations.
 *
 * <p>Reading goes: (older configuration → new format) → per-field checks ({@link SpecFields}) → the
 * model, with defaults where a value was missing or bad → rules between fields ({@link SpecValidator}),
 * skipping those that read a bad value, so that one mistake is reported once.
 */
public final class SpecReader {

    private SpecReader() {
    }

    /** Reads and validates {@code json}; never throws for bad input. Detects the older tool's format. */
    public static SpecResult read(JsonNode json) {
        if (json == null || !json.isObject()) {
            String got = json == null ? "nothing" : FieldChecks.jsonType(json);
            return SpecResult.invalid(List.of(Violation.of("$", "a stack spec must be a JSON object, not " + got)),
                    List.of(), false);
        }
        if (LegacyConfig.isLegacy(json)) {
            return readLegacy(json, Map.of());
        }
        return readSpec((ObjectNode) json, null);
    }

    /**
     * Reads the older tool's configuration: a config file's object (null for environment variables only)
     * and the environment's {@code SEMAPHORE_*} variables, which override the file key by key.
     */
    public static SpecResult readLegacy(JsonNode file, Map<String, String> environment) {
        if (file != null && !file.isObject()) {
            return SpecResult.invalid(List.of(Violation.of("$", "the older tool's configuration must be a JSON object, "
                    + "not " + FieldChecks.jsonType(file))), List.of(), true);
        }
        return readSpec(null, LegacyConfig.convert(file, environment));
    }

    private static SpecResult readSpec(ObjectNode json, LegacyConfig.Conversion conversion) {
        boolean legacy = conversion != null;
        ObjectNode input = legacy ? conversion.spec() : json;
        List<Violation> violations = new ArrayList<>();
        List<Violation> warnings = new ArrayList<>();
        Set<String> bad = new HashSet<>();
        if (legacy) {
            violations.addAll(conversion.violations());
            warnings.addAll(conversion.warnings());
            bad.addAll(conversion.badPaths());
        }
        FieldChecks.Outcome fields = FieldChecks.check(input);
        violations.addAll(fields.violations());
        bad.addAll(fields.badPaths());

        StackSpec spec = SpecJson.readTrusted(withoutBadValues(input, bad));
        violations.addAll(SpecValidator.crossCheck(spec, SpecValidator.trustedExcept(bad)));
        warnings.addAll(SpecValidator.warnings(spec));

        if (legacy) {
            violations.replaceAll(v -> withLegacyKey(v, conversion));
            warnings.replaceAll(v -> withLegacyKey(v, conversion));
        }
        return violations.isEmpty() ? SpecResult.valid(spec, warnings, legacy)
                : SpecResult.invalid(violations, warnings, legacy);
    }

    /**
     * A copy with every bad value taken out, so that the model gets defaults there. A bad value inside a
     * list takes the whole list out (its entries would shift); required names get a placeholder.
     */
    private static ObjectNode withoutBadValues(ObjectNode json, Set<String> bad) {
        ObjectNode copy = json.deepCopy();
        for (String path : bad) {
            remove(copy, path);
        }
        for (String name : List.of("stackName", "agentTokenParameterName")) {
            JsonNode v = copy.get(name);
            if (v == null || !v.isTextual()) {
                copy.put(name, "");
            }
        }
        return copy;
    }

    private static void remove(ObjectNode root, String path) {
        int bracket = path.indexOf('[');
        String target = bracket >= 0 ? path.substring(0, bracket) : path;
        Optional<SpecField> field = SpecFields.forPath(target);
        if (field.isPresent() && field.get().type() == SpecField.Type.STRING_MAP) {
            target = field.get().path();
        }
        String[] parts = target.split("\\.");
        JsonNode parent = root;
        for (int i = 0; i < parts.length - 1 && parent != null; i++) {
            parent = parent.get(parts[i]);
        }
        if (parent instanceof ObjectNode o) {
            o.remove(parts[parts.length - 1]);
        }
    }

    private static Violation withLegacyKey(Violation v, LegacyConfig.Conversion conversion) {
        if (v.legacyKey().isPresent()) {
            return v;
        }
        return legacyKeyOf(v.field(), conversion).map(v::withLegacyKey).orElse(v);
    }

    /** The older key a spec path came from: recorded by the conversion, else the registry's. */
    private static Optional<String> legacyKeyOf(String path, LegacyConfig.Conversion conversion) {
        String p = path;
        while (!p.isEmpty()) {
            String recorded = conversion.legacyKeys().get(p);
            if (recorded != null) {
                return Optional.of(recorded);
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
        return SpecFields.forPath(path).flatMap(SpecField::legacyKey);
    }
}
