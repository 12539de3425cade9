package io.agentstacks.machostreleaser;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.micronaut.context.ApplicationContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The mac-host-releaser Lambda's entry: handler {@code io.agentstacks.machostreleaser.MacHostReleaserFunction::handleRequest}, for
 * release-mac-hosts' tasks ({@code releaseEligible}, {@code deleteGroup}) and the scheduled {@code releaseSurplus}. It only builds {@link MacHostReleaserHandler}, once per runtime, in a lean
 * Micronaut context (no environment deduction, no property sources) from the adapters' port beans.
 */
public final class MacHostReleaserFunction implements RequestStreamHandler, AutoCloseable {

    private final ApplicationContext context;
    private final MacHostReleaserHandler handler;

    public MacHostReleaserFunction() {
        this(ApplicationContext.builder()
                .deduceEnvironment(false).deduceCloudEnvironment(false).banner(false)
                .environmentPropertySource(false).enableDefaultPropertySources(false)
                .start());
    }

    MacHostReleaserFunction(ApplicationContext context) {
        this.context = context;
        this.handler = context.getBean(MacHostReleaserHandler.class);
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
