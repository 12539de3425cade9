package io.agentstacks.deployer;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.lambda.LambdaEntry;
import io.agentstacks.spec.SpecJson;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The stack-deployer Lambda's entry: handler {@code io.agentstacks.deployer.StackDeployerFunction::handleRequest}.
 * Builds {@link StackDeployerHandler} once per runtime from a lean Micronaut context over the adapters'
 * port beans (lambda-recipe.md), then hands it each task input, and each {@code EC2 Image Builder Image State Change}
 * event the image roll-out rule delivers (the handler tells them apart by the event's {@code detail-type}). A step
 * that fails throws: the Lambda runtime reports the exception's class and message, which the state machine's
 * Catch passes to markFailed.
 */
public final class StackDeployerFunction extends LambdaEntry<StackDeployerHandler> {

    public StackDeployerFunction() {
        super(StackDeployerHandler.class);
    }

    /** Over a handler wired by hand (the plain entry of the cold-start comparison). */
    StackDeployerFunction(StackDeployerHandler handler) {
        super(handler);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context lambdaContext) throws IOException {
        JsonNode task = SpecJson.MAPPER.readTree(input);
        SpecJson.MAPPER.writeValue(output, handler().handle(task));
    }
}
