package io.agentstacks.aws;

import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.api.RetryStrategy;

import java.time.Duration;

/**
 * How the control plane's SDK clients call AWS: one small HTTP client (url-connection), short connect and
 * read timeouts, a bound on each attempt and on the whole call, and the SDK's standard retry strategy
 * (exponential backoff with full jitter; a longer base for throttling errors) limited to
 * {@link #MAX_ATTEMPTS} attempts.
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

    public static ClientOverrideConfiguration overrideConfiguration() {
        return ClientOverrideConfiguration.builder()
                .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                .apiCallTimeout(CALL_TIMEOUT)
                .retryStrategy(retryStrategy())
                .build();
    }
}
