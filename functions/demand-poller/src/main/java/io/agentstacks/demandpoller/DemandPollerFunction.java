package io.agentstacks.demandpoller;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micronaut.context.ApplicationContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The demand-poller Lambda's entry: handler {@code io.agentstacks.demandpoller.DemandPollerFunction::handleRequest}.
 * Invoked by the poll-demand state machine with {@code {"scheduledTime": ..., "offsetSeconds": N}} (or by
 * a scheduled rule's event); answers the {@link PollResult} JSON the state machine waits on. Input that
 * is not a poll request fails the invocation with a message naming the field.
 */
public final class DemandPollerFunction implements RequestStreamHandler, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApplicationContext context;
    private final DemandPoller poller;

    public DemandPollerFunction() {
        this(ApplicationContext.builder()
                .deduceEnvironment(false).deduceCloudEnvironment(false).banner(false)
                .environmentPropertySource(false).enableDefaultPropertySources(false)
                .start());
    }

    DemandPollerFunction(ApplicationContext context) {
        this.context = context;
        this.poller = context.getBean(DemandPoller.class);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context lambdaContext) throws IOException {
        JsonNode event = JSON.readTree(input);
        PollResult result = poller.poll(PollRequest.from(event));
        JSON.writeValue(output, result.toJson());
    }

    ApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
    }
}
