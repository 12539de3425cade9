package io.agentstacks.aws;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;

import java.time.Duration;
import java.util.Optional;

/**
 * How the control plane's SDK clients call AWS: one small HTTP client (url-connection), short connect and
 * read timeouts, a bound on each attempt and on the whole call, and the SDK's standard retry strategy
 * (exponential backoff with full jitter; a longer base for throttling errors) limited to
 * {@link #MAX_ATTEMPTS} attempts.
 *
 * <p>Region and credentials are what a Lambda's environment gives ({@code AWS_REGION}, the role's
 * {@code AWS_ACCESS_KEY_ID}...), read directly instead of through the SDK's default chains (profile files,
 * instance metadata), which a Lambda never needs. Each setting may also be given as a system property of
 * the same name ({@code aws.region}, {@code aws.accessKeyId} for the SDK's), and the SDK's own
 * {@code AWS_ENDPOINT_URL} / {@code aws.endpointUrl} points clients at a stand-in: that is how wiring
 * tests run the real factories against a loopback server.
 */
public final class SdkClientDefaults {

    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    public static final int MAX_ATTEMPTS = 5;

    private SdkClientDefaults() {
    }

    public static SdkHttpClient httpClient() {
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(CONNECT_TIMEOUT)
                .socketTimeout(SOCKET_TIMEOUT)
                .build();
    }

    public static RetryStrategy retryStrategy() {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(MAX_ATTEMPTS).build();
    }

    public static Region region() {
        return Region.of(optional("AWS_REGION").or(() -> Optional.ofNullable(System.getProperty("aws.region")))
                .filter(v -> !v.isBlank())
                .orElseThrow(() -> new IllegalStateException("AWS_REGION is not set: the Lambda runtime sets it; "
                        + "elsewhere set it, or the aws.region system property")));
    }

    public static AwsCredentialsProvider credentials() {
        return AwsCredentialsProviderChain.of(EnvironmentVariableCredentialsProvider.create(),
                SystemPropertyCredentialsProvider.create());
    }

    /** A setting from the environment (or the system property of the same name); the error names it. */
    public static String required(String name) {
        return optional(name).orElseThrow(() -> new IllegalStateException(name + " is not set"));
    }

    public static Optional<String> optional(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            v = System.getProperty(name);
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    public static ClientOverrideConfiguration overrideConfiguration() {
        return ClientOverrideConfiguration.builder()
                .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                .apiCallTimeout(CALL_TIMEOUT)
                .retryStrategy(retryStrategy())
                .build();
    }
}
