package io.agentstacks.aws;

import io.agentstacks.events.EventSink;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * The {@link EventSink} bean for Lambdas: the control plane's bus named by {@code EVENT_BUS_NAME}. Its SDK
 * client is built here for this adapter only and is no bean itself, so that other factories' clients of the
 * same service cannot clash with it; a Lambda whose jar leaves the service's SDK module out never builds it.
 * Region, credentials, timeouts and retries: {@link SdkClientDefaults}.
 */
@Factory
@Requires(classes = EventBridgeClient.class)
public final class EventBridgeEventSinkFactory {

    @Singleton
    public EventSink eventSink() {
        String bus = SdkClientDefaults.required("EVENT_BUS_NAME");
        return new EventBridgeEventSink(client(), bus);
    }

    private static EventBridgeClient client() {
        return EventBridgeClient.builder().region(SdkClientDefaults.region()).credentialsProvider(SdkClientDefaults.credentials())
                .httpClient(SdkClientDefaults.httpClient()).overrideConfiguration(SdkClientDefaults.overrideConfiguration()).build();
    }
}
