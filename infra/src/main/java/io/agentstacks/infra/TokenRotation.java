package io.agentstacks.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.scheduler.Schedule;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.scheduler.ScheduleTargetInput;
import software.amazon.awscdk.services.scheduler.targets.LambdaInvoke;
import software.constructs.Construct;

import java.util.List;
import java.util.Map;

/**
 * Registration tokens: the token-rotator Lambda (behind {@code PUT /stacks/{name}/token}, see {@link StackApi})
 * may read and write tagged token parameters ({@link TokenParameters}); an EventBridge Scheduler schedule
 * runs its daily check of every stack's token.
 */
public final class TokenRotation extends Construct {

    /** Daily, at 06:00 UTC. */
    public static final String DAILY_CHECK = "cron(0 6 * * ? *)";

    public record Props(AgentFunction rotator, Registry registry, EventBus events) {
    }

    private final Schedule dailyCheck;

    public TokenRotation(Construct scope, String id, Props props) {
        super(scope, id);
        AgentFunction rotator = props.rotator();
        props.registry().grantReadWrite(rotator);
        props.events().grantPut(rotator);
        TokenParameters.allowWrite(rotator);
        NagSuppressions.addResourceSuppressions(rotator.role(), List.of(NagPackSuppression.builder().id("AwsSolutions-IAM5")
                .reason(TokenParameters.WILDCARD_REASON).build()), true);
        dailyCheck = Schedule.Builder.create(this, "DailyCheck")
                .scheduleName(software.amazon.awscdk.Stack.of(this).getStackName() + "-token-check")
                .description("Checks every stack's registration token against Semaphore")
                .schedule(ScheduleExpression.expression(DAILY_CHECK))
                .target(LambdaInvoke.Builder.create(rotator.alias())
                        .input(ScheduleTargetInput.fromObject(Ordered.map("action", "dailyCheck")))
                        .maxEventAge(Duration.hours(1))
                        .retryAttempts(2)
                        .build())
                .build();
    }

    public Schedule dailyCheck() {
        return dailyCheck;
    }
}
