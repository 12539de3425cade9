package io.agentstacks.cli;

import io.agentstacks.cli.api.ApiClient;
import io.agentstacks.cli.api.ApiException;
import io.agentstacks.cli.api.Endpoints;
import io.agentstacks.cli.api.Loopback;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

import java.net.URI;
import java.util.Optional;

/** Where the API is and how to sign for it; shared by apply, get and delete. */
public final class ApiOptions {

    public static final String DEFAULT_CONTROL_PLANE_STACK = "SemaphoreAgentStacks";

    /** {@code <api-id>.execute-api.<region>.amazonaws.com}: the region to sign for is in the name. */
    private static final java.util.regex.Pattern EXECUTE_API_HOST =
            java.util.regex.Pattern.compile("[a-z0-9]+\\.execute-api\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?");

    @Option(names = "--endpoint", paramLabel = "URL",
            description = "The API's base URL. Default: the ApiUrl output of the control plane stack.")
    Optional<URI> endpoint = Optional.empty();

    @Option(names = "--control-plane-stack", paramLabel = "NAME", defaultValue = DEFAULT_CONTROL_PLANE_STACK,
            description = "CloudFormation stack of the control plane, read for its ApiUrl output (default: ${DEFAULT-VALUE}).")
    String controlPlaneStack = DEFAULT_CONTROL_PLANE_STACK;

    @Option(names = "--region", paramLabel = "REGION",
            description = "AWS region of the control plane. Default: the region of an execute-api --endpoint, AWS_REGION,"
                    + " the profile's region, or the instance's (" + Loopback.LOCAL_REGION + " for a 127.0.0.1 --endpoint).")
    Optional<String> region = Optional.empty();

    /** Resolves region, credentials and endpoint; credentials come from the SDK's default provider chain. */
    ApiClient connect() throws ApiException {
        Region resolvedRegion = resolveRegion();
        AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        URI base = endpoint.isPresent()
                ? checked(endpoint.get())
                : Endpoints.fromControlPlaneStack(controlPlaneStack, resolvedRegion, credentials);
        return new ApiClient(base, resolvedRegion, credentials, ApiClient.defaultHttpClient());
    }

    Region resolveRegion() throws ApiException {
        if (region.isPresent()) {
            return Region.of(region.get());
        }
        Optional<Region> fromHost = endpoint.map(URI::getHost).map(EXECUTE_API_HOST::matcher)
                .filter(java.util.regex.Matcher::matches).map(m -> Region.of(m.group(1)));
        if (fromHost.isPresent()) {
            return fromHost.get();
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkException e) {
            if (endpoint.filter(Loopback::is).isPresent()) {
                // agent-stacks local checks no signature: any region will do on a machine without AWS settings.
                return Region.of(Loopback.LOCAL_REGION);
            }
            throw new ApiException("no AWS region: pass --region or set AWS_REGION", e);
        }
    }

    private static URI checked(URI uri) throws ApiException {
        if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http")) || uri.getHost() == null) {
            throw new ApiException("--endpoint must be an http(s) URL such as https://abc123.execute-api.eu-west-1.amazonaws.com/prod/, not " + uri);
        }
        return uri;
    }
}
