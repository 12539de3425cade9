package io.agentstacks.scaler;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventJson;

/**
 * {@code DemandObserved} as EventBridge delivers it to the scaler.
 *
 * @deprecated use {@link EventJson#envelope} and {@link EventJson#fromEnvelope}; this delegate stays until the
 *             local simulation (FleetSimulation) calls EventJson itself.
 */
@Deprecated
public final class DemandObservedEvents {

    private DemandObservedEvents() {
    }

    /** The event as EventBridge would deliver it (for tests and the local simulation). */
    public static ObjectNode envelope(DomainEvent.DemandObserved e, String account, String region) {
        return EventJson.envelope(e, account, region);
    }
}
