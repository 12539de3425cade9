package io.agentstacks.events;

import java.util.List;

/** Port: the control plane's event bus. Puts every event or throws; partial failures are retried inside. */
public interface EventSink {

    void publish(List<? extends DomainEvent> events);

    default void publish(DomainEvent event) {
        publish(List.of(event));
    }
}
