package io.agentstacks.local.semaphore;

import io.agentstacks.demand.DemandSource;
import io.agentstacks.demand.Observation;
import io.agentstacks.demand.SemaphoreMetrics;
import io.agentstacks.token.AgentToken;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The poller's and the token-rotator's {@link DemandSource} in the local control plane: Semaphore's metrics
 * route over loopback HTTP, against the {@link FakeSemaphoreServer}. The request is the real one
 * ({@code GET /api/v1/self_hosted_agents/metrics}, {@code Authorization: Token ...}); it goes to the fake server
 * instead of the organization's host, which it names in {@code X-Forwarded-Host} so that a token of another
 * organization is refused as Semaphore would.
 *
 * <p>The answer is read by the production adapter's own reading, core's {@link SemaphoreMetrics}: 200 with the
 * metrics body is {@code Observed}; 401 and 404 are {@code TokenRejected}; anything else (503 during an outage,
 * malformed bodies) is {@code Unavailable}, as are timeouts. Why over HTTP rather than in-process: the token then travels as it does in production,
 * a refused token is a real 401 and an outage a real 503, so the poller and rotator are exercised on
 * Semaphore's wire format. (The {@code local} module does not depend on the adapters, whose
 * {@code SemaphoreDemandSource} cannot be pointed at a loopback host for every organization.)
 */
public final class LoopbackDemandSource implements DemandSource {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final URI metrics;
    private final Clock clock;
    private final HttpClient http;

    public LoopbackDemandSource(URI fakeSemaphore, Clock clock) {
        this.metrics = fakeSemaphore.resolve(FakeSemaphoreServer.METRICS_PATH);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public Observation observe(String endpointUrl, AgentToken token) {
        Objects.requireNonNull(token, "token");
        String host;
        try {
            host = URI.create(Objects.requireNonNull(endpointUrl, "endpointUrl")).getHost();
        } catch (IllegalArgumentException e) {
            host = null;
        }
        if (host == null) {
            return unavailable("invalid Semaphore endpoint URL");
        }
        HttpRequest request = HttpRequest.newBuilder(metrics).timeout(TIMEOUT)
                .header("Authorization", "Token " + token.reveal())
                .header("Accept", "application/json")
                .header("X-Forwarded-Host", host)
                .GET().build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            return unavailable("timed out after " + TIMEOUT.toMillis() + " ms");
        } catch (IOException e) {
            return unavailable("request failed: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("interrupted");
        }
        return SemaphoreMetrics.read(response.statusCode(), response.body(), clock.instant());
    }

    private Observation unavailable(String reason) {
        return new Observation.Unavailable(reason, clock.instant());
    }
}
