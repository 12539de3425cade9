package io.agentstacks.cli.api;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The control plane's {@code /stacks} API, called over java.net.http with every request signed by the
 * AWS SDK's SigV4 signer for service {@code execute-api} (the API uses IAM authorization).
 */
public final class ApiClient {

    public static final String SIGNING_SERVICE = "execute-api";

    /** Headers java.net.http sets itself and refuses from callers; the signer's Host matches the URI's. */
    private static final Set<String> SET_BY_HTTP_CLIENT = Set.of("host", "content-length", "connection", "expect", "upgrade");

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /**
     * How long a request to this machine waits for {@code agent-stacks local} to start listening: it needs a few
     * seconds (JVM, then Node validating every state machine), and the README starts it in the background and calls
     * it on the next line.
     */
    public static final Duration LOCAL_START_WAIT = Duration.ofSeconds(30);

    private static final BackoffStrategy LOCAL_START_BACKOFF =
            BackoffStrategy.exponentialDelayHalfJitter(Duration.ofMillis(100), Duration.ofSeconds(1));

    private final URI base;
    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final HttpClient http;
    private final Consumer<String> notices;
    private final Duration localStartWait;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private boolean toldWaiting;

    /**
     * @param base the API's base URL, e.g. the {@code ApiUrl} output {@code https://x.execute-api.eu-west-1.amazonaws.com/prod/}
     */
    public ApiClient(URI base, Region region, AwsCredentialsProvider credentials, HttpClient http) {
        this(base, region, credentials, http, System.err::println, LOCAL_START_WAIT);
    }

    /**
     * @param notices where to say, once, that a request waits for the local control plane to start (standard error)
     * @param localStartWait how long a request to this machine retries a refused connection
     * @throws IllegalArgumentException for a URL that is not https, or plain http to another machine
     */
    public ApiClient(URI base, Region region, AwsCredentialsProvider credentials, HttpClient http,
                     Consumer<String> notices, Duration localStartWait) {
        Objects.requireNonNull(base, "base");
        Loopback.endpointProblem(base).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        this.base = base.getPath() == null || base.getPath().endsWith("/") ? base : URI.create(base + "/");
        this.region = Objects.requireNonNull(region, "region");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.http = Objects.requireNonNull(http, "http");
        this.notices = Objects.requireNonNull(notices, "notices");
        this.localStartWait = Objects.requireNonNull(localStartWait, "localStartWait");
    }

    public static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public URI base() {
        return base;
    }

    /** {@code POST /stacks} with the spec file's bytes as they are (a new spec or the older tool's configuration). */
    public ApiResponse apply(byte[] spec, Optional<Long> ifMatchVersion) throws ApiException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        ifMatchVersion.ifPresent(v -> headers.put("If-Match", "\"" + v + "\""));
        return send(SdkHttpMethod.POST, List.of("stacks"), Map.of(), headers, spec);
    }

    public ApiResponse get(String name) throws ApiException {
        return send(SdkHttpMethod.GET, List.of("stacks", name), Map.of(), Map.of(), null);
    }

    public ApiResponse list(Optional<String> pageToken, int limit) throws ApiException {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("limit", Integer.toString(limit));
        pageToken.ifPresent(t -> query.put("pageToken", t));
        return send(SdkHttpMethod.GET, List.of("stacks"), query, Map.of(), null);
    }

    public ApiResponse delete(String name) throws ApiException {
        return send(SdkHttpMethod.DELETE, List.of("stacks", name), Map.of(), Map.of(), null);
    }

    /**
     * {@code PUT /stacks/{name}/token} with {@code {"token": ...}}. The body is signed and sent as it is, not copied:
     * the caller clears it afterwards.
     */
    public ApiResponse putToken(String name, byte[] tokenBody) throws ApiException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Accept", "application/json, application/problem+json");
        return send(SdkHttpMethod.PUT, List.of("stacks", name, "token"), Map.of(), headers, tokenBody);
    }

    private ApiResponse send(SdkHttpMethod method, List<String> segments, Map<String, String> query,
                             Map<String, String> headers, byte[] body) throws ApiException {
        SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder()
                .method(method)
                .protocol(base.getScheme())
                .host(base.getHost())
                .port(base.getPort())
                .encodedPath(base.getRawPath() + String.join("/", segments.stream().map(ApiClient::encodeSegment).toList()));
        query.forEach(unsigned::putRawQueryParameter);
        headers.forEach(unsigned::putHeader);
        SdkHttpRequest request;
        Optional<AwsCredentialsIdentity> identity = identity();
        if (identity.isEmpty()) {
            // No credentials anywhere, and the endpoint is this machine (checked by identity()): unsigned.
            request = unsigned.build();
        } else {
            SignedRequest signed = signer.sign(r -> {
                r.identity(identity.get())
                        .request(unsigned.build())
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SIGNING_SERVICE)
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region.id());
                if (body != null) {
                    r.payload(ContentStreamProvider.fromByteArrayUnsafe(body));
                }
            });
            request = signed.request();
        }

        URI uri = request.getUri();
        HttpRequest.Builder http = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .method(method.name(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        request.forEachHeader((name, values) -> {
            if (!SET_BY_HTTP_CLIENT.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(v -> http.header(name, v));
            }
        });
        try {
            HttpResponse<String> response = sendWaitingForLocalStart(http.build());
            return new ApiResponse(response.statusCode(), response.headers().firstValue("Content-Type"), response.body());
        } catch (HttpTimeoutException e) {
            throw new ApiException(method + " " + uri + " timed out", e);
        } catch (IOException e) {
            throw new ApiException("cannot reach " + uri + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(method + " " + uri + " was interrupted", e);
        }
    }

    /**
     * Sends the request; to this machine, a refused connection is retried for up to {@link #localStartWait}, since
     * {@code agent-stacks local} may still be starting. Nothing was sent when a connection is refused, so even a
     * POST is safe to retry. A refused connection elsewhere fails at once: no local server is coming.
     */
    private HttpResponse<String> sendWaitingForLocalStart(HttpRequest request) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + localStartWait.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (ConnectException e) {
                Duration delay = LOCAL_START_BACKOFF.computeDelay(attempt);
                if (!Loopback.is(base) || System.nanoTime() + delay.toNanos() > deadline) {
                    throw e;
                }
                if (!toldWaiting) {
                    toldWaiting = true;
                    notices.accept("agent-stacks: waiting for the local control plane at " + base
                            + " to start (agent-stacks local)…");
                }
                Thread.sleep(delay.toMillis());
            }
        }
    }

    /**
     * The credentials to sign with: the chain's; none (empty) only when the chain finds none and the endpoint is
     * this machine ({@code agent-stacks local}); otherwise the missing credentials are the caller's error.
     */
    private Optional<AwsCredentialsIdentity> identity() throws ApiException {
        try {
            return Optional.of(credentials.resolveCredentials());
        } catch (SdkException e) {
            if (Loopback.is(base)) {
                return Optional.empty();
            }
            String message = String.valueOf(e.getMessage());
            // The chain's own message lists every provider it tried on one very long line.
            String why = message.startsWith("Unable to load credentials from any of the providers")
                    ? "none found in the environment, the AWS profile, the container or the instance"
                    : abbreviate(firstLine(message), 200);
            throw new ApiException("no usable AWS credentials (" + why + "); set AWS_PROFILE, or AWS_ACCESS_KEY_ID"
                    + " and AWS_SECRET_ACCESS_KEY", e);
        }
    }

    /** RFC 3986 percent-encoding of one path segment (stack names are plain, but a typo must not change the path). */
    static String encodeSegment(String segment) {
        StringBuilder out = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            Throwable cause = e.getCause();
            message = cause != null && cause.getMessage() != null ? cause.getMessage() : e.getClass().getSimpleName();
        }
        return firstLine(message);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** The first line of a message, for one-line errors. */
    public static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
