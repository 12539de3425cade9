package io.agentstacks.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.DomainEvent.StackReady;
import io.agentstacks.events.EventJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

class EventBridgeEventSinkTest {

    @RegisterExtension
    static WireMockExtension aws = AwsStandIn.server();

    static final String BUS = "agent-stacks";
    static final String JSON_11 = "application/x-amz-json-1.1";
    static final Instant AT = Instant.parse("2030-01-01T00:00:00Z");
    static final ObjectMapper MAPPER = new ObjectMapper();

    final List<Duration> waits = new ArrayList<>();
    final EventBridgeEventSink sink = new EventBridgeEventSink(AwsStandIn.client(EventBridgeClient.builder(), aws), BUS, 3,
            BackoffStrategy.exponentialDelayWithoutJitter(Duration.ofMillis(100), Duration.ofSeconds(2)), waits::add);

    static MappingBuilder putEvents() {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AWSEvents.PutEvents"));
    }

    static ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", JSON_11).withBody(body);
    }

    static List<DomainEvent> ready(int n) {
        return IntStream.range(0, n).<DomainEvent>mapToObj(i -> new StackReady("s" + i, 1, "g" + i, AT)).toList();
    }

    static String accepted(int n) {
        return "{\"FailedEntryCount\":0,\"Entries\":[" + String.join(",",
                IntStream.range(0, n).mapToObj(i -> "{\"EventId\":\"11710aed-b79e-4468-a20b-bb3c0c3b4860-" + i + "\"}").toList()) + "]}";
    }

    List<JsonNode> sentBodies() {
        return aws.findAll(postRequestedFor(urlEqualTo("/"))).stream().map(LoggedRequest::getBodyAsString).map(b -> {
            try {
                return MAPPER.readTree(b);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    void eventsArePutOnTheBusWithSourceDetailTypeAndDetail() throws Exception {
        aws.stubFor(putEvents().willReturn(ok(accepted(1))));

        sink.publish(new StackReady("ci", 3, "agent-stack-ci-AutoScalingGroup-1", AT));

        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("AWSEvents.PutEvents"))
                .withHeader("Content-Type", equalTo(JSON_11))
                .withRequestBody(matchingJsonPath("$.Entries[0].EventBusName", equalTo(BUS)))
                .withRequestBody(matchingJsonPath("$.Entries[0].Source", equalTo("semaphore.agent-stacks")))
                .withRequestBody(matchingJsonPath("$.Entries[0].DetailType", equalTo("StackReady"))));
        JsonNode detail = MAPPER.readTree(sentBodies().get(0).at("/Entries/0/Detail").asText());
        assertThat(detail).isEqualTo(MAPPER.readTree(EventJson.detailString(new StackReady("ci", 3, "agent-stack-ci-AutoScalingGroup-1", AT))));
    }

    @Test
    void moreThanTenEventsGoInBatchesOfTen() {
        aws.stubFor(putEvents().withRequestBody(matchingJsonPath("$.Entries.length()", equalTo("10"))).willReturn(ok(accepted(10))));
        aws.stubFor(putEvents().withRequestBody(matchingJsonPath("$.Entries.length()", equalTo("3"))).willReturn(ok(accepted(3))));

        sink.publish(ready(23));

        assertThat(sentBodies()).extracting(b -> b.get("Entries").size()).containsExactlyInAnyOrder(10, 10, 3);
        assertThat(waits).isEmpty();
    }

    @Test
    void onlyTheRejectedEntriesArePutAgainAfterABackoff() {
        aws.stubFor(putEvents().withRequestBody(matchingJsonPath("$.Entries.length()", equalTo("3")))
                .willReturn(ok("{\"FailedEntryCount\":1,\"Entries\":[{\"EventId\":\"e-0\"},"
                        + "{\"ErrorCode\":\"ThrottlingException\",\"ErrorMessage\":\"Request rate exceeded\"},{\"EventId\":\"e-2\"}]}")));
        aws.stubFor(putEvents().withRequestBody(matchingJsonPath("$.Entries.length()", equalTo("1"))).willReturn(ok(accepted(1))));

        sink.publish(ready(3));

        List<JsonNode> bodies = sentBodies();
        assertThat(bodies).hasSize(2);
        JsonNode retry = bodies.stream().filter(b -> b.get("Entries").size() == 1).findFirst().orElseThrow();
        assertThat(retry.at("/Entries/0/Detail").asText()).contains("\"stack\":\"s1\"");
        assertThat(waits).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void entriesStillRejectedAfterTheLastAttemptAreReportedWithoutTheirDetail() {
        aws.stubFor(putEvents().willReturn(ok("{\"FailedEntryCount\":1,\"Entries\":["
                + "{\"ErrorCode\":\"InternalFailure\",\"ErrorMessage\":\"internal\"}]}")));

        assertThatThrownBy(() -> sink.publish(ready(1)))
                .isInstanceOf(EventBridgeEventSink.EventPublishException.class)
                .hasMessageContaining(BUS).hasMessageContaining("1 event(s) (StackReady)").hasMessageContaining("InternalFailure")
                .hasMessageContaining("3 attempts").hasMessageNotContaining("\"stack\"");
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        aws.verify(3, postRequestedFor(urlEqualTo("/")));
    }

    @Test
    void aThrottledRequestIsRetriedByTheClientAndThenSucceeds() {
        aws.stubFor(putEvents().inScenario("throttle").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", JSON_11)
                        .withBody("{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"))
                .willSetStateTo("retried"));
        aws.stubFor(putEvents().inScenario("throttle").whenScenarioStateIs("retried").willReturn(ok(accepted(1))));

        sink.publish(ready(1));

        aws.verify(2, postRequestedFor(urlEqualTo("/")));
    }

    @Test
    void aBusThatDoesNotExistIsAnErrorNamingIt() {
        aws.stubFor(putEvents().willReturn(aResponse().withStatus(400).withHeader("Content-Type", JSON_11)
                .withBody("{\"__type\":\"ResourceNotFoundException\",\"message\":\"Event bus agent-stacks does not exist.\"}")));
        assertThatThrownBy(() -> sink.publish(ready(2)))
                .isInstanceOf(EventBridgeEventSink.EventPublishException.class)
                .hasMessageContaining("bus " + BUS).hasMessageContaining("does not exist");
    }

    @Test
    void nothingToPublishCallsNothing() {
        sink.publish(List.of());
        aws.verify(0, postRequestedFor(urlEqualTo("/")));
    }
}
