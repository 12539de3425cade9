package io.agentstacks.aws;

import io.agentstacks.stacks.StackDeployments;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;

/**
 * Beans on CloudFormation: {@link StackDeployments}, agent stacks as CloudFormation stacks, deployed with the role
 * named by {@value #ROLE_ARN} when it is set (infra sets it: the CDK bootstrap's CloudFormation execution role, whose
 * policy is execution-policy.json; the deployer's own role may only pass it).
 * The client is built by {@link SdkClients}; the factory is only active when the service's SDK module is in the
 * jar, so a Lambda that leaves the module out never sees these beans. Plain entries (the cold-start
 * comparison) call the same methods by hand.
 */
@Factory
@Requires(classes = CloudFormationClient.class)
public final class CloudFormationFactory {

    public static final String ROLE_ARN = "CLOUDFORMATION_ROLE_ARN";

    @Singleton
    public CloudFormationClient client() {
        return SdkClients.build(CloudFormationClient.builder());
    }

    @Singleton
    public StackDeployments stackDeployments(CloudFormationClient cloudFormation) {
        return new CloudFormationStackDeployments(cloudFormation, LambdaEnvironment.optional(ROLE_ARN));
    }
}
