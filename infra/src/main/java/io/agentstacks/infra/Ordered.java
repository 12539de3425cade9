package io.agentstacks.infra;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps that keep the order they are written in. Map.of iterates in an order that changes from one JVM to
 * the next, and CDK writes maps into templates as it iterates them: a template (and the agent-stack
 * template's asset hash) would change on every synth, and every deploy would publish a new template and a
 * new deployer version.
 */
final class Ordered {

    private Ordered() {
    }

    /** {@code map(k1, v1, k2, v2, ...)}, in that order. */
    @SuppressWarnings("unchecked")
    static <V> Map<String, V> map(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values come in pairs");
        }
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (map.put((String) keysAndValues[i], (V) keysAndValues[i + 1]) != null) {
                throw new IllegalArgumentException("duplicate key " + keysAndValues[i]);
            }
        }
        return Collections.unmodifiableMap(map);
    }
}
