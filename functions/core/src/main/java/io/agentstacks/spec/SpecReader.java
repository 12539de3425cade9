package io.agentstacks.spec;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The one entry point for specs from users (API, CLI): reads a JSON spec, or the older tool's
 * {@code SEMAPHORE_*} configuration, and checks it. Every caller gets the same violations.
 */
public final class SpecReader {

    private SpecReader() {
    }

    /** Reads and validates {@code json}; never throws for bad input. */
    public static SpecResult read(JsonNode json) {
        // Minimal checks until the full reader and validator land (issue 2); same contract.
        List<Violation> violations = new ArrayList<>();
        if (json == null || !json.isObject()) {
            violations.add(Violation.of("$", "a stack spec must be a JSON object"));
            return SpecResult.invalid(violations, List.of(), false);
        }
        for (String required : List.of("stackName", "agentTokenParameterName")) {
            JsonNode v = json.get(required);
            if (v == null || !v.isTextual() || v.asText().isBlank()) {
                violations.add(Violation.of(required, "is required"));
            }
        }
        if (!violations.isEmpty()) {
            return SpecResult.invalid(violations, List.of(), false);
        }
        try {
            return SpecResult.valid(SpecJson.readTrusted(json), List.of(), false);
        } catch (RuntimeException e) {
            return SpecResult.invalid(List.of(Violation.of("$", e.getMessage())), List.of(), false);
        }
    }
}
