package io.agentstacks.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.cli.api.ApiResponse;

import java.io.PrintWriter;

/** Prints what the API refused: one line per spec violation, or one line for any other problem. */
final class ApiReplies {

    private ApiReplies() {
    }

    /** Prints the refusal to {@code err} and answers the exit code (1). */
    static int printFailure(ApiResponse response, PrintWriter err) {
        JsonNode body = response.json();
        JsonNode violations = body.path("violations");
        if (violations.isArray() && !violations.isEmpty()) {
            for (JsonNode v : violations) {
                String legacy = v.path("legacyKey").isTextual() ? " (" + v.path("legacyKey").asText() + ")" : "";
                err.println(v.path("field").asText("$") + legacy + ": " + v.path("message").asText());
            }
        } else if (response.isProblem() || body.has("title")) {
            String detail = body.path("detail").asText("");
            err.println("agent-stacks: " + (detail.isBlank() ? body.path("title").asText("request refused") : detail)
                    + " (HTTP " + response.status() + ")");
        } else if (body.has("message")) {
            // API Gateway's own answers (IAM refusals, throttling, integration errors): {"message": "..."}
            err.println("agent-stacks: " + body.path("message").asText() + " (HTTP " + response.status() + ")");
        } else {
            err.println("agent-stacks: the API answered HTTP " + response.status());
        }
        err.flush();
        return 1;
    }
}
