package io.agentstacks.aws;

import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.StandardRetryStrategy;

import java.time.Duration;

/**
 * The one way the control plane builds an SDK client: region and credentials from the Lambda environment
 * ({@link LambdaEnvironment}), one small HTTP client (url-connection, no Apache or Netty in the jars), short
 * connect and read timeouts, a bound on each attempt and on the whole call, and the SDK's standard retry
 * strategy (exponential backoff with full jitter, a longer base for throttling) limited to
 * {@link #MAX_ATTEMPTS} attempts.
 *
 * <p>The timeouts fit the shortest caller: the demand poller gives a stack {@code 4 s} per poll and API
 * Gateway gives stack-api 29 s per request; no call the Lambdas make takes AWS seconds to answer.
 *
 * <p>The SDK's own {@code AWS_ENDPOINT_URL} (or {@code AWS_ENDPOINT_URL_<SERVICE>}, or the
 * {@code aws.endpointUrl} system property) points every client at a stand-in: that is how the shaded-jar
 * checks and the cold-start measurement run the real factories against a loopback server.
 */
public final class SdkClients {

    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(6);
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    public static final int MAX_ATTEMPTS = 4;

    private SdkClients() {
    }

    /** {@code builder} configured as above and built, e.g. {@code SdkClients.build(DynamoDbClient.builder())}. */
    public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder) {
        return builder.region(LambdaEnvironment.region())
                .credentialsProvider(LambdaEnvironment.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT).socketTimeout(SOCKET_TIMEOUT))
                .overrideConfiguration(overrideConfiguration())
                .build();
    }

    public static StandardRetryStrategy retryStrategy() {
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
