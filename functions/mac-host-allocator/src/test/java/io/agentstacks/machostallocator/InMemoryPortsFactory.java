package io.agentstacks.machostallocator;

import io.agentstacks.events.EventSink;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.stacks.Network;
import io.agentstacks.stacks.StackRegistry;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * Port beans standing in for adapters this module does not own (registry, bus, network), so that the Lambda's
 * own wiring runs in a test; {@link Primary} so they win over the adapters' beans once those are on the class
 * path. The dedicated-host beans are the real, SDK-backed ones.
 */
@Factory
class InMemoryPortsFactory {

    @Singleton
    @Primary
    StackRegistry registry() {
        return new InMemoryStackRegistry();
    }

    @Singleton
    @Primary
    EventSink events() {
        return new InMemoryEventSink();
    }

    @Singleton
    @Primary
    Network network() {
        return spec -> new Network.ResolvedNetwork("vpc-0abc", List.of("subnet-1"), List.of("us-east-1a"));
    }
}
