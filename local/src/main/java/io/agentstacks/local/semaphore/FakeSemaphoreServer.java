package io.agentstacks.local.semaphore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agentstacks.local.LocalHttp;
import io.agentstacks.token.AgentToken;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fake Semaphore on loopback (127.0.0.1, a free port), speaking Semaphore's wire format:
 *
 * <ul>
 *   <li>{@code GET /api/v1/self_hosted_agents/metrics} with {@code Authorization: Token <registration token>}:
 *       200 {@code {"jobs":{"queued":N,"running":N},"agents":{"idle":N,"occupied":N}}} for the token's agent
 *       type, 401 for a token Semaphore does not accept, 503 during an outage. The organization asked is the
 *       request's {@code X-Forwarded-Host} (the host the caller meant, e.g. {@code my-org.semaphoreci.com}: every
 *       organization's endpoint resolves to this one server); without it, any organization.</li>
 *   <li>{@code POST /local/jobs} {@code {"agentType": NAME, "count": N, "durationSeconds": S}}: queues jobs
 *       (202 with their ids); 400 naming each wrong field, 404 for an unknown agent type.</li>
 *   <li>{@code GET /local/agent-types}: every agent type's queue and agents (no token).</li>
 * </ul>
 */
public final class FakeSemaphoreServer implements AutoCloseable {

    public static final String METRICS_PATH = "/api/v1/self_hosted_agents/metrics";
    public static final String JOBS_PATH = "/local/jobs";
    public static final String AGENT_TYPES_PATH = "/local/agent-types";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeSemaphore semaphore;
    private final HttpServer server;

    private FakeSemaphoreServer(FakeSemaphore semaphore, HttpServer server) {
        this.semaphore = semaphore;
        this.server = server;
    }

    /** Starts the server on 127.0.0.1 at a free port. */
    public static FakeSemaphoreServer start(FakeSemaphore semaphore) {
        HttpServer server = LocalHttp.loopbackServer("fake-semaphore-", 16);
        FakeSemaphoreServer s = new FakeSemaphoreServer(semaphore, server);
        server.createContext("/", s::handle);
        server.start();
        return s;
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public FakeSemaphore semaphore() {
        return semaphore;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals(METRICS_PATH)) {
                if (!method.equals("GET")) {
                    LocalHttp.problem(exchange, 405, "only GET " + METRICS_PATH);
                    return;
                }
                metrics(exchange);
            } else if (path.equals(JOBS_PATH)) {
                if (!method.equals("POST")) {
                    LocalHttp.problem(exchange, 405, "only POST " + JOBS_PATH);
                    return;
                }
                LocalHttp.send(exchange, enqueue(semaphore, LocalHttp.body(exchange, 16 * 1024)));
            } else if (path.equals(AGENT_TYPES_PATH) && method.equals("GET")) {
                LocalHttp.send(exchange, new LocalHttp.Answer(200, "application/json", agentTypes(semaphore).toString()));
            } else {
                LocalHttp.problem(exchange, 404, "no route " + path);
            }
        } catch (RuntimeException e) {
            LocalHttp.problem(exchange, 500, "the fake Semaphore failed: " + e.getClass().getSimpleName());
        }
    }

    private void metrics(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Token ") || auth.substring("Token ".length()).isBlank()) {
            LocalHttp.send(exchange, new LocalHttp.Answer(401, "application/json", "{\"message\":\"Unauthorized\"}"));
            return;
        }
        Optional<String> org = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Forwarded-Host"));
        FakeSemaphore.MetricsAnswer answer = semaphore.metrics(new AgentToken(auth.substring("Token ".length())), org);
        if (answer instanceof FakeSemaphore.MetricsAnswer.Metrics m) {
            ObjectNode body = JSON.createObjectNode();
            body.putObject("jobs").put("queued", m.demand().queuedJobs()).put("running", m.demand().runningJobs());
            body.putObject("agents").put("idle", m.demand().idleAgents()).put("occupied", m.demand().occupiedAgents());
            LocalHttp.send(exchange, new LocalHttp.Answer(200, "application/json", body.toString()));
        } else if (answer instanceof FakeSemaphore.MetricsAnswer.Unauthorized) {
            LocalHttp.send(exchange, new LocalHttp.Answer(401, "application/json", "{\"message\":\"Unauthorized\"}"));
        } else {
            LocalHttp.send(exchange, new LocalHttp.Answer(503, "text/plain", "Service Unavailable"));
        }
    }

    /** {@code POST /local/jobs}: shared with the local server's own port. */
    public static LocalHttp.Answer enqueue(FakeSemaphore semaphore, byte[] body) {
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (IOException e) {
            return LocalHttp.problemAnswer(400, "the body must be JSON: {\"agentType\": ..., \"count\": N, \"durationSeconds\": S}");
        }
        if (request == null || !request.isObject()) {
            return LocalHttp.problemAnswer(400, "the body must be a JSON object: {\"agentType\": ..., \"count\": N, \"durationSeconds\": S}");
        }
        List<String> errors = new ArrayList<>();
        JsonNode type = request.get("agentType");
        if (type == null || !type.isTextual() || type.textValue().isBlank()) {
            errors.add("agentType: is required (the agent type's name: the stack name)");
        }
        int count = wholeNumber(request, "count", 1, 1000, errors);
        int duration = wholeNumber(request, "durationSeconds", 1, 86_400, errors);
        request.fieldNames().forEachRemaining(f -> {
            if (!List.of("agentType", "count", "durationSeconds").contains(f)) {
                errors.add(f + ": is not a field of a job request (agentType, count, durationSeconds)");
            }
        });
        if (!errors.isEmpty()) {
            return LocalHttp.problemAnswer(400, String.join("; ", errors));
        }
        try {
            List<String> ids = semaphore.enqueue(type.textValue(), count, duration);
            ObjectNode answer = JSON.createObjectNode();
            answer.put("agentType", type.textValue());
            ArrayNode jobs = answer.putArray("jobs");
            ids.forEach(jobs::add);
            semaphore.agentType(type.textValue()).ifPresent(v -> answer.put("queuedJobs", v.queuedJobs())
                    .put("runningJobs", v.runningJobs()));
            return new LocalHttp.Answer(202, "application/json", answer.toString());
        } catch (FakeSemaphore.NoSuchAgentType e) {
            return LocalHttp.problemAnswer(404, "agentType: " + e.getMessage() + " (an agent type exists once its stack's"
                    + " spec has been applied)");
        }
    }

    public static ArrayNode agentTypes(FakeSemaphore semaphore) {
        ArrayNode out = JSON.createArrayNode();
        for (FakeSemaphore.AgentTypeView t : semaphore.agentTypes()) {
            out.addObject().put("name", t.name()).put("organization", t.organization())
                    .put("queuedJobs", t.queuedJobs()).put("runningJobs", t.runningJobs())
                    .put("idleAgents", t.idleAgents()).put("occupiedAgents", t.occupiedAgents())
                    .put("finishedJobs", t.finishedJobs()).put("interruptedJobs", t.interruptedJobs());
        }
        return out;
    }

    private static int wholeNumber(JsonNode request, String field, int min, int max, List<String> errors) {
        JsonNode v = request.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            errors.add(field + ": must be a whole number from " + min + " to " + max);
            return 0;
        }
        return v.intValue();
    }

    @Override
    public void close() {
        LocalHttp.stop(server);
    }
}
