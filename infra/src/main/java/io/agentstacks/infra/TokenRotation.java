package io.agentstacks.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.constructs.Construct;

import java.util.List;

/**
 * Registration tokens: the token-rotator Lambda (behind {@code PUT /stacks/{name}/token}, see {@link StackApi})
 * may read and write tagged token parameters ({@link TokenParameters}); an EventBridge Scheduler schedule
 * runs its daily check of every stack's token (DailyTokenCheck in statemachines/event-rules.json, {@link EventRoutes}).
 */
public final class TokenRotation extends Construct {

    public record Props(AgentFunction rotator, Registry registry, EventBus events) {
    }

    public TokenRotation(Construct scope, String id, Props props) {
        super(scope, id);
        AgentFunction rotator = props.rotator();
        props.registry().grantReadWrite(rotator);
        props.events().grantPut(rotator);
        TokenParameters.allowWrite(rotator);
        NagSuppressions.addResourceSuppressions(rotator.role(), List.of(NagPackSuppression.builder().id("AwsSolutions-IAM5")
                .reason(TokenParameters.WILDCARD_REASON).build()), true);
    }

}
