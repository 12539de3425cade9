package io.agentstacks.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventPatternTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static boolean matches(String pattern, String event) {
        return EventPattern.of(json(pattern)).matches(json(event));
    }

    @Test
    void matchesWhenEveryNamedFieldHasOneOfItsValuesAndIgnoresOtherFields() {
        String pattern = "{'source': ['semaphore.agent-stacks'], 'detail-type': ['DemandObserved', 'StackReady']}";
        assertThat(matches(pattern, "{'source': 'semaphore.agent-stacks', 'detail-type': 'StackReady', 'id': 'x'}")).isTrue();
        assertThat(matches(pattern, "{'source': 'semaphore.agent-stacks', 'detail-type': 'StackFailed'}")).isFalse();
        assertThat(matches(pattern, "{'source': 'aws.imagebuilder', 'detail-type': 'StackReady'}")).isFalse();
        assertThat(matches(pattern, "{'detail-type': 'StackReady'}")).as("a named field must be there").isFalse();
    }

    @Test
    void nestedObjectsMatchFieldByFieldAndAnEventArrayMatchesWhenOneElementDoes() {
        String pattern = "{'detail': {'state': {'status': ['AVAILABLE']}}, 'resources': [{'prefix': 'arn:aws:imagebuilder'}]}";
        assertThat(matches(pattern, "{'detail': {'state': {'status': 'AVAILABLE', 'x': 1}}, "
                + "'resources': ['arn:aws:ec2:x', 'arn:aws:imagebuilder:us-east-1:1:image/a/1.0.0/1']}")).isTrue();
        assertThat(matches(pattern, "{'detail': {'state': {'status': 'BUILDING'}}, 'resources': ['arn:aws:imagebuilder:x']}"))
                .isFalse();
        assertThat(matches(pattern, "{'detail': {'state': 'AVAILABLE'}, 'resources': ['arn:aws:imagebuilder:x']}"))
                .as("an object pattern needs an object").isFalse();
    }

    @Test
    void valuesCompareByTypeAndNumbersByValue() {
        assertThat(matches("{'n': [5]}", "{'n': 5.0}")).isTrue();
        assertThat(matches("{'n': [5]}", "{'n': '5'}")).isFalse();
        assertThat(matches("{'b': [true]}", "{'b': true}")).isTrue();
        assertThat(matches("{'v': [null]}", "{'v': null}")).isTrue();
        assertThat(matches("{'v': [null]}", "{}")).as("null matches a present null only").isFalse();
    }

    @Test
    void operatorsBehaveAsInEventBridge() {
        assertThat(matches("{'s': [{'suffix': '.png'}]}", "{'s': 'a.png'}")).isTrue();
        assertThat(matches("{'s': [{'equals-ignore-case': 'ABC'}]}", "{'s': 'aBc'}")).isTrue();
        assertThat(matches("{'s': [{'anything-but': ['a', 'b']}]}", "{'s': 'c'}")).isTrue();
        assertThat(matches("{'s': [{'anything-but': ['a', 'b']}]}", "{'s': 'b'}")).isFalse();
        assertThat(matches("{'s': [{'anything-but': {'prefix': 'x-'}}]}", "{'s': 'x-1'}")).isFalse();
        assertThat(matches("{'s': [{'anything-but': 'a'}]}", "{}")).as("anything-but needs the field").isFalse();
        assertThat(matches("{'s': [{'exists': false}]}", "{}")).isTrue();
        assertThat(matches("{'s': [{'exists': false}]}", "{'s': 1}")).isFalse();
        assertThat(matches("{'s': [{'exists': true}]}", "{'s': 1}")).isTrue();
        assertThat(matches("{'n': [{'numeric': ['>', 0, '<=', 5]}]}", "{'n': 5}")).isTrue();
        assertThat(matches("{'n': [{'numeric': ['>', 0, '<=', 5]}]}", "{'n': 0}")).isFalse();
        assertThat(matches("{'n': [{'numeric': ['=', 3]}]}", "{'n': '3'}")).isFalse();
    }

    @Test
    void refusesWhatTheLocalBusCannotEvaluateNamingThePath() {
        assertThatThrownBy(() -> EventPattern.of(json("{'detail': {'x': [{'wildcard': '*.png'}]}}")))
                .hasMessageContaining("detail.x").hasMessageContaining("wildcard");
        assertThatThrownBy(() -> EventPattern.of(json("{'source': 'a'}"))).hasMessageContaining("source")
                .hasMessageContaining("array");
        assertThatThrownBy(() -> EventPattern.of(json("{'n': [{'numeric': ['~', 1]}]}"))).hasMessageContaining("numeric");
        assertThatThrownBy(() -> EventPattern.of(json("{'n': []}"))).hasMessageContaining("non-empty");
        assertThatThrownBy(() -> EventPattern.of(json("{}"))).hasMessageContaining("non-empty");
    }
}
