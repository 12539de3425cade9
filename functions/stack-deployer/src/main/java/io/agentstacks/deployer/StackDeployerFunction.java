package io.agentstacks.deployer;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.spec.SpecJson;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.ApplicationContextBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The stack-deployer Lambda's entry: handler {@code io.agentstacks.deployer.StackDeployerFunction::handleRequest}.
 * Builds {@link StackDeployerHandler} once per runtime from a lean Micronaut context over the adapters'
 * port beans (lambda-recipe.md), then hands it each task input. A step that fails throws: the Lambda
 * runtime reports the exception's class and message, which the state machine's Catch passes to markFailed.
 */
public final class StackDeployerFunction implements RequestStreamHandler, AutoCloseable {

    private final ApplicationContext context;
    private final StackDeployerHandler handler;

    public StackDeployerFunction() {
        this(contextBuilder().start());
    }

    /** The lean context of lambda-recipe.md: no environment deduction, no property sources, no banner. */
    static ApplicationContextBuilder contextBuilder() {
        return ApplicationContext.builder()
                .deduceEnvironment(false).deduceCloudEnvironment(false).banner(false)
                .environmentPropertySource(false).enableDefaultPropertySources(false);
    }

    StackDeployerFunction(ApplicationContext context) {
        this.context = context;
        this.handler = context.getBean(StackDeployerHandler.class);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context lambdaContext) throws IOException {
        JsonNode task = SpecJson.MAPPER.readTree(input);
        SpecJson.MAPPER.writeValue(output, handler.handle(task));
    }

    ApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
    }
}
