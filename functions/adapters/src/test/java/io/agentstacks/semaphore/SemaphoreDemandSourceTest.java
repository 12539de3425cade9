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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

class SemaphoreDemandSourceTest {

    @RegisterExtension
    static WireMockExtension semaphore = WireMockExtension.newInstance()
            .options(wireMockConfig().bindAddress("127.0.0.1").dynamicPort()).build();

    private static final String TOKEN = "agent-type-registration-token-d41d8cd98f00";
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    /** WireMock speaks plain HTTP on loopback: only a source built for that may send it a token. */
    private final SemaphoreDemandSource source = SemaphoreDemandSource.allowingLoopbackHttp(CLOCK);

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
    void theProductionSourceConnectsWithinOneSecondAndGivesUpOnAnExchangeAfterTwo() {
        SemaphoreDemandSource production = new SemaphoreDemandSource(CLOCK);

        assertThat(production.connectTimeout()).contains(Duration.ofSeconds(1));
        assertThat(production.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(SemaphoreDemandSource.allowingLoopbackHttp(CLOCK).requestTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    // The deadline's own length is asserted above; below, a short one shows it is enforced, whatever the load.

    @Test
    @Timeout(30)
    void aServerThatAcceptsButNeverAnswersIsAbandonedAtTheRequestTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Observation o = shortDeadline().observe("http://127.0.0.1:" + silent.getLocalPort(), new AgentToken(TOKEN));

            assertThat(unavailableReason(o)).isEqualTo("timed out after 200 ms");
        }
    }

    @Test
    @Timeout(30)
    void aResponseSlowerThanTheRequestTimeoutIsAbandoned() {
        answer(aResponse().withStatus(200).withFixedDelay(5_000)
                .withBody("{\"jobs\":{\"queued\":1,\"running\":0},\"agents\":{\"idle\":0,\"occupied\":0}}"));

        assertThat(unavailableReason(shortDeadline().observe(semaphore.baseUrl(), new AgentToken(TOKEN))))
                .isEqualTo("timed out after 200 ms");
    }

    @Test
    @Timeout(30)
    void aBodyThatTricklesPastTheRequestTimeoutIsAbandoned() {
        answer(aResponse().withStatus(200).withChunkedDribbleDelay(50, 5_000)
                .withBody("{\"jobs\":{\"queued\":1,\"running\":0},\"agents\":{\"idle\":0,\"occupied\":0}}"));

        assertThat(unavailableReason(shortDeadline().observe(semaphore.baseUrl(), new AgentToken(TOKEN))))
                .isEqualTo("timed out after 200 ms");
    }

    private static SemaphoreDemandSource shortDeadline() {
        return SemaphoreDemandSource.allowingLoopbackHttp(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
                .followRedirects(HttpClient.Redirect.NEVER).build(), CLOCK, Duration.ofMillis(200));
    }

    // --- where the token may go ---

    @ParameterizedTest
    @ValueSource(strings = {"http://acme.semaphoreci.com", "HTTP://127.0.0.1:%d", "http://127.0.0.1:%d", "http://localhost:%d"})
    void theProductionSourceNeverSendsTheTokenOverHttpNotEvenToLoopback(String endpoint) {
        answer(aResponse().withStatus(200).withBody("{\"jobs\":{},\"agents\":{}}"));

        Observation o = new SemaphoreDemandSource(CLOCK).observe(endpoint.formatted(semaphore.getPort()), new AgentToken(TOKEN));

        assertThat(unavailableReason(o)).isEqualTo("refused: Semaphore's endpoint must be https, the token is never sent in cleartext");
        assertThat(semaphore.getAllServeEvents()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://acme.semaphoreci.com", "http://10.0.0.1:%d", "http://169.254.169.254", "http://[::1]:%d",
            "http://127.0.0.1.nip.io:%d"})
    void theLoopbackSwitchAllowsHttpToThisMachineOnly(String endpoint) {
        answer(aResponse().withStatus(200).withBody("{\"jobs\":{},\"agents\":{}}"));

        Observation o = source.observe(endpoint.formatted(semaphore.getPort()), new AgentToken(TOKEN));

        assertThat(unavailableReason(o)).startsWith("refused: ");
        assertThat(semaphore.getAllServeEvents()).isEmpty();
    }

    @Test
    void theLoopbackSwitchReachesLocalhostByName() {
        answer(aResponse().withStatus(200).withBody("{\"jobs\":{\"queued\":1},\"agents\":{}}"));

        assertThat(source.observe("http://localhost:" + semaphore.getPort(), new AgentToken(TOKEN)))
                .isEqualTo(new Observation.Observed(new Demand(1, 0, 0, 0), NOW));
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
