package io.agentstacks.aws;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * What a Lambda's environment gives SDK clients: the region ({@code AWS_REGION}) and the function
 * role's credentials ({@code AWS_ACCESS_KEY_ID}...). The same values are taken from the
 * {@code aws.region} / {@code aws.accessKeyId} system properties, so that tests and the cold-start
 * probe can set them without an environment. Reading them directly skips the SDK's default chains
 * (profile files, instance metadata), which a Lambda never needs and which cost cold-start time.
 */
public final class LambdaEnvironment {

    private LambdaEnvironment() {
    }

    public static Region region() {
        String region = System.getenv("AWS_REGION");
        if (region == null || region.isBlank()) {
            region = System.getProperty("aws.region");
        }
        if (region == null || region.isBlank()) {
            throw new IllegalStateException("AWS_REGION is not set: the Lambda runtime sets it; elsewhere set it "
                    + "(or the aws.region system property)");
        }
        return Region.of(region);
    }

    public static AwsCredentialsProvider credentials() {
        return AwsCredentialsProviderChain.of(EnvironmentVariableCredentialsProvider.create(),
                SystemPropertyCredentialsProvider.create());
    }

    /** A required environment variable (or system property of the same name), with an error naming it. */
    public static String required(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            v = System.getProperty(name);
        }
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set");
        }
        return v;
    }
}
