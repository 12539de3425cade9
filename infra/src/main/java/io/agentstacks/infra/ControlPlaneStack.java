package io.agentstacks.infra;

import io.agentstacks.events.EventRoutesFile;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.DefaultStackSynthesizer;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.IStackSynthesizer;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.s3.assets.Asset;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The control plane, deployed once per account and region with {@code cdk deploy}: the API, the registry,
 * the event bus, the workflows and functions that create, scale and delete agent stacks, token rotation,
 * Mac host clean-up, alarms and a dashboard. The CLI finds the API through this stack's {@value #API_URL_OUTPUT}
 * output; the stack is named {@value #NAME}.
 */
public final class ControlPlaneStack extends Stack {

    public static final String NAME = "SemaphoreAgentStacks";
    public static final String API_URL_OUTPUT = "ApiUrl";

    private final Map<ControlPlaneFunction, AgentFunction> functions = new EnumMap<>(ControlPlaneFunction.class);
    private final StackApi api;
    private final Registry registry;
    private final EventBus events;
    private final ProvisioningWorkflows workflows;
    private final DemandLoop demand;
    private final TokenRotation tokens;
    private final MacHostLifecycle macHosts;
    private final EventRoutes routes;
    private final Alarms alarms;

    public ControlPlaneStack(Construct scope, String id, StackProps stackProps, ControlPlaneProps props) {
        super(scope, id, stackProps);
        // Read first: a file infra cannot apply stops the synth before anything is built.
        EventRoutesFile eventRules = EventRoutesFile.read(props.eventRules());
        registry = new Registry(this, "Registry", new Registry.Props());
        events = new EventBus(this, "Events", new EventBus.Props(NAME));
        Asset template = Asset.Builder.create(this, "AgentStackTemplate")
                .path(props.agentStackTemplate().toString())
                .build();

        Map<String, String> common = Ordered.map(
                "REGISTRY_TABLE", registry.table().getTableName(),
                "EVENT_BUS_NAME", events.bus().getEventBusName());
        for (ControlPlaneFunction f : List.of(ControlPlaneFunction.DEMAND_POLLER, ControlPlaneFunction.SCALER,
                ControlPlaneFunction.TOKEN_ROTATOR, ControlPlaneFunction.MAC_HOST_ALLOCATOR, ControlPlaneFunction.MAC_HOST_RELEASER)) {
            function(f, props, common);
        }
        String cloudFormationRole = cloudFormationExecutionRoleArn();
        Map<String, String> deployerEnvironment = new LinkedHashMap<>(common);
        deployerEnvironment.put("AGENT_STACK_TEMPLATE_URL", template.getHttpUrl());
        deployerEnvironment.put("CLOUDFORMATION_ROLE_ARN", cloudFormationRole);
        function(ControlPlaneFunction.STACK_DEPLOYER, props, deployerEnvironment);

        macHosts = new MacHostLifecycle(this, "MacHostLifecycle", new MacHostLifecycle.Props(
                functions.get(ControlPlaneFunction.MAC_HOST_ALLOCATOR), functions.get(ControlPlaneFunction.MAC_HOST_RELEASER),
                props.definitions().get("release-mac-hosts"), registry, events, props.tracing()));
        workflows = new ProvisioningWorkflows(this, "ProvisioningWorkflows", new ProvisioningWorkflows.Props(
                functions.get(ControlPlaneFunction.STACK_DEPLOYER), functions.get(ControlPlaneFunction.MAC_HOST_ALLOCATOR),
                macHosts.releaseMacHosts(), template, cloudFormationRole, props.definitions().get("provision-stack"),
                props.definitions().get("destroy-stack"), registry, events, props.tracing()));
        demand = new DemandLoop(this, "DemandLoop", new DemandLoop.Props(
                functions.get(ControlPlaneFunction.DEMAND_POLLER), functions.get(ControlPlaneFunction.SCALER),
                props.definitions().get("poll-demand"), registry, events, props.tracing()));
        tokens = new TokenRotation(this, "TokenRotation", new TokenRotation.Props(
                functions.get(ControlPlaneFunction.TOKEN_ROTATOR), registry, events));

        Map<String, String> apiEnvironment = new LinkedHashMap<>(common);
        apiEnvironment.put("PROVISION_STACK_ARN", workflows.provision().getStateMachineArn());
        apiEnvironment.put("DESTROY_STACK_ARN", workflows.destroy().getStateMachineArn());
        AgentFunction stackApi = function(ControlPlaneFunction.STACK_API, props, apiEnvironment);
        registry.grantReadWrite(stackApi);
        events.grantPut(stackApi);
        workflows.provision().grantStartExecution(stackApi.role());
        workflows.destroy().grantStartExecution(stackApi.role());
        // A retried request checks whether the newest version's execution died without recording it.
        workflows.provision().grantExecution(stackApi.role(), "states:DescribeExecution");
        workflows.destroy().grantExecution(stackApi.role(), "states:DescribeExecution");
        stackApi.allow(software.amazon.awscdk.services.iam.PolicyStatement.Builder.create()
                .sid("ReadGroups")
                .actions(List.of("autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeWarmPool"))
                .resources(List.of("*"))
                .build());
        io.github.cdklabs.cdknag.NagSuppressions.addResourceSuppressions(stackApi.role(), List.of(
                io.github.cdklabs.cdknag.NagPackSuppression.builder().id("AwsSolutions-IAM5")
                        .reason("GET /stacks/{name} shows the group's capacity and warm pool: DescribeAutoScalingGroups and DescribeWarmPool have no resource-level "
                                + "permissions. Starting executions: the provision-stack and destroy-stack executions of this stack only.")
                        .build()), true);
        api = new StackApi(this, "StackApi", new StackApi.Props(stackApi, functions.get(ControlPlaneFunction.TOKEN_ROTATOR),
                props.tracing()));

        Map<String, StateMachine> machines = new LinkedHashMap<>();
        machines.put("provision-stack", workflows.provision());
        machines.put("destroy-stack", workflows.destroy());
        machines.put("poll-demand", demand.pollDemand());
        machines.put("release-mac-hosts", macHosts.releaseMacHosts());
        Map<String, AgentFunction> byModule = new LinkedHashMap<>();
        functions.forEach((f, function) -> byModule.put(f.module(), function));
        routes = new EventRoutes(this, "EventRoutes", new EventRoutes.Props(eventRules, events, byModule, machines));
        alarms = new Alarms(this, "Alarms", new Alarms.Props(new ArrayList<>(functions.values()), machines,
                routes.failureQueues(), props.alarmEmail()));
        new Dashboard(this, "Dashboard", new Dashboard.Props());

        output(API_URL_OUTPUT, api.url(), "Base URL of the agent stacks API (agent-stacks --endpoint)");
        output("EventBusName", events.bus().getEventBusName(), "The bus of the control plane's domain events");
        output("RegistryTableName", registry.table().getTableName(), "The stack registry (retained when the stack is deleted)");
        output("AlarmTopicArn", alarms.topic().getTopicArn(), "Subscribe to it for the control plane's alarms");
        output("AgentStackTemplateUrl", template.getHttpUrl(), "The agent-stack template every agent stack is deployed from");
    }

    private AgentFunction function(ControlPlaneFunction f, ControlPlaneProps props, Map<String, String> environment) {
        AgentFunction function = new AgentFunction(this, functionId(f), new AgentFunction.Props(f, props.jars().get(f),
                environment, props.tracing()));
        functions.put(f, function);
        return function;
    }

    private static String functionId(ControlPlaneFunction f) {
        StringBuilder id = new StringBuilder();
        for (String part : f.module().split("-")) {
            id.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return id.append("Function").toString();
    }

    /**
     * The CDK bootstrap's CloudFormation execution role (its policy: execution-policy.json), which the
     * deployer passes to CloudFormation for agent stacks.
     */
    private String cloudFormationExecutionRoleArn() {
        IStackSynthesizer synthesizer = getSynthesizer();
        if (synthesizer instanceof DefaultStackSynthesizer defaults) {
            // The synthesizer answers it as a template with ${AWS::...} placeholders.
            return Fn.sub(defaults.getCloudFormationExecutionRoleArn());
        }
        throw new IllegalStateException("the control plane needs the default stack synthesizer (its CloudFormation execution role)");
    }

    private void output(String name, String value, String description) {
        CfnOutput.Builder.create(this, name).value(value).description(description).build();
    }

    public Map<ControlPlaneFunction, AgentFunction> functions() {
        return Map.copyOf(functions);
    }

    public StackApi api() {
        return api;
    }

    public Registry registry() {
        return registry;
    }

    public EventBus events() {
        return events;
    }

    public ProvisioningWorkflows workflows() {
        return workflows;
    }

    public DemandLoop demand() {
        return demand;
    }

    public TokenRotation tokens() {
        return tokens;
    }

    public MacHostLifecycle macHosts() {
        return macHosts;
    }

    public EventRoutes routes() {
        return routes;
    }

    public Alarms alarms() {
        return alarms;
    }
}
