package io.agentstacks.tokenrotator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An API Gateway REST proxy response: status, headers and a JSON body. Errors are RFC 9457 problem
 * details ({@code application/problem+json}); a {@code 400} lists each wrong field in {@code errors}.
 */
record ApiResponse(int statusCode, Map<String, String> headers, ObjectNode body) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One wrong field of a request: where, and what is wrong; never the value sent. */
    record FieldError(String field, String message) {
    }

    static ApiResponse ok(ObjectNode body) {
        return new ApiResponse(200, Map.of("Content-Type", "application/json"), body);
    }

    /**
     * @param slug  the problem type's last segment, e.g. {@code token-rejected}
     * @param title the same for every occurrence of the type
     */
    static ApiResponse problem(int status, String slug, String title, String detail, String instance,
                               List<FieldError> errors, Map<String, String> extraHeaders) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("type", "urn:agent-stacks:problem:" + slug);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (!instance.isEmpty()) {
            body.put("instance", instance);
        }
        if (!errors.isEmpty()) {
            var array = body.putArray("errors");
            errors.forEach(e -> array.addObject().put("field", e.field()).put("message", e.message()));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/problem+json");
        headers.putAll(extraHeaders);
        return new ApiResponse(status, Map.copyOf(headers), body);
    }

    static ApiResponse problem(int status, String slug, String title, String detail, String instance) {
        return problem(status, slug, title, detail, instance, List.of(), Map.of());
    }

    /** The proxy integration's response object. */
    ObjectNode toJson() {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("statusCode", statusCode);
        ObjectNode h = json.putObject("headers");
        headers.forEach(h::put);
        json.put("body", body.toString());
        json.put("isBase64Encoded", false);
        return json;
    }
}
