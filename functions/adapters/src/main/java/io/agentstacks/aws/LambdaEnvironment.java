package io.agentstacks.aws;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.regions.Region;

import java.util.Optional;

/**
 * The one way the Lambdas read their settings: environment variables, each also accepted as a system
 * property of the same name (so that an in-process test can set it), with an error that names the variable.
 *
 * <p>What Lambda itself gives SDK clients is read directly too: the region ({@code AWS_REGION}) and the
 * function role's credentials ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
 * {@code AWS_SESSION_TOKEN}; or the SDK's {@code aws.region} / {@code aws.accessKeyId} system properties).
 * That skips the SDK's default chains (profile files, instance metadata), which a Lambda never needs and
 * which cost cold-start time.
 */
public final class LambdaEnvironment {

    public static final String AWS_REGION = "AWS_REGION";

    private LambdaEnvironment() {
    }

    /** A setting the caller cannot do without. */
    public static String required(String name) {
        return optional(name).orElseThrow(() -> new IllegalStateException(name + " is not set"));
    }

    public static Optional<String> optional(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            v = System.getProperty(name);
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public static Region region() {
        return Region.of(optional(AWS_REGION).or(() -> optional("aws.region")).orElseThrow(() -> new IllegalStateException(
                AWS_REGION + " is not set: the Lambda runtime sets it; elsewhere set it (or the aws.region system property)")));
    }

    public static AwsCredentialsProvider credentials() {
        return AwsCredentialsProviderChain.builder()
                .credentialsProviders(EnvironmentVariableCredentialsProvider.create(), ContainerCredentialsProvider.create(),
                        SystemPropertyCredentialsProvider.create())
                .reuseLastProviderEnabled(true)
                .build();
    }
}
