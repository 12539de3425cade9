package io.agentstacks.infra;

import io.agentstacks.events.DomainEvent;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.constructs.Construct;

import java.util.List;

/**
 * The control plane's own EventBridge bus: every domain event (source {@value #SOURCE}) goes there, and
 * the scaler listens on it.
 */
public final class EventBus extends Construct {

    public static final String SOURCE = DomainEvent.SOURCE;

    /** @param busName the bus's name */
    public record Props(String busName) {
    }

    private final software.amazon.awscdk.services.events.EventBus bus;

    public EventBus(Construct scope, String id, Props props) {
        super(scope, id);
        bus = software.amazon.awscdk.services.events.EventBus.Builder.create(this, "Bus")
                .eventBusName(props.busName())
                .description("Semaphore agent stacks: StackReady, DemandObserved, ScalingDecision, TokenRejected and the other domain events")
                .build();
    }

    public void grantPut(AgentFunction function) {
        function.allow(PolicyStatement.Builder.create()
                .sid("Events")
                .actions(List.of("events:PutEvents"))
                .resources(List.of(bus.getEventBusArn()))
                .build());
    }

    public software.amazon.awscdk.services.events.EventBus bus() {
        return bus;
    }
}
