package io.agentstacks.infra;

import io.agentstacks.events.DomainEvent;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.scheduler.ContextAttribute;
import software.amazon.awscdk.services.scheduler.Schedule;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.scheduler.ScheduleTargetInput;
import software.amazon.awscdk.services.scheduler.targets.StepFunctionsStartExecution;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.constructs.Construct;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Scaling with job demand: EventBridge Scheduler starts poll-demand (Express) every minute; it invokes the
 * demand-poller at each tick of that minute; the poller puts DemandObserved events on the bus; a rule sends
 * them to the scaler, which sets the groups' desired capacity.
 */
public final class DemandLoop extends Construct {

    public static final String SCHEDULE = "rate(1 minute)";

    public record Props(AgentFunction poller, AgentFunction scaler, Path pollDemandDefinition, Registry registry,
                        EventBus events, boolean tracing) {
    }

    private final StateMachine pollDemand;
    private final Schedule schedule;

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
                .actions(List.of("autoscaling:DescribeAutoScalingGroups"))
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

        schedule = Schedule.Builder.create(this, "EveryMinute")
                .scheduleName(software.amazon.awscdk.Stack.of(this).getStackName() + "-poll-demand")
                .description("Starts poll-demand for each minute")
                .schedule(ScheduleExpression.expression(SCHEDULE))
                .target(StepFunctionsStartExecution.Builder.create(pollDemand)
                        .input(ScheduleTargetInput.fromObject(Ordered.map("scheduledTime", ContextAttribute.getScheduledTime())))
                        // A start later than its minute polls nothing: the next minute's execution has taken over.
                        .maxEventAge(Duration.minutes(1))
                        .retryAttempts(2)
                        .build())
                .build();

        Rule.Builder.create(this, "DemandObserved")
                .description("DemandObserved events to the scaler")
                .eventBus(props.events().bus())
                .eventPattern(EventPattern.builder()
                        .source(List.of(EventBus.SOURCE))
                        .detailType(List.of(DomainEvent.DemandObserved.class.getSimpleName()))
                        .build())
                .targets(List.of(new LambdaFunction(scaler.alias(), LambdaFunctionProps.builder()
                        // An observation older than a minute is stale: the next one is on its way.
                        .retryAttempts(2).maxEventAge(Duration.minutes(1)).build())))
                .build();
    }

    public StateMachine pollDemand() {
        return pollDemand;
    }

    public Schedule schedule() {
        return schedule;
    }
}
