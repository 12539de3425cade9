package io.agentstacks.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventRoutesFileTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The project's statemachines/event-rules.json, found from the module's directory upwards. */
    static Path projectFile() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path file = dir.resolve("statemachines").resolve(EventRoutesFile.FILE_NAME);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new IllegalStateException("statemachines/" + EventRoutesFile.FILE_NAME + " not found above " + Path.of("").toAbsolutePath());
    }

    static JsonNode json(String singleQuoted) {
        try {
            return MAPPER.readTree(singleQuoted.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ObjectNode file() {
        return (ObjectNode) json("""
                {'comment': 'what the file is',
                 'rules': [{'name': 'DemandObserved', 'description': 'to the scaler', 'bus': 'control-plane',
                            'eventPattern': {'source': ['semaphore.agent-stacks'],
                                             'resources': [{'prefix': 'arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:y'}]},
                            'target': {'function': 'scaler', 'retryAttempts': 2, 'maximumEventAgeSeconds': 60}}],
                 'schedules': [{'name': 'DailyTokenCheck', 'description': 'daily', 'scheduleExpression': 'cron(0 6 * * ? *)',
                                'target': {'function': 'token-rotator'}, 'input': {'action': 'dailyCheck'}}]}
                """);
    }

    @Test
    void theProjectsFileIsReadWithEveryRuleAndScheduleAndItsTargets() throws Exception {
        EventRoutesFile routes = EventRoutesFile.read(projectFile());
        JsonNode raw = MAPPER.readTree(projectFile().toFile());
        assertThat(routes.rules()).hasSize(raw.get("rules").size());
        assertThat(routes.schedules()).hasSize(raw.get("schedules").size());
        for (int i = 0; i < routes.rules().size(); i++) {
            assertThat(routes.rules().get(i).eventPattern()).isEqualTo(raw.at("/rules/" + i + "/eventPattern"));
        }
        EventRoutesFile.Schedule poll = routes.schedules().stream().filter(s -> s.name().equals("PollDemand")).findFirst().orElseThrow();
        assertThat(poll.target().stateMachine()).contains("poll-demand");
        assertThat(poll.target().asyncInvoke()).isEmpty();
        assertThat(poll.recurrence()).isEqualTo(new EventRoutesFile.Recurrence.Rate(Duration.ofMinutes(1)));
    }

    @Test
    void aRuleIsReadWithItsBusPatternAsWrittenTargetAndDeliverySettings() {
        EventRoutesFile parsed = EventRoutesFile.parse(file());
        EventRoutesFile.Rule rule = parsed.rules().get(0);
        assertThat(rule.bus()).isEqualTo("control-plane");
        assertThat(rule.description()).isEqualTo("to the scaler");
        assertThat(rule.eventPattern().at("/resources/0/prefix").asText()).isEqualTo("arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:y");
        assertThat(rule.target().function()).contains("scaler");
        assertThat(rule.target().retryAttempts()).hasValue(2);
        assertThat(rule.target().maximumEventAgeSeconds()).hasValue(60);
        assertThat(rule.target()).hasToString("function scaler");
        EventRoutesFile.Schedule schedule = parsed.schedules().get(0);
        assertThat(schedule.expression()).isEqualTo("cron(0 6 * * ? *)");
        assertThat(schedule.recurrence()).isEqualTo(new EventRoutesFile.Recurrence.Daily(LocalTime.of(6, 0)));
        assertThat(schedule.input()).isEqualTo(json("{'action': 'dailyCheck'}"));
        assertThat(schedule.target().retryAttempts()).isEmpty();
    }

    @Test
    void whatWasReadDoesNotChangeWhenTheJsonItCameFromOrAReturnedNodeIsChanged() {
        ObjectNode f = file();
        EventRoutesFile parsed = EventRoutesFile.parse(f);
        ((ObjectNode) f.at("/rules/0/eventPattern")).put("source", "changed");
        ((ObjectNode) parsed.schedules().get(0).input()).put("action", "changed");
        assertThat(parsed.rules().get(0).eventPattern().get("source").isArray()).isTrue();
        assertThat(parsed.schedules().get(0).input()).isEqualTo(json("{'action': 'dailyCheck'}"));
    }

    @Test
    void everyRateUnitAndDailyTimeIsReadAsWhenTheScheduleFires() {
        Map<String, EventRoutesFile.Recurrence> cases = new LinkedHashMap<>();
        cases.put("rate(1 minute)", new EventRoutesFile.Recurrence.Rate(Duration.ofMinutes(1)));
        cases.put("rate(15 minutes)", new EventRoutesFile.Recurrence.Rate(Duration.ofMinutes(15)));
        cases.put("rate(2 hours)", new EventRoutesFile.Recurrence.Rate(Duration.ofHours(2)));
        cases.put("rate(1 day)", new EventRoutesFile.Recurrence.Rate(Duration.ofDays(1)));
        cases.put("cron(59 23 * * ? *)", new EventRoutesFile.Recurrence.Daily(LocalTime.of(23, 59)));
        cases.forEach((expression, recurrence) -> {
            ObjectNode f = file();
            ((ObjectNode) f.at("/schedules/0")).put("scheduleExpression", expression);
            assertThat(EventRoutesFile.parse(f).schedules().get(0).recurrence()).as(expression).isEqualTo(recurrence);
        });
    }

    @Test
    void aFieldNoReaderAppliesIsRefusedNamingItsPathRatherThanLeftOut() {
        ObjectNode f = file();
        ((ObjectNode) f.at("/rules/0/target")).put("deadLetterQueue", "dlq");
        assertThatThrownBy(() -> EventRoutesFile.parse(f)).hasMessageContaining("DemandObserved.target.deadLetterQueue")
                .hasMessageContaining("EventRoutes");
        ObjectNode g = file();
        ((ObjectNode) g.at("/schedules/0")).put("timezone", "Europe/Paris");
        assertThatThrownBy(() -> EventRoutesFile.parse(g)).hasMessageContaining("DailyTokenCheck.timezone");
        ObjectNode h = file();
        ((ObjectNode) h.at("/rules/0")).put("state", "DISABLED");
        assertThatThrownBy(() -> EventRoutesFile.parse(h)).hasMessageContaining("DemandObserved.state");
        ObjectNode top = file();
        top.putArray("archives");
        assertThatThrownBy(() -> EventRoutesFile.parse(top)).hasMessageContaining("archives");
    }

    @Test
    void aPlaceholderOtherThanThePseudoParametersIsRefusedNamingWhereItIs() {
        ObjectNode f = file();
        ((ObjectNode) f.at("/rules/0/eventPattern/resources/0")).put("prefix", "arn:${AWS::StackName}");
        assertThatThrownBy(() -> EventRoutesFile.parse(f)).hasMessageContaining("DemandObserved.eventPattern.resources[0].prefix")
                .hasMessageContaining("${AWS::StackName}");
        ObjectNode g = file();
        ((ObjectNode) g.at("/rules/0/eventPattern")).putArray("account").add("${Account Id}");
        assertThatThrownBy(() -> EventRoutesFile.parse(g)).hasMessageContaining("DemandObserved.eventPattern.account[0]")
                .hasMessageContaining("${Account Id}");
    }

    @Test
    void badNamesBusesPatternsExpressionsInputsTargetsAndDeliverySettingsAreRefusedNamingTheField() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("/rules/0|bus|sqs", "DemandObserved.bus: must be one of [control-plane, default]");
        cases.put("/rules/0|description|", "DemandObserved.description: is required");
        cases.put("/rules/0|eventPattern|x", "DemandObserved.eventPattern: must be a non-empty JSON object");
        cases.put("/rules/0|name|Demand-Observed", "rules[].name: must be letters and digits");
        cases.put("/schedules/0|scheduleExpression|cron(0 6 * * MON *)", "DailyTokenCheck.scheduleExpression");
        cases.put("/schedules/0|scheduleExpression|cron(0 * * * ? *)", "DailyTokenCheck.scheduleExpression");
        cases.put("/schedules/0|scheduleExpression|cron(60 6 * * ? *)", "DailyTokenCheck.scheduleExpression");
        cases.put("/schedules/0|scheduleExpression|rate(0 minutes)", "DailyTokenCheck.scheduleExpression");
        cases.put("/schedules/0|scheduleExpression|rate(5 weeks)", "DailyTokenCheck.scheduleExpression");
        cases.put("/schedules/0|input|dailyCheck", "DailyTokenCheck.input: must be a JSON object");
        cases.put("/rules/0|target|scaler", "DemandObserved.target: must be {\"function\"");
        cases.put("/rules/0/target|function|", "DemandObserved.target.function: must be a non-empty string");
        cases.put("/rules/0/target|retryAttempts|186", "DemandObserved.target.retryAttempts: must be a whole number from 0 to 185");
        cases.put("/rules/0/target|retryAttempts|two", "DemandObserved.target.retryAttempts");
        cases.put("/rules/0/target|maximumEventAgeSeconds|59", "DemandObserved.target.maximumEventAgeSeconds: must be a whole number from 60 to 86400");
        cases.put("/rules/0/target|maximumEventAgeSeconds|86401", "DemandObserved.target.maximumEventAgeSeconds");
        cases.put("/rules/0/target|stateMachine|poll-demand", "DemandObserved.target: must name exactly one");
        cases.put("/schedules/0|name|DemandObserved", "DemandObserved: is defined twice");
        cases.forEach((change, message) -> {
            String[] c = change.split("\\|", -1);
            ObjectNode f = file();
            JsonNode value = c[2].matches("\\d+") ? MAPPER.getNodeFactory().numberNode(Integer.parseInt(c[2]))
                    : MAPPER.getNodeFactory().textNode(c[2]);
            ((ObjectNode) f.at(c[0])).set(c[1], value);
            assertThatThrownBy(() -> EventRoutesFile.parse(f)).as(change).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(message);
        });
        ObjectNode noTarget = file();
        ((ObjectNode) noTarget.at("/rules/0/target")).remove("function");
        assertThatThrownBy(() -> EventRoutesFile.parse(noTarget)).hasMessageContaining("DemandObserved.target: must name exactly one");
        ObjectNode noRules = file();
        noRules.remove("rules");
        assertThatThrownBy(() -> EventRoutesFile.parse(noRules)).hasMessageContaining("rules: must be an array");
    }

    @Test
    void aFileThatIsNotJsonIsRefusedNamingTheFile() throws Exception {
        Path broken = Files.createTempFile("event-rules", ".json");
        try {
            Files.writeString(broken, "{\"rules\": [");
            assertThatThrownBy(() -> EventRoutesFile.read(broken)).hasMessageContaining(broken.toString())
                    .hasMessageContaining("cannot be read as JSON");
        } finally {
            Files.delete(broken);
        }
    }

    @Test
    void aFunctionTargetsAsynchronousInvocationSettingsAreReadAndTheirAbsenceIsKeptApartFromLambdasDefaults() {
        ObjectNode f = file();
        ((ObjectNode) f.at("/rules/0/target")).put("functionRetryAttempts", 0).put("functionMaximumEventAgeSeconds", 21_600)
                .put("functionFailureQueue", true);
        EventRoutesFile parsed = EventRoutesFile.parse(f);
        assertThat(parsed.rules().get(0).target().asyncInvoke()).contains(new EventRoutesFile.AsyncInvoke(0, 21_600, true));
        assertThat(parsed.schedules().get(0).target().asyncInvoke()).isEmpty();
        assertThat(parsed.schedules().get(0).target().asyncInvokeOrDefault()).isEqualTo(new EventRoutesFile.AsyncInvoke(2, 21_600, false));
    }

    @Test
    void asynchronousInvocationSettingsOutsideLambdasRangesIncompleteOrOnAStateMachineAreRefusedNamingTheField() {
        Map<String, String> cases = Map.of(
                "functionRetryAttempts|3|functionMaximumEventAgeSeconds|60", "DemandObserved.target.functionRetryAttempts: must be a whole number from 0 to 2",
                "functionRetryAttempts|-1|functionMaximumEventAgeSeconds|60", "DemandObserved.target.functionRetryAttempts",
                "functionRetryAttempts|1|functionMaximumEventAgeSeconds|59", "DemandObserved.target.functionMaximumEventAgeSeconds: must be a whole number from 60 to 21600",
                "functionRetryAttempts|1|functionMaximumEventAgeSeconds|21601", "DemandObserved.target.functionMaximumEventAgeSeconds",
                "functionRetryAttempts|1|functionFailureQueue|1", "DemandObserved.target.functionMaximumEventAgeSeconds: is required",
                "functionMaximumEventAgeSeconds|60|functionFailureQueue|1", "DemandObserved.target.functionRetryAttempts: is required");
        cases.forEach((change, message) -> {
            String[] c = change.split("\\|");
            ObjectNode f = file();
            ((ObjectNode) f.at("/rules/0/target")).put(c[0], Integer.parseInt(c[1])).put(c[2], Integer.parseInt(c[3]));
            assertThatThrownBy(() -> EventRoutesFile.parse(f)).as(change).hasMessageContaining(message);
        });
        ObjectNode notBoolean = file();
        ((ObjectNode) notBoolean.at("/rules/0/target")).put("functionRetryAttempts", 1).put("functionMaximumEventAgeSeconds", 60)
                .put("functionFailureQueue", "yes");
        assertThatThrownBy(() -> EventRoutesFile.parse(notBoolean)).hasMessageContaining("DemandObserved.target.functionFailureQueue");
        ObjectNode machine = file();
        ((ObjectNode) machine.at("/schedules/0/target")).remove("function");
        ((ObjectNode) machine.at("/schedules/0/target")).put("stateMachine", "poll-demand").put("functionRetryAttempts", 1)
                .put("functionMaximumEventAgeSeconds", 60);
        assertThatThrownBy(() -> EventRoutesFile.parse(machine)).hasMessageContaining("DailyTokenCheck.target")
                .hasMessageContaining("function target only");
    }

    @Test
    void twoEntriesThatGiveOneFunctionDifferentAsynchronousInvocationSettingsAreRefused() {
        ObjectNode f = file();
        ((ObjectNode) f.at("/rules/0/target")).put("functionRetryAttempts", 2).put("functionMaximumEventAgeSeconds", 60);
        ((ObjectNode) f.at("/schedules/0/target")).put("function", "scaler");
        assertThatThrownBy(() -> EventRoutesFile.parse(f)).hasMessageContaining("DailyTokenCheck.target: function scaler")
                .hasMessageContaining("DemandObserved");
        ((ObjectNode) f.at("/schedules/0/target")).put("functionRetryAttempts", 2).put("functionMaximumEventAgeSeconds", 60);
        assertThat(EventRoutesFile.parse(f).schedules().get(0).target().asyncInvoke()).contains(new EventRoutesFile.AsyncInvoke(2, 60, false));
    }

    @Test
    void recordsBuiltInCodeKeepTheSameRulesAsTheFile() {
        assertThatThrownBy(() -> new EventRoutesFile.AsyncInvoke(3, 60, false)).hasMessageContaining("retryAttempts");
        assertThatThrownBy(() -> new EventRoutesFile.AsyncInvoke(0, 59, false)).hasMessageContaining("maximumEventAgeSeconds");
        assertThatThrownBy(() -> new EventRoutesFile.Target(java.util.Optional.empty(), java.util.Optional.of("poll-demand"),
                java.util.OptionalInt.empty(), java.util.OptionalInt.empty(),
                java.util.Optional.of(new EventRoutesFile.AsyncInvoke(0, 60, false)))).hasMessageContaining("function target's only");
    }
}
