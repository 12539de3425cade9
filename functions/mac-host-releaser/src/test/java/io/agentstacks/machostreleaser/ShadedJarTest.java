package io.agentstacks.machostreleaser;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.hosts.HostTags;
import io.agentstacks.lambdatesting.AwsStandIn;
import io.agentstacks.lambdatesting.LambdaJarTest;
import io.agentstacks.lambdatesting.LambdaProcess;
import io.agentstacks.lambdatesting.LambdaScenarios;
import io.agentstacks.spec.Mac;
import io.agentstacks.stacks.HostSnapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * mac-host-releaser.jar as Lambda runs it (at verify, once shaded): its own JVM, the entry's no-argument
 * constructor, only the environment Lambda and the control plane give it, and every EC2, Resource Groups,
 * DynamoDB and EventBridge call answered by a loopback stand-in in the wire format.
 */
class ShadedJarTest extends LambdaJarTest {

    ShadedJarTest() {
        super(LambdaScenarios.macHostReleaser(), "REGISTRY_TABLE");
    }

    @Test
    void hostsAreReleasedAndTheGroupDeletedThroughTheRealAdapters() {
        String release = scenario.arrange().apply(aws);
        aws.hostGroup("agent-stack-probe-mac", Map.of(HostTags.STACK, "probe-mac"));
        Instant twoDaysAgo = Instant.now().minus(Duration.ofDays(2));
        // A live stack with no reserved hosts, whose host has been seen empty for two days: surplus.
        aws.seed(LambdaScenarios.active(LambdaScenarios.macSpec("live-mac", aws).toBuilder()
                .mac(new Mac(List.of("mac2"), List.of(), Optional.empty(), true, true, 0)).build(), "live-mac-asg").toBuilder()
                .hosts(List.of(new HostSnapshot("h-0bbbbbbbbbbbbbbb2", "us-east-1a", "available", 0, twoDaysAgo, Optional.empty(),
                        Optional.empty(), Optional.of(twoDaysAgo)))).build());
        aws.host(new AwsStandIn.Host("h-0bbbbbbbbbbbbbbb2", "us-east-1a", "mac2.metal", "available", List.of(),
                twoDaysAgo, Map.of(HostTags.STACK, "live-mac")));
        aws.host(new AwsStandIn.Host("h-0ccccccccccccccc3", "us-east-1a", "mac2.metal", "available", List.of("i-0123456789abcdef0"),
                Instant.now().minus(Duration.ofDays(2)), Map.of(HostTags.STACK, "live-mac")));

        LambdaProcess.Result run = lambda().invoke(release,
                "{\"action\":\"deleteGroup\",\"stack\":\"probe-mac\",\"specVersion\":1}",
                "{\"action\":\"releaseSurplus\"}",
                "{\"action\":\"releaseEligible\",\"stack\":\"probe-mac\"}");

        scenario.check().accept(aws, run.answer(0));
        assertThat(LambdaScenarios.json(run.answer(1)).path("deleted").asBoolean()).isTrue();
        assertThat(aws.hasHostGroup("agent-stack-probe-mac")).isFalse();
        assertThat(LambdaScenarios.json(run.answer(2)).toString()).contains("h-0bbbbbbbbbbbbbbb2").doesNotContain("h-0ccccccccccccccc3");
        assertThat(aws.hosts()).extracting(AwsStandIn.Host::hostId).containsExactly("h-0ccccccccccccccc3");
        assertThat(run.error(3)).contains("startedAt");
        assertThat(aws.calls("PutEvents").stream().map(AwsStandIn.Call::body).toList())
                .anySatisfy(b -> assertThat(b).contains("MacHostReleased"));
        assertThat(run.everythingWritten()).doesNotContain(AwsStandIn.SECRET_ACCESS_KEY);
    }
}
