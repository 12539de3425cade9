package io.agentstacks.local.semaphore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.demand.Demand;
import io.agentstacks.demand.Observation;
import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.local.SimulatedTime;
import io.agentstacks.token.AgentToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class FakeSemaphoreServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ORG = "my-org.semaphoreci.com";

    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final SimulatedTime time = new SimulatedTime(clock, new InMemoryFleetControl(clock));
    private final FakeSemaphore semaphore = new FakeSemaphore(time, new FakeSemaphore.InstanceHooks() {
        @Override
        public void protect(String groupName, String instanceId, boolean on) {
        }

        @Override
        public boolean terminate(String instanceId, boolean decrementDesired) {
            return true;
        }

        @Override
        public void powerOff(String instanceId) {
        }
    }, line -> { });
    private final FakeSemaphoreServer server = FakeSemaphoreServer.start(semaphore);
    private final LoopbackDemandSource source = new LoopbackDemandSource(server.uri(), clock);
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postJobs(String body) throws Exception {
        return send(HttpRequest.newBuilder(server.uri().resolve("/local/jobs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void listensOnLoopbackOnly() {
        assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void theMetricsRouteSpeaksSemaphoresWireFormat() throws Exception {
        AgentToken token = semaphore.createAgentType("ci", ORG);
        semaphore.enqueue("ci", 4, 60);
        HttpResponse<String> ok = send(HttpRequest.newBuilder(server.uri().resolve("/api/v1/self_hosted_agents/metrics"))
                .header("Authorization", "Token " + token.reveal()));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ok.body())).isEqualTo(JSON.readTree(
                "{\"jobs\":{\"queued\":4,\"running\":0},\"agents\":{\"idle\":0,\"occupied\":0}}"));

        HttpResponse<String> wrong = send(HttpRequest.newBuilder(server.uri().resolve("/api/v1/self_hosted_agents/metrics"))
                .header("Authorization", "Token nope"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        HttpResponse<String> none = send(HttpRequest.newBuilder(server.uri().resolve("/api/v1/self_hosted_agents/metrics")));
        assertThat(none.statusCode()).isEqualTo(401);
    }

    @Test
    void theLoopbackSourceReadsDemandRefusalsAndOutagesAsTheProductionAdapterDoes() {
        AgentToken token = semaphore.createAgentType("ci", ORG);
        semaphore.enqueue("ci", 2, 60);
        assertThat(source.observe("https://" + ORG, token))
                .isEqualTo(new Observation.Observed(new Demand(2, 0, 0, 0), clock.instant()));
        assertThat(source.observe("https://other-org.semaphoreci.com", token))
                .isEqualTo(new Observation.TokenRejected(401, clock.instant()));
        semaphore.resetToken("ci");
        assertThat(source.observe("https://" + ORG, token)).isInstanceOf(Observation.TokenRejected.class);
        semaphore.outage(Duration.ofMinutes(2));
        assertThat(source.observe("https://" + ORG, token))
                .isEqualTo(new Observation.Unavailable("HTTP 503", clock.instant()));
    }

    @Test
    void jobsAreQueuedThroughHttp() throws Exception {
        semaphore.createAgentType("ci", ORG);
        HttpResponse<String> r = postJobs("{\"agentType\": \"ci\", \"count\": 3, \"durationSeconds\": 120}");
        assertThat(r.statusCode()).isEqualTo(202);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("jobs")).hasSize(3);
        assertThat(body.path("queuedJobs").asInt()).isEqualTo(3);
        assertThat(semaphore.agentType("ci").orElseThrow().queuedJobs()).isEqualTo(3);

        HttpResponse<String> list = send(HttpRequest.newBuilder(server.uri().resolve("/local/agent-types")));
        assertThat(JSON.readTree(list.body()).get(0).path("queuedJobs").asInt()).isEqualTo(3);
    }

    @Test
    void badJobRequestsAreRefusedNamingEveryFieldAndNothingIsQueued() throws Exception {
        semaphore.createAgentType("ci", ORG);
        HttpResponse<String> r = postJobs("{\"agentType\": 5, \"count\": 0, \"durationSeconds\": \"x\", \"size\": 1}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(JSON.readTree(r.body()).path("detail").asText())
                .contains("agentType:", "count:", "durationSeconds:", "size:");
        assertThat(postJobs("not json").statusCode()).isEqualTo(400);
        assertThat(postJobs("{\"agentType\": \"nope\", \"count\": 1, \"durationSeconds\": 1}").statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(server.uri().resolve("/local/jobs"))).statusCode()).isEqualTo(405);
        assertThat(semaphore.agentType("ci").orElseThrow().queuedJobs()).isZero();
    }
}
