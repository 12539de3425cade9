package io.agentstacks.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.SpecParser;
import io.agentstacks.spec.Violation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading spec files and printing results, shared by the spec commands. */
final class CliInput {

    /** A file that cannot be read as a JSON object; the message is one line, without the file name. */
    static final class BadInput extends Exception {
        private static final long serialVersionUID = 1L;

        BadInput(String message) {
            super(message);
        }
    }

    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter().withSeparators(
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withArrayEmptySeparator("").withObjectEmptySeparator(""));

    private CliInput() {
    }

    /** The JSON object in {@code file}: at most 1 MiB is read, whatever the file claims its size is. */
    static JsonNode readObject(Path file) throws BadInput {
        if (Files.isDirectory(file)) {
            throw new BadInput("is a directory, not a spec file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(SpecParser.MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new BadInput("no such file");
        } catch (AccessDeniedException e) {
            throw new BadInput("cannot be read: permission denied");
        } catch (IOException e) {
            throw new BadInput("cannot be read: " + e.getClass().getSimpleName());
        }
        if (bytes.length > SpecParser.MAX_BYTES) {
            throw new BadInput("is larger than " + SpecParser.MAX_BYTES + " bytes; a spec is a few kilobytes");
        }
        JsonNode node;
        try {
            node = SpecParser.parse(bytes);
        } catch (SpecParser.SpecParseException e) {
            throw new BadInput(e.getMessage());
        }
        if (!node.isObject()) {
            throw new BadInput("is not a stack spec: a spec is a JSON object, not " + kind(node));
        }
        return node;
    }

    /** {@code field: message (got value) (OLDER_KEY)}. */
    static String line(Violation v) {
        return v.field() + ": " + v.message() + v.rejectedValue().map(r -> " (got \"" + r + "\")").orElse("")
                + v.legacyKey().map(k -> " (" + k + ")").orElse("");
    }

    static String pretty(JsonNode node) {
        try {
            return SpecJson.MAPPER.writer(PRETTY).writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String kind(JsonNode node) {
        if (node.isArray()) {
            return "an array";
        }
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isNumber()) {
            return "a number";
        }
        return node.isBoolean() ? "a boolean" : "null";
    }
}
