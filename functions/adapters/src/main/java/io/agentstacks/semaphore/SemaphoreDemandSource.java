package io.agentstacks.semaphore;


import io.agentstacks.demand.DemandSource;
import io.agentstacks.demand.Observation;
import io.agentstacks.demand.SemaphoreMetrics;
import io.agentstacks.token.AgentToken;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Semaphore's {@code GET /api/v1/self_hosted_agents/metrics}, authenticated with the agent type's
 * registration token ({@code Authorization: Token ...}).
 *
 * <p>Every outcome is an {@link Observation}: 200 with a well-formed body is {@code Observed}; 401 and
 * 404 (Semaphore's answers to a wrong token) are {@code TokenRejected}; anything else (timeouts, 5xx,
 * other statuses, malformed JSON, a body over {@link #MAX_BODY_BYTES}) is {@code Unavailable} with a
 * reason. The whole exchange, body included, is bounded by the request timeout, and the body is read
 * only up to the cap. No reason or message ever contains the token.
 *
 * <p>The token travels over HTTPS only, with the JDK's certificate and host name checks, so it reaches nobody but
 * the named host's certificate holder (a DNS name that resolves to a private address gets no token either: the
 * TLS handshake fails first). An {@code http} URL is refused, {@code Unavailable}, before anything is sent; only
 * a source built by {@link #allowingLoopbackHttp} (tests, and stand-ins on this machine) sends to
 * {@code http://127.0.0.1} or {@code http://localhost}. The Lambdas' {@link SemaphoreFactory} never builds one.
 */
public final class SemaphoreDemandSource implements DemandSource {

    public static final String METRICS_PATH = SemaphoreMetrics.PATH;
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    /** The real answer is about 80 bytes; anything this large is not a metrics answer. */
    public static final int MAX_BODY_BYTES = 64 * 1024;


    /** Plain-HTTP hosts an {@link #allowingLoopbackHttp} source may send to: this machine only. */
    static final List<String> LOOPBACK_HOSTS = List.of("127.0.0.1", "localhost");

    private final HttpClient http;
    private final Clock clock;
    private final Duration requestTimeout;
    private final boolean loopbackHttp;

    /** The production source: HTTPS only, {@link #CONNECT_TIMEOUT}, {@link #REQUEST_TIMEOUT}, no redirects. */
    public SemaphoreDemandSource(Clock clock) {
        this(defaultClient(), clock, REQUEST_TIMEOUT);
    }

    /** HTTPS only, over {@code http}. */
    public SemaphoreDemandSource(HttpClient http, Clock clock, Duration requestTimeout) {
        this(http, clock, requestTimeout, false);
    }

    private SemaphoreDemandSource(HttpClient http, Clock clock, Duration requestTimeout, boolean loopbackHttp) {
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.loopbackHttp = loopbackHttp;
    }

    /**
     * A source that also sends to {@code http://127.0.0.1} and {@code http://localhost} (any port): for tests and
     * stand-ins on this machine, whose Semaphore has no certificate. Never for the Lambdas.
     */
    public static SemaphoreDemandSource allowingLoopbackHttp(Clock clock) {
        return allowingLoopbackHttp(defaultClient(), clock, REQUEST_TIMEOUT);
    }

    /** As {@link #allowingLoopbackHttp(Clock)}, over {@code http} with {@code requestTimeout}. */
    public static SemaphoreDemandSource allowingLoopbackHttp(HttpClient http, Clock clock, Duration requestTimeout) {
        return new SemaphoreDemandSource(http, clock, requestTimeout, true);
    }

    private static HttpClient defaultClient() {
        return HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** How long connecting may take (the client's setting). */
    public Optional<Duration> connectTimeout() {
        return http.connectTimeout();
    }

    /** How long one whole exchange, body included, may take. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    @Override
    public Observation observe(String endpointUrl, AgentToken token) {
        Objects.requireNonNull(token, "token");
        URI uri;
        try {
            uri = URI.create(stripTrailingSlash(Objects.requireNonNull(endpointUrl, "endpointUrl")) + METRICS_PATH);
            if (uri.getHost() == null || uri.getScheme() == null
                    || !(uri.getScheme().equalsIgnoreCase("https") || uri.getScheme().equalsIgnoreCase("http"))) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            return new Observation.Unavailable("invalid Semaphore endpoint URL", clock.instant());
        }
        if (uri.getScheme().equalsIgnoreCase("http")
                && !(loopbackHttp && LOOPBACK_HOSTS.contains(uri.getHost().toLowerCase(Locale.ROOT)))) {
            return unavailable("refused: Semaphore's endpoint must be https, the token is never sent in cleartext");
        }
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Authorization", "Token " + token.reveal())
                .header("Accept", "application/json")
                .header("User-Agent", "semaphore-agent-stacks")
                .GET()
                .build();
        BoundedBody body = new BoundedBody(MAX_BODY_BYTES);
        CompletableFuture<HttpResponse<byte[]>> future = http.sendAsync(request, info -> body);
        HttpResponse<byte[]> response;
        try {
            response = future.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return unavailable("timed out after " + requestTimeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return unavailable("interrupted");
        } catch (ExecutionException e) {
            // Cutting the body off may surface as the client's own "stream cancelled" failure: ask the body.
            return unavailable(body.tooLarge() ? "response body over " + MAX_BODY_BYTES + " bytes"
                    : describe(e.getCause(), requestTimeout));
        }
        return SemaphoreMetrics.read(response.statusCode(), response.body(), clock.instant());
    }

    private Observation unavailable(String reason) {
        return new Observation.Unavailable(reason, clock.instant());
    }

    private static String describe(Throwable failure, Duration requestTimeout) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BodyTooLarge) {
                return "response body over " + MAX_BODY_BYTES + " bytes";
            }
            if (t instanceof java.net.http.HttpConnectTimeoutException) {
                return "timed out connecting after " + CONNECT_TIMEOUT.toMillis() + " ms";
            }
            if (t instanceof HttpTimeoutException) {
                return "timed out after " + requestTimeout.toMillis() + " ms";
            }
            if (t instanceof ConnectException) {
                return "connection refused or unreachable";
            }
        }
        Throwable t = failure;
        // Exception messages of the HTTP client name hosts and paths, never headers; keep only the class.
        return "request failed: " + (t == null ? "unknown" : t.getClass().getSimpleName());
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The body exceeded the cap; reading stopped there. */
    static final class BodyTooLarge extends IOException {
        BodyTooLarge() {
            super("response body too large");
        }
    }

    /** Collects a body up to {@code cap} bytes, asking for one chunk at a time, and cancels beyond it. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int cap;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;
        private volatile boolean tooLarge;

        BoundedBody(int cap) {
            this.cap = cap;
        }

        boolean tooLarge() {
            return tooLarge;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                if (bytes.size() + b.remaining() > cap) {
                    tooLarge = true;
                    result.completeExceptionally(new BodyTooLarge());
                    subscription.cancel();
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }
}
