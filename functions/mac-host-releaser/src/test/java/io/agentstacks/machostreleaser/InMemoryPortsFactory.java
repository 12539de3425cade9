package io.agentstacks.machostreleaser;

import io.agentstacks.events.EventSink;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.stacks.StackRegistry;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import jakarta.inject.Singleton;

/**
 * Port beans standing in for adapters this module does not own (registry, bus), so that the Lambda's
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
}
