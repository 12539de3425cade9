package io.agentstacks.spec;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One entry of the table under {@code src/test/resources/spec-cases}: a spec (the base spec with a
 * merge patch, or a whole spec), the fields it must be refused for (none: valid), words its messages
 * must contain, warnings, and — for a rule JSON Schema cannot state — that rule's name.
 */
record SpecCase(String file, String name, JsonNode spec, List<String> violations, List<String> messages,
                List<String> warnings, Optional<String> validatorOnly) {

    static final Path DIRECTORY = Path.of("src/test/resources/spec-cases");

    static List<SpecCase> all() {
        List<SpecCase> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                for (JsonNode c : SpecTestSupport.readJson(file)) {
                    JsonNode spec = c.has("spec") ? c.get("spec")
                            : SpecTestSupport.merge(SpecTestSupport.base(), c.get("merge"));
                    cases.add(new SpecCase(file.getFileName().toString(), c.get("name").asText(), spec,
                            strings(c.get("violations")), strings(c.get("messages")), strings(c.get("warnings")),
                            Optional.ofNullable(c.get("validatorOnly")).map(JsonNode::asText)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    boolean valid() {
        return violations.isEmpty();
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node != null) {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    @Override
    public String toString() {
        return file + ": " + name;
    }
}
