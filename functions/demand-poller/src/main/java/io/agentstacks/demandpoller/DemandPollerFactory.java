package io.agentstacks.demandpoller;

import io.agentstacks.demand.DemandSource;
import io.agentstacks.events.EventSink;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.token.TokenStore;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * Lambda wiring: the poller over the port beans the adapters provide (the registry, SSM parameters,
 * Semaphore's metrics endpoint, the event bus). Tests and the simulator build {@link DemandPoller}
 * from their own ports instead.
 */
@Factory
final class DemandPollerFactory {

    @Singleton
    DemandPoller demandPoller(StackRegistry registry, TokenStore tokens, DemandSource semaphore, EventSink events) {
        return new DemandPoller(registry, tokens, semaphore, events, Clock.systemUTC(), System.out::println,
                DemandPoller.Settings.defaults());
    }
}
