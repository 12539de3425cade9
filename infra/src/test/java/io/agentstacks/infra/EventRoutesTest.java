package io.agentstacks.infra;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.events.EventRoutesFile;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;

import java.util.Map;

import static io.agentstacks.infra.CloudFormationResolverTest.json;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What infra checks beyond {@link EventRoutesFile} (core's tests cover the file itself). */
class EventRoutesTest {

    static ObjectNode file() {
        return (ObjectNode) json("""
                {'rules': [{'name': 'DemandObserved', 'description': 'to the scaler', 'bus': 'control-plane',
                            'eventPattern': {'source': ['semaphore.agent-stacks']},
                            'target': {'function': 'scaler', 'retryAttempts': 2, 'maximumEventAgeSeconds': 60}}],
                 'schedules': [{'name': 'PollDemand', 'description': 'each minute', 'scheduleExpression': 'rate(1 minute)',
                                'target': {'stateMachine': 'poll-demand'}, 'input': {'scheduledTime': '<aws.scheduler.scheduled-time>'}}]}
                """);
    }

    private static EventRoutes.Props props(ObjectNode f) {
        Stack stack = new Stack(new App(), "Test");
        EventBus bus = new EventBus(stack, "Bus", new EventBus.Props("test"));
        return new EventRoutes.Props(EventRoutesFile.parse(f), bus, Map.of(), Map.of());
    }

    @Test
    void aTargetThatIsNoControlPlaneFunctionStopsTheSynthNamingIt() {
        ObjectNode f = file();
        ((ObjectNode) f.at("/rules/0/target")).put("function", "scalr");
        EventRoutes.Props props = props(f);
        assertThatThrownBy(() -> new EventRoutes(props.bus(), "Routes", props))
                .hasMessageContaining("event-rules.json: DemandObserved.target.function: scalr is not a control plane function");
    }

    @Test
    void aTargetThatIsNoControlPlaneStateMachineStopsTheSynthNamingIt() {
        ObjectNode f = file();
        f.withArray("rules").removeAll();
        EventRoutes.Props props = props(f);
        assertThatThrownBy(() -> new EventRoutes(props.bus(), "Routes", props))
                .hasMessageContaining("event-rules.json: PollDemand.target.stateMachine: poll-demand is not a control plane state machine");
    }
}
