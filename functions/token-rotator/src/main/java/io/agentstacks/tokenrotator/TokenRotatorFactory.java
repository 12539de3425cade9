package io.agentstacks.tokenrotator;

import io.agentstacks.demand.DemandSource;
import io.agentstacks.events.EventSink;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.token.TokenRotation;
import io.agentstacks.token.TokenStore;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * Lambda wiring: the handler over the port beans the adapters provide (Semaphore's metrics endpoint,
 * SSM parameters, the DynamoDB registry, the EventBridge bus). Tests and the local control plane build
 * {@link TokenRotatorHandler} from their own ports instead.
 */
@Factory
final class TokenRotatorFactory {

    @Singleton
    TokenRotatorHandler handler(DemandSource semaphore, TokenStore tokens, StackRegistry registry, EventSink events) {
        Clock clock = Clock.systemUTC();
        return new TokenRotatorHandler(new TokenRotation(semaphore, tokens, registry, events, clock),
                new JsonLog(System.out, clock));
    }
}
