package io.agentstacks.machostallocator;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.agentstacks.aws.DynamoDbFactory;
import io.agentstacks.aws.Ec2Factory;
import io.agentstacks.aws.EventBridgeFactory;
import io.agentstacks.aws.ResourceGroupsFactory;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The Lambda's entry wired by hand, without Micronaut: the same handler over the same adapters, from the same
 * factory methods the context calls. The plain side of the cold-start comparison (scripts/cold-start.sh); the
 * shaded-jar test runs it too, on the shaded jar, so that it stays the same wiring.
 */
public final class PlainMacHostAllocatorFunction implements RequestStreamHandler {

    private final MacHostAllocatorFunction entry;

    public PlainMacHostAllocatorFunction() {
        DynamoDbFactory dynamoDb = new DynamoDbFactory();
        Ec2Factory ec2 = new Ec2Factory();
        Ec2Client ec2Client = ec2.client();
        ResourceGroupsFactory resourceGroups = new ResourceGroupsFactory();
        EventBridgeFactory eventBridge = new EventBridgeFactory();
        entry = new MacHostAllocatorFunction(new MacHostAllocatorFactory().handler(dynamoDb.stackRegistry(dynamoDb.client()),
                ec2.hostPool(ec2Client), resourceGroups.hostGroups(resourceGroups.client()), ec2.network(ec2Client),
                eventBridge.eventSink(eventBridge.client())));
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        entry.handleRequest(input, output, context);
    }
}
