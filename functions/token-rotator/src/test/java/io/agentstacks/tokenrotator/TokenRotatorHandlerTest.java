package io.agentstacks.tokenrotator;

import static io.agentstacks.tokenrotator.Fixture.ENDPOINT;
import static io.agentstacks.tokenrotator.Fixture.JSON;
import static io.agentstacks.tokenrotator.Fixture.T0;
import static io.agentstacks.tokenrotator.Fixture.putEvent;
import static io.agentstacks.tokenrotator.Fixture.putToken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.agentstacks.events.DomainEvent;
import io.agentstacks.inmemory.InMemoryTokenStore;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.stacks.StackTransitions;
import io.agentstacks.token.AgentToken;
import io.agentstacks.token.StoredToken;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenRotatorHandlerTest {

    static final AgentToken OLD = new AgentToken("OldRegistrationToken-0123456789abcdef");
    static final AgentToken NEW = new AgentToken("NewRegistrationToken-fedcba9876543210");

    final Fixture f = new Fixture();

    @Test
    void aGoodTokenIsAnsweredWithTheNewParameterVersionAndNothingElse() {
        f.liveStack("linux-small", OLD);
        f.semaphore.accept(ENDPOINT, NEW);
        f.clock.advance(Duration.ofMinutes(1));

        Fixture.Answer answer = f.invoke(putToken("linux-small", NEW));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Content-Type")).isEqualTo("application/json");
        assertThat(answer.body()).isEqualTo(JSON.createObjectNode()
                .put("name", "linux-small")
                .put("parameterName", "linux-small-token")
                .put("parameterVersion", 2)
                .put("rotatedAt", "2025-03-01T08:01:00Z"));
        assertThat(answer.json().path("isBase64Encoded").asBoolean(true)).isFalse();
        assertThat(f.tokens.read("linux-small-token")).isEqualTo(new StoredToken(NEW, 2));
        assertThat(f.logLines()).singleElement().satisfies(line -> {
            assertThat(line.path("event").asText()).isEqualTo("token.rotated");
            assertThat(line.path("stack").asText()).isEqualTo("linux-small");
            assertThat(line.path("parameterVersion").asLong()).isEqualTo(2);
            assertThat(line.path("written").asBoolean()).isTrue();
            assertThat(line.path("caller").asText()).isEqualTo("arn:aws:iam::111122223333:user/ops");
            assertThat(line.path("requestId").asText()).isEqualTo("3f1c9a52-7a0e-4a51-9b5d-2f6f0c2a9e11");
        });
    }

    @Test
    void aRetriedPutWritesTheTokenOnceAndAnswersTheSame() {
        f.liveStack("linux-small", OLD);
        f.semaphore.accept(ENDPOINT, NEW);

        Fixture.Answer first = f.invoke(putToken("linux-small", NEW));
        f.clock.advance(Duration.ofSeconds(20));
        Fixture.Answer retried = f.invoke(putToken("linux-small", NEW));

        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.body()).isEqualTo(first.body());
        assertThat(f.tokens.versions("linux-small-token")).extracting(InMemoryTokenStore.Version::token)
                .containsExactly(OLD, NEW);
        assertThat(f.events.published(DomainEvent.TokenRotated.class)).hasSize(1);
        assertThat(f.logLines()).extracting(l -> l.path("event").asText())
                .containsExactly("token.rotated", "token.rotated.unchanged");
    }

    @Test
    void aTokenSemaphoreRejectsIs422AndTheParameterStaysAsItWas() {
        f.liveStack("linux-small", OLD);
        f.semaphore.accept(ENDPOINT, OLD);

        Fixture.Answer answer = f.invoke(putToken("linux-small", NEW));

        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(answer.body().path("type").asText()).isEqualTo("urn:agent-stacks:problem:token-rejected");
        assertThat(answer.body().path("status").asInt()).isEqualTo(422);
        assertThat(answer.body().path("detail").asText()).contains("HTTP 401", "linux-small-token is unchanged");
        assertThat(answer.body().path("instance").asText()).isEqualTo("/stacks/linux-small/token");
        assertThat(f.tokens.versions("linux-small-token")).extracting(InMemoryTokenStore.Version::token)
                .containsExactly(OLD);
        assertThat(f.record("linux-small").status()).isEqualTo(StackStatus.ACTIVE);
    }

    @Test
    void aSemaphoreOutageDuringVerificationIs503AndWritesNothing() {
        f.liveStack("linux-small", OLD);
        f.semaphore.accept(ENDPOINT, NEW);
        f.semaphore.outage(ENDPOINT, "timed out after 2000 ms");
        int writes = f.tokens.writes();

        Fixture.Answer answer = f.invoke(putToken("linux-small", NEW));

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.header("Retry-After")).isEqualTo("30");
        assertThat(answer.body().path("detail").asText()).contains("timed out after 2000 ms", "nothing was written");
        assertThat(f.tokens.writes()).isEqualTo(writes);
        assertThat(f.registryWrites).isEmpty();
        assertThat(f.events.published()).isEmpty();
    }

    @Test
    void anSsmFailureIs503AndARetryAfterItCompletesTheRotation() {
        f.liveStack("linux-small", OLD);
        f.semaphore.accept(ENDPOINT, NEW);
        f.tokens.outage("ThrottlingException: Rate exceeded");

        Fixture.Answer failed = f.invoke(putToken("linux-small", NEW));
        f.tokens.restore();
        Fixture.Answer retried = f.invoke(putToken("linux-small", NEW));

        assertThat(failed.status()).isEqualTo(503);
        assertThat(failed.body().path("type").asText()).isEqualTo("urn:agent-stacks:problem:token-store-unavailable");
        assertThat(retried.status()).isEqualTo(200);
        assertThat(f.tokens.versions("linux-small-token")).hasSize(2);
    }

    @Test
    void aPutWhileAnotherTokenIsBeingSetIs503AndWritesNothing() {
        java.util.concurrent.atomic.AtomicInteger pauses = new java.util.concurrent.atomic.AtomicInteger();
        Fixture waiting = new Fixture(d -> pauses.incrementAndGet());
        waiting.liveStack("linux-small", OLD);
        waiting.semaphore.accept(ENDPOINT, NEW);
        // another request took the stack for another token a moment ago and is still writing it
        waiting.registry.update("linux-small", r -> r.toBuilder().tokenRotation(java.util.Optional.of(
                io.agentstacks.stacks.TokenRotationMark.started("5f2c0b7e", waiting.clock.instant()))).build());

        Fixture.Answer answer = waiting.invoke(putToken("linux-small", NEW));

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.header("Retry-After")).isEqualTo("30");
        assertThat(answer.body().path("type").asText()).isEqualTo("urn:agent-stacks:problem:rotation-in-progress");
        assertThat(pauses.get()).isPositive();
        assertThat(waiting.tokens.versions("linux-small-token")).hasSize(1);
        assertThat(waiting.logLines()).extracting(l -> l.path("event").asText()).containsExactly("token.put.inProgress");
        assertThat(answer.raw()).doesNotContain(NEW.reveal());
    }

    @Test
    void anUnknownStackIs404AndADeletingStackIs409() {
        var r = f.liveStack("linux-small", OLD);
        f.semaphore.accept(ENDPOINT, NEW);

        assertThat(f.invoke(putToken("nope", NEW)).status()).isEqualTo(404);
        Fixture.stored(f.registry.put(StackTransitions.deleteRequested(r, T0)));
        Fixture.Answer deleting = f.invoke(putToken("linux-small", NEW));

        assertThat(deleting.status()).isEqualTo(409);
        assertThat(deleting.body().path("detail").asText()).isEqualTo(
                "stack linux-small is DELETING; its token cannot be replaced");
        assertThat(f.semaphore.calls()).isEmpty();
    }

    @Test
    void aBase64EncodedBodyIsDecodedFirst() {
        f.liveStack("linux-small", OLD);
        f.semaphore.accept(ENDPOINT, NEW);
        ObjectNode event = putToken("linux-small", NEW);
        event.put("body", Base64.getEncoder().encodeToString(event.get("body").asText().getBytes(StandardCharsets.UTF_8)));
        event.put("isBase64Encoded", true);

        assertThat(f.invoke(event).status()).isEqualTo(200);
        assertThat(f.tokens.read("linux-small-token").token()).isEqualTo(NEW);
    }

    static Stream<Arguments> badRequests() {
        String t = NEW.reveal();
        return Stream.of(
                Arguments.of("no body", bodyIs(null), 400, "body"),
                Arguments.of("empty body", bodyIs(""), 400, "body"),
                Arguments.of("not JSON", bodyIs("token=" + t), 400, "body"),
                Arguments.of("JSON with trailing garbage", bodyIs("{\"token\":\"" + t + "\"} x"), 400, "body"),
                Arguments.of("an array", bodyIs("[\"" + t + "\"]"), 400, "body"),
                Arguments.of("a string", bodyIs("\"" + t + "\""), 400, "body"),
                Arguments.of("no token field", bodyIs("{}"), 400, "token"),
                Arguments.of("a null token", bodyIs("{\"token\":null}"), 400, "token"),
                Arguments.of("a number token", bodyIs("{\"token\":12345}"), 400, "token"),
                Arguments.of("an empty token", bodyIs("{\"token\":\"\"}"), 400, "token"),
                Arguments.of("a token with a line break", bodyIs("{\"token\":\"" + t + "\\n\"}"), 400, "token"),
                Arguments.of("a token with a space", bodyIs("{\"token\":\"" + t.substring(0, 8) + " " + t.substring(8) + "\"}"), 400, "token"),
                Arguments.of("a too long token", bodyIs("{\"token\":\"" + "x".repeat(1025) + "\"}"), 400, "token"),
                Arguments.of("another field", bodyIs("{\"token\":\"" + t + "\",\"" + t + "\":1}"), 400, "body"),
                Arguments.of("the field twice", bodyIs("{\"token\":\"" + t + "\",\"token\":\"" + t + "\"}"), 400, "body"),
                Arguments.of("a body over 4 KB", bodyIs("{\"token\":\"" + t + "\",\"pad\":\"" + "x".repeat(4100) + "\"}"), 413, "body"),
                Arguments.of("bad base64", with(bodyIs("{not base64"), e -> e.put("isBase64Encoded", true)), 400, "body"),
                Arguments.of("text/plain", header("content-type", "text/plain"), 415, "Content-Type"),
                Arguments.of("no content type", header("content-type", null), 415, "Content-Type"),
                Arguments.of("latin-1 JSON", header("content-type", "application/json; charset=ISO-8859-1"), 415, "Content-Type"),
                Arguments.of("a bad stack name", with(putToken("linux_small!", NEW), e -> { }), 400, "name"),
                Arguments.of("a stack name over the spec's 64 characters", with(putToken("a".repeat(65), NEW), e -> { }), 400, "name"),
                Arguments.of("the name the API reserves", with(putToken("validate", NEW), e -> { }), 400, "name"),
                Arguments.of("a POST", with(putToken("linux-small", NEW), e -> e.put("httpMethod", "POST")), 405, null),
                Arguments.of("another route", with(putToken("linux-small", NEW), e -> e.put("resource", "/stacks/{name}")), 404, null));
    }

    static ObjectNode bodyIs(String body) {
        return putEvent("linux-small", body);
    }

    static ObjectNode header(String name, String value) {
        ObjectNode e = putToken("linux-small", NEW);
        ObjectNode headers = (ObjectNode) e.get("headers");
        headers.remove(name);
        if (value != null) {
            headers.put("Content-Type", value);
        }
        return e;
    }

    static ObjectNode with(ObjectNode e, java.util.function.Consumer<ObjectNode> change) {
        change.accept(e);
        return e;
    }

    @ParameterizedTest(name = "{0} is refused with {2} before anything happens")
    @MethodSource("badRequests")
    void aBadRequestIsRefusedNamingTheFieldBeforeAnythingHappensAndWithoutQuotingTheToken(
            String what, ObjectNode event, int status, String field) {
        f.liveStack("linux-small", OLD);
        f.semaphore.accept(ENDPOINT, NEW);
        int reads = f.tokens.reads();
        int writes = f.tokens.writes();

        Fixture.Answer answer = f.invoke(event);

        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
        JsonNode body = answer.body();
        assertThat(body.path("status").asInt()).isEqualTo(status);
        assertThat(body.path("title").asText()).isNotBlank();
        if (field != null) {
            assertThat(body.path("errors")).extracting(e -> e.path("field").asText()).contains(field);
        }
        if (status == 405) {
            assertThat(answer.header("Allow")).isEqualTo("PUT");
        }
        assertThat(f.semaphore.calls()).isEmpty();
        assertThat(f.tokens.reads()).isEqualTo(reads);
        assertThat(f.tokens.writes()).isEqualTo(writes);
        assertThat(f.registryWrites).isEmpty();
        assertThat(f.events.published()).isEmpty();
        assertThat(answer.raw()).doesNotContain(NEW.reveal()).doesNotContain(NEW.reveal().substring(8));
        assertThat(f.logs()).doesNotContain(NEW.reveal()).doesNotContain(NEW.reveal().substring(8))
                .contains("token.put.refused");
    }

    @Test
    void theDailyCheckInvocationChecksEveryLiveStackAndLogsOneMetricLinePerStack() {
        f.liveStack("a-good", OLD);
        f.liveStack("b-reset", NEW);
        f.liveStack("c-other-org", OLD);
        f.semaphore.accept(ENDPOINT, OLD);
        f.semaphore.outage("https://other.semaphoreci.com", "HTTP 502");
        f.registry.put(f.record("c-other-org").toBuilder()
                .spec(Fixture.spec("c-other-org").toBuilder().semaphoreOrganization("other").build()).build());

        Fixture.Answer answer = f.invoke(JSON.createObjectNode().put("action", "dailyCheck"));

        assertThat(answer.json()).isEqualTo(JSON.createObjectNode().put("checked", 3).put("accepted", 1)
                .put("recovered", 0).put("rejected", 1).put("missing", 0).put("superseded", 0).put("semaphoreUnavailable", 1)
                .put("storeUnavailable", 0).put("failed", 0));
        assertThat(f.record("b-reset").status()).isEqualTo(StackStatus.DEGRADED);
        assertThat(f.record("c-other-org").status()).isEqualTo(StackStatus.ACTIVE);
        List<JsonNode> checks = f.logLines().stream().filter(l -> l.path("event").asText().equals("token.check")).toList();
        assertThat(checks).extracting(l -> l.path("stack").asText() + ":" + l.path("outcome").asText()
                        + ":" + l.path("TokenRejected").asInt() + ":" + l.path("TokenCheckUnavailable").asInt())
                .containsExactly("a-good:accepted:0:0", "b-reset:rejected:1:0", "c-other-org:semaphoreUnavailable:0:1");
        JsonNode emf = checks.get(1).path("_aws").path("CloudWatchMetrics").get(0);
        assertThat(emf.path("Namespace").asText()).isEqualTo("SemaphoreAgentStacks");
        assertThat(emf.path("Dimensions").toString()).isEqualTo("[[\"Stack\"]]");
        assertThat(checks.get(1).path("Stack").asText()).isEqualTo("b-reset");
        assertThat(checks.get(2).path("message").asText()).isEqualTo("Semaphore could not be asked; nothing changed");
        assertThat(f.logLines()).last().satisfies(l -> assertThat(l.path("event").asText()).isEqualTo("token.dailyCheck.done"));
    }

    @Test
    void anInvocationThatIsNeitherIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> f.invoke(JSON.createObjectNode().put("action", "rotate").put("token", NEW.reveal())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("field action")
                .message().doesNotContain(NEW.reveal());
        assertThatThrownBy(() -> f.handler.handle(
                new ByteArrayInputStream(("{\"token\":\"" + NEW.reveal()).getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream()))
                .isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain(NEW.reveal());
        assertThat(f.logs()).doesNotContain(NEW.reveal()).contains("invocation.refused");
    }

    @Test
    void anUnexpectedFailureIs500AndItsMessageIsScrubbedOfTheToken() {
        f.liveStack("linux-small", OLD);
        f.semaphore.accept(ENDPOINT, NEW);
        f.events.subscribe(e -> {
            throw new IllegalStateException("bus refused an entry mentioning " + NEW.reveal());
        });

        Fixture.Answer answer = f.invoke(putToken("linux-small", NEW));

        assertThat(answer.status()).isEqualTo(500);
        assertThat(answer.body().path("detail").asText()).contains("retrying is safe", "3f1c9a52");
        assertThat(f.logs()).contains("token.put.failed", "bus refused an entry mentioning ****")
                .doesNotContain(NEW.reveal());
        assertThat(answer.raw()).doesNotContain(NEW.reveal());
    }
}
