package io.agentstacks.deployer;

import io.agentstacks.aws.LambdaEnvironment;
import io.agentstacks.events.EventSink;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.stacks.Network;
import io.agentstacks.stacks.StackDeployments;
import io.agentstacks.stacks.StackRegistry;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * Lambda wiring: the handler over the port beans the adapters provide. {@code AGENT_STACK_TEMPLATE_URL}
 * (the S3 URL of the agent-stack template asset) is this function's own setting. Tests and the local
 * control plane build {@link StackDeployerHandler} from their own ports instead.
 */
@Factory
final class StackDeployerFactory {

    @Singleton
    StackDeployerHandler handler(StackRegistry registry, StackDeployments deployments, Network network,
                                 FleetControl fleet, EventSink events) {
        return new StackDeployerHandler(new DeployerSteps(registry, deployments, network, fleet, events, Clock.systemUTC(),
                LambdaEnvironment.required("AGENT_STACK_TEMPLATE_URL")));
    }
}
