package io.agentstacks.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.local.SimulatedTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The local bus invokes function targets as Lambda's asynchronous invocation does, with event-rules.json's settings. */
class LocalEventBusRetryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final SimulatedTime time = new SimulatedTime(clock, new InMemoryFleetControl(clock, new InMemoryFleetControl.BootTimes(
            Duration.ofSeconds(45), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofSeconds(30), 0), 1));
    private final LocalLambdas lambdas = new LocalLambdas(clock, line -> { });
    private final List<Long> calls = new ArrayList<>();

    private static ObjectNode rules(String target) throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"rules": [{"name": "Images", "description": "d", "bus": "default",
                            "eventPattern": {"source": ["aws.imagebuilder"]}, "target": %s}],
                 "schedules": []}""".formatted(target));
    }

    private LocalEventBus bus(String target, int failures) throws Exception {
        lambdas.register("stack-deployer", event -> {
            calls.add(Duration.between(T0, clock.instant()).toSeconds());
            if (calls.size() <= failures) {
                throw new IllegalStateException("ImageRolloutIncomplete");
            }
            return JSON.createObjectNode();
        });
        return new LocalEventBus(EventRules.parse(rules(target), EventRules.LOCAL_PSEUDO_PARAMETERS), time, lambdas, (m, in) -> { },
                Duration.ofSeconds(1));
    }

    private static JsonNode event() throws Exception {
        return JSON.readTree("{\"source\": \"aws.imagebuilder\", \"detail-type\": \"x\", \"detail\": {}}");
    }

    @Test
    void aFunctionErrorIsRetriedOneAndThenTwoMinutesLaterAndTheEventIsKeptWhenTheLastAttemptFails() throws Exception {
        LocalEventBus bus = bus("{\"function\": \"stack-deployer\", \"functionRetryAttempts\": 2,"
                + " \"functionMaximumEventAgeSeconds\": 21600, \"functionFailureQueue\": true}", 3);
        bus.put("default", event());
        time.advance(Duration.ofMinutes(10));
        assertThat(calls).containsExactly(1L, 61L, 181L);
        assertThat(bus.dropped()).singleElement().satisfies(d -> {
            assertThat(d.source()).isEqualTo("Images");
            assertThat(d.function()).isEqualTo("stack-deployer");
            assertThat(d.attempts()).isEqualTo(3);
            assertThat(d.failureQueue()).isTrue();
            assertThat(d.event().path("source").asText()).isEqualTo("aws.imagebuilder");
        });
    }

    @Test
    void aRetryThatSucceedsDropsNothing() throws Exception {
        LocalEventBus bus = bus("{\"function\": \"stack-deployer\", \"functionRetryAttempts\": 2,"
                + " \"functionMaximumEventAgeSeconds\": 21600}", 1);
        bus.put("default", event());
        time.advance(Duration.ofMinutes(10));
        assertThat(calls).containsExactly(1L, 61L);
        assertThat(bus.dropped()).isEmpty();
    }

    @Test
    void noRetriesOrAnEventOlderThanItsMaximumAgeIsGivenUpOn() throws Exception {
        LocalEventBus none = bus("{\"function\": \"stack-deployer\", \"functionRetryAttempts\": 0,"
                + " \"functionMaximumEventAgeSeconds\": 3600}", 5);
        none.put("default", event());
        time.advance(Duration.ofMinutes(10));
        assertThat(calls).containsExactly(1L);
        assertThat(none.dropped()).singleElement().satisfies(d -> assertThat(d.failureQueue()).isFalse());
    }

    @Test
    void theMaximumAgeStopsTheSecondRetry() throws Exception {
        LocalEventBus bus = bus("{\"function\": \"stack-deployer\", \"functionRetryAttempts\": 2,"
                + " \"functionMaximumEventAgeSeconds\": 120}", 5);
        bus.put("default", event());
        time.advance(Duration.ofMinutes(10));
        assertThat(calls).as("the retry at 3 minutes would be older than 120 s").containsExactly(1L, 61L);
        assertThat(bus.dropped()).singleElement().satisfies(d -> assertThat(d.attempts()).isEqualTo(2));
    }

    @Test
    void withoutSettingsLambdasDefaultsApplyTwoRetries() throws Exception {
        LocalEventBus bus = bus("{\"function\": \"stack-deployer\"}", 5);
        bus.put("default", event());
        time.advance(Duration.ofMinutes(10));
        assertThat(calls).containsExactly(1L, 61L, 181L);
    }
}
