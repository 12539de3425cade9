package io.agentstacks.aws;

import io.agentstacks.hosts.HostPool;
import io.agentstacks.stacks.Network;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Beans on EC2: {@link Network} (default VPC and subnets) and {@link HostPool} (Mac dedicated hosts), over one client.
 * The client is built by {@link SdkClients}; the factory is only active when the service's SDK module is in the
 * jar, so a Lambda that leaves the module out never sees these beans. Plain entries (the cold-start
 * comparison) call the same methods by hand.
 */
@Factory
@Requires(classes = Ec2Client.class)
public final class Ec2Factory {

    @Singleton
    public Ec2Client client() {
        return SdkClients.build(Ec2Client.builder());
    }

    @Singleton
    public Network network(Ec2Client ec2) {
        return new Ec2Network(ec2);
    }

    @Singleton
    public HostPool hostPool(Ec2Client ec2) {
        return new Ec2HostPool(ec2);
    }
}
