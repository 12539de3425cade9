package io.agentstacks.infra;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.events.EventRoutesFile;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.events.CfnRule;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.Permission;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.scheduler.Schedule;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.scheduler.ScheduleTargetInput;
import software.amazon.awscdk.services.scheduler.targets.LambdaInvoke;
import software.amazon.awscdk.services.scheduler.targets.StepFunctionsStartExecution;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The control plane's EventBridge rules and EventBridge Scheduler schedules, made from
 * {@code statemachines/event-rules.json} ({@link EventRoutesFile}) and nothing else: each rule with its bus,
 * its event pattern as written (the {@code ${AWS::...}} placeholders become the deployment's pseudo
 * parameters through {@code Fn::Sub}), its one target (the function's {@value AgentFunction#ALIAS} alias or
 * the state machine) and the target's retry attempts and maximum event age; each schedule with its
 * expression (UTC, no flexible window), target, fixed input and the same delivery settings. The local
 * control plane routes events by the same file, read by the same {@link EventRoutesFile}, so the two cannot drift
 * apart. What only infra can check is checked here: that every target is a function or state machine infra
 * deploys, and that no pattern or input holds a null (CloudFormation has none to give).
 *
 * <p>Those delivery settings cover only EventBridge failing to invoke the target. Both EventBridge and Scheduler
 * invoke a function asynchronously: an error of the function itself is retried by Lambda, so a function target's
 * alias gets the file's {@link EventRoutesFile.AsyncInvoke} settings (retries, maximum event age) and, where asked,
 * an encrypted SQS queue for the events Lambda drops after its last attempt, which {@link Alarms} watches.
 */
public final class EventRoutes extends Construct {

    /**
     * @param file          the rules and schedules
     * @param bus           the control plane's bus (rules on {@code control-plane})
     * @param functions     every function, by module name
     * @param stateMachines every state machine, by definition name
     */
    public record Props(EventRoutesFile file, EventBus bus, Map<String, AgentFunction> functions, Map<String, StateMachine> stateMachines) {
    }

    private final Map<String, CfnRule> rules = new LinkedHashMap<>();
    private final Map<String, Schedule> schedules = new LinkedHashMap<>();
    private final Map<String, Queue> failureQueues = new LinkedHashMap<>();
    private final Set<String> configured = new HashSet<>();

    public EventRoutes(Construct scope, String id, Props props) {
        super(scope, id);
        for (EventRoutesFile.Rule rule : props.file().rules()) {
            rules.put(rule.name(), rule(rule, props));
            asyncInvoke(rule.name(), rule.target(), props);
        }
        for (EventRoutesFile.Schedule schedule : props.file().schedules()) {
            schedules.put(schedule.name(), schedule(schedule, props));
            asyncInvoke(schedule.name(), schedule.target(), props);
        }
    }

    /**
     * The target function alias's EventInvokeConfig, once per function (the file holds one set per function):
     * how often Lambda retries a function error, how old an event may grow, and where a dropped one goes.
     */
    private void asyncInvoke(String entry, EventRoutesFile.Target target, Props props) {
        if (target.asyncInvoke().isEmpty()) {
            return;
        }
        String module = target.function().orElseThrow();
        AgentFunction function = function(props, module, entry);
        if (configured.contains(module)) {
            return;
        }
        configured.add(module);
        EventRoutesFile.AsyncInvoke settings = target.asyncInvoke().get();
        EventInvokeConfigOptions.Builder options = EventInvokeConfigOptions.builder()
                .retryAttempts(settings.retryAttempts())
                .maxEventAge(Duration.seconds(settings.maximumEventAgeSeconds()));
        if (settings.failureQueue()) {
            Queue queue = Queue.Builder.create(this, entry + "FailedEvents")
                    .encryption(QueueEncryption.SQS_MANAGED)
                    .enforceSsl(true)
                    .retentionPeriod(Duration.days(14))
                    .build();
            NagSuppressions.addResourceSuppressions(queue, List.of(NagPackSuppression.builder().id("AwsSolutions-SQS3")
                    .reason("This queue is itself where Lambda puts the " + module + " invocations it gave up on (an on-failure "
                            + "destination); nothing consumes it, an operator reads it when its alarm fires.")
                    .build()));
            // SqsDestination grants the function's role sqs:SendMessage on this queue (Lambda sends as the function).
            options.onFailure(new SqsDestination(queue));
            failureQueues.put(module, queue);
        }
        function.alias().configureAsyncInvoke(options.build());
    }

    private CfnRule rule(EventRoutesFile.Rule rule, Props props) {
        EventRoutesFile.Target target = rule.target();
        CfnRule.Builder builder = CfnRule.Builder.create(this, rule.name())
                .description(rule.description())
                .state("ENABLED")
                .eventPattern(pattern(rule.eventPattern()));
        if (rule.bus().equals("control-plane")) {
            builder.eventBusName(props.bus().bus().getEventBusName());
        }
        CfnRule.RetryPolicyProperty.Builder retry = CfnRule.RetryPolicyProperty.builder();
        target.retryAttempts().ifPresent(retry::maximumRetryAttempts);
        target.maximumEventAgeSeconds().ifPresent(retry::maximumEventAgeInSeconds);
        CfnRule.TargetProperty.Builder t = CfnRule.TargetProperty.builder().id("Target0").retryPolicy(retry.build());
        CfnRule cfn;
        if (target.function().isPresent()) {
            AgentFunction function = function(props, target.function().get(), rule.name());
            cfn = builder.targets(List.of(t.arn(function.alias().getFunctionArn()).build())).build();
            function.alias().addPermission("Rule" + rule.name(), Permission.builder()
                    .principal(new ServicePrincipal("events.amazonaws.com"))
                    .action("lambda:InvokeFunction")
                    .sourceArn(cfn.getAttrArn())
                    .build());
        } else {
            StateMachine machine = stateMachine(props, target.stateMachine().orElseThrow(), rule.name());
            Role role = Role.Builder.create(this, rule.name() + "Role")
                    .description("EventBridge rule " + rule.name() + " starts " + target.stateMachine().get())
                    .assumedBy(new ServicePrincipal("events.amazonaws.com"))
                    .build();
            machine.grantStartExecution(role);
            cfn = builder.targets(List.of(t.arn(machine.getStateMachineArn()).roleArn(role.getRoleArn()).build())).build();
        }
        return cfn;
    }

    private Schedule schedule(EventRoutesFile.Schedule schedule, Props props) {
        EventRoutesFile.Target target = schedule.target();
        ScheduleTargetInput input = ScheduleTargetInput.fromObject(value(schedule.input(), false));
        Optional<Duration> maxAge = target.maximumEventAgeSeconds().isPresent()
                ? Optional.of(Duration.seconds(target.maximumEventAgeSeconds().getAsInt())) : Optional.empty();
        Integer retries = target.retryAttempts().isPresent() ? target.retryAttempts().getAsInt() : null;
        software.amazon.awscdk.services.scheduler.IScheduleTarget scheduleTarget;
        if (target.function().isPresent()) {
            AgentFunction function = function(props, target.function().get(), schedule.name());
            scheduleTarget = LambdaInvoke.Builder.create(function.alias()).input(input)
                    .maxEventAge(maxAge.orElse(null)).retryAttempts(retries).build();
        } else {
            StateMachine machine = stateMachine(props, target.stateMachine().orElseThrow(), schedule.name());
            scheduleTarget = StepFunctionsStartExecution.Builder.create(machine).input(input)
                    .maxEventAge(maxAge.orElse(null)).retryAttempts(retries).build();
        }
        return Schedule.Builder.create(this, schedule.name())
                .scheduleName(Stack.of(this).getStackName() + "-" + schedule.name())
                .description(schedule.description())
                .schedule(ScheduleExpression.expression(schedule.expression()))
                .target(scheduleTarget)
                .build();
    }

    private static AgentFunction function(Props props, String module, String entry) {
        AgentFunction f = props.functions().get(module);
        if (f == null) {
            throw new IllegalArgumentException(EventRoutesFile.FILE_NAME + ": " + entry + ".target.function: " + module
                    + " is not a control plane function " + props.functions().keySet().stream().sorted().toList());
        }
        return f;
    }

    private static StateMachine stateMachine(Props props, String name, String entry) {
        StateMachine m = props.stateMachines().get(name);
        if (m == null) {
            throw new IllegalArgumentException(EventRoutesFile.FILE_NAME + ": " + entry + ".target.stateMachine: " + name
                    + " is not a control plane state machine " + props.stateMachines().keySet().stream().sorted().toList());
        }
        return m;
    }

    /** The pattern as CloudFormation takes it; a string with {@code ${AWS::...}} becomes {@code Fn::Sub} of itself. */
    private static Object pattern(JsonNode pattern) {
        return value(pattern, true);
    }

    private static Object value(JsonNode node, boolean substitute) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(f -> map.put(f.getKey(), value(f.getValue(), substitute)));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(e -> list.add(value(e, substitute)));
            return list;
        }
        if (node.isTextual()) {
            return substitute && node.textValue().contains("${") ? Fn.sub(node.textValue()) : node.textValue();
        }
        if (node.isNumber()) {
            return node.numberValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        throw new IllegalArgumentException(EventRoutesFile.FILE_NAME + ": a null in an event pattern or input is not supported");
    }

    /** Each rule by its name in the file. */
    public Map<String, CfnRule> rules() {
        return Map.copyOf(rules);
    }

    /** The on-failure queue of each function whose asynchronous invocations have one, by module name. */
    public Map<String, Queue> failureQueues() {
        return Map.copyOf(failureQueues);
    }

    /** Each schedule by its name in the file. */
    public Map<String, Schedule> schedules() {
        return Map.copyOf(schedules);
    }
}
