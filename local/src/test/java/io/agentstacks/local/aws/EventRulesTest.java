package io.agentstacks.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventJson;
import io.agentstacks.local.sfn.StateMachineFiles;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StateMachineFiles FILES = StateMachineFiles.locate();
    private static final EventRules RULES = EventRules.read(FILES.eventRules());
    private static final Instant T = Instant.parse("2030-01-01T00:00:10Z");

    private static JsonNode imageEvent(String status) throws Exception {
        return imageEvent(status, "arn:aws:imagebuilder:us-east-1:000000000000:image/semaphore-agent-ubuntu-noble-x86_64/1.0.3/1");
    }

    private static JsonNode imageEvent(String status, String image) throws Exception {
        return JSON.readTree("""
                {"version":"0","id":"3f2c1a9e-6d5b-4c2e-9a1f-7b8e0d4c2a11","detail-type":"EC2 Image Builder Image State Change",
                 "source":"aws.imagebuilder","account":"000000000000","time":"2030-01-01T00:00:00Z","region":"us-east-1",
                 "resources":["%s"],
                 "detail":{"previous-state":{"status":"TESTING"},"state":{"status":"%s"}}}""".formatted(image, status));
    }

    @Test
    void demandObservedGoesToTheScalerAndNoOtherControlPlaneEventGoesAnywhere() {
        JsonNode observed = LocalEventBus.envelope(new DomainEvent.DemandObserved("ci", "ci-asg", 2, 1, 0, 1, T));
        assertThat(RULES.matching("control-plane", observed)).extracting(r -> r.target().function().orElseThrow())
                .containsExactly("scaler");
        assertThat(RULES.matching("default", observed)).as("rules are per bus").isEmpty();
        JsonNode ready = LocalEventBus.envelope(new DomainEvent.StackReady("ci", 1, "ci-asg", T));
        assertThat(RULES.matching("control-plane", ready)).isEmpty();
    }

    @Test
    void anAvailableAgentImageOfThisAccountAndRegionGoesToTheStackDeployerAndNothingElseDoes() throws Exception {
        assertThat(RULES.matching("default", imageEvent("AVAILABLE"))).extracting(r -> r.target().function().orElseThrow())
                .containsExactly("stack-deployer");
        assertThat(RULES.matching("default", imageEvent("BUILDING"))).isEmpty();
        assertThat(RULES.matching("default", imageEvent("AVAILABLE",
                "arn:aws:imagebuilder:us-east-1:000000000000:image/someone-elses-image/1.0.0/1"))).isEmpty();
        assertThat(RULES.matching("default", imageEvent("AVAILABLE",
                "arn:aws:imagebuilder:eu-west-1:000000000000:image/semaphore-agent-ubuntu-noble-x86_64/1.0.3/1"))).isEmpty();
    }

    @Test
    void pseudoParametersAreTheDeploymentsAndNoOtherPlaceholderIsAccepted() throws Exception {
        JsonNode root = JSON.readTree(Files.readString(FILES.eventRules()));
        EventRules deployed = EventRules.parse(root, java.util.Map.of("AWS::Partition", "aws", "AWS::Region", "eu-west-1",
                "AWS::AccountId", "123456789012"));
        assertThat(deployed.matching("default", imageEvent("AVAILABLE",
                "arn:aws:imagebuilder:eu-west-1:123456789012:image/semaphore-agent-ubuntu-noble-x86_64/1.0.3/1"))).hasSize(1);
        ObjectNode other = (ObjectNode) root.deepCopy();
        ((ObjectNode) other.get("rules").get(0).get("eventPattern")).putArray("account").add("${AWS::StackName}");
        assertThatThrownBy(() -> EventRules.parse(other, EventRules.LOCAL_PSEUDO_PARAMETERS))
                .hasMessageContaining("DemandObserved.eventPattern").hasMessageContaining("${AWS::StackName}");
    }

    @Test
    void everyRuleNamesEventsTheControlPlanePutsAndFunctionsTheProjectHas() {
        Path functions = FILES.directory().getParent().resolve("functions");
        for (EventRules.Rule r : RULES.rules()) {
            r.target().function().ifPresent(f -> assertThat(functions.resolve(f)).as(r.name() + " targets a function module")
                    .isDirectory());
            if (r.bus().equals("control-plane")) {
                r.pattern().json().path("detail-type").forEach(t -> assertThat(EventJson.detailTypes())
                        .as(r.name()).contains(t.asText()));
            }
        }
    }

    @Test
    void schedulesFireWhenEventBridgeSchedulerFiresThem() {
        assertThat(RULES.schedules()).extracting(EventRules.Schedule::name)
                .containsExactly("PollDemand", "DailyTokenCheck", "ReleaseSurplusMacHosts");
        Instant start = Instant.parse("2030-01-01T00:00:20Z");
        EventRules.Schedule poll = RULES.schedules().get(0);
        assertThat(poll.timing().first(start)).isEqualTo(Instant.parse("2030-01-01T00:01:00Z"));
        assertThat(poll.timing().period()).isEqualTo(Duration.ofMinutes(1));
        assertThat(poll.target().stateMachine()).hasValue("poll-demand");
        assertThat(Files.isRegularFile(FILES.definition("poll-demand"))).isTrue();
        assertThat(poll.input().path("scheduledTime").asText()).isEqualTo("<aws.scheduler.scheduled-time>");
        EventRules.Schedule daily = RULES.schedules().get(1);
        assertThat(daily.expression()).isEqualTo("cron(0 6 * * ? *)");
        assertThat(daily.timing().first(start)).isEqualTo(Instant.parse("2030-01-01T06:00:00Z"));
        assertThat(daily.timing().first(Instant.parse("2030-01-01T06:00:00Z"))).isEqualTo(Instant.parse("2030-01-02T06:00:00Z"));
        assertThat(daily.timing().period()).isEqualTo(Duration.ofDays(1));
        assertThat(RULES.schedules().get(2).timing().first(start)).isEqualTo(Instant.parse("2030-01-01T00:16:00Z"));
        assertThat(RULES.schedules()).allSatisfy(s -> assertThat(s.target().retryAttempts()).isPresent());
    }

    @Test
    void aFileCoreRefusesIsRefusedAndAPatternOperatorTheLocalBusCannotRunIsRefusedNamingTheRule() throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(Files.readString(FILES.eventRules()));
        ((ObjectNode) root.get("rules").get(0)).put("bus", "custom");
        assertThatThrownBy(() -> EventRules.parse(root, EventRules.LOCAL_PSEUDO_PARAMETERS)).hasMessageContaining("DemandObserved.bus");

        ObjectNode wildcard = (ObjectNode) JSON.readTree(Files.readString(FILES.eventRules()));
        ((ObjectNode) wildcard.get("rules").get(0).get("eventPattern")).putArray("account").addObject().put("wildcard", "0*");
        assertThatThrownBy(() -> EventRules.parse(wildcard, EventRules.LOCAL_PSEUDO_PARAMETERS))
                .hasMessageContaining("DemandObserved.eventPattern");
    }

    @Test
    void aPlaceholderWithoutALocalValueIsRefusedNamingTheRule() throws Exception {
        JsonNode root = JSON.readTree(Files.readString(FILES.eventRules()));
        assertThatThrownBy(() -> EventRules.parse(root, java.util.Map.of("AWS::Partition", "aws")))
                .hasMessageContaining("ImageAvailable.eventPattern").hasMessageContaining("${AWS::Region}");
    }
}
