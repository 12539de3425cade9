package io.agentstacks.scaler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.agentstacks.aws.AutoScalingFactory;
import io.agentstacks.aws.DynamoDbFactory;
import io.agentstacks.aws.EventBridgeFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The Lambda's entry wired by hand, without Micronaut: the same handler over the same adapters, from the same
 * factory methods the context calls. The plain side of the cold-start comparison (scripts/cold-start.sh); the
 * shaded-jar test runs it too, on the shaded jar, so that it stays the same wiring.
 */
public final class PlainScalerFunction implements RequestStreamHandler {

    private final ScalerFunction entry;

    public PlainScalerFunction() {
        DynamoDbFactory dynamoDb = new DynamoDbFactory();
        AutoScalingFactory autoScaling = new AutoScalingFactory();
        EventBridgeFactory eventBridge = new EventBridgeFactory();
        entry = new ScalerFunction(new ScalerFactory().scaler(dynamoDb.stackRegistry(dynamoDb.client()),
                autoScaling.fleetControl(autoScaling.client()), eventBridge.eventSink(eventBridge.client())));
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        entry.handleRequest(input, output, context);
    }
}
