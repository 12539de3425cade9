package io.agentstacks.tokenrotator;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of an API Gateway REST proxy event (payload format 1.0) the rotator reads. Header names are
 * kept lower-case, since HTTP header names are case-insensitive and API Gateway passes them as sent.
 *
 * @param caller the IAM identity that signed the request ({@code requestContext.identity.userArn}), for audit
 */
record ApiEvent(String httpMethod, String resource, String path, Map<String, String> pathParameters,
                Map<String, String> headers, Optional<String> body, boolean base64Encoded, String requestId,
                String caller) {

    /** True for an API Gateway proxy event, as opposed to the scheduler's input. */
    static boolean isApiEvent(JsonNode event) {
        return event.isObject() && event.hasNonNull("httpMethod") && event.has("requestContext");
    }

    static ApiEvent from(JsonNode event) {
        JsonNode context = event.path("requestContext");
        return new ApiEvent(
                event.path("httpMethod").asText(""),
                event.path("resource").asText(""),
                event.path("path").asText(""),
                strings(event.path("pathParameters"), false),
                strings(event.path("headers"), true),
                event.path("body").isTextual() ? Optional.of(event.path("body").asText()) : Optional.empty(),
                event.path("isBase64Encoded").asBoolean(false),
                context.path("requestId").asText(""),
                context.path("identity").path("userArn").asText(""));
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    private static Map<String, String> strings(JsonNode object, boolean lowerCaseKeys) {
        Map<String, String> map = new HashMap<>();
        if (object.isObject()) {
            object.fields().forEachRemaining(e -> {
                if (e.getValue().isTextual()) {
                    map.put(lowerCaseKeys ? e.getKey().toLowerCase(Locale.ROOT) : e.getKey(), e.getValue().asText());
                }
            });
        }
        return Map.copyOf(map);
    }
}
