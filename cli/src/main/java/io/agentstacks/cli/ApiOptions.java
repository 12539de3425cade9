package io.agentstacks.cli;

import io.agentstacks.cli.api.ApiClient;
import io.agentstacks.cli.api.ApiException;
import io.agentstacks.cli.api.Endpoints;
import io.agentstacks.cli.api.Loopback;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Where the API is and how to sign for it; shared by apply, get and delete. */
public final class ApiOptions {

    public static final String DEFAULT_CONTROL_PLANE_STACK = "SemaphoreAgentStacks";

    @Option(names = "--endpoint", paramLabel = "URL",
            description = "The API's base URL. Default: the ApiUrl output of the control plane stack.")
    Optional<URI> endpoint = Optional.empty();

    @Option(names = "--control-plane-stack", paramLabel = "NAME", defaultValue = DEFAULT_CONTROL_PLANE_STACK,
            description = "CloudFormation stack of the control plane, read for its ApiUrl output (default: ${DEFAULT-VALUE}).")
    String controlPlaneStack = DEFAULT_CONTROL_PLANE_STACK;

    @Option(names = "--region", paramLabel = "REGION",
            description = "AWS region of the control plane. Default: the region of an execute-api --endpoint, AWS_REGION,"
                    + " the profile's region, or the instance's.")
    Optional<String> region = Optional.empty();

    @Option(names = "--local-start-wait", paramLabel = "DURATION", defaultValue = "30s",
            converter = WaitOptions.DurationConverter.class,
            description = "How long a call to this machine waits for agent-stacks local to start listening (default: ${DEFAULT-VALUE}).")
    Duration localStartWait = ApiClient.LOCAL_START_WAIT;

    /**
     * Resolves region, credentials and endpoint; credentials come from the SDK's default provider chain.
     *
     * @param err where to say that a call waits for the local control plane to start
     */
    ApiClient connect(PrintWriter err) throws ApiException {
        Region resolvedRegion = resolveRegion();
        AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        // The stack's ApiUrl output is held to the same rule as --endpoint: https, or plain http to this machine only.
        URI base = checked(endpoint.isPresent()
                ? endpoint.get()
                : Endpoints.fromControlPlaneStack(controlPlaneStack, resolvedRegion, credentials));
        return new ApiClient(base, resolvedRegion, credentials, ApiClient.defaultHttpClient(), line -> {
            err.println(line);
            err.flush();
        }, localStartWait);
    }

    Region resolveRegion() throws ApiException {
        return Endpoints.signingRegion(region, endpoint);
    }

    private static URI checked(URI uri) throws ApiException {
        Optional<String> problem = Loopback.endpointProblem(uri);
        if (problem.isPresent()) {
            throw new ApiException(problem.get());
        }
        return uri;
    }
}
