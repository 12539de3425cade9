package io.agentstacks.machostallocator;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.micronaut.context.ApplicationContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The mac-host-allocator Lambda's entry: handler {@code io.agentstacks.machostallocator.MacHostAllocatorFunction::handleRequest}, for
 * provision-stack's and destroy-stack's Mac host tasks ({@code ensureHosts}, {@code detachHosts}). It only builds {@link MacHostAllocatorHandler}, once per runtime, in a lean
 * Micronaut context (no environment deduction, no property sources) from the adapters' port beans.
 */
public final class MacHostAllocatorFunction implements RequestStreamHandler, AutoCloseable {

    private final ApplicationContext context;
    private final MacHostAllocatorHandler handler;

    public MacHostAllocatorFunction() {
        this(ApplicationContext.builder()
                .deduceEnvironment(false).deduceCloudEnvironment(false).banner(false)
                .environmentPropertySource(false).enableDefaultPropertySources(false)
                .start());
    }

    MacHostAllocatorFunction(ApplicationContext context) {
        this.context = context;
        this.handler = context.getBean(MacHostAllocatorHandler.class);
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
