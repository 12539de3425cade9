package io.agentstacks.aws;

import io.agentstacks.stacks.StackDeployments;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;

/**
 * The {@link StackDeployments} bean for Lambdas: agent stacks as CloudFormation stacks. Its SDK client is
 * built here for this adapter only and is no bean itself, so that other factories' clients of the same service
 * cannot clash with it; a Lambda whose jar leaves the service's SDK module out never builds it. Region,
 * credentials, timeouts and retries: {@link SdkClientDefaults}. {@code CLOUDFORMATION_ROLE_ARN} (set by infra: the CDK
 * bootstrap's CloudFormation execution role, whose policy is execution-policy.json) is the role CloudFormation
 * deploys agent stacks with; the deployer's own role may only pass it.
 */
@Factory
@Requires(classes = CloudFormationClient.class)
public final class CloudFormationStackDeploymentsFactory {

    public static final String ROLE_ARN = "CLOUDFORMATION_ROLE_ARN";

    @Singleton
    public StackDeployments stackDeployments() {
        return new CloudFormationStackDeployments(client(), SdkClientDefaults.optional(ROLE_ARN));
    }

    private static CloudFormationClient client() {
        return CloudFormationClient.builder().region(SdkClientDefaults.region()).credentialsProvider(SdkClientDefaults.credentials())
                .httpClient(SdkClientDefaults.httpClient()).overrideConfiguration(SdkClientDefaults.overrideConfiguration()).build();
    }
}
