package io.agentstacks.stackapi;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.agentstacks.aws.AutoScalingFactory;
import io.agentstacks.aws.DynamoDbFactory;
import io.agentstacks.aws.EventBridgeFactory;
import io.agentstacks.aws.StepFunctionsFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;

/**
 * The Lambda's entry wired by hand, without Micronaut: the same handler over the same adapters, from the same
 * factory methods the context calls. The plain side of the cold-start comparison (scripts/cold-start.sh); the
 * shaded-jar test runs it too, on the shaded jar, so that it stays the same wiring.
 */
public final class PlainStackApiHandler implements RequestStreamHandler {

    private final StackApiHandler entry;

    public PlainStackApiHandler() {
        DynamoDbFactory dynamoDb = new DynamoDbFactory();
        StepFunctionsFactory stepFunctions = new StepFunctionsFactory();
        EventBridgeFactory eventBridge = new EventBridgeFactory();
        AutoScalingFactory autoScaling = new AutoScalingFactory();
        entry = new StackApiHandler(dynamoDb.stackRegistry(dynamoDb.client()), stepFunctions.workflowStarter(stepFunctions.client()),
                eventBridge.eventSink(eventBridge.client()), autoScaling.fleetControl(autoScaling.client()), Clock.systemUTC(),
                System.out::println);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        entry.handleRequest(input, output, context);
    }
}
