package io.agentstacks.local.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agentstacks.local.LocalControlPlane;
import io.agentstacks.local.LocalHttp;
import io.agentstacks.local.aws.LocalApiGateway;
import io.agentstacks.local.semaphore.FakeSemaphoreServer;
import io.agentstacks.stacks.StackRecord;

import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The local control plane as a server on {@code http://127.0.0.1:PORT} (loopback only), what
 * {@code agent-stacks local} runs:
 *
 * <ul>
 *   <li>{@code /stacks…}: the control plane's API (stack-api, and the token-rotator's {@code PUT /stacks/{name}/token}),
 *       each plain HTTP request turned into the API Gateway proxy event the function gets in AWS. A SigV4
 *       {@code Authorization} header is accepted and not checked (nothing here holds AWS credentials). For every
 *       spec the API accepts whose token parameter does not exist yet, the server does what a user does before
 *       posting in AWS: it creates the agent type (named after the stack) in the fake Semaphore and stores its
 *       generated token in that SSM parameter; it says so without showing the token;</li>
 *   <li>{@code POST /local/jobs} {@code {"agentType": STACK, "count": N, "durationSeconds": S}}: queues jobs in the
 *       fake Semaphore;</li>
 *   <li>{@code GET /local/agent-types}: each agent type's jobs and agents; {@code GET /local/clock}: the simulated time.</li>
 * </ul>
 */
public final class LocalServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 512 * 1024;

    private final HttpServer server;
    private final Consumer<String> notices;
    private final double speed;
    private volatile LocalControlPlane cp;

    private LocalServer(HttpServer server, Consumer<String> notices, double speed) {
        this.server = server;
        this.notices = notices;
        this.speed = speed;
    }

    /**
     * Binds the port, before the control plane is built (which takes seconds), so that a port in use is said at once.
     * Nothing is served until {@link #serve}; {@link #close} releases the port.
     *
     * @param port    0 for a free one
     * @param notices one line per thing the server did on the user's behalf (no secret)
     * @param speed   how much faster than real time the control plane's clock runs (shown by {@code /local/clock})
     * @throws PortInUse when the port is taken
     */
    public static LocalServer bind(int port, double speed, Consumer<String> notices) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("a port is 0 to 65535, not " + port);
        }
        HttpServer server;
        try {
            server = LocalHttp.bind(port, "local-api-", 8);
        } catch (BindException e) {
            throw new PortInUse(port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        return new LocalServer(server, Objects.requireNonNull(notices, "notices"), speed);
    }

    /** Starts serving {@code cp} on the bound port. */
    public LocalServer serve(LocalControlPlane cp) {
        if (this.cp != null) {
            throw new IllegalStateException("already serving");
        }
        this.cp = Objects.requireNonNull(cp, "cp");
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    /**
     * {@link #bind} and {@link #serve} in one.
     *
     * @throws PortInUse when the port is taken
     */
    public static LocalServer start(LocalControlPlane cp, int port, double speed, Consumer<String> notices) {
        Objects.requireNonNull(cp, "cp");
        return bind(port, speed, notices).serve(cp);
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            byte[] body;
            try {
                body = LocalHttp.body(exchange, MAX_BODY);
            } catch (LocalHttp.TooLarge e) {
                LocalHttp.problem(exchange, 413, e.getMessage());
                return;
            }
            if (LocalApiGateway.isApiPath(path)) {
                api(exchange, method, path, body);
            } else if (path.equals(FakeSemaphoreServer.JOBS_PATH) && method.equals("POST")) {
                LocalHttp.send(exchange, FakeSemaphoreServer.enqueue(cp.semaphore(), body));
            } else if (path.equals(FakeSemaphoreServer.AGENT_TYPES_PATH) && method.equals("GET")) {
                LocalHttp.send(exchange, new LocalHttp.Answer(200, "application/json",
                        FakeSemaphoreServer.agentTypes(cp.semaphore()).toString()));
            } else if (path.equals("/local/clock") && method.equals("GET")) {
                ObjectNode clock = JSON.createObjectNode();
                clock.put("simulatedTime", cp.now().toString());
                clock.put("speed", speed);
                LocalHttp.send(exchange, new LocalHttp.Answer(200, "application/json", clock.toString()));
            } else if (path.startsWith("/local/")) {
                LocalHttp.problem(exchange, 404, "no route " + method + " " + path + "; the local server has POST /local/jobs,"
                        + " GET /local/agent-types and GET /local/clock");
            } else {
                LocalHttp.send(exchange, new LocalHttp.Answer(403, "application/json", "{\"message\":\"Missing Authentication Token\"}"));
            }
        } catch (RuntimeException e) {
            LocalHttp.problem(exchange, 500, "the local server failed: " + e.getClass().getSimpleName());
        }
    }

    private void api(HttpExchange exchange, String method, String path, byte[] body) throws IOException {
        Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, new ArrayList<>(v)));
        LocalApiGateway.Request request = new LocalApiGateway.Request(method, path,
                exchange.getRequestURI().getRawQuery(), headers, body);
        LocalApiGateway.Answer answer = cp.api(request);
        if (method.equals("POST") && path.equals("/stacks") && answer.status() == 202) {
            provideToken(answer.body());
        }
        LocalHttp.send(exchange, new LocalHttp.Answer(answer.status(),
                answer.header("Content-Type").orElse("application/json"), answer.body(), answer.headers()));
    }

    /** The token parameter of an accepted spec, created with a fresh agent type's token when it is missing. */
    private void provideToken(String acceptedBody) {
        String name;
        try {
            JsonNode accepted = JSON.readTree(acceptedBody);
            name = accepted.path("name").asText("");
        } catch (IOException e) {
            return;
        }
        StackRecord record = cp.registry().get(name).orElse(null);
        if (record == null) {
            return;
        }
        cp.provideAgentType(record.spec()).ifPresent(notices);
    }

    @Override
    public void close() {
        LocalHttp.stop(server);
    }

    /** The port is taken. */
    public static final class PortInUse extends IllegalStateException {
        public PortInUse(int port) {
            super("port " + port + " on 127.0.0.1 is in use; pass another with --port");
        }
    }
}
