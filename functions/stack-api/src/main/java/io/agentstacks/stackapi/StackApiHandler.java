package io.agentstacks.stackapi;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.events.EventSink;
import io.agentstacks.lambda.LambdaEntry;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.WorkflowStarter;
import io.micronaut.context.ApplicationContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The stack-api Lambda ({@code io.agentstacks.stackapi.StackApiHandler::handleRequest}): reads the
 * API Gateway REST API proxy event (payload 1.0), answers through {@link StackApi}, and writes the
 * proxy response. Lambda runs the no-argument constructor, which wires the AWS adapters with a lean
 * Micronaut context (see the Lambda recipe); tests and the local control plane hand it the ports.
 */
public final class StackApiHandler implements RequestStreamHandler, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApplicationContext context;
    private final StackApi api;

    /** Lambda's entry: started once per execution environment (and snapshotted by SnapStart). */
    public StackApiHandler() {
        this.context = LambdaEntry.leanContext().start();
        try {
            this.api = context.getBean(StackApi.class);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /** In process, over the given ports; log lines handed to {@code logLines}. */
    public StackApiHandler(StackRegistry registry, WorkflowStarter workflows, EventSink events, FleetControl fleet,
                           Clock clock, Consumer<String> logLines) {
        this.context = null;
        this.api = new StackApi(registry, workflows, events, fleet, clock, logLines);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context lambdaContext) throws IOException {
        ApiResponse response;
        try {
            JsonNode event = JSON.readTree(input);
            response = api.handle(ApiRequest.fromEvent(event));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            response = api.notAnApiGatewayEvent(String.valueOf(e.getMessage()));
        }
        JSON.writeValue(output, response.toEvent());
    }

    /** The Micronaut context of the Lambda wiring, for checks of that wiring. */
    ApplicationContext context() {
        return Objects.requireNonNull(context, "built over ports, no context");
    }

    @Override
    public void close() {
        if (context != null && context.isRunning()) {
            context.close();
        }
    }
}
