package io.agentstacks.stackapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.spec.Violation;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;

import java.util.List;

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

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Problems() {
    }

    static ObjectNode body(HttpStatus status, String type, String title, String detail) {
        ObjectNode p = F.objectNode();
        p.put("type", type);
        p.put("title", title);
        p.put("status", status.getCode());
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

    static MutableHttpResponse<String> response(ObjectNode problem) {
        HttpStatus status = HttpStatus.valueOf(problem.get("status").asInt());
        return HttpResponse.<String>status(status).contentType(MEDIA_TYPE).body(problem.toString());
    }

    static MutableHttpResponse<String> of(HttpStatus status, String type, String title, String detail) {
        return response(body(status, type, title, detail));
    }

    static MutableHttpResponse<String> plain(HttpStatus status, String detail) {
        return of(status, BLANK, status.getReason(), detail);
    }

    /** 400 listing every violation. */
    static MutableHttpResponse<String> invalid(String type, String title, List<Violation> violations) {
        ObjectNode p = body(HttpStatus.BAD_REQUEST, type, title, violations.size() == 1
                ? "1 violation: " + violations.get(0).describe()
                : violations.size() + " violations; see the violations list");
        p.set("violations", violations(violations));
        return response(p);
    }

    static MutableHttpResponse<String> invalidSpec(List<Violation> violations) {
        return invalid(INVALID_SPEC, "The stack spec is not valid", violations);
    }

    static MutableHttpResponse<String> invalidRequest(List<Violation> violations) {
        return invalid(INVALID_REQUEST, "The request is not valid", violations);
    }

    static MutableHttpResponse<String> conflict(String detail, long currentVersion) {
        ObjectNode p = body(HttpStatus.CONFLICT, VERSION_CONFLICT, "The stack changed", detail);
        p.put("currentVersion", currentVersion);
        return response(p);
    }

    static MutableHttpResponse<String> noSuchStack(String name) {
        return of(HttpStatus.NOT_FOUND, NO_SUCH_STACK, "No such stack", "no stack named " + name);
    }
}
