package io.agentstacks.inmemory;

import io.agentstacks.demand.Demand;
import io.agentstacks.demand.DemandSource;
import io.agentstacks.demand.Observation;
import io.agentstacks.token.AgentToken;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Semaphore's metrics endpoint as a programmable {@link DemandSource}: per organization endpoint, which
 * registration tokens it accepts (one per agent type) and the demand each agent type has; an outage
 * answers {@link Observation.Unavailable}, as a timeout or a 5xx would. A token Semaphore does not know
 * is refused with 401 by default (the older tool's users also saw 404 after a reset: see
 * {@link #refuseWith}). Resetting an agent type's token in the Semaphore UI is {@link #reset}.
 */
public final class ProgrammableSemaphore implements DemandSource {

    /** One call, as the tests see it; the token stays masked in their output. */
    public record Call(String endpointUrl, AgentToken token, Observation answer) {
    }

    private final Clock clock;
    private final Map<String, Map<AgentToken, Demand>> accepted = new HashMap<>();
    private final Map<String, String> outages = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private int refusalStatus = 401;

    public ProgrammableSemaphore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Semaphore at {@code endpointUrl} accepts {@code token}, with no jobs and no agents yet. */
    public synchronized ProgrammableSemaphore accept(String endpointUrl, AgentToken token) {
        return demand(endpointUrl, token, new Demand(0, 0, 0, 0));
    }

    /** Semaphore at {@code endpointUrl} accepts {@code token} and reports {@code demand} for its agent type. */
    public synchronized ProgrammableSemaphore demand(String endpointUrl, AgentToken token, Demand demand) {
        accepted.computeIfAbsent(endpointUrl, e -> new HashMap<>()).put(token, demand);
        return this;
    }

    /**
     * The user resets the agent type's token in the UI: {@code old} is refused from now on, {@code fresh}
     * accepted, and the agent type keeps its demand.
     */
    public synchronized void reset(String endpointUrl, AgentToken old, AgentToken fresh) {
        Map<AgentToken, Demand> tokens = accepted.computeIfAbsent(endpointUrl, e -> new HashMap<>());
        Demand demand = tokens.remove(old);
        tokens.put(fresh, demand == null ? new Demand(0, 0, 0, 0) : demand);
    }

    /** The HTTP status of a refused token: 401, or 404 as the older tool met after a reset. */
    public synchronized void refuseWith(int httpStatus) {
        if (httpStatus != 401 && httpStatus != 404) {
            throw new IllegalArgumentException("Semaphore refuses a token with 401 or 404, not " + httpStatus);
        }
        refusalStatus = httpStatus;
    }

    /** Every call to {@code endpointUrl} is answered Unavailable with {@code reason} until {@link #restore}. */
    public synchronized void outage(String endpointUrl, String reason) {
        outages.put(endpointUrl, Objects.requireNonNull(reason, "reason"));
    }

    public synchronized void restore(String endpointUrl) {
        outages.remove(endpointUrl);
    }

    @Override
    public synchronized Observation observe(String endpointUrl, AgentToken token) {
        Objects.requireNonNull(endpointUrl, "endpointUrl");
        Objects.requireNonNull(token, "token");
        Observation answer;
        String outage = outages.get(endpointUrl);
        Demand demand = accepted.getOrDefault(endpointUrl, Map.of()).get(token);
        if (outage != null) {
            answer = new Observation.Unavailable(outage, clock.instant());
        } else if (demand == null) {
            answer = new Observation.TokenRejected(refusalStatus, clock.instant());
        } else {
            answer = new Observation.Observed(demand, clock.instant());
        }
        calls.add(new Call(endpointUrl, token, answer));
        return answer;
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }
}
