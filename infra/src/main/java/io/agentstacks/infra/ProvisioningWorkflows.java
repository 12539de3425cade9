package io.agentstacks.infra;

import io.agentstacks.stacks.AgentStackNames;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.s3.assets.Asset;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.constructs.Construct;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Creating, updating and deleting agent stacks: the stack-deployer Lambda, the provision-stack and
 * destroy-stack state machines (statemachines/*.asl.json as written, placeholders substituted), the
 * agent-stack template published as an asset. The rule that rolls a new AMI out to the stacks (ImageAvailable)
 * is in statemachines/event-rules.json ({@link EventRoutes}).
 *
 * <p>CloudFormation deploys agent stacks with the CDK bootstrap's CloudFormation execution role, whose
 * policy is execution-policy.json: the deployer may only pass that role, only for {@code agent-stack-*}
 * stacks, and only with the published template (conditions on the RoleArn and TemplateUrl).
 */
public final class ProvisioningWorkflows extends Construct {

    /**
     * @param deployer               the stack-deployer function (its environment names the template and the role)
     * @param macHostAllocator       the mac-host-allocator function (a step of both workflows)
     * @param releaseMacHosts        the release-mac-hosts state machine that destroy-stack starts
     * @param agentStackTemplate     the asset of the agent-stack template
     * @param cloudFormationRoleArn  the role CloudFormation deploys agent stacks with
     */
    public record Props(AgentFunction deployer, AgentFunction macHostAllocator, StateMachine releaseMacHosts,
                        Asset agentStackTemplate, String cloudFormationRoleArn, Path provisionDefinition,
                        Path destroyDefinition, Registry registry, EventBus events, boolean tracing) {
    }

    private final StateMachine provision;
    private final StateMachine destroy;

    public ProvisioningWorkflows(Construct scope, String id, Props props) {
        super(scope, id);
        AgentFunction deployer = props.deployer();
        props.registry().grantReadWrite(deployer);
        props.events().grantPut(deployer);
        String stacks = "arn:" + Aws.PARTITION + ":cloudformation:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":stack/"
                + AgentStackNames.CLOUDFORMATION_PREFIX + "*/*";
        deployer.allow(PolicyStatement.Builder.create()
                .sid("DeployAgentStacks")
                .actions(List.of("cloudformation:CreateStack", "cloudformation:UpdateStack"))
                .resources(List.of(stacks))
                .conditions(Ordered.map("StringEquals", Ordered.map(
                        "cloudformation:TemplateUrl", props.agentStackTemplate().getHttpUrl(),
                        "cloudformation:RoleArn", props.cloudFormationRoleArn())))
                .build());
        deployer.allow(PolicyStatement.Builder.create()
                .sid("ReadAndDeleteAgentStacks")
                // TagResource: CreateStack and UpdateStack tag the stack with the spec's tags.
                .actions(List.of("cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents",
                        "cloudformation:DeleteStack", "cloudformation:TagResource"))
                .resources(List.of(stacks))
                .build());
        deployer.allow(PolicyStatement.Builder.create()
                .sid("PassTheDeploymentRole")
                .actions(List.of("iam:PassRole"))
                .resources(List.of(props.cloudFormationRoleArn()))
                .conditions(Ordered.map("StringEquals", Ordered.map("iam:PassedToService", "cloudformation.amazonaws.com")))
                .build());
        deployer.allow(PolicyStatement.Builder.create()
                .sid("ReadTheTemplate")
                .actions(List.of("s3:GetObject"))
                .resources(List.of("arn:" + Aws.PARTITION + ":s3:::" + props.agentStackTemplate().getS3BucketName()
                        + "/" + props.agentStackTemplate().getS3ObjectKey()))
                .build());
        deployer.allow(PolicyStatement.Builder.create()
                .sid("ResolveNetworksAndFindGroups")
                .actions(List.of("ec2:DescribeVpcs", "ec2:DescribeSubnets", "autoscaling:DescribeAutoScalingGroups",
                        "autoscaling:DescribeWarmPool", "autoscaling:DescribeInstanceRefreshes"))
                .resources(List.of("*"))
                .build());
        deployer.allow(PolicyStatement.Builder.create()
                .sid("DrainAndRollOutAgentStackGroups")
                .actions(List.of("autoscaling:UpdateAutoScalingGroup", "autoscaling:SuspendProcesses",
                        "autoscaling:StartInstanceRefresh"))
                .resources(List.of(AgentStackGroups.arns()))
                .conditions(AgentStackGroups.ofAgentStacks())
                .build());
        NagSuppressions.addResourceSuppressions(deployer.role(), List.of(NagPackSuppression.builder().id("AwsSolutions-IAM5")
                .reason("Agent stacks are created at run time: CloudFormation stacks agent-stack-*/* only, created only with "
                        + "the published template and the deployment role. " + AgentStackGroups.WILDCARD_REASON
                        + " DescribeVpcs, DescribeSubnets and the Auto Scaling Describe calls have no resource-level permissions.")
                .build()), true);

        Map<String, String> substitutions = Ordered.map(
                "StackDeployerFunctionArn", deployer.alias().getFunctionArn(),
                "MacHostAllocatorFunctionArn", props.macHostAllocator().alias().getFunctionArn());
        provision = stateMachine("ProvisionStack", "provision-stack", props.provisionDefinition(), substitutions, props.tracing());
        Map<String, String> destroySubstitutions = new java.util.LinkedHashMap<>(substitutions);
        destroySubstitutions.put("ReleaseMacHostsStateMachineArn", props.releaseMacHosts().getStateMachineArn());
        destroy = stateMachine("DestroyStack", "destroy-stack", props.destroyDefinition(), destroySubstitutions, props.tracing());
        for (StateMachine machine : List.of(provision, destroy)) {
            deployer.alias().grantInvoke(machine);
            props.macHostAllocator().alias().grantInvoke(machine);
        }
        props.releaseMacHosts().grantStartExecution(destroy);
    }

    static StateMachine stateMachine(Construct scope, String id, String name, Path definition, Map<String, String> substitutions,
                                     StateMachineType type, LogLevel level, boolean tracing) {
        LogGroup logs = LogGroup.Builder.create(scope, id + "Logs")
                .logGroupName("/aws/vendedlogs/states/" + Stack.of(scope).getStackName() + "-" + name)
                .retention(AgentFunction.LOG_RETENTION)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        StateMachine machine = StateMachine.Builder.create(scope, id)
                .stateMachineName(Stack.of(scope).getStackName() + "-" + name)
                .stateMachineType(type)
                .definitionBody(DefinitionBody.fromString(StateMachineDefinitions.read(definition, substitutions)))
                .definitionSubstitutions(substitutions)
                // No execution data in the logs: inputs and outputs hold names and versions only, but stay out anyway.
                .logs(LogOptions.builder().destination(logs).level(level).includeExecutionData(false).build())
                .tracingEnabled(tracing)
                .build();
        NagSuppressions.addResourceSuppressions(machine, List.of(NagPackSuppression.builder().id("AwsSolutions-IAM5")
                .reason("Step Functions' log delivery (logs:CreateLogDelivery and the rest) and X-Ray calls have no "
                        + "resource-level permissions; the Lambda permissions name each function's alias and its versions.")
                .build()), true);
        if (!tracing) {
            NagSuppressions.addResourceSuppressions(machine, List.of(NagPackSuppression.builder().id("AwsSolutions-SF2")
                    .reason("X-Ray tracing is optional (context xray=true): the executions' history and logs already show "
                            + "every step, and tracing costs per trace.")
                    .build()));
        }
        return machine;
    }

    private StateMachine stateMachine(String id, String name, Path definition, Map<String, String> substitutions, boolean tracing) {
        return stateMachine(this, id, name, definition, substitutions, StateMachineType.STANDARD, LogLevel.ALL, tracing);
    }

    public StateMachine provision() {
        return provision;
    }

    public StateMachine destroy() {
        return destroy;
    }
}
