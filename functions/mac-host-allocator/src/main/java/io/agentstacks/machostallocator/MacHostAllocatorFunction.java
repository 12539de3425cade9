package io.agentstacks.machostallocator;

import com.amazonaws.services.lambda.runtime.Context;
import io.agentstacks.lambda.LambdaEntry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The mac-host-allocator Lambda's entry: handler {@code io.agentstacks.machostallocator.MacHostAllocatorFunction::handleRequest}, for
 * provision-stack's and destroy-stack's Mac host tasks ({@code ensureHosts}, {@code detachHosts}). It only builds {@link MacHostAllocatorHandler}, once per runtime, in a lean
 * Micronaut context (no environment deduction, no property sources) from the adapters' port beans.
 */
public final class MacHostAllocatorFunction extends LambdaEntry<MacHostAllocatorHandler> {

    public MacHostAllocatorFunction() {
        super(MacHostAllocatorHandler.class);
    }

    /** Over a handler wired by hand (the plain entry of the cold-start comparison). */
    MacHostAllocatorFunction(MacHostAllocatorHandler handler) {
        super(handler);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context lambdaContext) throws IOException {
        handler().handle(input, output);
    }
}
