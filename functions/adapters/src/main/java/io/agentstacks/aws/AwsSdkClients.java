package io.agentstacks.aws;

import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

import java.time.Duration;

/**
 * The SDK clients the scaling Lambdas use: one small HTTP client (url-connection), short timeouts so
 * that one slow call cannot eat a poll interval, and the SDK's standard retry strategy (bounded
 * attempts with jittered backoff, throttling included). Region and credentials come from
 * {@link LambdaEnvironment}; the SDK's own {@code AWS_ENDPOINT_URL} / {@code aws.endpointUrl} setting
 * points clients at a stand-in (cold-start measurement, wiring tests).
 */
public final class AwsSdkClients {

    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(4);
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private AwsSdkClients() {
    }

    public static SdkHttpClient httpClient() {
        return UrlConnectionHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT).socketTimeout(SOCKET_TIMEOUT).build();
    }

    public static ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder()
                .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                .apiCallTimeout(CALL_TIMEOUT)
                .build();
    }
}
