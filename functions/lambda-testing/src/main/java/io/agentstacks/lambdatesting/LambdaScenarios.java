package io.agentstacks.lambdatesting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventJson;
import io.agentstacks.hosts.HostTags;
import io.agentstacks.spec.Arch;
import io.agentstacks.spec.Mac;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The one invocation per Lambda that the cold-start measurement times and each shaded-jar test starts with, each
 * with the input its trigger really sends: an API Gateway proxy event, a state machine task input, the poll-demand
 * loop's input, an EventBridge event.
 */
public final class LambdaScenarios {

    /** A registration token in Semaphore's shape; the stand-in accepts it. Never to be seen in a log or an answer. */
    public static final String TOKEN = "sLx7QwE2rT9yU4iO1pA6sD3fG8hJ5kZ0";
    public static final String NEW_TOKEN = "nQ3wE8rT1yU6iO9pA2sD5fG0hJ4kL7zX";

    private static final ObjectMapper JSON = new ObjectMapper();

    private LambdaScenarios() {
    }

    public static List<LambdaScenario> all() {
        return List.of(stackApi(), stackDeployer(), demandPoller(), scaler(), tokenRotator(), macHostAllocator(), macHostReleaser());
    }

    public static LambdaScenario named(String module) {
        return all().stream().filter(s -> s.module().equals(module)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Lambda module " + module));
    }

    /** {@code POST /stacks} with a new spec: 202, the spec stored, provision-stack started. */
    public static LambdaScenario stackApi() {
        return new LambdaScenario("stack-api", "io.agentstacks.stackapi.StackApiHandler", "io.agentstacks.stackapi.PlainStackApiHandler",
                aws -> ApiGatewayEvents.post("/stacks", "{\"stackName\":\"probe\",\"agentTokenParameterName\":\"/semaphore/probe/token\","
                        + "\"semaphoreOrganization\":\"acme\",\"maxSize\":3}").json(),
                (aws, answer) -> {
                    expect(json(answer).path("statusCode").asInt() == 202, "202 Accepted", answer);
                    expect(aws.registry().get("probe").isPresent(), "the spec in the registry", answer);
                    expect(aws.calls("StartExecution").stream().anyMatch(c -> c.json().path("name").asText().equals("probe-v1")),
                            "provision-stack started as execution probe-v1", answer);
                });
    }

    /** provision-stack's first task: the default VPC and subnets of a spec that names none. */
    public static LambdaScenario stackDeployer() {
        return new LambdaScenario("stack-deployer", "io.agentstacks.deployer.StackDeployerFunction",
                "io.agentstacks.deployer.PlainStackDeployerFunction",
                aws -> {
                    aws.seed(StackRecord.first(linuxSpec("probe", aws), Instant.now()));
                    return "{\"action\":\"resolveNetwork\",\"stack\":\"probe\",\"specVersion\":1,\"startedAt\":\"" + Instant.now() + "\"}";
                },
                (aws, answer) -> {
                    JsonNode a = json(answer);
                    expect(a.path("vpcId").asText().equals("vpc-0abc"), "the default VPC", answer);
                    expect(a.path("subnetIds").size() == 2, "its two default subnets", answer);
                });
    }

    /** poll-demand's invocation: one live stack polled (SSM, Semaphore), its demand put on the bus. */
    public static LambdaScenario demandPoller() {
        return new LambdaScenario("demand-poller", "io.agentstacks.demandpoller.DemandPollerFunction",
                "io.agentstacks.demandpoller.PlainDemandPollerFunction",
                aws -> {
                    aws.seed(active(linuxSpec("probe", aws), "probe-asg"));
                    aws.parameter("/semaphore/probe/token", TOKEN);
                    // The poll-demand execution of this very second (the poller stops polling once its minute is over).
                    return "{\"scheduledTime\":\"" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\",\"offsetSeconds\":0}";
                },
                (aws, answer) -> {
                    JsonNode a = json(answer);
                    expect(a.path("polled").asInt() == 1 && a.path("published").asInt() == 1, "one stack polled, one event", answer);
                    expect(aws.calls("PutEvents").stream().anyMatch(c -> c.body().contains("DemandObserved")),
                            "DemandObserved put on the bus", answer);
                });
    }

    /** The EventBridge rule's delivery of a DemandObserved: the group scaled to queued + running. */
    public static LambdaScenario scaler() {
        return new LambdaScenario("scaler", "io.agentstacks.scaler.ScalerFunction", "io.agentstacks.scaler.PlainScalerFunction",
                aws -> {
                    aws.seed(active(linuxSpec("probe", aws), "probe-asg"));
                    aws.group(new AwsStandIn.Group("probe-asg", 0, 20, 1, 1, false));
                    return EventJson.envelope(new DomainEvent.DemandObserved("probe", "probe-asg", 3, 1, 0, 1, Instant.now()),
                            AwsStandIn.ACCOUNT, AwsStandIn.REGION).toString();
                },
                (aws, answer) -> {
                    expect(json(answer).path("outcome").asText().equals("scaled"), "scaled", answer);
                    expect(aws.group("probe-asg").desiredCapacity() == 4, "desired capacity 4", answer);
                });
    }

    /** {@code PUT /stacks/probe/token}: Semaphore accepts the new token, SSM holds it. */
    public static LambdaScenario tokenRotator() {
        return new LambdaScenario("token-rotator", "io.agentstacks.tokenrotator.TokenRotatorFunction",
                "io.agentstacks.tokenrotator.PlainTokenRotatorFunction",
                aws -> {
                    aws.seed(active(linuxSpec("probe", aws), "probe-asg").toBuilder().tokenParameterVersion(OptionalLong.of(1)).build());
                    aws.parameter("/semaphore/probe/token", TOKEN);
                    return ApiGatewayEvents.request("PUT", "/stacks/probe/token").body("{\"token\":\"" + NEW_TOKEN + "\"}").json();
                },
                (aws, answer) -> {
                    expect(json(answer).path("statusCode").asInt() == 200, "200", answer);
                    expect(NEW_TOKEN.equals(aws.parameterValue("/semaphore/probe/token")), "the new token in SSM", answer);
                    expect(!answer.contains(NEW_TOKEN), "no token in the answer", answer);
                });
    }

    /** provision-stack's Mac task: one reserved host in the default VPC's first zone, and the host group. */
    public static LambdaScenario macHostAllocator() {
        return new LambdaScenario("mac-host-allocator", "io.agentstacks.machostallocator.MacHostAllocatorFunction",
                "io.agentstacks.machostallocator.PlainMacHostAllocatorFunction",
                aws -> {
                    aws.seed(StackRecord.first(macSpec("probe-mac", aws), Instant.now()).toBuilder().status(StackStatus.PROVISIONING).build());
                    return "{\"action\":\"ensureHosts\",\"stack\":\"probe-mac\",\"specVersion\":1}";
                },
                (aws, answer) -> {
                    JsonNode a = json(answer);
                    expect(a.path("hostIds").size() == 1 && a.path("hostGroupArn").asText().startsWith("arn:aws:resource-groups:"),
                            "one host in the stack's host group", answer);
                    expect(aws.hosts().size() == 1 && "probe-mac".equals(aws.hosts().get(0).tags().get(HostTags.STACK)),
                            "one host allocated, tagged with the stack", answer);
                });
    }

    /** release-mac-hosts' task after a deletion: an empty host past its 24 h is released. */
    public static LambdaScenario macHostReleaser() {
        return new LambdaScenario("mac-host-releaser", "io.agentstacks.machostreleaser.MacHostReleaserFunction",
                "io.agentstacks.machostreleaser.PlainMacHostReleaserFunction",
                aws -> {
                    Instant now = Instant.now();
                    aws.seed(StackRecord.first(macSpec("probe-mac", aws), now.minus(Duration.ofDays(3))).toBuilder()
                            .status(StackStatus.DELETED).build());
                    aws.host(new AwsStandIn.Host("h-0aaaaaaaaaaaaaaa1", "us-east-1a", "mac2.metal", "available", List.of(),
                            now.minus(Duration.ofDays(2)), Map.of(HostTags.STACK, "probe-mac")));
                    return "{\"action\":\"releaseEligible\",\"stack\":\"probe-mac\",\"specVersion\":1,\"startedAt\":\"" + now + "\"}";
                },
                (aws, answer) -> {
                    JsonNode a = json(answer);
                    expect(a.path("remaining").asInt() == 0 && a.path("released").toString().contains("h-0aaaaaaaaaaaaaaa1"),
                            "the host released, none left", answer);
                    expect(aws.hosts().stream().noneMatch(h -> "probe-mac".equals(h.tags().get(HostTags.STACK))),
                            "EC2 holds no host of the stack", answer);
                });
    }

    /** A Linux spec whose Semaphore is the stand-in (over HTTPS: the Lambdas send tokens over nothing else). */
    public static StackSpec linuxSpec(String name, AwsStandIn aws) {
        return StackSpec.builder(name, "/semaphore/" + name + "/token").semaphoreEndpoint(aws.semaphoreUrl()).maxSize(20).build();
    }

    /** A macOS spec: one reserved mac2 host, zones from the default VPC. */
    public static StackSpec macSpec(String name, AwsStandIn aws) {
        return StackSpec.builder(name, "/semaphore/" + name + "/token").semaphoreEndpoint(aws.semaphoreUrl())
                .os(OperatingSystem.MACOS).arch(Arch.ARM64).instanceType("mac2.metal").maxSize(1)
                .mac(new Mac(List.of("mac2"), List.of(), Optional.empty(), true, true, 1)).build();
    }

    /** {@code spec} ACTIVE with its group, as provisioning leaves it. */
    public static StackRecord active(StackSpec spec, String groupName) {
        return StackRecord.first(spec, Instant.now().minus(Duration.ofHours(1))).toBuilder()
                .status(StackStatus.ACTIVE)
                .groupName(Optional.of(groupName))
                .cloudFormationStackId(Optional.of("arn:aws:cloudformation:" + AwsStandIn.REGION + ":" + AwsStandIn.ACCOUNT
                        + ":stack/agent-stack-" + spec.stackName() + "/1"))
                .build();
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    public static void expect(boolean condition, String what, String answer) {
        if (!condition) {
            throw new AssertionError("expected " + what + "; the answer was " + answer);
        }
    }
}
