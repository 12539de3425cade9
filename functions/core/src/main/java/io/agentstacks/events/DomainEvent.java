package io.agentstacks.events;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Events the control plane puts on its bus (source {@code semaphore.agent-stacks}). The detail-type of
 * each is its record's simple name; each detail has a JSON Schema in {@code events/<DetailType>.schema.json}.
 * No event carries a token or any other secret.
 */
public sealed interface DomainEvent {

    String SOURCE = "semaphore.agent-stacks";

    /** The stack the event is about. */
    String stack();

    Instant at();

    default String detailType() {
        return getClass().getSimpleName();
    }

    /** A spec version was accepted and its provisioning (or deletion) requested. */
    record StackRequested(String stack, long specVersion, String operation, Instant at) implements DomainEvent {
    }

    record StackReady(String stack, long specVersion, String groupName, Instant at) implements DomainEvent {
    }

    record StackFailed(String stack, long specVersion, String reason, Instant at) implements DomainEvent {
    }

    record StackDeleted(String stack, long specVersion, Instant at) implements DomainEvent {
    }

    /** One poll's reading for a stack; put when demand changed, and at least once a minute. */
    record DemandObserved(String stack, String groupName, int queuedJobs, int runningJobs, int idleAgents,
                          int occupiedAgents, Instant at) implements DomainEvent {
        public DemandObserved {
            if (queuedJobs < 0 || runningJobs < 0 || idleAgents < 0 || occupiedAgents < 0) {
                throw new IllegalArgumentException("the counts must be 0 or more: queuedJobs " + queuedJobs + ", runningJobs "
                        + runningJobs + ", idleAgents " + idleAgents + ", occupiedAgents " + occupiedAgents);
            }
        }
    }

    /**
     * What the scaler did with an observation.
     *
     * @param action {@code scale} (SetDesiredCapacity was called) or {@code hold}
     */
    record ScalingDecision(String stack, String groupName, String action, int previousDesired, int desired,
                           String reason, Instant observedAt, Instant at) implements DomainEvent {
    }

    /**
     * Semaphore refused the stack's registration token.
     *
     * @param source {@code poller}, {@code daily-check} or {@code rotation}
     */
    record TokenRejected(String stack, String parameterName, int httpStatus, String source, Instant at)
            implements DomainEvent {
    }

    record TokenRotated(String stack, String parameterName, long parameterVersion, Instant at) implements DomainEvent {
    }

    record MacHostsAllocated(String stack, List<String> hostIds, List<String> availabilityZones, Instant at)
            implements DomainEvent {
        public MacHostsAllocated {
            hostIds = List.copyOf(hostIds);
            availabilityZones = List.copyOf(availabilityZones);
        }
    }

    /**
     * @param outcome {@code released}, or {@code failed} with the reason ReleaseHosts gave
     */
    record MacHostReleased(String stack, String hostId, String availabilityZone, String outcome,
                           Optional<String> reason, Instant at) implements DomainEvent {
    }
}
