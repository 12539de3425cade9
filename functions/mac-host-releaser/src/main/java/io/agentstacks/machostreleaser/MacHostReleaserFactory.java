package io.agentstacks.machostreleaser;

import io.agentstacks.events.EventSink;
import io.agentstacks.hosts.HostGroups;
import io.agentstacks.hosts.HostReleaseService;
import io.agentstacks.hosts.HostPool;
import io.agentstacks.stacks.StackRegistry;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * Lambda wiring: the handler over the port beans the adapters provide (EC2 dedicated hosts, Resource Groups,
 * the DynamoDB registry and the EventBridge bus).
 * Tests and the local control plane build {@link MacHostReleaserHandler} from their own ports instead.
 */
@Factory
final class MacHostReleaserFactory {

    @Singleton
    MacHostReleaserHandler handler(StackRegistry registry, HostPool pool, HostGroups groups, EventSink events) {
        return new MacHostReleaserHandler(new HostReleaseService(registry, pool, groups, events, Clock.systemUTC()));
    }
}
