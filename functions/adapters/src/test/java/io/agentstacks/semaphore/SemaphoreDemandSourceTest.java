package io.agentstacks.semaphore;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;

import io.agentstacks.demand.Demand;
import io.agentstacks.demand.Observation;
import io.agentstacks.token.AgentToken;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ServerSocket;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

class SemaphoreDemandSourceTest {

    @RegisterExtension
    static WireMockExtension semaphore = WireMockExtension.newInstance()
            .options(wireMockConfig().bindAddress("127.0.0.1").dynamicPort()).build();

    private static final String TOKEN = "agent-type-registration-token-d41d8cd98f00";
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    private final SemaphoreDemandSource source = new SemaphoreDemandSource(Clock.fixed(NOW, ZoneOffset.UTC));

    private static void answer(ResponseDefinitionBuilder response) {
        semaphore.stubFor(get(urlEqualTo("/api/v1/self_hosted_agents/metrics")).willReturn(response));
    }

    private Observation observe() {
        Observation o = source.observe(semaphore.baseUrl(), new AgentToken(TOKEN));
        assertThat(o.toString()).doesNotContain(TOKEN);
        assertThat(o.at()).isEqualTo(NOW);
        return o;
    }

    private static String unavailableReason(Observation o) {
        assertThat(o).isInstanceOf(Observation.Unavailable.class);
        return ((Observation.Unavailable) o).reason();
    }

    @Test
    void readsQueuedRunningIdleAndOccupiedWithTheAgentTypeToken() {
        answer(aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8")
                .withBody("{\"jobs\":{\"queued\":4,\"running\":3},\"agents\":{\"idle\":1,\"occupied\":3}}"));

        assertThat(observe()).isEqualTo(new Observation.Observed(new Demand(4, 3, 1, 3), NOW));
        semaphore.verify(getRequestedFor(urlEqualTo("/api/v1/self_hosted_agents/metrics"))
                .withHeader("Authorization", equalTo("Token " + TOKEN)));
    }

    @Test
    void aTrailingSlashOnTheEndpointIsFine() {
        answer(aResponse().withStatus(200).withBody("{\"jobs\":{\"queued\":1,\"running\":0},\"agents\":{\"idle\":0,\"occupied\":0}}"));
        assertThat(source.observe(semaphore.baseUrl() + "/", new AgentToken(TOKEN)))
                .isInstanceOf(Observation.Observed.class);
    }

    @Test
    void aStateSemaphoreLeavesOutCountsAsZeroAndUnknownStatesAreIgnored() {
        answer(aResponse().withStatus(200).withBody("{\"jobs\":{\"queued\":2,\"waiting\":9},\"agents\":{}}"));
        assertThat(observe()).isEqualTo(new Observation.Observed(new Demand(2, 0, 0, 0), NOW));
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 404})
    void aWrongTokenIsRejected(int status) {
        answer(aResponse().withStatus(status).withBody("{\"message\":\"Unauthorized\"}"));
        assertThat(observe()).isEqualTo(new Observation.TokenRejected(status, NOW));
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504, 429, 403, 302})
    void otherStatusesMakeDemandUnknown(int status) {
        answer(aResponse().withStatus(status).withHeader("Location", "http://127.0.0.1:1/elsewhere").withBody("oops"));
        assertThat(unavailableReason(observe())).isEqualTo("HTTP " + status);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<html>Bad gateway</html>",
            "{\"jobs\":{\"queued\":",
            "[1,2,3]",
            "{\"jobs\":{\"queued\":\"many\",\"running\":1},\"agents\":{\"idle\":0,\"occupied\":1}}",
            "{\"jobs\":{\"queued\":-1,\"running\":1},\"agents\":{\"idle\":0,\"occupied\":1}}",
            "{\"jobs\":{\"queued\":1.5,\"running\":1},\"agents\":{\"idle\":0,\"occupied\":1}}",
            "{\"jobs\":{\"queued\":1,\"running\":1}}",
            "",
    })
    void malformedBodiesMakeDemandUnknown(String body) {
        answer(aResponse().withStatus(200).withBody(body));
        assertThat(unavailableReason(observe())).startsWith("malformed response");
    }

    @Test
    void aTenMegabyteBodyIsCutOffAtTheCapNotBuffered() {
        byte[] huge = new byte[10 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        answer(aResponse().withStatus(200).withBody(huge));
        assertThat(unavailableReason(observe())).isEqualTo("response body over 65536 bytes");
    }

    @Test
    void aThreeSecondResponseIsAbandonedAfterTwoSeconds() {
        answer(aResponse().withStatus(200).withFixedDelay(3000)
                .withBody("{\"jobs\":{\"queued\":1,\"running\":0},\"agents\":{\"idle\":0,\"occupied\":0}}"));
        long before = System.nanoTime();
        Observation o = observe();
        long tookMs = (System.nanoTime() - before) / 1_000_000;
        assertThat(unavailableReason(o)).isEqualTo("timed out after 2000 ms");
        // Given up at the 2 s deadline, not when the answer came (a busy machine may add a little).
        assertThat(tookMs).isBetween(1_900L, 4_000L);
    }

    @Test
    void aBodyThatTricklesForThreeSecondsIsAbandonedAfterTwo() {
        answer(aResponse().withStatus(200).withChunkedDribbleDelay(30, 3000)
                .withBody("{\"jobs\":{\"queued\":1,\"running\":0},\"agents\":{\"idle\":0,\"occupied\":0}}"));
        long before = System.nanoTime();
        Observation o = observe();
        long tookMs = (System.nanoTime() - before) / 1_000_000;
        assertThat(unavailableReason(o)).isEqualTo("timed out after 2000 ms");
        // Given up at the 2 s deadline, not when the answer came (a busy machine may add a little).
        assertThat(tookMs).isBetween(1_900L, 4_000L);
    }

    @Test
    void aResetConnectionMakesDemandUnknown() {
        answer(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        assertThat(unavailableReason(observe())).startsWith("request failed");
    }

    @Test
    void anEmptyResponseMakesDemandUnknown() {
        answer(aResponse().withFault(Fault.EMPTY_RESPONSE));
        assertThat(unavailableReason(observe())).startsWith("request failed");
    }

    @Test
    void nothingListeningMakesDemandUnknown() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Observation o = source.observe("http://127.0.0.1:" + port, new AgentToken(TOKEN));
        assertThat(unavailableReason(o)).isEqualTo("connection refused or unreachable");
    }

    @Test
    void anEndpointThatIsNotAnHttpUrlMakesDemandUnknownWithoutACall() {
        assertThat(unavailableReason(source.observe("ftp://acme.semaphoreci.com", new AgentToken(TOKEN))))
                .isEqualTo("invalid Semaphore endpoint URL");
        assertThat(unavailableReason(source.observe("not a url", new AgentToken(TOKEN))))
                .isEqualTo("invalid Semaphore endpoint URL");
    }
}
