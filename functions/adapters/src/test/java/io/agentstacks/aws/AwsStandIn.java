package io.agentstacks.aws;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;

import java.net.URI;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * A loopback WireMock server standing in for an AWS endpoint, and SDK clients pointed at it: static fake
 * credentials, us-east-1, the url-connection client, and the production retry strategy ({@link SdkClients})
 * with its waits and its circuit breaker taken out, so that a throttled call is retried at once instead of the
 * test sleeping, and every test sees all {@link #MAX_ATTEMPTS} attempts.
 */
final class AwsStandIn {

    static final int MAX_ATTEMPTS = SdkClients.MAX_ATTEMPTS;

    private AwsStandIn() {
    }

    static WireMockExtension server() {
        return WireMockExtension.newInstance()
                .options(wireMockConfig().bindAddress("127.0.0.1").dynamicPort())
                .build();
    }

    static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C client(B builder, WireMockExtension server) {
        return client(builder, server.baseUrl());
    }

    static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C client(B builder, String baseUrl) {
        return builder.endpointOverride(URI.create(baseUrl))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "fake-secret-for-tests")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(SdkClients.retryStrategy().toBuilder()
                        .backoffStrategy(BackoffStrategy.retryImmediately())
                        .throttlingBackoffStrategy(BackoffStrategy.retryImmediately())
                        .circuitBreakerEnabled(false)
                        .build()))
                .build();
    }
}
