package io.agentstacks.demandpoller;

import io.agentstacks.events.EventSink;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.stacks.StackRegistry;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import jakarta.inject.Singleton;

/** In tests, the registry and the bus are in memory; SSM and Semaphore are the real adapters on loopback. */
@Factory
final class InMemoryPortsFactory {

    @Singleton
    @Primary
    InMemoryStackRegistry registry() {
        return new InMemoryStackRegistry();
    }

    @Singleton
    @Primary
    StackRegistry stackRegistry(InMemoryStackRegistry registry) {
        return registry;
    }

    @Singleton
    @Primary
    InMemoryEventSink eventSink() {
        return new InMemoryEventSink();
    }

    @Singleton
    @Primary
    EventSink sink(InMemoryEventSink sink) {
        return sink;
    }
}
