package io.agentstacks.stackapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** An answer, written as the API Gateway proxy response JSON: {@code statusCode}, {@code headers}, {@code body}. */
record ApiResponse(int status, Map<String, String> headers, String body) {

    static final String JSON = "application/json";

    ApiResponse {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        Objects.requireNonNull(body, "body");
    }

    static ApiResponse json(int status, JsonNode body) {
        return new ApiResponse(status, Map.of("Content-Type", JSON), body.toString());
    }

    ApiResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new ApiResponse(status, h, body);
    }

    ObjectNode toEvent() {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("statusCode", status);
        ObjectNode h = e.putObject("headers");
        headers.forEach(h::put);
        e.put("body", body);
        e.put("isBase64Encoded", false);
        return e;
    }
}
