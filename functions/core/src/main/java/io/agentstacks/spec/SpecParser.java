package io.agentstacks.spec;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns the bytes of a spec document into JSON, refusing what is not a spec before anything reads it:
 * more than {@link #MAX_BYTES}, binary content, text that is not UTF-8, JSON with repeated keys or with
 * anything after the value. Messages say where, never echo a long piece of the input (it could be a
 * secret pasted by mistake).
 */
public final class SpecParser {

    /** A spec is a few kilobytes; 1 MiB leaves room and keeps a wrong file from being read whole. */
    public static final int MAX_BYTES = 1 << 20;

    /** The input is not a JSON document a spec can be read from; the message is one line for a user. */
    public static final class SpecParseException extends Exception {
        private static final long serialVersionUID = 1L;

        public SpecParseException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private SpecParser() {
    }

    public static JsonNode parse(byte[] bytes) throws SpecParseException {
        if (bytes.length > MAX_BYTES) {
            throw new SpecParseException("is " + bytes.length + " bytes; a spec may have at most " + MAX_BYTES);
        }
        for (byte b : bytes) {
            if (b == 0) {
                throw new SpecParseException("is a binary file, not JSON");
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SpecParseException("is not UTF-8 text, so not JSON");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        if (text.isBlank()) {
            throw new SpecParseException("is empty, not JSON");
        }
        try (JsonParser parser = MAPPER.createParser(text)) {
            JsonNode node = MAPPER.readTree(parser);
            JsonToken after = parser.nextToken();
            if (after != null) {
                throw new SpecParseException("is not valid JSON: more content after the value at line "
                        + parser.currentLocation().getLineNr() + ", column " + parser.currentLocation().getColumnNr());
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw new SpecParseException("is not a spec: its JSON is nested too deeply");
        } catch (JsonParseException e) {
            throw new SpecParseException("is not valid JSON: " + reason(e) + " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr());
        } catch (JsonProcessingException e) {
            throw new SpecParseException("is not valid JSON: " + reason(e));
        } catch (IOException e) {
            throw new SpecParseException("could not be read: " + e.getMessage());
        }
    }

    /** Jackson's reason, first line, with quoted input longer than a few characters cut out. */
    private static String reason(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? "syntax error" : e.getOriginalMessage();
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline);
        }
        if (message.startsWith("Duplicate field")) {
            return "repeated key " + FieldChecks.shorten(message.substring("Duplicate field ".length()));
        }
        message = message.replaceAll("'[^']{4,}'", "'…'").replaceAll("\"[^\"]{20,}\"", "\"…\"");
        return message.isEmpty() ? "syntax error" : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }
}
