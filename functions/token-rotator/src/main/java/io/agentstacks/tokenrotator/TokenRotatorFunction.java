package io.agentstacks.tokenrotator;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;

import io.micronaut.context.ApplicationContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The token-rotator Lambda's entry: handler {@code io.agentstacks.tokenrotator.TokenRotatorFunction::handleRequest}.
 *
 * <p>This one function serves {@code PUT /stacks/{name}/token} through its own API Gateway route
 * integration on the control plane's REST API (IAM-authenticated), so that the stack-api Lambda never
 * sees a token and only this function's role may write token parameters; and it runs the daily token
 * check, invoked by an EventBridge Scheduler schedule with the input {@code {"action":"dailyCheck"}}.
 * Both are handled by {@link TokenRotatorHandler}; this class only builds it, once per runtime, from
 * the adapters' port beans.
 */
public final class TokenRotatorFunction implements RequestStreamHandler, AutoCloseable {

    private final ApplicationContext context;
    private final TokenRotatorHandler handler;

    /** The lean context of the Lambda recipe: no environment deduction, no property sources to scan at cold start. */
    public TokenRotatorFunction() {
        this(ApplicationContext.builder()
                .deduceEnvironment(false).deduceCloudEnvironment(false).banner(false)
                .environmentPropertySource(false).enableDefaultPropertySources(false)
                .start());
    }

    TokenRotatorFunction(ApplicationContext context) {
        this.context = context;
        this.handler = context.getBean(TokenRotatorHandler.class);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context lambdaContext) throws IOException {
        handler.handle(input, output);
    }

    ApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
    }
}
