package io.agentstacks.infra;

import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.TextWidget;
import software.constructs.Construct;

import java.util.List;
import java.util.Map;

/**
 * Every stack's demand and capacity on one dashboard: queued and running jobs, idle and occupied agents
 * (demand-poller's JobCount and AgentCount) and desired capacity (scaler's DesiredCapacity), one line per
 * stack, found by SEARCH over the functions' embedded metrics (namespace {@value Alarms#NAMESPACE},
 * dimension {@code Stack}), so that new stacks appear without a redeploy.
 */
public final class Dashboard extends Construct {

    public record Props() {
    }

    private final software.amazon.awscdk.services.cloudwatch.Dashboard dashboard;

    public Dashboard(Construct scope, String id, Props props) {
        super(scope, id);
        dashboard = software.amazon.awscdk.services.cloudwatch.Dashboard.Builder.create(this, "Dashboard")
                .dashboardName(Stack.of(this).getStackName())
                .build();
        dashboard.addWidgets(TextWidget.Builder.create()
                .markdown("# Semaphore agent stacks\nJob demand read from Semaphore, agents, and the desired capacity the scaler set, per stack.")
                .width(24).height(2).build());
        dashboard.addWidgets(
                graph("Queued jobs", search("JobCount", "JobState", "queued", "Maximum")),
                graph("Running jobs", search("JobCount", "JobState", "running", "Maximum")));
        dashboard.addWidgets(
                graph("Idle agents", search("AgentCount", "AgentState", "idle", "Maximum")),
                graph("Occupied agents", search("AgentCount", "AgentState", "occupied", "Maximum")));
        dashboard.addWidgets(
                graph("Desired capacity", MathExpression.Builder.create()
                        .expression("SEARCH('{" + Alarms.NAMESPACE + ",Stack} MetricName=\"DesiredCapacity\"', 'Maximum', 60)")
                        .usingMetrics(Map.of()).label("").period(Duration.minutes(1)).build()),
                graph("Failed demand polls", MathExpression.Builder.create()
                        .expression("SEARCH('{" + Alarms.NAMESPACE + ",Reason,Stack} MetricName=\"DemandPollFailed\"', 'Sum', 60)")
                        .usingMetrics(Map.of()).label("").period(Duration.minutes(1)).build()));
    }

    private static IMetric search(String metric, String dimension, String value, String statistic) {
        return MathExpression.Builder.create()
                .expression("SEARCH('{" + Alarms.NAMESPACE + "," + dimension + ",Stack} MetricName=\"" + metric + "\" "
                        + dimension + "=\"" + value + "\"', '" + statistic + "', 60)")
                .usingMetrics(Map.of())
                .label("")
                .period(Duration.minutes(1))
                .build();
    }

    private static IWidget graph(String title, IMetric metric) {
        return GraphWidget.Builder.create().title(title).left(List.of(metric)).width(12).height(6).build();
    }

    public software.amazon.awscdk.services.cloudwatch.Dashboard dashboard() {
        return dashboard;
    }
}
