package io.agentstacks.aws;

import io.agentstacks.stacks.Network;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The {@link Network} bean for Lambdas: the default VPC and subnets, from EC2. Its SDK client is built here
 * for this adapter only and is no bean itself, so that other factories' clients of the same service cannot
 * clash with it; a Lambda whose jar leaves the service's SDK module out never builds it. Region, credentials,
 * timeouts and retries: {@link SdkClientDefaults}.
 */
@Factory
@Requires(classes = Ec2Client.class)
public final class Ec2NetworkFactory {

    @Singleton
    public Network network() {
        return new Ec2Network(client());
    }

    private static Ec2Client client() {
        return Ec2Client.builder().region(SdkClientDefaults.region()).credentialsProvider(SdkClientDefaults.credentials())
                .httpClient(SdkClientDefaults.httpClient()).overrideConfiguration(SdkClientDefaults.overrideConfiguration()).build();
    }
}
