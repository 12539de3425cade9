package io.agentstacks.tokenrotator;

import io.agentstacks.demand.DemandSource;
import io.agentstacks.events.EventSink;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.InMemoryTokenStore;
import io.agentstacks.inmemory.ProgrammableSemaphore;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.token.TokenStore;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * Port beans standing in for the adapters' ones, so that the Lambda's own wiring runs in a test;
 * {@link Primary} so they win over the adapters' beans once those are on the class path.
 */
@Factory
class InMemoryPortsFactory {

    @Singleton
    @Primary
    DemandSource semaphore() {
        return new ProgrammableSemaphore(Clock.systemUTC());
    }

    @Singleton
    @Primary
    TokenStore tokens() {
        return new InMemoryTokenStore();
    }

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
