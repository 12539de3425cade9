package io.agentstacks.stackapi;

import io.agentstacks.events.EventSink;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.InMemoryWorkflowStarter;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.WorkflowStarter;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import jakarta.inject.Singleton;

/**
 * Port beans standing in for the AWS adapters' ones, so that the Lambda's own wiring (the no-argument
 * constructor, which builds {@link StackApi} from the context) runs in a test; {@link Primary} so they win over
 * the adapters'.
 */
@Factory
class InMemoryPortsFactory {

    @Singleton
    @Primary
    StackRegistry registry() {
        return new InMemoryStackRegistry();
    }

    @Singleton
    @Primary
    WorkflowStarter workflows() {
        return new InMemoryWorkflowStarter();
    }

    @Singleton
    @Primary
    EventSink events() {
        return new InMemoryEventSink();
    }

    @Singleton
    @Primary
    FleetControl fleet() {
        return new FakeFleetControl();
    }
}
