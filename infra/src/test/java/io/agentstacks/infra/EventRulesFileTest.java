package io.agentstacks.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;

import java.util.Map;

import static io.agentstacks.infra.CloudFormationResolverTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventRulesFileTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    static ObjectNode file() {
        return (ObjectNode) json("""
                {'rules': [{'name': 'DemandObserved', 'description': 'to the scaler', 'bus': 'control-plane',
                            'eventPattern': {'source': ['semaphore.agent-stacks'],
                                             'resources': [{'prefix': 'arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:y'}]},
                            'target': {'function': 'scaler', 'retryAttempts': 2, 'maximumEventAgeSeconds': 60}}],
                 'schedules': [{'name': 'DailyTokenCheck', 'description': 'daily', 'scheduleExpression': 'cron(0 6 * * ? *)',
                                'target': {'function': 'token-rotator'}, 'input': {'action': 'dailyCheck'}}]}
                """);
    }

    @Test
    void theProjectsFileIsReadWithEveryRuleAndSchedule() throws Exception {
        EventRulesFile rules = EventRulesFile.read(ControlPlaneFixture.eventRules());
        JsonNode raw = MAPPER.readTree(ControlPlaneFixture.eventRules().toFile());
        assertThat(rules.rules()).hasSize(raw.get("rules").size());
        assertThat(rules.schedules()).hasSize(raw.get("schedules").size());
    }

    @Test
    void aRuleIsReadWithItsBusPatternAsWrittenTargetAndDeliverySettings() {
        EventRulesFile parsed = EventRulesFile.parse(file());
        EventRulesFile.Rule rule = parsed.rules().get(0);
        assertThat(rule.bus()).isEqualTo("control-plane");
        assertThat(rule.eventPattern().at("/resources/0/prefix").asText()).isEqualTo("arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:y");
        assertThat(rule.target().function()).contains("scaler");
        assertThat(rule.target().retryAttempts()).hasValue(2);
        assertThat(rule.target().maximumEventAgeSeconds()).hasValue(60);
        EventRulesFile.Schedule schedule = parsed.schedules().get(0);
        assertThat(schedule.expression()).isEqualTo("cron(0 6 * * ? *)");
        assertThat(schedule.input()).isEqualTo(json("{'action': 'dailyCheck'}"));
        assertThat(schedule.target().retryAttempts()).isEmpty();
    }

    @Test
    void aFieldInfraDoesNotApplyIsRefusedNamingItRatherThanLeftOutOfTheDeployment() {
        ObjectNode f = file();
        ((ObjectNode) f.at("/rules/0/target")).put("deadLetterQueue", "dlq");
        assertThatThrownBy(() -> EventRulesFile.parse(f)).hasMessageContaining("DemandObserved.target.deadLetterQueue")
                .hasMessageContaining("EventRoutes");
        ObjectNode g = file();
        ((ObjectNode) g.at("/schedules/0")).put("timezone", "Europe/Paris");
        assertThatThrownBy(() -> EventRulesFile.parse(g)).hasMessageContaining("DailyTokenCheck.timezone");
    }

    @Test
    void aPlaceholderOtherThanThePseudoParametersIsRefused() {
        ObjectNode f = file();
        ((ObjectNode) f.at("/rules/0/eventPattern/resources/0")).put("prefix", "arn:${AWS::StackName}");
        assertThatThrownBy(() -> EventRulesFile.parse(f)).hasMessageContaining("DemandObserved.eventPattern.resources[0].prefix")
                .hasMessageContaining("${AWS::StackName}");
    }

    @Test
    void badBusesExpressionsTargetsAndDeliverySettingsAreRefusedNamingTheField() {
        Map<String, String> cases = Map.of(
                "/rules/0|bus|sqs", "DemandObserved.bus",
                "/schedules/0|scheduleExpression|cron(0 6 * * MON *)", "DailyTokenCheck.scheduleExpression",
                "/rules/0/target|retryAttempts|186", "DemandObserved.target.retryAttempts",
                "/rules/0/target|maximumEventAgeSeconds|59", "DemandObserved.target.maximumEventAgeSeconds",
                "/rules/0/target|stateMachine|poll-demand", "DemandObserved.target: must name exactly one",
                "/schedules/0|name|DemandObserved", "DemandObserved: is defined twice");
        cases.forEach((change, message) -> {
            String[] c = change.split("\\|");
            ObjectNode f = file();
            JsonNode value = c[2].matches("\\d+") ? MAPPER.getNodeFactory().numberNode(Integer.parseInt(c[2]))
                    : MAPPER.getNodeFactory().textNode(c[2]);
            ((ObjectNode) f.at(c[0])).set(c[1], value);
            assertThatThrownBy(() -> EventRulesFile.parse(f)).as(change).hasMessageContaining(message);
        });
    }

    @Test
    void aTargetThatIsNoControlPlaneFunctionStopsTheSynthNamingIt() {
        ObjectNode f = file();
        ((ObjectNode) f.at("/rules/0/target")).put("function", "scalr");
        EventRulesFile parsed = EventRulesFile.parse(f);
        Stack stack = new Stack(new App(), "Test");
        EventBus bus = new EventBus(stack, "Bus", new EventBus.Props("test"));
        assertThatThrownBy(() -> new EventRoutes(stack, "Routes", new EventRoutes.Props(parsed, bus, Map.of(), Map.of())))
                .hasMessageContaining("DemandObserved.target.function: scalr is not a control plane function");
    }

    @Test
    void aFunctionTargetsAsynchronousInvocationSettingsAreReadAndTheirAbsenceIsKeptApart() {
        ObjectNode f = file();
        ((ObjectNode) f.at("/rules/0/target")).put("functionRetryAttempts", 0).put("functionMaximumEventAgeSeconds", 21_600)
                .put("functionFailureQueue", true);
        EventRulesFile parsed = EventRulesFile.parse(f);
        assertThat(parsed.rules().get(0).target().asyncInvoke()).contains(new EventRulesFile.AsyncInvoke(0, 21_600, true));
        assertThat(parsed.schedules().get(0).target().asyncInvoke()).isEmpty();
    }

    @Test
    void asynchronousInvocationSettingsOutsideLambdasRangesIncompleteOrOnAStateMachineAreRefusedNamingTheField() {
        Map<String, String> cases = Map.of(
                "functionRetryAttempts|3|functionMaximumEventAgeSeconds|60", "DemandObserved.target.functionRetryAttempts: must be a whole number from 0 to 2",
                "functionRetryAttempts|-1|functionMaximumEventAgeSeconds|60", "DemandObserved.target.functionRetryAttempts",
                "functionRetryAttempts|1|functionMaximumEventAgeSeconds|59", "DemandObserved.target.functionMaximumEventAgeSeconds: must be a whole number from 60 to 21600",
                "functionRetryAttempts|1|functionMaximumEventAgeSeconds|21601", "DemandObserved.target.functionMaximumEventAgeSeconds",
                "functionRetryAttempts|1|functionFailureQueue|1", "DemandObserved.target.functionMaximumEventAgeSeconds: is required");
        cases.forEach((change, message) -> {
            String[] c = change.split("\\|");
            ObjectNode f = file();
            ((ObjectNode) f.at("/rules/0/target")).put(c[0], Integer.parseInt(c[1])).put(c[2], Integer.parseInt(c[3]));
            assertThatThrownBy(() -> EventRulesFile.parse(f)).as(change).hasMessageContaining(message);
        });
        ObjectNode notBoolean = file();
        ((ObjectNode) notBoolean.at("/rules/0/target")).put("functionRetryAttempts", 1).put("functionMaximumEventAgeSeconds", 60)
                .put("functionFailureQueue", "yes");
        assertThatThrownBy(() -> EventRulesFile.parse(notBoolean)).hasMessageContaining("DemandObserved.target.functionFailureQueue");
        ObjectNode machine = file();
        ((ObjectNode) machine.at("/schedules/0/target")).remove("function");
        ((ObjectNode) machine.at("/schedules/0/target")).put("stateMachine", "poll-demand").put("functionRetryAttempts", 1)
                .put("functionMaximumEventAgeSeconds", 60);
        assertThatThrownBy(() -> EventRulesFile.parse(machine)).hasMessageContaining("DailyTokenCheck.target")
                .hasMessageContaining("function target only");
    }

    @Test
    void twoEntriesThatGiveOneFunctionDifferentAsynchronousInvocationSettingsAreRefused() {
        ObjectNode f = file();
        ((ObjectNode) f.at("/rules/0/target")).put("functionRetryAttempts", 2).put("functionMaximumEventAgeSeconds", 60);
        ((ObjectNode) f.at("/schedules/0/target")).put("function", "scaler");
        assertThatThrownBy(() -> EventRulesFile.parse(f)).hasMessageContaining("DailyTokenCheck.target: function scaler")
                .hasMessageContaining("DemandObserved");
        ((ObjectNode) f.at("/schedules/0/target")).put("functionRetryAttempts", 2).put("functionMaximumEventAgeSeconds", 60);
        assertThat(EventRulesFile.parse(f).schedules().get(0).target().asyncInvoke()).contains(new EventRulesFile.AsyncInvoke(2, 60, false));
    }
}
