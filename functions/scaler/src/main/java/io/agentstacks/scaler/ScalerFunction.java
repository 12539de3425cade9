package io.agentstacks.scaler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micronaut.context.ApplicationContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The scaler Lambda's entry: handler {@code io.agentstacks.scaler.ScalerFunction::handleRequest}, the
 * target of the EventBridge rule on {@code DemandObserved}. Answers the {@link ScalerResult} JSON. A
 * malformed event is answered {@code rejected} rather than failed: a retry would not mend it.
 */
public final class ScalerFunction implements RequestStreamHandler, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApplicationContext context;
    private final Scaler scaler;

    public ScalerFunction() {
        this(ApplicationContext.builder()
                .deduceEnvironment(false).deduceCloudEnvironment(false).banner(false)
                .environmentPropertySource(false).enableDefaultPropertySources(false)
                .start());
    }

    ScalerFunction(ApplicationContext context) {
        this.context = context;
        this.scaler = context.getBean(Scaler.class);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context lambdaContext) throws IOException {
        JSON.writeValue(output, scaler.handle(JSON.readTree(input)).toJson());
    }

    ApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
    }
}
