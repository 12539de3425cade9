package io.agentstacks.tokenrotator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.agentstacks.demand.DemandSource;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.InMemoryTokenStore;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.semaphore.SemaphoreDemandSource;
import io.agentstacks.semaphore.SemaphoreFactory;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.token.AgentToken;
import io.agentstacks.token.TokenRotation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code PUT /stacks/{name}/token} shows the new token to Semaphore before storing it, through the same
 * {@link DemandSource} as the poller: the Lambda's ({@link SemaphoreFactory}) sends it over HTTPS only. A stack
 * whose stored spec names an {@code http://} endpoint (one stored before the spec refused them, or written around
 * the API) gets a 503 and keeps its token; nothing reaches the plain-HTTP server.
 */
class TokenOverHttpTest {

    static final AgentToken OLD = new AgentToken("OldRegistrationToken-0123456789abcdef");
    static final AgentToken NEW = new AgentToken("NewRegistrationToken-fedcba9876543210");

    final ManualClock clock = new ManualClock(Instant.parse("2025-03-01T08:00:00Z"));
    final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    final InMemoryTokenStore tokens = new InMemoryTokenStore();
    final InMemoryEventSink events = new InMemoryEventSink();
    final AtomicInteger metricsRequests = new AtomicInteger();
    HttpServer plainSemaphore;

    @BeforeEach
    void startAPlainHttpSemaphore() throws IOException {
        plainSemaphore = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        plainSemaphore.createContext(SemaphoreDemandSource.METRICS_PATH, x -> {
            metricsRequests.incrementAndGet();
            byte[] body = "{\"jobs\":{},\"agents\":{}}".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        });
        plainSemaphore.start();
        StackSpec spec = StackSpec.builder("linux-small", "/semaphore/linux-small/token")
                .semaphoreEndpoint("http://127.0.0.1:" + plainSemaphore.getAddress().getPort()).build();
        registry.put(StackRecord.first(spec, clock.instant()).toBuilder().status(StackStatus.ACTIVE)
                .groupName(Optional.of("linux-small-asg")).tokenParameterVersion(OptionalLong.of(1)).build());
        tokens.write(spec.agentTokenParameterName(), OLD, Optional.empty());
    }

    @AfterEach
    void stop() {
        plainSemaphore.stop(0);
    }

    private JsonNode putToken(DemandSource semaphore) throws IOException {
        TokenRotatorHandler handler = new TokenRotatorHandler(new TokenRotation(semaphore, tokens, registry, events, clock),
                new JsonLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), clock));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handle(new ByteArrayInputStream(Fixture.JSON.writeValueAsBytes(Fixture.putToken("linux-small", NEW))), out);
        return Fixture.JSON.readTree(out.toByteArray());
    }

    @Test
    void theLambdasSemaphoreSourceRefusesToVerifyANewTokenOverHttpAndNothingChanges() throws IOException {
        JsonNode answer = putToken(new SemaphoreFactory().demandSource());

        assertThat(answer.path("statusCode").asInt()).isEqualTo(503);
        assertThat(answer.path("body").asText()).contains("never sent in cleartext").doesNotContain(NEW.reveal());
        assertThat(metricsRequests).as("requests the plain-HTTP server received").hasValue(0);
        assertThat(tokens.read("/semaphore/linux-small/token").token()).isEqualTo(OLD);
        assertThat(events.published()).isEmpty();
    }

    @Test
    void onlyASourceBuiltForLoopbackStandInsReachesIt() throws IOException {
        JsonNode answer = putToken(SemaphoreDemandSource.allowingLoopbackHttp(clock));

        assertThat(answer.path("statusCode").asInt()).isEqualTo(200);
        assertThat(metricsRequests).hasValue(1);
        assertThat(tokens.read("/semaphore/linux-small/token").token()).isEqualTo(NEW);
    }
}
