package io.agentstacks.aws;

import io.agentstacks.events.EventSink;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * Beans on EventBridge: the {@link EventSink} that puts on the bus named by {@value #EVENT_BUS_NAME}.
 * The client is built by {@link SdkClients}; the factory is only active when the service's SDK module is in the
 * jar, so a Lambda that leaves the module out never sees these beans. Plain entries (the cold-start
 * comparison) call the same methods by hand.
 */
@Factory
@Requires(classes = EventBridgeClient.class)
public final class EventBridgeFactory {

    public static final String EVENT_BUS_NAME = "EVENT_BUS_NAME";

    @Singleton
    public EventBridgeClient client() {
        return SdkClients.build(EventBridgeClient.builder());
    }

    @Singleton
    public EventSink eventSink(EventBridgeClient eventBridge) {
        return new EventBridgeEventSink(eventBridge, LambdaEnvironment.required(EVENT_BUS_NAME));
    }
}
