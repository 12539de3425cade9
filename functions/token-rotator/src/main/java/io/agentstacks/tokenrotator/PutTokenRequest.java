package io.agentstacks.tokenrotator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.agentstacks.spec.StackNameRule;
import io.agentstacks.token.AgentToken;
import io.agentstacks.token.TokenFormat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and checks {@code PUT /stacks/{name}/token} with body {@code {"token": "…"}} before anything
 * happens. Every refusal is a problem answer naming the field; none quotes the body, since the body is
 * the token (this is also why JSON parser messages, which quote the input, are never passed on).
 */
final class PutTokenRequest {

    static final String RESOURCE = "/stacks/{name}/token";
    static final int MAX_BODY_BYTES = 4096;

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    /** What reading a request gave: the checked request, or the answer refusing it. */
    sealed interface Checked {
    }

    /** A request that passed every check. */
    record Valid(String stackName, AgentToken token) implements Checked {
    }

    /** A request refused before anything happened. */
    record Refused(ApiResponse answer) implements Checked {
    }

    private PutTokenRequest() {
    }

    static Checked read(ApiEvent event) {
        String instance = event.path();
        if (!RESOURCE.equals(event.resource())) {
            return new Refused(ApiResponse.problem(404, "not-found", "Not found",
                    "this function serves only PUT " + RESOURCE, instance));
        }
        if (!"PUT".equals(event.httpMethod())) {
            return new Refused(ApiResponse.problem(405, "method-not-allowed", "Method not allowed",
                    RESOURCE + " accepts only PUT", instance, List.of(), Map.of("Allow", "PUT")));
        }
        String name = event.pathParameters().getOrDefault("name", "");
        // The spec's own rule: a name no spec could have is refused before any lookup.
        Optional<String> badName = StackNameRule.problem(name);
        if (badName.isPresent()) {
            return invalid(instance, new ApiResponse.FieldError("name", badName.get()));
        }
        Optional<ApiResponse> mediaType = checkContentType(event, instance);
        if (mediaType.isPresent()) {
            return new Refused(mediaType.get());
        }
        Optional<String> rawBody = event.body();
        if (rawBody.isEmpty() || rawBody.get().isEmpty()) {
            return invalid(instance, new ApiResponse.FieldError("body", "is required: {\"token\": \"...\"}"));
        }
        byte[] bytes;
        if (event.base64Encoded()) {
            try {
                bytes = Base64.getDecoder().decode(rawBody.get());
            } catch (IllegalArgumentException e) {
                return invalid(instance, new ApiResponse.FieldError("body", "is marked base64 but is not valid base64"));
            }
        } else {
            bytes = rawBody.get().getBytes(StandardCharsets.UTF_8);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            return new Refused(ApiResponse.problem(413, "body-too-large", "Request body too large",
                    "the body is " + bytes.length + " bytes; at most " + MAX_BODY_BYTES + " are accepted", instance,
                    List.of(new ApiResponse.FieldError("body", "must be at most " + MAX_BODY_BYTES + " bytes")),
                    Map.of()));
        }
        JsonNode json;
        try {
            json = STRICT.readTree(bytes);
        } catch (IOException e) {
            return invalid(instance, new ApiResponse.FieldError("body",
                    "is not valid JSON (or repeats a field); send {\"token\": \"...\"}"));
        }
        if (json == null || !json.isObject()) {
            return invalid(instance, new ApiResponse.FieldError("body", "must be a JSON object: {\"token\": \"...\"}"));
        }
        List<ApiResponse.FieldError> errors = new ArrayList<>();
        int others = 0;
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            if (!"token".equals(names.next())) {
                others++;
            }
        }
        if (others > 0) {
            // The other fields are not named: whatever was sent may be a token under a mistyped key.
            errors.add(new ApiResponse.FieldError("body", "may hold only the field \"token\"; it has " + others
                    + (others == 1 ? " other field" : " other fields")));
        }
        JsonNode token = json.get("token");
        if (token == null || token.isNull()) {
            errors.add(new ApiResponse.FieldError("token", "is required"));
        } else if (!token.isTextual()) {
            errors.add(new ApiResponse.FieldError("token", "must be a string"));
        } else {
            TokenFormat.problem(token.textValue()).ifPresent(p -> errors.add(new ApiResponse.FieldError("token", p)));
        }
        if (!errors.isEmpty()) {
            return new Refused(ApiResponse.problem(400, "invalid-request", "Invalid request",
                    "the request has " + errors.size() + (errors.size() == 1 ? " problem" : " problems"),
                    instance, errors, Map.of()));
        }
        return new Valid(name, new AgentToken(token.textValue()));
    }

    private static Optional<ApiResponse> checkContentType(ApiEvent event, String instance) {
        Optional<String> header = event.header("Content-Type");
        String[] parts = header.orElse("").split(";");
        String type = parts[0].trim().toLowerCase(Locale.ROOT);
        boolean utf8 = true;
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].trim().split("=", 2);
            if (param.length == 2 && param[0].trim().equalsIgnoreCase("charset")) {
                utf8 = param[1].trim().replace("\"", "").equalsIgnoreCase("utf-8");
            }
        }
        if (!type.equals("application/json") || !utf8) {
            return Optional.of(ApiResponse.problem(415, "unsupported-media-type", "Unsupported media type",
                    "send the body as application/json (UTF-8)", instance,
                    List.of(new ApiResponse.FieldError("Content-Type", header.isEmpty()
                            ? "is required and must be application/json"
                            : "must be application/json")), Map.of()));
        }
        return Optional.empty();
    }

    private static Refused invalid(String instance, ApiResponse.FieldError error) {
        return new Refused(ApiResponse.problem(400, "invalid-request", "Invalid request", "the request has 1 problem",
                instance, List.of(error), Map.of()));
    }
}
