package io.agentstacks.infra;

import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What needs an operator, to one KMS-encrypted SNS topic: any Lambda error or throttle, any failed or
 * timed-out workflow (release-mac-hosts giving up after 7 days is a failed execution), demand polls that
 * keep failing, scaling calls that fail, a registration token Semaphore refuses, and an event Lambda gave up
 * on (a message in a function's on-failure queue).
 */
public final class Alarms extends Construct {

    public static final String NAMESPACE = "SemaphoreAgentStacks";

    /**
     * @param functions     every control plane function
     * @param stateMachines every workflow, by its short name
     * @param failureQueues the on-failure queue of a function's asynchronous invocations, by module name
     * @param email         an address to subscribe to the topic (context {@code alarmEmail}), if any
     */
    public record Props(List<AgentFunction> functions, Map<String, StateMachine> stateMachines, Map<String, Queue> failureQueues,
                        Optional<String> email) {
    }

    private final Topic topic;
    private final List<Alarm> alarms = new ArrayList<>();

    public Alarms(Construct scope, String id, Props props) {
        super(scope, id);
        Key key = Key.Builder.create(this, "TopicKey")
                .description("Encrypts the Semaphore agent stacks alarm notifications")
                .enableKeyRotation(true)
                .build();
        // CloudWatch publishes to the encrypted topic: it needs the key.
        key.grant(new ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*");
        topic = Topic.Builder.create(this, "Topic")
                .displayName("Semaphore agent stacks alarms")
                .masterKey(key)
                .enforceSsl(true)
                .build();
        props.email().ifPresent(address -> topic.addSubscription(new EmailSubscription(address)));
        SnsAction notify = new SnsAction(topic);

        for (AgentFunction f : props.functions()) {
            String name = f.spec().module();
            add(name + "-errors", "The " + name + " Lambda failed", f.function().metricErrors(fiveMinutes("Sum")), 1, 1, notify);
            add(name + "-throttles", "The " + name + " Lambda was throttled", f.function().metricThrottles(fiveMinutes("Sum")), 1, 1, notify);
        }
        props.stateMachines().forEach((name, machine) -> {
            add(name + "-failed", "A " + name + " execution failed" + ("release-mac-hosts".equals(name)
                            ? " (hosts still allocated after 7 days, or a host or the group could not be released)" : ""),
                    machine.metricFailed(fiveMinutes("Sum")), 1, 1, notify);
            add(name + "-timed-out", "A " + name + " execution timed out", machine.metricTimedOut(fiveMinutes("Sum")), 1, 1, notify);
        });
        props.failureQueues().forEach((module, queue) -> add(module + "-events-dropped",
                "Lambda gave up on an event for " + module + " after its retries: the message in " + module
                        + "'s failed-events queue holds the event (requestPayload) and the error; see README, \"Failed events\"",
                queue.metricApproximateNumberOfMessagesVisible(fiveMinutes("Maximum")), 1, 1, notify));
        // Metrics Insights over the functions' embedded metrics: one alarm for every stack, present and future.
        add("token-rejected", "Semaphore refuses a stack's registration token: run agent-stacks set-token NAME",
                insights("SELECT MAX(TokenRejected) FROM SCHEMA(\"" + NAMESPACE + "\", Stack)"), 1, 1, notify);
        add("demand-polls-failing", "Demand polls of a stack keep failing (Semaphore unreachable or refusing)",
                insights("SELECT SUM(DemandPollFailed) FROM SCHEMA(\"" + NAMESPACE + "\", Reason, Stack)"), 12, 3, notify);
        add("scaling-calls-failing", "The scaler could not set a group's desired capacity",
                insights("SELECT SUM(ScalingCallFailed) FROM SCHEMA(\"" + NAMESPACE + "\", Stack)"), 1, 1, notify);
    }

    private static MetricOptions fiveMinutes(String statistic) {
        return MetricOptions.builder().period(Duration.minutes(5)).statistic(statistic).build();
    }

    private static IMetric insights(String query) {
        return MathExpression.Builder.create().expression(query).usingMetrics(Map.of()).period(Duration.minutes(5)).build();
    }

    private void add(String id, String description, IMetric metric, double threshold, int periods, SnsAction notify) {
        Alarm alarm = Alarm.Builder.create(this, id)
                .alarmDescription(description)
                .metric(metric)
                .threshold(threshold)
                .evaluationPeriods(periods)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        alarm.addAlarmAction(notify);
        alarms.add(alarm);
    }

    public Topic topic() {
        return topic;
    }

    public List<Alarm> alarms() {
        return List.copyOf(alarms);
    }
}
