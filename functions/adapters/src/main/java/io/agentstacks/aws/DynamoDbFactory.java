package io.agentstacks.aws;

import io.agentstacks.stacks.StackRegistry;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Beans on DynamoDB: the {@link StackRegistry} in the table named by {@value #REGISTRY_TABLE}.
 * The client is built by {@link SdkClients}; the factory is only active when the service's SDK module is in the
 * jar, so a Lambda that leaves the module out never sees these beans. Plain entries (the cold-start
 * comparison) call the same methods by hand.
 */
@Factory
@Requires(classes = DynamoDbClient.class)
public final class DynamoDbFactory {

    public static final String REGISTRY_TABLE = "REGISTRY_TABLE";

    @Singleton
    public DynamoDbClient client() {
        return SdkClients.build(DynamoDbClient.builder());
    }

    @Singleton
    public StackRegistry stackRegistry(DynamoDbClient dynamoDb) {
        return new DynamoDbStackRegistry(dynamoDb, LambdaEnvironment.required(REGISTRY_TABLE));
    }
}
