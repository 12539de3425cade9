package io.agentstacks.aws;

import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The SDK clients the scaling Lambdas use: one small HTTP client (url-connection), short timeouts so
 * that one slow call cannot eat a poll interval, and the SDK's standard retry strategy (bounded
 * attempts with jittered backoff, throttling included). Region and credentials come from the Lambda
 * environment; {@code endpoint} points a client at a stand-in (cold-start measurement, local runs).
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

    public static AutoScalingClient autoScaling(SdkHttpClient http, Optional<URI> endpoint) {
        var b = AutoScalingClient.builder().httpClient(http).overrideConfiguration(overrides());
        endpoint.ifPresent(b::endpointOverride);
        return b.build();
    }

    public static SsmClient ssm(SdkHttpClient http, Optional<URI> endpoint) {
        var b = SsmClient.builder().httpClient(http).overrideConfiguration(overrides());
        endpoint.ifPresent(b::endpointOverride);
        return b.build();
    }
}
