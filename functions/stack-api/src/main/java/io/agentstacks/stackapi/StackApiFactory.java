package io.agentstacks.stackapi;

import io.agentstacks.events.EventSink;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.stacks.StackCommands;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.WorkflowStarter;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * Lambda wiring: the services over the AWS adapters' port beans (DynamoDB registry, Step Functions,
 * EventBridge, Auto Scaling). Left out when a caller hands the handler its own ports
 * ({@link StackApiHandler#StackApiHandler(StackRegistry, WorkflowStarter, EventSink, FleetControl, Clock)}).
 */
@Factory
final class StackApiFactory {

    /** Set by the in-process constructor, whose caller supplies the services itself. */
    static final String IN_PROCESS = "agent-stacks.stack-api.in-process";

    @Singleton
    @Requires(missingProperty = IN_PROCESS)
    StackApiServices services(StackRegistry registry, WorkflowStarter workflows, EventSink events, FleetControl fleet) {
        Clock clock = Clock.systemUTC();
        return new StackApiServices(new StackCommands(registry, workflows, events, fleet, clock), ApiLog.stdout(clock));
    }
}
