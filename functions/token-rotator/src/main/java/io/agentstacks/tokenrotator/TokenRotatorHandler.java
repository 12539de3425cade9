package io.agentstacks.tokenrotator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.agentstacks.token.AgentToken;
import io.agentstacks.token.RotationResult;
import io.agentstacks.token.TokenCheck;
import io.agentstacks.token.TokenRotation;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The token-rotator Lambda's handler: it serves {@code PUT /stacks/{name}/token} and runs the daily token
 * check.
 *
 * <p><b>Why a Lambda of its own.</b> {@code PUT /stacks/{name}/token} is served by this function itself,
 * through its own API Gateway route integration on the control plane's REST API (IAM-authenticated like
 * every route), not by stack-api. So the stack-api Lambda never sees a token, and only this function's
 * role may write token parameters. The same function runs the daily check, invoked by an EventBridge
 * Scheduler schedule with the fixed input {@code {"action":"dailyCheck"}}.
 *
 * <p><b>Invocations.</b> An API Gateway REST proxy event (payload 1.0) is answered with a proxy response:
 * 200 {@code {name, parameterName, parameterVersion, rotatedAt}}; otherwise RFC 9457 problem JSON:
 * 400/413/415 for a request refused before anything happened (naming the field, never quoting the body),
 * 404 no such stack, 409 stack being deleted, 422 Semaphore refuses the token (parameter untouched),
 * 503 Semaphore, SSM or the registry unavailable, or another token being set (retry-safe). The daily check answers a count of each
 * outcome. Anything else is refused with an exception.
 *
 * <p><b>Logs.</b> One JSON object per line with {@code stack}, {@code event} and the numbers; the daily
 * check's line per stack is also an embedded-metric-format record (namespace {@value #METRIC_NAMESPACE},
 * dimension {@code Stack}, metrics {@code TokenRejected}, {@code TokenCheckUnavailable},
 * {@code TokenCheckFailed}) that the token alarm watches. No answer or line holds the token.
 */
public final class TokenRotatorHandler {

    /** The scheduler's input for the daily check. */
    public static final String DAILY_CHECK_ACTION = "dailyCheck";
    public static final String METRIC_NAMESPACE = "SemaphoreAgentStacks";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final TokenRotation rotation;
    private final JsonLog log;

    public TokenRotatorHandler(TokenRotation rotation, JsonLog log) {
        this.rotation = Objects.requireNonNull(rotation, "rotation");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** Reads one invocation's JSON from {@code in} and writes the answer to {@code out}. */
    public void handle(InputStream in, OutputStream out) throws IOException {
        JsonNode event;
        try {
            event = MAPPER.readTree(in);
        } catch (IOException e) {
            // The parser's message quotes the input, which may be a request body holding a token.
            log.error("invocation.refused", l -> l.put("reason", "the input is not JSON"));
            throw new IllegalArgumentException("token-rotator: the invocation input is not JSON");
        }
        MAPPER.writeValue(out, handle(event));
    }

    /** Answers one invocation: an API Gateway proxy event, or the daily check's input. */
    public JsonNode handle(JsonNode event) {
        if (event != null && ApiEvent.isApiEvent(event)) {
            return put(ApiEvent.from(event)).toJson();
        }
        if (event != null && event.isObject() && DAILY_CHECK_ACTION.equals(event.path("action").asText(null))
                && event.size() == 1) {
            return dailyCheck();
        }
        log.error("invocation.refused", l -> l.put("reason", "neither an API Gateway proxy event nor the daily check"));
        throw new IllegalArgumentException("token-rotator: expected an API Gateway proxy event for PUT "
                + PutTokenRequest.RESOURCE + " or {\"action\":\"" + DAILY_CHECK_ACTION + "\"} (field action)");
    }

    ApiResponse put(ApiEvent event) {
        long started = System.nanoTime();
        PutTokenRequest.Checked checked = PutTokenRequest.read(event);
        if (checked instanceof PutTokenRequest.Refused refused) {
            ApiResponse answer = refused.answer();
            log.warn("token.put.refused", l -> {
                l.put("status", answer.statusCode());
                l.put("requestId", event.requestId());
                l.put("caller", event.caller());
                l.set("errors", answer.body().path("errors"));
            });
            return answer;
        }
        PutTokenRequest.Valid request = (PutTokenRequest.Valid) checked;
        String stack = request.stackName();
        ApiResponse answer;
        try {
            answer = answer(rotation.rotate(stack, request.token()), event.path(), event, started);
        } catch (RuntimeException e) {
            String error = request.token().maskedIn(String.valueOf(e));
            log.error("token.put.failed", l -> {
                l.put("stack", stack);
                l.put("status", 500);
                l.put("requestId", event.requestId());
                l.put("caller", event.caller());
                l.put("error", error);
                l.put("durationMs", millisSince(started));
            });
            answer = ApiResponse.problem(500, "internal-error", "Internal error",
                    "the token of stack " + stack + " could not be replaced because of an internal error; "
                            + "retrying is safe (request id " + event.requestId() + ")", event.path());
        }
        return answer;
    }

    private ApiResponse answer(RotationResult result, String instance, ApiEvent event, long started) {
        ApiResponse answer;
        String name;
        Map<String, Object> fields = new LinkedHashMap<>();
        if (result instanceof RotationResult.Rotated r) {
            ObjectNode body = MAPPER.createObjectNode();
            body.put("name", r.stack());
            body.put("parameterName", r.parameterName());
            body.put("parameterVersion", r.parameterVersion());
            body.put("rotatedAt", r.rotatedAt().toString());
            answer = ApiResponse.ok(body);
            name = r.newVersionWritten() ? "token.rotated" : "token.rotated.unchanged";
            fields.put("parameterName", r.parameterName());
            fields.put("parameterVersion", r.parameterVersion());
            fields.put("written", r.newVersionWritten());
        } else if (result instanceof RotationResult.Rejected r) {
            answer = ApiResponse.problem(422, "token-rejected", "Token rejected by Semaphore",
                    "Semaphore answered HTTP " + r.httpStatus() + " to this token: it is not the current registration "
                            + "token of an agent type in the stack's organization. The parameter " + r.parameterName()
                            + " is unchanged.", instance);
            name = "token.put.rejected";
            fields.put("parameterName", r.parameterName());
            fields.put("semaphoreStatus", r.httpStatus());
        } else if (result instanceof RotationResult.SemaphoreUnavailable r) {
            answer = retryLater("semaphore-unavailable", "Semaphore unavailable",
                    "the token could not be verified with Semaphore (" + r.reason() + "); nothing was written.",
                    instance);
            name = "token.put.semaphoreUnavailable";
            fields.put("reason", r.reason());
        } else if (result instanceof RotationResult.StoreUnavailable r) {
            answer = retryLater("token-store-unavailable", "Token store unavailable",
                    "the parameter " + r.parameterName() + " could not be read or written (" + r.reason()
                            + "); a token written before the failure is recognised by a retry and not written twice.",
                    instance);
            name = "token.put.storeUnavailable";
            fields.put("parameterName", r.parameterName());
            fields.put("reason", r.reason());
        } else if (result instanceof RotationResult.RegistryBusy r) {
            answer = retryLater("registry-busy", "Registry busy",
                    "the stack's record kept changing during " + r.attempts() + " attempts; a retry completes the "
                            + "rotation without writing the token again.", instance);
            name = "token.put.registryBusy";
            fields.put("attempts", r.attempts());
        } else if (result instanceof RotationResult.InProgress r) {
            answer = retryLater("rotation-in-progress", "Rotation in progress",
                    "another token is being set for stack " + r.stack() + "; nothing was written.", instance);
            name = "token.put.inProgress";
        } else if (result instanceof RotationResult.NotFound r) {
            answer = ApiResponse.problem(404, "stack-not-found", "Stack not found",
                    "there is no stack named " + r.stack(), instance);
            name = "token.put.notFound";
        } else if (result instanceof RotationResult.Conflict r) {
            answer = ApiResponse.problem(409, "stack-not-live", "Stack is being deleted",
                    "stack " + r.stack() + " is " + r.status() + "; its token cannot be replaced", instance);
            name = "token.put.conflict";
            fields.put("stackStatus", r.status().name());
        } else {
            throw new IllegalStateException("unknown rotation result " + result.getClass().getSimpleName());
        }
        int status = answer.statusCode();
        String level = status < 400 ? "INFO" : status >= 500 ? "ERROR" : "WARN";
        log.write(level, name, l -> {
            l.put("stack", result.stack());
            l.put("status", status);
            l.put("requestId", event.requestId());
            l.put("caller", event.caller());
            fields.forEach((k, v) -> l.set(k, MAPPER.valueToTree(v)));
            l.put("durationMs", millisSince(started));
        });
        return answer;
    }

    private static ApiResponse retryLater(String slug, String title, String detail, String instance) {
        return ApiResponse.problem(503, slug, title, detail + " Try again later.", instance, List.of(),
                Map.of("Retry-After", "30"));
    }

    ObjectNode dailyCheck() {
        long started = System.nanoTime();
        List<TokenCheck> checks = rotation.dailyCheck();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String outcome : List.of("accepted", "recovered", "rejected", "missing", "superseded",
                "semaphoreUnavailable", "storeUnavailable", "failed")) {
            counts.put(outcome, 0);
        }
        for (TokenCheck check : checks) {
            logCheck(check, counts);
        }
        ObjectNode summary = MAPPER.createObjectNode();
        summary.put("checked", checks.size());
        counts.forEach(summary::put);
        log.info("token.dailyCheck.done", l -> {
            l.setAll(summary);
            l.put("durationMs", millisSince(started));
        });
        return summary;
    }

    /** One line per stack, which is also the metric record the token alarm watches. */
    private void logCheck(TokenCheck check, Map<String, Integer> counts) {
        String outcome;
        Map<String, Object> fields = new LinkedHashMap<>();
        if (check instanceof TokenCheck.Accepted c) {
            outcome = "accepted";
            fields.put("parameterVersion", c.parameterVersion());
        } else if (check instanceof TokenCheck.Recovered c) {
            outcome = "recovered";
            fields.put("parameterVersion", c.parameterVersion());
            fields.put("message", "Semaphore accepts the token again; the stack is ACTIVE again");
        } else if (check instanceof TokenCheck.Rejected c) {
            outcome = "rejected";
            fields.put("parameterName", c.parameterName());
            fields.put("parameterVersion", c.parameterVersion());
            fields.put("semaphoreStatus", c.httpStatus());
            fields.put("newlyDegraded", c.newlyDegraded());
        } else if (check instanceof TokenCheck.ParameterMissing c) {
            outcome = "missing";
            fields.put("parameterName", c.parameterName());
            fields.put("newlyDegraded", c.newlyDegraded());
        } else if (check instanceof TokenCheck.Superseded c) {
            outcome = "superseded";
            fields.put("parameterName", c.parameterName());
            fields.put("recordedVersion", c.recordedVersion());
            fields.put("message", "the token was set again while it was being checked; nothing changed");
        } else if (check instanceof TokenCheck.SemaphoreUnavailable c) {
            outcome = "semaphoreUnavailable";
            fields.put("reason", c.reason());
            fields.put("message", "Semaphore could not be asked; nothing changed");
        } else if (check instanceof TokenCheck.StoreUnavailable c) {
            outcome = "storeUnavailable";
            fields.put("parameterName", c.parameterName());
            fields.put("reason", c.reason());
            fields.put("message", "the token parameter could not be read; nothing changed");
        } else if (check instanceof TokenCheck.Failed c) {
            outcome = "failed";
            fields.put("reason", c.reason());
        } else {
            throw new IllegalStateException("unknown token check " + check.getClass().getSimpleName());
        }
        counts.merge(outcome, 1, Integer::sum);
        boolean rejected = outcome.equals("rejected") || outcome.equals("missing");
        boolean unavailable = outcome.endsWith("Unavailable");
        boolean failed = outcome.equals("failed");
        String level = failed ? "ERROR" : rejected || unavailable ? "WARN" : "INFO";
        log.write(level, "token.check", l -> {
            l.put("stack", check.stack());
            l.put("outcome", outcome);
            fields.forEach((k, v) -> l.set(k, MAPPER.valueToTree(v)));
            ObjectNode aws = l.putObject("_aws");
            aws.put("Timestamp", log.clock().millis());
            ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
            directive.put("Namespace", METRIC_NAMESPACE);
            directive.putArray("Dimensions").addArray().add("Stack");
            var metrics = directive.putArray("Metrics");
            for (String metric : List.of("TokenRejected", "TokenCheckUnavailable", "TokenCheckFailed")) {
                metrics.addObject().put("Name", metric).put("Unit", "Count");
            }
            l.put("Stack", check.stack());
            l.put("TokenRejected", rejected ? 1 : 0);
            l.put("TokenCheckUnavailable", unavailable ? 1 : 0);
            l.put("TokenCheckFailed", failed ? 1 : 0);
        });
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
