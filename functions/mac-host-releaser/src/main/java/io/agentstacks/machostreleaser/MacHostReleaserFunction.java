package io.agentstacks.machostreleaser;

import com.amazonaws.services.lambda.runtime.Context;
import io.agentstacks.lambda.LambdaEntry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The mac-host-releaser Lambda's entry: handler {@code io.agentstacks.machostreleaser.MacHostReleaserFunction::handleRequest}, for
 * release-mac-hosts' tasks ({@code releaseEligible}, {@code deleteGroup}) and the scheduled {@code releaseSurplus}. It only builds {@link MacHostReleaserHandler}, once per runtime, in a lean
 * Micronaut context (no environment deduction, no property sources) from the adapters' port beans.
 */
public final class MacHostReleaserFunction extends LambdaEntry<MacHostReleaserHandler> {

    public MacHostReleaserFunction() {
        super(MacHostReleaserHandler.class);
    }

    /** Over a handler wired by hand (the plain entry of the cold-start comparison). */
    MacHostReleaserFunction(MacHostReleaserHandler handler) {
        super(handler);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context lambdaContext) throws IOException {
        handler().handle(input, output);
    }
}
