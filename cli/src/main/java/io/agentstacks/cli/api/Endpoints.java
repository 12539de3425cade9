package io.agentstacks.cli.api;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Stack;

import java.net.URI;
import java.util.List;

/** Finds the API's URL: the {@code ApiUrl} output of the control plane's CloudFormation stack. */
public final class Endpoints {

    public static final String API_URL_OUTPUT = "ApiUrl";

    private Endpoints() {
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
