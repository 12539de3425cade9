package io.agentstacks.machostallocator;

import io.agentstacks.events.EventSink;
import io.agentstacks.hosts.HostAllocationService;
import io.agentstacks.hosts.HostGroups;
import io.agentstacks.hosts.HostPool;
import io.agentstacks.stacks.Network;
import io.agentstacks.stacks.StackRegistry;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * Lambda wiring: the handler over the port beans the adapters provide (EC2 dedicated hosts, Resource Groups,
 * the DynamoDB registry, the network resolver and the EventBridge bus).
 * Tests and the local control plane build {@link MacHostAllocatorHandler} from their own ports instead.
 */
@Factory
final class MacHostAllocatorFactory {

    @Singleton
    MacHostAllocatorHandler handler(StackRegistry registry, HostPool pool, HostGroups groups, Network network,
                                    EventSink events) {
        return new MacHostAllocatorHandler(
                new HostAllocationService(registry, pool, groups, network, events, Clock.systemUTC()));
    }
}
