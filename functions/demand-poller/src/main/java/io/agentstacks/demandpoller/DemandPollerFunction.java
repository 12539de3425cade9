package io.agentstacks.demandpoller;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.lambda.LambdaEntry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The demand-poller Lambda's entry: handler {@code io.agentstacks.demandpoller.DemandPollerFunction::handleRequest}.
 * Invoked by the poll-demand state machine with {@code {"scheduledTime": ..., "offsetSeconds": N}} (or by
 * a scheduled rule's event); answers the {@link PollResult} JSON the state machine waits on. Input that
 * is not a poll request fails the invocation with a message naming the field.
 */
public final class DemandPollerFunction extends LambdaEntry<DemandPoller> {

    private static final ObjectMapper JSON = new ObjectMapper();

    public DemandPollerFunction() {
        super(DemandPoller.class);
    }

    /** Over a handler wired by hand (the plain entry of the cold-start comparison). */
    DemandPollerFunction(DemandPoller poller) {
        super(poller);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context lambdaContext) throws IOException {
        JsonNode event = JSON.readTree(input);
        PollResult result = handler().poll(PollRequest.from(event));
        JSON.writeValue(output, result.toJson());
    }
}
