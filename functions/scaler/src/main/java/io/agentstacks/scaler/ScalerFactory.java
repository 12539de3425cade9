package io.agentstacks.scaler;

import io.agentstacks.events.EventSink;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.stacks.StackRegistry;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * Lambda wiring: the scaler over the port beans the adapters provide (the registry, Auto Scaling, the
 * event bus). Tests and the simulator build {@link Scaler} from their own ports instead.
 */
@Factory
final class ScalerFactory {

    @Singleton
    Scaler scaler(StackRegistry registry, FleetControl fleet, EventSink events) {
        return new Scaler(registry, fleet, events, Clock.systemUTC(), System.out::println);
    }
}
