package io.agentstacks.scaler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.agentstacks.demand.Demand;
import io.agentstacks.demand.Observation;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventJson;
import io.agentstacks.events.EventSink;
import io.agentstacks.metrics.EmbeddedMetrics;
import io.agentstacks.metrics.EmbeddedMetrics.Metric;
import io.agentstacks.scaling.Decision;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.scaling.FleetControlException;
import io.agentstacks.scaling.GroupState;
import io.agentstacks.scaling.ScalingMemory;
import io.agentstacks.scaling.ScalingPolicy;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.stacks.DecisionSnapshot;
import io.agentstacks.stacks.DecisionSnapshot.GroupSizes;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackRegistry.Claim;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The scaler's work, over ports: for one {@code DemandObserved} event, reads the stack's record and its
 * group, applies {@link ScalingPolicy}, and sets the group's desired capacity when the answer differs.
 *
 * <p>Idempotent: the decision is claimed ({@link StackRegistry#claimDecision}, one narrow write conditioned on the
 * observation's time) before Auto Scaling is called; an event whose observation is not newer than the claimed one is a
 * duplicate and does nothing, so the same observation delivered twice, even at once, gives one call. The claim does
 * not depend on the revision read, so the poller's demand writes and the deployer's status writes cannot make it fail. Every decision
 * is put as a {@code ScalingDecision} event and a {@code DesiredCapacity} metric. The claim records the group's min and
 * max size the decision was capped by, so that the poller's {@code ChangeDetector.belowNeed} measures the need the same
 * way.
 */
public final class Scaler {

    private final StackRegistry registry;
    private final FleetControl fleet;
    private final EventSink events;
    private final Clock clock;
    private final Consumer<String> log;

    public Scaler(StackRegistry registry, FleetControl fleet, EventSink events, Clock clock, Consumer<String> log) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** Handles an event as EventBridge delivers it; a malformed one is rejected without any call. */
    public ScalerResult handle(JsonNode eventBridgeEvent) {
        DomainEvent.DemandObserved event;
        try {
            event = EventJson.fromEnvelope(eventBridgeEvent, DomainEvent.DemandObserved.class);
        } catch (IllegalArgumentException e) {
            logLine("ERROR", "scaler.rejected", Map.of("reason", e.getMessage()));
            return new ScalerResult("rejected", eventBridgeEvent == null ? "" : eventBridgeEvent.path("detail")
                    .path("stack").asText(""), 0, 0, e.getMessage());
        }
        return handle(event);
    }

    /** One read-decide-claim-act round: the claim is one narrow registry write that only a rival claim can refuse. */
    public ScalerResult handle(DomainEvent.DemandObserved event) {
        String stack = event.stack();
        Optional<StackRecord> found = registry.get(stack);
        if (found.isEmpty() || !found.get().status().hasLiveGroup() || found.get().groupName().isEmpty()) {
            return ignored(stack, found.map(r -> "stack is " + r.status()).orElse("no such stack"));
        }
        StackRecord record = found.get();
        Optional<DecisionSnapshot> last = record.lastDecision();
        if (last.isPresent() && !last.get().observedAt().isBefore(event.at())) {
            return duplicate(event, last.get());
        }
        String groupName = record.groupName().get();
        Optional<GroupState> group;
        try {
            group = fleet.describe(groupName);
        } catch (FleetControlException e) {
            return failed(stack, groupName, 0, e);
        }
        Instant now = clock.instant();
        Observation observation = new Observation.Observed(new Demand(event.queuedJobs(), event.runningJobs(),
                event.idleAgents(), event.occupiedAgents()), event.at());
        ScalingPolicy.Outcome outcome;
        int current;
        // The sizes the decision is capped by, recorded with it so that the poller measures the need as this does.
        GroupSizes sizes;
        if (group.isEmpty()) {
            current = 0;
            sizes = GroupSizes.NO_GROUP;
            outcome = new ScalingPolicy.Outcome(new Decision.Hold("group " + groupName + " not found"),
                    ScalingMemory.none());
        } else {
            current = group.get().desiredCapacity();
            sizes = new GroupSizes(group.get().minSize(), group.get().maxSize());
            ScalingMemory memory = new ScalingMemory(last.flatMap(DecisionSnapshot::surplusSince));
            outcome = ScalingPolicy.decide(observation, group.get(), record.spec(), memory, now);
        }
        Decision decision = outcome.decision();
        int desired = decision instanceof Decision.ScaleTo s ? s.desired() : current;
        String action = decision instanceof Decision.ScaleTo ? "scale" : "hold";
        DecisionSnapshot snapshot = new DecisionSnapshot(action, current, desired, decision.reason(), event.at(), now,
                outcome.memory().surplusSince(), Optional.of(sizes));
        Claim claim = registry.claimDecision(stack, snapshot);
        if (claim instanceof Claim.AlreadyDecided rival) {
            return duplicate(event, rival.stored()); // a rival delivery of this observation (or a newer one) won
        }
        if (claim instanceof Claim.Gone) {
            return ignored(stack, "no such stack");
        }
        if (claim instanceof Claim.Busy) {
            logLine("WARN", "scaler.registry-conflict", Map.of("stack", stack, "attempts", StackRegistry.UPDATE_ATTEMPTS));
            return new ScalerResult("failed", stack, 0, 0, "the registry record kept changing");
        }
        if (decision instanceof Decision.ScaleTo) {
            try {
                fleet.setDesiredCapacity(groupName, desired);
            } catch (FleetControlException e) {
                DecisionSnapshot held = new DecisionSnapshot("hold", current, current,
                        "SetDesiredCapacity to " + desired + " failed: " + e.getMessage(), event.at(), now,
                        outcome.memory().surplusSince(), Optional.of(sizes));
                if (!(registry.reviseDecision(stack, held) instanceof Claim.Claimed)) {
                    // A newer observation was decided meanwhile; its decision stands.
                    logLine("WARN", "scaler.revision-superseded", Map.of("stack", stack, "observedAt", event.at().toString()));
                }
                publish(new DomainEvent.ScalingDecision(stack, groupName, "hold", current, current, held.reason(),
                        event.at(), now));
                return failed(stack, groupName, current, e);
            }
        }
        publish(new DomainEvent.ScalingDecision(stack, groupName, action, current, desired, decision.reason(),
                event.at(), now));
        log.accept(EmbeddedMetrics.line(now, EmbeddedMetrics.dims("Stack", stack),
                List.of(Metric.count("DesiredCapacity", desired)),
                Map.of("event", "scaler." + action, "stack", stack, "previousDesired", current, "reason",
                        decision.reason(), "observedAt", event.at().toString())));
        return new ScalerResult(action.equals("scale") ? "scaled" : "held", stack, current, desired, decision.reason());
    }

    private ScalerResult ignored(String stack, String why) {
        logLine("INFO", "scaler.ignored", Map.of("stack", stack, "reason", why));
        return new ScalerResult("ignored", stack, 0, 0, why);
    }

    private static ScalerResult duplicate(DomainEvent.DemandObserved event, DecisionSnapshot stored) {
        return new ScalerResult("duplicate", event.stack(), stored.previousDesired(), stored.desired(),
                "observation of " + event.at() + " already decided");
    }

    private ScalerResult failed(String stack, String groupName, int current, FleetControlException e) {
        log.accept(EmbeddedMetrics.line(clock.instant(), EmbeddedMetrics.dims("Stack", stack),
                List.of(Metric.count("ScalingCallFailed", 1)),
                Map.of("level", "ERROR", "event", "scaler.failed", "stack", stack, "group", groupName,
                        "kind", e.kind().name(), "error", e.getMessage())));
        return new ScalerResult("failed", stack, current, current, e.getMessage());
    }

    /** A decision event that cannot be put is logged; the decision itself stands. */
    private void publish(DomainEvent event) {
        try {
            events.publish(event);
        } catch (RuntimeException e) {
            logLine("ERROR", "scaler.publish-failed", Map.of("stack", event.stack(), "error",
                    String.valueOf(e.getMessage())));
        }
    }

    private void logLine(String level, String event, Map<String, ?> fields) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("level", level);
        o.put("event", event);
        fields.forEach((k, v) -> o.set(k, SpecJson.MAPPER.valueToTree(v)));
        log.accept(o.toString());
    }
}
