package io.agentstacks.imagerecipes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The EC2 instance metadata service on loopback, IMDSv2 only: a session token from
 * {@code PUT /latest/api/token} is required on every read, as on instances that require IMDSv2.
 */
final class FakeInstanceMetadata implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, String> values = new ConcurrentHashMap<>();
    private final Deque<String> lifecycleStates = new ArrayDeque<>();
    private final Map<String, Boolean> tokens = new ConcurrentHashMap<>();
    private final AtomicInteger readsWithoutToken = new AtomicInteger();

    FakeInstanceMetadata(String instanceId, String region) throws IOException {
        values.put("meta-data/instance-id", instanceId);
        values.put("meta-data/placement/region", region);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/latest/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The answers of {@code autoscaling/target-lifecycle-state}, in order; the last one repeats. */
    synchronized void lifecycleStates(List<String> states) {
        lifecycleStates.clear();
        lifecycleStates.addAll(states);
    }

    int readsWithoutToken() {
        return readsWithoutToken.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring("/latest/".length());
            if (path.equals("api/token")) {
                if (!exchange.getRequestMethod().equals("PUT")
                        || exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds") == null) {
                    respond(exchange, 400, "");
                    return;
                }
                String token = UUID.randomUUID().toString();
                tokens.put(token, true);
                respond(exchange, 200, token);
                return;
            }
            String token = exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
            if (token == null || !tokens.containsKey(token)) {
                readsWithoutToken.incrementAndGet();
                respond(exchange, 401, "");
                return;
            }
            String value = path.equals("meta-data/autoscaling/target-lifecycle-state") ? nextLifecycleState() : values.get(path);
            if (value == null) {
                respond(exchange, 404, "");
            } else {
                respond(exchange, 200, value);
            }
        }
    }

    private synchronized String nextLifecycleState() {
        if (lifecycleStates.isEmpty()) {
            return null;
        }
        return lifecycleStates.size() > 1 ? lifecycleStates.poll() : lifecycleStates.peek();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
