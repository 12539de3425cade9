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
        return JSON.readTree("""
                {"version":"0","id":"3f2c1a9e-6d5b-4c2e-9a1f-7b8e0d4c2a11","detail-type":"EC2 Image Builder Image State Change",
                 "source":"aws.imagebuilder","account":"123456789012","time":"2030-01-01T00:00:00Z","region":"us-east-1",
                 "resources":["arn:aws:imagebuilder:us-east-1:123456789012:image/semaphore-agent-ubuntu-noble-x86_64/1.0.3/1"],
                 "detail":{"previous-state":{"status":"TESTING"},"state":{"status":"%s"}}}""".formatted(status));
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
    void anAvailableAgentImageGoesToTheStackDeployerAndOtherImageStatesDoNot() throws Exception {
        assertThat(RULES.matching("default", imageEvent("AVAILABLE"))).extracting(r -> r.target().function().orElseThrow())
                .containsExactly("stack-deployer");
        assertThat(RULES.matching("default", imageEvent("BUILDING"))).isEmpty();
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
    void schedulesAreRatesWithTargetsThatExist() {
        assertThat(RULES.schedules()).extracting(EventRules.Schedule::name)
                .containsExactly("PollDemand", "DailyTokenCheck", "ReleaseSurplusMacHosts");
        EventRules.Schedule poll = RULES.schedules().get(0);
        assertThat(poll.rate()).isEqualTo(Duration.ofMinutes(1));
        assertThat(poll.target().stateMachine()).hasValue("poll-demand");
        assertThat(Files.isRegularFile(FILES.definition("poll-demand"))).isTrue();
        assertThat(poll.input().path("scheduledTime").asText()).isEqualTo("<aws.scheduler.scheduled-time>");
        assertThat(RULES.schedules().get(1).rate()).isEqualTo(Duration.ofDays(1));
        assertThat(RULES.schedules().get(2).rate()).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void aBrokenFileIsRefusedNamingTheRuleAndField() throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(Files.readString(FILES.eventRules()));
        ((ObjectNode) root.get("rules").get(0)).put("bus", "custom");
        assertThatThrownBy(() -> EventRules.parse(root)).hasMessageContaining("DemandObservedToScaler.bus");

        ObjectNode schedule = (ObjectNode) JSON.readTree(Files.readString(FILES.eventRules()));
        ((ObjectNode) schedule.get("schedules").get(0)).put("scheduleExpression", "cron(0 * * * ? *)");
        assertThatThrownBy(() -> EventRules.parse(schedule)).hasMessageContaining("PollDemand.scheduleExpression");

        ObjectNode target = (ObjectNode) JSON.readTree(Files.readString(FILES.eventRules()));
        ((ObjectNode) target.get("rules").get(1).get("target")).put("stateMachine", "x");
        assertThatThrownBy(() -> EventRules.parse(target)).hasMessageContaining("ImageAvailableToStackDeployer.target");
    }
}
