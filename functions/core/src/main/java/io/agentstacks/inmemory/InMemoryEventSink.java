package io.agentstacks.inmemory;

import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventSink;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Keeps every published event in order, and hands each to the subscribers (the bus's rules). */
public final class InMemoryEventSink implements EventSink {

    private final List<DomainEvent> published = new ArrayList<>();
    private final List<Consumer<DomainEvent>> subscribers = new ArrayList<>();

    @Override
    public void publish(List<? extends DomainEvent> events) {
        List<Consumer<DomainEvent>> targets;
        synchronized (this) {
            published.addAll(events);
            targets = List.copyOf(subscribers);
        }
        for (DomainEvent e : events) {
            targets.forEach(t -> t.accept(e));
        }
    }

    public synchronized void subscribe(Consumer<DomainEvent> subscriber) {
        subscribers.add(subscriber);
    }

    public synchronized List<DomainEvent> published() {
        return List.copyOf(published);
    }

    public synchronized <T extends DomainEvent> List<T> published(Class<T> type) {
        return published.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public synchronized void clear() {
        published.clear();
    }
}
