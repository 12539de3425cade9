package io.agentstacks.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback stand-in for API Gateway with IAM authorization: it answers scripted responses and, like
 * API Gateway, recomputes each request's SigV4 signature from what arrived (method, path, query,
 * signed headers, body) with the test credentials; a request whose signature does not match gets 403.
 */
final class SignedApiServer implements AutoCloseable {

    static final String ACCESS_KEY = "AKIDLOOPBACKTEST";
    static final String SECRET_KEY = "loopback-test-secret-not-a-real-key";
    static final String REGION = "eu-west-1";

    static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})");

    /** One request as it arrived, and whether its signature was good. */
    record Received(String method, String path, Optional<String> rawQuery, Map<String, String> headers, byte[] body,
                    Optional<String> signatureProblem) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    record Reply(int status, String contentType, String body) {
        static Reply json(int status, String body) {
            return new Reply(status, "application/json", body);
        }

        static Reply problem(int status, String body) {
            return new Reply(status, "application/problem+json", body);
        }
    }

    private final HttpServer server;
    private final String signingService;
    private final Map<String, Deque<Reply>> replies = new HashMap<>();
    private final List<Received> received = new ArrayList<>();

    SignedApiServer(String signingService) throws IOException {
        this.signingService = signingService;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    /** Scripts the answers to {@code METHOD path}; the last one is repeated. */
    synchronized SignedApiServer on(String method, String path, Reply... answers) {
        replies.computeIfAbsent(method + " " + path, k -> new ArrayDeque<>()).addAll(List.of(answers));
        return this;
    }

    synchronized List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            URI uri = exchange.getRequestURI();
            Optional<String> problem = checkSignature(exchange.getRequestMethod(), uri, headers, body);
            Received r = new Received(exchange.getRequestMethod(), uri.getRawPath(), Optional.ofNullable(uri.getRawQuery()),
                    headers, body, problem);
            Reply reply;
            synchronized (this) {
                received.add(r);
                Deque<Reply> queue = replies.get(r.method() + " " + r.path());
                if (problem.isPresent()) {
                    reply = Reply.json(403, "{\"message\":\"The request signature we calculated does not match\"}");
                } else if (queue == null || queue.isEmpty()) {
                    reply = Reply.json(404, "{\"message\":\"no scripted reply for " + r.method() + " " + r.path() + "\"}");
                } else {
                    reply = queue.size() > 1 ? queue.poll() : queue.peek();
                }
            }
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", reply.contentType());
            exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
            exchange.getResponseBody().write(out);
        }
    }

    private Optional<String> checkSignature(String method, URI uri, Map<String, String> headers, byte[] body) {
        String authorization = headers.get("authorization");
        String amzDate = headers.get("x-amz-date");
        if (authorization == null || amzDate == null) {
            return Optional.of("no Authorization or X-Amz-Date header");
        }
        Matcher m = AUTHORIZATION.matcher(authorization);
        if (!m.matches()) {
            return Optional.of("Authorization is not AWS4-HMAC-SHA256: " + authorization);
        }
        if (!m.group(1).equals(ACCESS_KEY) || !m.group(3).equals(REGION) || !m.group(4).equals(signingService)) {
            return Optional.of("wrong credential scope: " + authorization);
        }
        Instant signedAt = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC)
                .parse(amzDate, Instant::from);
        SdkHttpRequest.Builder request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(method))
                .protocol("http").host("127.0.0.1").port(server.getAddress().getPort())
                .encodedPath(uri.getRawPath());
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                request.appendRawQueryParameter(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        for (String signed : m.group(5).split(";")) {
            if (!signed.equals("host") && !signed.equals("x-amz-date") && headers.containsKey(signed)) {
                request.putHeader(signed, headers.get(signed));
            }
        }
        String expected = AwsV4HttpSigner.create().sign(r -> r
                        .identity(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY))
                        .request(request.build())
                        .payload(ContentStreamProvider.fromByteArray(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, signingService)
                        .putProperty(AwsV4HttpSigner.REGION_NAME, REGION)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)))
                .request().firstMatchingHeader("Authorization").orElse("");
        return expected.equals(authorization) ? Optional.empty()
                : Optional.of("signature mismatch: sent " + authorization + ", expected " + expected);
    }
}
