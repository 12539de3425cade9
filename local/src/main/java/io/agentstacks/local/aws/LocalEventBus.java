package io.agentstacks.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventRoutesFile;
import io.agentstacks.events.EventJson;
import io.agentstacks.local.SimulatedTime;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * EventBridge in the local control plane: events put on a bus are matched against the rules of
 * {@code statemachines/event-rules.json} for that bus, and each matching rule's target receives the event as
 * EventBridge delivers it (the envelope: version, id, detail-type, source, account, time, region, resources,
 * detail), {@link #latency()} of simulated time later, asynchronously (a target's failure is kept by
 * {@link LocalLambdas}, not thrown at the producer).
 *
 * <p>A function target is invoked as Lambda invokes asynchronously: a function error is retried 1 and then 2
 * simulated minutes later, as many times as the target's {@link EventRoutesFile.AsyncInvoke} settings allow (Lambda's
 * defaults when the file gives none) and while the event is younger than their maximum age; an event given up on
 * is kept in {@link #dropped()}, as the on-failure queue would hold it. EventBridge's own delivery retries have
 * nothing to retry here: a local delivery never fails.
 */
public final class LocalEventBus {

    public static final String CONTROL_PLANE_BUS = "control-plane";
    public static final String DEFAULT_BUS = "default";

    /** One delivery made: which rule sent which event to which target, when. */
    public record Delivery(String rule, String detailType, String target, Instant at) {
    }

    private final EventRules rules;
    private final SimulatedTime time;
    private final LocalLambdas lambdas;
    private final BiConsumer<String, JsonNode> stateMachines;
    private final Duration latency;
    private final List<Delivery> deliveries = new ArrayList<>();
    private final List<Dropped> dropped = new ArrayList<>();

    /**
     * An event Lambda gave up on after its last attempt.
     *
     * @param source      the rule or schedule that sent it
     * @param failureQueue whether the deployed control plane keeps it in an on-failure queue (else it is lost)
     */
    public record Dropped(String source, String function, JsonNode event, int attempts, String errorType, Instant at,
                          boolean failureQueue) {
    }

    /** Lambda's delays before its first and second retry of an asynchronous invocation that failed. */
    static final List<Duration> RETRY_DELAYS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(2));

    /**
     * @param stateMachines starts an execution of a state machine target (definition name, input)
     * @param latency       time from the put to the target's invocation (EventBridge typically takes under a second)
     */
    public LocalEventBus(EventRules rules, SimulatedTime time, LocalLambdas lambdas, BiConsumer<String, JsonNode> stateMachines,
                         Duration latency) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.time = Objects.requireNonNull(time, "time");
        this.lambdas = Objects.requireNonNull(lambdas, "lambdas");
        this.stateMachines = Objects.requireNonNull(stateMachines, "stateMachines");
        this.latency = Objects.requireNonNull(latency, "latency");
        for (EventRules.Rule r : rules.rules()) {
            r.target().function().ifPresent(f -> {
                if (!lambdas.exists(f)) {
                    throw new IllegalArgumentException("rule " + r.name() + " targets function " + f
                            + ", which the local control plane does not have");
                }
            });
        }
    }

    public Duration latency() {
        return latency;
    }

    /** A control plane event (what the functions' EventSink puts on the control plane's bus). */
    public void publish(DomainEvent event) {
        put(CONTROL_PLANE_BUS, envelope(event));
    }

    /** PutEvents of one event, as EventBridge receives it, on {@code bus}. */
    public void put(String bus, JsonNode event) {
        for (EventRules.Rule rule : rules.matching(bus, event)) {
            String target = rule.target().toString();
            JsonNode copy = event.deepCopy();
            time.after(latency, "rule " + rule.name() + " delivers " + event.path("detail-type").asText(), () -> {
                synchronized (deliveries) {
                    deliveries.add(new Delivery(rule.name(), event.path("detail-type").asText(), target, time.now()));
                }
                if (rule.target().function().isPresent()) {
                    invokeAsync(rule.name(), rule.target(), copy);
                } else {
                    stateMachines.accept(rule.target().stateMachine().orElseThrow(), copy);
                }
            });
        }
    }

    /**
     * Invokes a function target asynchronously, as Lambda does for EventBridge and Scheduler: a function error is
     * retried as the target's settings say, and an event given up on is kept in {@link #dropped()}.
     *
     * @param source the rule or schedule that sends it
     */
    public void invokeAsync(String source, EventRoutesFile.Target target, JsonNode event) {
        attempt(source, target, event, time.now(), 0);
    }

    private void attempt(String source, EventRoutesFile.Target target, JsonNode event, Instant received, int retriesDone) {
        String function = target.function().orElseThrow();
        try {
            lambdas.invoke(function, event);
        } catch (LocalLambdas.FunctionError e) {
            EventRoutesFile.AsyncInvoke settings = target.asyncInvokeOrDefault();
            if (retriesDone < settings.retryAttempts()) {
                Duration delay = RETRY_DELAYS.get(retriesDone);
                Instant next = time.now().plus(delay);
                if (!next.isAfter(received.plusSeconds(settings.maximumEventAgeSeconds()))) {
                    time.after(delay, "Lambda retries " + function + " for " + source,
                            () -> attempt(source, target, event, received, retriesDone + 1));
                    return;
                }
            }
            synchronized (dropped) {
                dropped.add(new Dropped(source, function, event, retriesDone + 1, e.errorType(), time.now(), settings.failureQueue()));
            }
        }
    }

    /** The events Lambda gave up on, oldest first. */
    public List<Dropped> dropped() {
        synchronized (dropped) {
            return List.copyOf(dropped);
        }
    }

    public List<Delivery> deliveries() {
        synchronized (deliveries) {
            return List.copyOf(deliveries);
        }
    }

    /** The event as EventBridge delivers it to a rule's target: core's one envelope, in this account and region. */
    public static ObjectNode envelope(DomainEvent event) {
        return EventJson.envelope(event, LocalLambdas.ACCOUNT, LocalLambdas.REGION);
    }
}
