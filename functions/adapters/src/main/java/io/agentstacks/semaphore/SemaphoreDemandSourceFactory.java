package io.agentstacks.semaphore;

import io.agentstacks.demand.DemandSource;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Clock;

/** The {@link DemandSource} bean: Semaphore's metrics endpoint over java.net.http. */
@Factory
public final class SemaphoreDemandSourceFactory {

    @Singleton
    DemandSource demandSource() {
        return new SemaphoreDemandSource(Clock.systemUTC());
    }
}
