package io.agentstacks.aws;

import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventJson;
import io.agentstacks.events.EventSink;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The control plane's events on its EventBridge bus, source {@value DomainEvent#SOURCE}, detail-type the
 * event's, detail from {@link EventJson}.
 *
 * <p>PutEvents takes at most {@value #MAX_BATCH} entries and may accept some of them only: the rejected
 * entries (and only those) are put again, after a jittered exponential backoff, up to
 * {@link #DEFAULT_MAX_ATTEMPTS} attempts in all; whatever is still rejected then is reported by an
 * {@link EventPublishException}. Whole-request errors (throttling, 5xx) are the SDK client's retry strategy's.
 */
public final class EventBridgeEventSink implements EventSink {

    public static final int MAX_BATCH = 10;
    public static final int DEFAULT_MAX_ATTEMPTS = 4;

    /** Waits between attempts; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /** Some events could not be put; the message names their detail-types and EventBridge's error codes. */
    public static final class EventPublishException extends RuntimeException {
        public EventPublishException(String message) {
            super(message);
        }

        public EventPublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final EventBridgeClient events;
    private final String busName;
    private final int maxAttempts;
    private final BackoffStrategy backoff;
    private final Sleeper sleeper;

    public EventBridgeEventSink(EventBridgeClient events, String busName) {
        this(events, busName, DEFAULT_MAX_ATTEMPTS,
                BackoffStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofSeconds(2)),
                d -> Thread.sleep(d.toMillis()));
    }

    public EventBridgeEventSink(EventBridgeClient events, String busName, int maxAttempts, BackoffStrategy backoff, Sleeper sleeper) {
        this.events = Objects.requireNonNull(events, "events");
        this.busName = Objects.requireNonNull(busName, "busName");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        this.maxAttempts = maxAttempts;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    @Override
    public void publish(List<? extends DomainEvent> domainEvents) {
        for (int from = 0; from < domainEvents.size(); from += MAX_BATCH) {
            putBatch(domainEvents.subList(from, Math.min(from + MAX_BATCH, domainEvents.size())));
        }
    }

    private void putBatch(List<? extends DomainEvent> batch) {
        List<PutEventsRequestEntry> pending = new ArrayList<>();
        for (DomainEvent e : batch) {
            pending.add(PutEventsRequestEntry.builder().eventBusName(busName).source(DomainEvent.SOURCE)
                    .detailType(e.detailType()).detail(EventJson.detailString(e)).time(e.at()).build());
        }
        List<PutEventsResultEntry> lastFailures = List.of();
        for (int attempt = 1; attempt <= maxAttempts && !pending.isEmpty(); attempt++) {
            if (attempt > 1) {
                pause(backoff.computeDelay(attempt));
            }
            List<PutEventsRequestEntry> sent = pending;
            PutEventsResponse response;
            try {
                response = events.putEvents(b -> b.entries(sent));
            } catch (SdkException e) {
                throw new EventPublishException("EventBridge PutEvents to bus " + busName + " failed for "
                        + describe(sent) + ": " + e.getMessage(), e);
            }
            List<PutEventsRequestEntry> rejected = new ArrayList<>();
            List<PutEventsResultEntry> failures = new ArrayList<>();
            List<PutEventsResultEntry> results = response.entries();
            for (int i = 0; i < sent.size(); i++) {
                PutEventsResultEntry result = i < results.size() ? results.get(i) : null;
                if (result == null || result.errorCode() != null) {
                    rejected.add(sent.get(i));
                    failures.add(result);
                }
            }
            pending = rejected;
            lastFailures = failures;
        }
        if (!pending.isEmpty()) {
            TreeSet<String> codes = new TreeSet<>();
            lastFailures.forEach(f -> codes.add(f == null ? "NoResult" : f.errorCode()));
            throw new EventPublishException("EventBridge PutEvents to bus " + busName + " still rejected "
                    + describe(pending) + " after " + maxAttempts + " attempts: " + String.join(", ", codes));
        }
    }

    private void pause(Duration d) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventPublishException("interrupted while waiting to put events again", e);
        }
    }

    private static String describe(List<PutEventsRequestEntry> entries) {
        TreeSet<String> types = new TreeSet<>();
        entries.forEach(e -> types.add(e.detailType()));
        return entries.size() + " event(s) (" + String.join(", ", types) + ")";
    }
}
