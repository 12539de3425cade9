package io.agentstacks.aws;

import io.agentstacks.scaling.FleetControl;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;

/**
 * Beans on EC2 Auto Scaling: {@link FleetControl}.
 * The client is built by {@link SdkClients}; the factory is only active when the service's SDK module is in the
 * jar, so a Lambda that leaves the module out never sees these beans. Plain entries (the cold-start
 * comparison) call the same methods by hand.
 */
@Factory
@Requires(classes = AutoScalingClient.class)
public final class AutoScalingFactory {

    @Singleton
    public AutoScalingClient client() {
        return SdkClients.build(AutoScalingClient.builder());
    }

    @Singleton
    public FleetControl fleetControl(AutoScalingClient autoScaling) {
        return new AutoScalingFleetControl(autoScaling);
    }
}
