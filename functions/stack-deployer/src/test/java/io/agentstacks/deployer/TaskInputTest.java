package io.agentstacks.deployer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TaskInputTest {

    final Fixture f = new Fixture();

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"stack\":\"ci\",\"specVersion\":1}                                   | action is required",
            "{\"action\":\"explode\",\"stack\":\"ci\",\"specVersion\":1}              | unknown action explode",
            "{\"action\":\"finalize\",\"specVersion\":1}                             | stack is required",
            "{\"action\":\"finalize\",\"stack\":\"a b\",\"specVersion\":1}            | stack must be a stack name",
            "{\"action\":\"finalize\",\"stack\":\"ci\"}                               | specVersion is required",
            "{\"action\":\"finalize\",\"stack\":\"ci\",\"specVersion\":0}             | specVersion is required and must be a whole number, 1 or more",
            "{\"action\":\"finalize\",\"stack\":\"ci\",\"specVersion\":\"1\"}         | specVersion is required",
            "{\"action\":\"resolveNetwork\",\"stack\":\"ci\",\"specVersion\":1}       | startedAt is required",
            "{\"action\":\"resolveNetwork\",\"stack\":\"ci\",\"specVersion\":1,\"startedAt\":\"noon\"} | startedAt must be an ISO-8601 instant",
            "{\"action\":\"deploy\",\"stack\":\"ci\",\"specVersion\":1,\"deadline\":\"2030-01-01T00:00:00Z\"} | network must be an object",
            "{\"action\":\"deploy\",\"stack\":\"ci\",\"specVersion\":1,\"network\":{\"vpcId\":\"v\",\"subnetIds\":\"s\"}} | network.subnetIds is required",
            "{\"action\":\"readStatus\",\"stack\":\"ci\",\"specVersion\":1,\"workflow\":\"sideways\",\"deadline\":\"2030-01-01T00:00:00Z\"} | workflow must be provision or destroy",
            "{\"action\":\"readStatus\",\"stack\":\"ci\",\"specVersion\":1,\"workflow\":\"destroy\",\"attempt\":-1,\"deadline\":\"2030-01-01T00:00:00Z\"} | attempt must be a whole number",
            "{\"action\":\"markFailed\",\"stack\":\"ci\",\"specVersion\":1,\"workflow\":\"provision\"} | error must be an object",
    })
    void badInputIsRefusedNamingTheFieldBeforeAnythingChanges(String json, String message) {
        f.accept(Fixture.spec("ci"));
        long revision = f.record("ci").revision();

        assertThatThrownBy(() -> f.call(json)).isInstanceOf(StackDeployerHandler.BadTaskInput.class).hasMessageContaining(message);

        assertThat(f.record("ci").revision()).isEqualTo(revision);
        assertThat(f.cfn.calls()).isEmpty();
        assertThat(f.fleet.calls).isEmpty();
        assertThat(f.events.published()).isEmpty();
    }

    @Test
    void inputThatIsNotJsonIsRefused() {
        assertThatThrownBy(() -> f.handler.handle("{not json")).isInstanceOf(StackDeployerHandler.BadTaskInput.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> f.handler.handle(JsonNodeFactory.instance.arrayNode()))
                .isInstanceOf(StackDeployerHandler.BadTaskInput.class).hasMessageContaining("JSON object");
    }

    @Test
    void failureReasonsComeFromWhatTheStateMachineHandsOver() {
        JsonNodeFactory n = JsonNodeFactory.instance;
        assertThat(StackDeployerHandler.reason(n.objectNode().put("Error", "StackFailed").put("Cause", "ROLLBACK_COMPLETE: Role: denied")))
                .isEqualTo("ROLLBACK_COMPLETE: Role: denied");
        assertThat(StackDeployerHandler.reason(n.objectNode().put("Error", "States.Timeout").put("Cause", "")))
                .isEqualTo("States.Timeout");
        assertThat(StackDeployerHandler.reason(n.objectNode().put("Error", "Lambda.ServiceException").put("Cause", "Rate exceeded")))
                .isEqualTo("Lambda.ServiceException: Rate exceeded");
        assertThat(StackDeployerHandler.reason(n.objectNode().put("Error", "java.lang.IllegalStateException")
                .put("Cause", "{\"errorMessage\":\"no default VPC\",\"errorType\":\"x\",\"stackTrace\":[\"a.b(C.java:1)\"]}")))
                .isEqualTo("no default VPC");
        assertThat(StackDeployerHandler.reason(n.objectNode().put("Error", "X").put("Cause", "{broken")))
                .isEqualTo("X: {broken");
    }
}
