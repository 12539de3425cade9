package io.agentstacks.demandpoller;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;

import io.agentstacks.events.DomainEvent;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * The Lambda entry as the runtime builds it (no-arg constructor, lean Micronaut context), with the real
 * SSM and Semaphore adapters pointed at a loopback stand-in through the SDK's own endpoint setting.
 */
class LambdaWiringTest {

    @RegisterExtension
    static WireMockExtension aws = WireMockExtension.newInstance()
            .options(wireMockConfig().bindAddress("127.0.0.1").dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> PROPERTIES = Map.of(
            "aws.region", "us-east-1",
            "aws.accessKeyId", "AKIDEXAMPLE",
            "aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    @BeforeEach
    void environment() {
        PROPERTIES.forEach(System::setProperty);
        System.setProperty("aws.endpointUrl", aws.baseUrl());
    }

    @AfterEach
    void clean() {
        PROPERTIES.keySet().forEach(System::clearProperty);
        System.clearProperty("aws.endpointUrl");
    }

    @Test
    void theEntryPollsALiveStackThroughTheRealAdapters() throws Exception {
        aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.GetParameter"))
                .willReturn(aResponse().withStatus(200).withBody("{\"Parameter\":{\"Name\":\"/semaphore/wired/token\","
                        + "\"Type\":\"SecureString\",\"Value\":\"wired-token-0123\",\"Version\":2}}")));
        aws.stubFor(get(urlEqualTo("/api/v1/self_hosted_agents/metrics"))
                .withHeader("Authorization", equalTo("Token wired-token-0123"))
                .willReturn(aResponse().withStatus(200)
                        .withBody("{\"jobs\":{\"queued\":3,\"running\":1},\"agents\":{\"idle\":0,\"occupied\":1}}")));
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);

        try (DemandPollerFunction lambda = new DemandPollerFunction()) {
            InMemoryStackRegistry registry = lambda.context().getBean(InMemoryStackRegistry.class);
            Fixtures.active(registry, Fixtures.spec("wired", aws.baseUrl(), 10), minute.minusSeconds(3600));
            String input = "{\"scheduledTime\":\"" + minute + "\",\"offsetSeconds\":0}";
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            lambda.handleRequest(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, null);

            JsonNode answer = JSON.readTree(out.toByteArray());
            assertThat(answer.get("polled").asInt()).isEqualTo(1);
            assertThat(answer.get("published").asInt()).isEqualTo(1);
            assertThat(answer.get("scheduledTime").asText()).isEqualTo(minute.toString());
            assertThat(answer.has("nextPollAt")).isTrue();
            InMemoryEventSink sink = lambda.context().getBean(InMemoryEventSink.class);
            assertThat(sink.published(DomainEvent.DemandObserved.class)).singleElement()
                    .satisfies(e -> assertThat(e.queuedJobs()).isEqualTo(3));
            aws.verify(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.GetParameter")));
        }
    }

    @Test
    void inputThatIsNotAPollRequestFailsTheInvocationNamingTheField() {
        try (DemandPollerFunction lambda = new DemandPollerFunction()) {
            assertThatThrownBy(() -> lambda.handleRequest(new ByteArrayInputStream("{\"offsetSeconds\":5}".getBytes(
                    StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null)).hasMessageContaining("scheduledTime");
        }
    }
}
