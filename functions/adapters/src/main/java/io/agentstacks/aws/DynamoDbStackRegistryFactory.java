package io.agentstacks.aws;

import io.agentstacks.stacks.StackRegistry;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The {@link StackRegistry} bean for Lambdas: the registry table named by {@code REGISTRY_TABLE}. Its SDK
 * client is built here for this adapter only and is no bean itself, so that other factories' clients of the
 * same service cannot clash with it; a Lambda whose jar leaves the service's SDK module out never builds it.
 * Region, credentials, timeouts and retries: {@link SdkClientDefaults}.
 */
@Factory
@Requires(classes = DynamoDbClient.class)
public final class DynamoDbStackRegistryFactory {

    @Singleton
    public StackRegistry stackRegistry() {
        String table = SdkClientDefaults.required("REGISTRY_TABLE");
        return new DynamoDbStackRegistry(client(), table);
    }

    private static DynamoDbClient client() {
        return DynamoDbClient.builder().region(SdkClientDefaults.region()).credentialsProvider(SdkClientDefaults.credentials())
                .httpClient(SdkClientDefaults.httpClient()).overrideConfiguration(SdkClientDefaults.overrideConfiguration()).build();
    }
}
