package io.agentstacks.deployer;

import io.agentstacks.events.EventSink;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryNetwork;
import io.agentstacks.inmemory.InMemoryStackDeployments;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.stacks.Network;
import io.agentstacks.stacks.StackDeployments;
import io.agentstacks.stacks.StackRegistry;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * Port beans standing in for the adapters' ones, so that the Lambda's own wiring runs in a test;
 * {@link Primary} so they win over the adapters' beans on the class path. Only in the
 * {@value #ENVIRONMENT} environment, so that {@link ShadedJarCheck}, which runs with the test classes on its
 * class path, gets the real adapters.
 */
@Factory
@Requires(env = InMemoryPortsFactory.ENVIRONMENT)
class InMemoryPortsFactory {

    static final String ENVIRONMENT = "in-memory-ports";

    @Singleton
    ManualClock clock() {
        return ManualClock.startingAt2030();
    }

    @Singleton
    @Primary
    StackRegistry registry() {
        return new InMemoryStackRegistry();
    }

    @Singleton
    @Primary
    StackDeployments deployments(ManualClock clock) {
        return new InMemoryStackDeployments(clock);
    }

    @Singleton
    @Primary
    Network network() {
        return InMemoryNetwork.typical();
    }

    @Singleton
    @Primary
    FleetControl fleet() {
        return new FakeFleet();
    }

    @Singleton
    @Primary
    EventSink events() {
        return new InMemoryEventSink();
    }
}
