package io.agentstacks.aws;

import io.agentstacks.scaling.FleetControl;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import software.amazon.awssdk.services.autoscaling.AutoScalingClient;

/** The {@link FleetControl} bean: EC2 Auto Scaling. */
@Factory
public final class AutoScalingFleetControlFactory {

    @Singleton
    AutoScalingClient autoScalingClient() {
        return AutoScalingClient.builder()
                .region(LambdaEnvironment.region())
                .credentialsProvider(LambdaEnvironment.credentials())
                .httpClient(AwsSdkClients.httpClient())
                .overrideConfiguration(AwsSdkClients.overrides())
                .build();
    }

    @Singleton
    FleetControl fleetControl(AutoScalingClient autoScaling) {
        return new AutoScalingFleetControl(autoScaling);
    }
}
