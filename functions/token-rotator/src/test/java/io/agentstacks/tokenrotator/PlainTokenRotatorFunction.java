package io.agentstacks.tokenrotator;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.agentstacks.aws.DynamoDbFactory;
import io.agentstacks.aws.EventBridgeFactory;
import io.agentstacks.aws.SsmFactory;
import io.agentstacks.semaphore.SemaphoreFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The Lambda's entry wired by hand, without Micronaut: the same handler over the same adapters, from the same
 * factory methods the context calls. The plain side of the cold-start comparison (scripts/cold-start.sh); the
 * shaded-jar test runs it too, on the shaded jar, so that it stays the same wiring.
 */
public final class PlainTokenRotatorFunction implements RequestStreamHandler {

    private final TokenRotatorFunction entry;

    public PlainTokenRotatorFunction() {
        DynamoDbFactory dynamoDb = new DynamoDbFactory();
        SsmFactory ssm = new SsmFactory();
        EventBridgeFactory eventBridge = new EventBridgeFactory();
        entry = new TokenRotatorFunction(new TokenRotatorFactory().handler(new SemaphoreFactory().demandSource(),
                ssm.tokenStore(ssm.client()), dynamoDb.stackRegistry(dynamoDb.client()), eventBridge.eventSink(eventBridge.client())));
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        entry.handleRequest(input, output, context);
    }
}
