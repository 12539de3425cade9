package io.agentstacks.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.util.Optional;

/** What the API answered: status, content type and body as text. */
public record ApiResponse(int status, Optional<String> contentType, String body) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean successful() {
        return status >= 200 && status < 300;
    }

    public boolean isProblem() {
        return contentType.map(t -> t.toLowerCase(java.util.Locale.ROOT).startsWith("application/problem+json")).orElse(false);
    }

    /** The body as JSON; a missing node when it is not JSON. */
    public JsonNode json() {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null ? MissingNode.getInstance() : node;
        } catch (java.io.IOException e) {
            return MissingNode.getInstance();
        }
    }
}
