package io.agentstacks.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.constructs.Construct;

import java.nio.file.Path;
import java.util.List;

/**
 * Scaling with job demand: EventBridge Scheduler starts poll-demand (Express) every minute; it invokes the
 * demand-poller at each tick of that minute; the poller puts DemandObserved events on the bus; a rule sends
 * them to the scaler, which sets the groups' desired capacity. The schedule and the rule are those of
 * statemachines/event-rules.json ({@link EventRoutes}); this construct gives the functions and the state
 * machine what they need.
 */
public final class DemandLoop extends Construct {

    public record Props(AgentFunction poller, AgentFunction scaler, Path pollDemandDefinition, Registry registry,
                        EventBus events, boolean tracing) {
    }

    private final StateMachine pollDemand;

    public DemandLoop(Construct scope, String id, Props props) {
        super(scope, id);
        AgentFunction poller = props.poller();
        props.registry().grantReadWrite(poller);
        props.events().grantPut(poller);
        TokenParameters.allowRead(poller);
        NagSuppressions.addResourceSuppressions(poller.role(), List.of(NagPackSuppression.builder().id("AwsSolutions-IAM5")
                .reason(TokenParameters.WILDCARD_REASON).build()), true);

        AgentFunction scaler = props.scaler();
        props.registry().grantReadWrite(scaler);
        props.events().grantPut(scaler);
        scaler.allow(PolicyStatement.Builder.create()
                .sid("ReadGroups")
                .actions(List.of("autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeWarmPool"))
                .resources(List.of("*"))
                .build());
        scaler.allow(PolicyStatement.Builder.create()
                .sid("ScaleAgentStackGroups")
                .actions(List.of("autoscaling:SetDesiredCapacity"))
                .resources(List.of(AgentStackGroups.arns()))
                .conditions(AgentStackGroups.ofAgentStacks())
                .build());
        NagSuppressions.addResourceSuppressions(scaler.role(), List.of(NagPackSuppression.builder().id("AwsSolutions-IAM5")
                .reason(AgentStackGroups.WILDCARD_REASON).build()), true);

        pollDemand = ProvisioningWorkflows.stateMachine(this, "PollDemand", "poll-demand", props.pollDemandDefinition(),
                Ordered.map("DemandPollerFunctionArn", poller.alias().getFunctionArn()), StateMachineType.EXPRESS, LogLevel.ERROR,
                props.tracing());
        poller.alias().grantInvoke(pollDemand);
        NagSuppressions.addResourceSuppressions(pollDemand, List.of(NagPackSuppression.builder().id("AwsSolutions-SF1")
                .reason("poll-demand runs every minute with six polls each (8,640 executions a day): it logs errors only; "
                        + "the poller logs every stack's observation itself, and failed executions raise an alarm.")
                .build()));
    }

    public StateMachine pollDemand() {
        return pollDemand;
    }

}
