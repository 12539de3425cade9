package io.agentstacks.cli.api;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Stack;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the API is and which region to sign for: the {@code ApiUrl} output of the control plane's CloudFormation
 * stack, and the region of an API Gateway host name. Shared by every command that calls the API.
 */
public final class Endpoints {

    public static final String API_URL_OUTPUT = "ApiUrl";

    /** {@code <api-id>.execute-api.<region>.amazonaws.com}: the region to sign for is in the name. */
    private static final Pattern EXECUTE_API_HOST =
            Pattern.compile("[a-z0-9]+\\.execute-api\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?");

    private Endpoints() {
    }

    /** The region in an API Gateway host name: {@code abc123.execute-api.eu-west-1.amazonaws.com} is eu-west-1. */
    public static Optional<Region> regionOf(String host) {
        Matcher m = EXECUTE_API_HOST.matcher(host.toLowerCase(Locale.ROOT));
        return m.matches() ? Optional.of(Region.of(m.group(1))) : Optional.empty();
    }

    /**
     * The region to sign for: the one given ({@code --region}), else an execute-api endpoint's, else the SDK's region
     * chain ({@code AWS_REGION}, the profile's, the instance's); for an endpoint on this machine
     * ({@code agent-stacks local}, which checks no signature) with none of those, {@link Loopback#LOCAL_REGION}.
     */
    public static Region signingRegion(Optional<String> given, Optional<URI> endpoint) throws ApiException {
        if (given.isPresent() && !given.get().isBlank()) {
            return Region.of(given.get().trim());
        }
        Optional<Region> fromHost = endpoint.map(URI::getHost).flatMap(Endpoints::regionOf);
        if (fromHost.isPresent()) {
            return fromHost.get();
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkException e) {
            if (endpoint.filter(Loopback::is).isPresent()) {
                return Region.of(Loopback.LOCAL_REGION);
            }
            throw new ApiException("no AWS region: pass --region or set AWS_REGION", e);
        }
    }

    public static URI fromControlPlaneStack(String stackName, Region region, AwsCredentialsProvider credentials)
            throws ApiException {
        try (CloudFormationClient cfn = CloudFormationClient.builder()
                .region(region)
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            List<Stack> stacks = cfn.describeStacks(r -> r.stackName(stackName)).stacks();
            String url = stacks.stream().flatMap(s -> s.outputs().stream())
                    .filter(o -> API_URL_OUTPUT.equals(o.outputKey()))
                    .map(Output::outputValue)
                    .findFirst()
                    .orElseThrow(() -> new ApiException("control plane stack " + stackName + " in " + region
                            + " has no " + API_URL_OUTPUT + " output; pass --endpoint"));
            return URI.create(url);
        } catch (CloudFormationException e) {
            if (e.statusCode() == 400 && String.valueOf(e.getMessage()).contains("does not exist")) {
                throw new ApiException("control plane stack " + stackName + " does not exist in " + region
                        + "; deploy it, or pass --control-plane-stack, --region or --endpoint", e);
            }
            throw new ApiException("cannot read the outputs of control plane stack " + stackName + " in " + region + ": "
                    + ApiClient.firstLine(e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage()), e);
        } catch (SdkException e) {
            throw new ApiException("cannot read the outputs of control plane stack " + stackName + " in " + region + ": "
                    + ApiClient.firstLine(e.getMessage()), e);
        } catch (IllegalArgumentException e) {
            throw new ApiException("the " + API_URL_OUTPUT + " output of " + stackName + " is not a URL", e);
        }
    }
}
