package io.agentstacks.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** JSON helpers, the published schema as networknt's validator reads it, and the repository's files. */
final class SpecTestSupport {

    private static Schema schema;

    private SpecTestSupport() {
    }

    static JsonNode json(String text) {
        try {
            return SpecJson.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A small valid spec the table tests start from. */
    static ObjectNode base() {
        return (ObjectNode) json("""
                {"stackName": "agents", "agentTokenParameterName": "/semaphore/agent-token",
                 "semaphoreOrganization": "acme"}""");
    }

    /** RFC 7386 JSON merge patch: objects merge, null removes, anything else replaces. */
    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode out = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : SpecJson.MAPPER.createObjectNode();
        patch.properties().forEach(e -> {
            if (e.getValue().isNull()) {
                out.remove(e.getKey());
            } else {
                out.set(e.getKey(), merge(out.get(e.getKey()), e.getValue()));
            }
        });
        return out;
    }

    static synchronized Schema schema() {
        if (schema == null) {
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(SpecSchema.generate().toString());
        }
        return schema;
    }

    /** The schema's complaints about a document; empty when it is valid. */
    static List<String> schemaErrors(JsonNode document) {
        return schema().validate(document.toString(), InputFormat.JSON).stream()
                .map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
    }

    /** The repository root (tests run in functions/core). */
    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("examples"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no examples/ directory above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static JsonNode readJson(Path file) {
        try {
            return SpecJson.MAPPER.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
