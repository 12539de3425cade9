package io.agentstacks.semaphore;

import io.agentstacks.demand.DemandSource;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Clock;

/** The {@link DemandSource} bean: Semaphore's metrics endpoint over java.net.http (the JDK's client, no SDK). */
@Factory
public final class SemaphoreFactory {

    @Singleton
    public DemandSource demandSource() {
        return new SemaphoreDemandSource(Clock.systemUTC());
    }
}
