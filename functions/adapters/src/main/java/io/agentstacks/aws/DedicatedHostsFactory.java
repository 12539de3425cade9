package io.agentstacks.aws;

import io.agentstacks.hosts.HostGroups;
import io.agentstacks.hosts.HostPool;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.resourcegroups.ResourceGroupsClient;

import java.time.Duration;
import java.util.Map;

/**
 * Beans of the dedicated-host family: {@link HostPool} on EC2 and {@link HostGroups} on Resource Groups, for the
 * mac-host-allocator and mac-host-releaser Lambdas. Their SDK clients are built here and not exposed as beans, so
 * that other factories' clients of the same services cannot clash with them.
 *
 * <p>Configuration: {@code AWS_REGION} (set by Lambda); credentials from the environment Lambda provides. The
 * SDK's own {@code AWS_ENDPOINT_URL_EC2} / {@code AWS_ENDPOINT_URL_RESOURCE_GROUPS} point the clients at a
 * stand-in. Calls have connect, socket, attempt and call timeouts and the SDK's standard retry strategy
 * (bounded attempts, jittered backoff, throttling included).
 */
@Factory
final class DedicatedHostsFactory {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(10);
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(15);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(45);
    static final int MAX_ATTEMPTS = 5;

    private final Map<String, String> environment;

    @Inject
    DedicatedHostsFactory() {
        this(System.getenv());
    }

    DedicatedHostsFactory(Map<String, String> environment) {
        this.environment = environment;
    }

    @Singleton
    HostPool hostPool() {
        return new Ec2HostPool(Ec2Client.builder()
                .httpClient(httpClient())
                .region(region())
                .credentialsProvider(EnvironmentVariableCredentialsProvider.create())
                .overrideConfiguration(overrides())
                .build());
    }

    @Singleton
    HostGroups hostGroups() {
        return new ResourceGroupsHostGroups(ResourceGroupsClient.builder()
                .httpClient(httpClient())
                .region(region())
                .credentialsProvider(EnvironmentVariableCredentialsProvider.create())
                .overrideConfiguration(overrides())
                .build());
    }

    Region region() {
        String region = environment.get("AWS_REGION");
        if (region == null || region.isBlank()) {
            throw new IllegalStateException("AWS_REGION is not set: the dedicated-host clients need the region they run in");
        }
        return Region.of(region);
    }

    private static SdkHttpClient httpClient() {
        return UrlConnectionHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT).socketTimeout(SOCKET_TIMEOUT).build();
    }

    private static ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder()
                .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                .apiCallTimeout(CALL_TIMEOUT)
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(MAX_ATTEMPTS).build())
                .build();
    }
}
