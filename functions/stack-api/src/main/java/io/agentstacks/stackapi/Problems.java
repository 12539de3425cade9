package io.agentstacks.stackapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.spec.Violation;

import java.util.List;
import java.util.Map;

/**
 * RFC 9457 problem details ({@code application/problem+json}): {@code type}, {@code title},
 * {@code status}, {@code detail}, and for a refused spec {@code violations}, each with
 * {@code field}, {@code message}, {@code rejectedValue} and {@code legacyKey}.
 */
final class Problems {

    static final String MEDIA_TYPE = "application/problem+json";

    static final String INVALID_SPEC = "urn:agent-stacks:problem:invalid-spec";
    static final String INVALID_REQUEST = "urn:agent-stacks:problem:invalid-request";
    static final String VERSION_CONFLICT = "urn:agent-stacks:problem:version-conflict";
    static final String NO_SUCH_STACK = "urn:agent-stacks:problem:no-such-stack";
    /** The plain HTTP meaning of the status is all there is to say (RFC 9457 section 4.2.1). */
    static final String BLANK = "about:blank";

    private static final Map<Integer, String> REASONS = Map.of(
            400, "Bad Request", 404, "Not Found", 405, "Method Not Allowed", 409, "Conflict",
            413, "Content Too Large", 415, "Unsupported Media Type", 500, "Internal Server Error");

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Problems() {
    }

    static ObjectNode body(int status, String type, String title, String detail) {
        ObjectNode p = F.objectNode();
        p.put("type", type);
        p.put("title", title);
        p.put("status", status);
        p.put("detail", detail);
        return p;
    }

    static ArrayNode violations(List<Violation> violations) {
        ArrayNode list = F.arrayNode();
        for (Violation v : violations) {
            ObjectNode o = list.addObject();
            o.put("field", v.field());
            o.put("message", v.message());
            if (v.rejectedValue().isPresent()) {
                o.put("rejectedValue", v.rejectedValue().get());
            } else {
                o.putNull("rejectedValue");
            }
            if (v.legacyKey().isPresent()) {
                o.put("legacyKey", v.legacyKey().get());
            } else {
                o.putNull("legacyKey");
            }
        }
        return list;
    }

    static ApiResponse response(ObjectNode problem) {
        return new ApiResponse(problem.get("status").asInt(), Map.of("Content-Type", MEDIA_TYPE), problem.toString());
    }

    /** A problem whose type is the status itself ({@code about:blank}, title = the reason phrase). */
    static ApiResponse plain(int status, String detail) {
        return response(body(status, BLANK, REASONS.getOrDefault(status, "Error"), detail));
    }

    /** 400 listing every violation. */
    static ApiResponse invalid(String type, String title, List<Violation> violations) {
        ObjectNode p = body(400, type, title, violations.size() == 1
                ? "1 violation: " + violations.get(0).describe()
                : violations.size() + " violations; see the violations list");
        p.set("violations", violations(violations));
        return response(p);
    }

    static ApiResponse invalidSpec(List<Violation> violations) {
        return invalid(INVALID_SPEC, "The stack spec is not valid", violations);
    }

    static ApiResponse invalidRequest(List<Violation> violations) {
        return invalid(INVALID_REQUEST, "The request is not valid", violations);
    }

    static ApiResponse conflict(String detail, long currentVersion) {
        ObjectNode p = body(409, VERSION_CONFLICT, "The stack changed", detail);
        p.put("currentVersion", currentVersion);
        return response(p);
    }

    static ApiResponse noSuchStack(String name) {
        return response(body(404, NO_SUCH_STACK, "No such stack", "no stack named " + name));
    }

    static ApiResponse methodNotAllowed(ApiRequest request, String allow) {
        return plain(405, request.method() + " is not allowed on " + request.path() + "; allowed: " + allow)
                .withHeader("Allow", allow);
    }
}
