package io.agentstacks.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Small helpers of the local module's loopback HTTP servers (JDK HttpServer). */
public final class LocalHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // The JDK server writes headers and body in separate packets; without TCP_NODELAY every keep-alive
        // exchange waits for the peer's delayed ACK (~40 ms). Read once, when the server classes load.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private LocalHttp() {
    }

    /** A server on 127.0.0.1 at a free port, its handlers on daemon threads ({@code threads} at most). */
    public static HttpServer loopbackServer(String threadPrefix, int threads) {
        try {
            return bind(0, threadPrefix, threads);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    /** A server on 127.0.0.1 at {@code port} (0: a free one), its handlers on daemon threads; not started. */
    public static HttpServer bind(int port, String threadPrefix, int threads) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        server.setExecutor(daemonPool(threadPrefix, threads));
        return server;
    }

    /** Stops a server made by {@link #loopbackServer} and its threads. */
    public static void stop(HttpServer server) {
        server.stop(0);
        if (server.getExecutor() instanceof ExecutorService pool) {
            pool.shutdownNow();
        }
    }

    /** An HTTP answer: status, content type, body, extra headers. */
    public record Answer(int status, String contentType, String body, Map<String, String> headers) {
        public Answer(int status, String contentType, String body) {
            this(status, contentType, body, Map.of());
        }
    }

    /** A body larger than allowed. */
    public static final class TooLarge extends IOException {
        TooLarge(int limit) {
            super("the request body is larger than " + limit + " bytes");
        }
    }

    /** Daemon threads, at most {@code size} at once, so that a server never keeps a JVM alive. */
    public static ExecutorService daemonPool(String prefix, int size) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** The request body, at most {@code limit} bytes. */
    public static byte[] body(HttpExchange exchange, int limit) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new TooLarge(limit);
            }
            return bytes;
        }
    }

    public static void send(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", answer.contentType());
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** RFC 9457 problem details, with a status and a detail that never quotes a request body. */
    public static Answer problemAnswer(int status, String detail) {
        ObjectNode p = JSON.createObjectNode();
        p.put("type", "about:blank");
        p.put("title", title(status));
        p.put("status", status);
        p.put("detail", detail);
        return new Answer(status, "application/problem+json", p.toString());
    }

    public static void problem(HttpExchange exchange, int status, String detail) throws IOException {
        send(exchange, problemAnswer(status, detail));
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 413 -> "Content Too Large";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }
}
