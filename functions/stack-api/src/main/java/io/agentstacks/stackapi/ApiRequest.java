package io.agentstacks.stackapi;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One HTTP request as an API Gateway REST API proxy integration (payload 1.0) hands it to Lambda:
 * {@code httpMethod}, {@code path} (without the stage), {@code headers}/{@code multiValueHeaders},
 * {@code queryStringParameters}, {@code body} (base64 when {@code isBase64Encoded}) and
 * {@code requestContext.requestId}.
 *
 * @param bodyProblem why the body could not be read (base64 that is not), so that the routes that read a
 *                    body refuse it as bad input naming {@code body}; {@link #body()} is then empty
 */
record ApiRequest(String method, String path, Map<String, String> headers, Map<String, String> query, byte[] body,
                  Optional<String> bodyProblem, Optional<String> requestId) {

    ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        TreeMap<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(headers);
        headers = Collections.unmodifiableMap(h);
        query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(bodyProblem, "bodyProblem");
        Objects.requireNonNull(requestId, "requestId");
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    Optional<String> queryValue(String name) {
        return Optional.ofNullable(query.get(name));
    }

    /** Reads the event; throws {@link IllegalArgumentException} when it is not an API Gateway proxy event. */
    static ApiRequest fromEvent(JsonNode event) {
        if (event == null || !event.isObject() || !event.path("httpMethod").isTextual() || !event.path("path").isTextual()) {
            throw new IllegalArgumentException("not an API Gateway proxy event (no httpMethod and path)");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        event.path("headers").fields().forEachRemaining(f -> {
            if (f.getValue().isTextual()) {
                headers.put(f.getKey(), f.getValue().asText());
            }
        });
        event.path("multiValueHeaders").fields().forEachRemaining(f -> {
            if (f.getValue().isArray() && !f.getValue().isEmpty()) {
                headers.putIfAbsent(f.getKey(), f.getValue().get(0).asText());
            }
        });
        Map<String, String> query = new LinkedHashMap<>();
        event.path("queryStringParameters").fields().forEachRemaining(f -> {
            if (f.getValue().isTextual()) {
                query.put(f.getKey(), f.getValue().asText());
            }
        });
        JsonNode body = event.path("body");
        byte[] bytes = new byte[0];
        Optional<String> bodyProblem = Optional.empty();
        if (body.isTextual()) {
            if (event.path("isBase64Encoded").asBoolean(false)) {
                try {
                    bytes = Base64.getDecoder().decode(body.asText());
                } catch (IllegalArgumentException e) {
                    bodyProblem = Optional.of("is marked base64-encoded (isBase64Encoded) but is not valid base64");
                }
            } else {
                bytes = body.asText().getBytes(StandardCharsets.UTF_8);
            }
        }
        JsonNode requestId = event.path("requestContext").path("requestId");
        return new ApiRequest(event.path("httpMethod").asText(), event.path("path").asText(), headers, query, bytes, bodyProblem,
                requestId.isTextual() ? Optional.of(requestId.asText()) : Optional.empty());
    }
}
