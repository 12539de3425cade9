package io.agentstacks.stackapi;

import static io.agentstacks.lambdatesting.ApiGatewayEvents.post;
import static io.agentstacks.lambdatesting.ApiGatewayEvents.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.events.DomainEvent.StackRequested;
import io.agentstacks.inmemory.DescribeOnlyFleetControl;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.InMemoryWorkflowStarter;
import io.agentstacks.lambdatesting.ApiGatewayEvents;
import io.agentstacks.scaling.GroupState;
import io.agentstacks.spec.SpecReader;
import io.agentstacks.spec.SpecResult;
import io.agentstacks.stacks.DecisionSnapshot;
import io.agentstacks.stacks.DemandSnapshot;
import io.agentstacks.stacks.HostSnapshot;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.stacks.StackTransitions;
import io.agentstacks.stacks.Workflow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

class StackApiHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2025-01-01T10:00:00Z");

    private final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    private final InMemoryWorkflowStarter workflows = new InMemoryWorkflowStarter();
    private final InMemoryEventSink events = new InMemoryEventSink();
    private final DescribeOnlyFleetControl fleet = new DescribeOnlyFleetControl();
    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    private final List<StackApiHandler> handlers = new ArrayList<>();
    private final StackApiHandler handler = handler(registry);

    private StackApiHandler handler(StackRegistry registry) {
        StackApiHandler h = new StackApiHandler(registry, workflows, events, fleet, Clock.fixed(NOW, ZoneOffset.UTC), logLines::add);
        handlers.add(h);
        return h;
    }

    @AfterEach
    void closeHandlers() {
        handlers.forEach(StackApiHandler::close);
    }

    /** What API Gateway gets back, read from the JSON Lambda returns. */
    record Answer(int status, JsonNode headers, JsonNode body) {
        String header(String name) {
            JsonNode v = headers.get(name);
            return v == null ? null : v.asText();
        }
    }

    /** Streams the event JSON through the handler, as Lambda does, and reads the proxy response JSON back. */
    static Answer send(StackApiHandler target, ApiGatewayEvents.Request request) {
        var out = new java.io.ByteArrayOutputStream();
        try {
            target.handleRequest(new java.io.ByteArrayInputStream(request.json().getBytes(StandardCharsets.UTF_8)), out,
                    new TestLambdaContext());
            JsonNode wire = JSON.readTree(out.toByteArray());
            assertThat(wire.path("isBase64Encoded").asBoolean()).as("answers are text").isFalse();
            String body = wire.path("body").asText("");
            return new Answer(wire.path("statusCode").asInt(), wire.path("headers"),
                    body.isEmpty() ? JSON.missingNode() : JSON.readTree(body));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private Answer send(ApiGatewayEvents.Request request) {
        return send(handler, request);
    }

    private static String resource(String name) {
        try (InputStream in = StackApiHandlerTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Every spec a user starts from: the project's examples/. */
    static Stream<Path> exampleSpecs() throws IOException {
        Path examples = Path.of(System.getProperty("examples.dir", "../../examples"));
        assertThat(examples).as("the project's examples/ folder").isDirectory();
        List<Path> specs = jsonFiles(examples);
        assertThat(specs).as("example specs").isNotEmpty();
        return specs.stream();
    }

    private static List<Path> jsonFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    private static String spec(String name, int maxSize) {
        return """
                {"stackName": "%s", "agentTokenParameterName": "/semaphore/agents/%s/token",
                 "semaphoreOrganization": "acme", "instanceType": "t3.large", "maxSize": %d}
                """.formatted(name, name, maxSize);
    }

    private void assertProblem(Answer answer, int status) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
        assertThat(answer.body().path("status").asInt()).isEqualTo(status);
        assertThat(answer.body().path("type").isTextual()).isTrue();
        assertThat(answer.body().path("title").isTextual()).isTrue();
        assertThat(answer.body().path("detail").isTextual()).isTrue();
    }

    private void assertNothingWritten() {
        assertThat(registry.all()).isEmpty();
        assertThat(workflows.executions()).isEmpty();
        assertThat(events.published()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("exampleSpecs")
    void eachExampleSpecPostedThroughApiGatewayIsAccepted(Path file) throws IOException {
        String body = Files.readString(file);
        SpecResult read = SpecReader.read(JSON.readTree(body));
        assertThat(read.violations()).as(file + " is a valid spec").isEmpty();
        String name = read.spec().orElseThrow().stackName();

        Answer answer = send(post("/stacks", body));

        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(202);
        assertThat(answer.body()).isEqualTo(JSON.readTree(
                "{\"name\":\"" + name + "\",\"version\":1,\"status\":\"PENDING\"}"));
        assertThat(answer.header("Location")).isEqualTo("/stacks/" + name);
        assertThat(answer.header("ETag")).isEqualTo("\"1\"");
        assertThat(registry.get(name)).hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(StackStatus.PENDING));
        assertThat(workflows.executions()).singleElement().satisfies(e -> {
            assertThat(e.workflow()).isEqualTo(Workflow.PROVISION_STACK);
            assertThat(e.name()).isEqualTo(name + "-v1");
            assertThat(e.input()).isEqualTo("{\"stack\":\"" + name + "\",\"specVersion\":1}");
        });
        assertThat(events.published(StackRequested.class)).containsExactly(new StackRequested(name, 1, "create", NOW));
    }

    @Test
    void theOlderToolsConfigurationGetsWhatTheSpecReaderDecides() throws IOException {
        String legacy = resource("/legacy-config.json");
        SpecResult expected = SpecReader.read(JSON.readTree(legacy));

        Answer answer = send(post("/stacks", legacy));

        if (expected.isValid()) {
            assertThat(answer.status()).isEqualTo(202);
            assertThat(answer.body().path("name").asText()).isEqualTo(expected.spec().orElseThrow().stackName());
        } else {
            assertProblem(answer, 400);
            assertThat(answer.body().path("violations")).hasSize(expected.violations().size());
            assertNothingWritten();
        }
    }

    @Test
    void aBodySentBase64EncodedIsReadLikeAnyOther() {
        Answer answer = send(request("POST", "/stacks").base64Body(spec("ci", 3))
                .header("Content-Type", "application/json; charset=utf-8"));

        assertThat(answer.status()).isEqualTo(202);
        assertThat(registry.get("ci")).isPresent();
    }

    @Test
    void aBodyMarkedBase64ThatIsNotBase64Gets400NamingBodyAndNothingIsWritten() {
        Answer apply = send(request("POST", "/stacks").rawBase64Body("{\"stackName\": \"ci\"}")
                .header("Content-Type", "application/json"));
        Answer validate = send(request("POST", "/stacks/validate").rawBase64Body("not*base64!")
                .header("Content-Type", "application/json"));

        for (Answer answer : List.of(apply, validate)) {
            assertProblem(answer, 400);
            assertThat(answer.body().path("type").asText()).isEqualTo("urn:agent-stacks:problem:invalid-request");
            assertThat(answer.body().path("violations")).singleElement().satisfies(v -> {
                assertThat(v.path("field").asText()).isEqualTo("body");
                assertThat(v.path("message").asText()).contains("base64");
                assertThat(v.path("rejectedValue").isNull()).isTrue();
            });
        }
        assertThat(logLines).noneSatisfy(l -> assertThat(l).contains("request.unreadable"));
        assertNothingWritten();
    }

    @Test
    void aNameInThePathThatNoStackCouldHaveGets400NamingNameBeforeAnyRegistryCall() {
        StackApiHandler untouchable = handler(new BarrierRegistry(registry, 0) {
            @Override
            public Optional<StackRecord> get(String name) {
                throw new AssertionError("the registry was read for " + name);
            }

            @Override
            public PutResult put(StackRecord next) {
                throw new AssertionError("the registry was written");
            }
        });
        String tooLong = "a".repeat(65);
        String huge = "a".repeat(2048);

        for (String method : List.of("GET", "DELETE")) {
            for (String name : List.of(tooLong, huge, "bad_name", "1st", "a%20b")) {
                Answer answer = send(untouchable, request(method, "/stacks/" + name));

                assertProblem(answer, 400);
                assertThat(answer.body().path("violations")).as(method + " " + name).singleElement()
                        .satisfies(v -> assertThat(v.path("field").asText()).isEqualTo("name"));
            }
        }
        Answer tooLongAnswer = send(untouchable, request("GET", "/stacks/" + tooLong));
        assertThat(tooLongAnswer.body().path("violations").get(0).path("message").asText()).contains("at most 64");
        Answer hugeAnswer = send(untouchable, request("DELETE", "/stacks/" + huge));
        assertThat(hugeAnswer.body().toString()).as("a huge name is not echoed").doesNotContain(huge);
        assertNothingWritten();
    }

    @Test
    void aNameOfSixtyFourCharactersIsLookedUp() {
        String name = "a".repeat(64);

        assertProblem(send(request("GET", "/stacks/" + name)), 404);
    }

    @Test
    void noStackCanBeNamedValidateSoPostStacksValidateIsAlwaysTheDryRun() {
        Answer refused = send(post("/stacks", spec("validate", 3)));

        assertProblem(refused, 400);
        assertThat(refused.body().path("violations")).singleElement().satisfies(v -> {
            assertThat(v.path("field").asText()).isEqualTo("stackName");
            assertThat(v.path("message").asText()).contains("POST /stacks/validate");
        });
        assertNothingWritten();

        Answer dryRun = send(post("/stacks/validate", spec("ci", 3)));
        assertThat(dryRun.status()).isEqualTo(200);
        Answer get = send(request("GET", "/stacks/validate"));
        assertProblem(get, 405);
        assertThat(get.header("Allow")).isEqualTo("POST");
        assertNothingWritten();
    }

    @Test
    void aBadSpecGets400ListingEveryViolationAndNothingIsWritten() {
        Answer answer = send(post("/stacks", "{\"instanceType\": \"t3.large\", \"stackName\": \"\"}"));

        assertProblem(answer, 400);
        assertThat(answer.body().path("type").asText()).isEqualTo("urn:agent-stacks:problem:invalid-spec");
        JsonNode violations = answer.body().path("violations");
        assertThat(violations).extracting(v -> v.path("field").asText())
                .contains("stackName", "agentTokenParameterName");
        assertThat(violations).allSatisfy(v -> {
            assertThat(v.has("field")).isTrue();
            assertThat(v.has("message")).isTrue();
            assertThat(v.has("rejectedValue")).isTrue();
            assertThat(v.has("legacyKey")).isTrue();
        });
        assertNothingWritten();
    }

    @Test
    void aBodyThatIsNotJsonGets400NamingWhereAndNothingIsWritten() {
        Answer answer = send(post("/stacks", "{\"stackName\": \"ci\",, }"));

        assertProblem(answer, 400);
        assertThat(answer.body().path("violations").get(0).path("message").asText()).contains("not valid JSON at line 1");
        assertNothingWritten();
    }

    @Test
    void aSpecWithADuplicateKeyIsRefused() {
        Answer answer = send(post("/stacks", "{\"stackName\": \"ci\", \"stackName\": \"cd\"}"));

        assertProblem(answer, 400);
        assertThat(answer.body().path("violations").get(0).path("message").asText()).contains("Duplicate field 'stackName'");
        assertNothingWritten();
    }

    @Test
    void theSamePostTwiceStartsOneExecution() {
        Answer first = send(post("/stacks", spec("ci", 3)));
        Answer second = send(post("/stacks", spec("ci", 3)));

        assertThat(first.status()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(workflows.executions()).extracting(InMemoryWorkflowStarter.Execution::name).containsExactly("ci-v1");
        assertThat(events.published()).hasSize(1);
    }

    @Test
    void twoUpdatesRacingOnOneVersionGiveOne202AndOne409() throws Exception {
        send(post("/stacks", spec("ci", 3)));
        makeActive("ci");
        // Two Lambda instances; both read version 1 before either writes, so the registry's
        // conditional write is what decides.
        BarrierRegistry shared = new BarrierRegistry(registry, 2);
        StackApiHandler one = handler(shared);
        StackApiHandler two = handler(shared);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> send(one, post("/stacks", spec("ci", 5)).header("If-Match", "\"1\"")));
            var b = pool.submit(() -> send(two, post("/stacks", spec("ci", 7)).header("If-Match", "\"1\"")));
            List<Answer> answers = List.of(a.get(30, java.util.concurrent.TimeUnit.SECONDS), b.get(30, java.util.concurrent.TimeUnit.SECONDS));

            assertThat(answers).extracting(Answer::status).containsExactlyInAnyOrder(202, 409);
            Answer conflict = answers.stream().filter(x -> x.status() == 409).findFirst().orElseThrow();
            assertProblem(conflict, 409);
            assertThat(conflict.body().path("currentVersion").asLong()).isEqualTo(2);
            Answer accepted = answers.stream().filter(x -> x.status() == 202).findFirst().orElseThrow();
            StackRecord stored = registry.get("ci").orElseThrow();
            assertThat(stored.specVersion()).isEqualTo(2);
            assertThat(accepted.body().path("version").asLong()).isEqualTo(2);
            assertThat(workflows.executions()).extracting(InMemoryWorkflowStarter.Execution::name).containsExactly("ci-v1", "ci-v2");
            assertThat(shared.barrierMet()).as("both requests read before either wrote").isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void ifMatchWithAnotherVersionGets409AndWritesNothing() {
        send(post("/stacks", spec("ci", 3)));
        makeActive("ci");

        Answer answer = send(post("/stacks", spec("ci", 4)).header("If-Match", "\"9\""));

        assertProblem(answer, 409);
        assertThat(answer.body().path("type").asText()).isEqualTo("urn:agent-stacks:problem:version-conflict");
        assertThat(answer.body().path("detail").asText()).contains("If-Match names spec version 9");
        assertThat(registry.get("ci").orElseThrow().specVersion()).isEqualTo(1);
        assertThat(workflows.executions()).hasSize(1);
    }

    @Test
    void ifMatchWithTheStoredVersionUpdates() {
        send(post("/stacks", spec("ci", 3)));
        makeActive("ci");

        Answer answer = send(post("/stacks", spec("ci", 4)).header("If-Match", "\"1\""));

        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.body().path("version").asLong()).isEqualTo(2);
        assertThat(answer.body().path("status").asText()).isEqualTo("UPDATING");
        assertThat(answer.header("ETag")).isEqualTo("\"2\"");
    }

    @Test
    void anIfMatchThatIsNotAVersionGets400() {
        Answer answer = send(post("/stacks", spec("ci", 3)).header("If-Match", "yesterday"));

        assertProblem(answer, 400);
        assertThat(answer.body().path("violations").get(0).path("field").asText()).isEqualTo("If-Match");
        assertNothingWritten();
    }

    @Test
    void aBodyOver256KbGets413AndNothingIsWritten() {
        String padded = spec("ci", 3).replace("}", " ".repeat(256 * 1024) + "}");

        Answer answer = send(post("/stacks", padded));

        assertProblem(answer, 413);
        assertNothingWritten();
    }

    @Test
    void aBodyJustUnder256KbIsRead() {
        String body = spec("ci", 3);
        String padded = body.replace("}", " ".repeat(256 * 1024 - body.length()) + "}");

        assertThat(send(post("/stacks", padded)).status()).isEqualTo(202);
    }

    @Test
    void aBodyThatIsNotDeclaredJsonGets415AndNothingIsWritten() {
        Answer text = send(post("/stacks", spec("ci", 3)).header("Content-Type", "text/plain"));
        Answer none = send(post("/stacks", spec("ci", 3)).header("Content-Type", null));

        assertProblem(text, 415);
        assertThat(text.body().path("detail").asText()).contains("application/json").contains("text/plain");
        assertProblem(none, 415);
        assertNothingWritten();
    }

    @Test
    void aWrongMethodGets405AsProblemJson() {
        Answer put = send(request("PUT", "/stacks").body(spec("ci", 3)));
        Answer patch = send(request("PATCH", "/stacks/ci").body(spec("ci", 3)));

        assertProblem(put, 405);
        assertProblem(patch, 405);
        assertNothingWritten();
    }

    @Test
    void anUnknownRouteGets404AsProblemJson() {
        assertProblem(send(request("GET", "/nothing-here")), 404);
    }

    @Test
    void getOfAnUnknownStackGets404() {
        Answer answer = send(request("GET", "/stacks/nope"));

        assertProblem(answer, 404);
        assertThat(answer.body().path("detail").asText()).isEqualTo("no stack named nope");
    }

    @Test
    void getShowsSpecStatusGroupCountsDemandDecisionAndHosts() throws IOException {
        send(post("/stacks", spec("ci", 3)));
        StackRecord active = makeActive("ci");
        store(active.toBuilder()
                .lastDemand(Optional.of(new DemandSnapshot(4, 2, 0, 2, NOW)))
                .lastDecision(Optional.of(new DecisionSnapshot("scale", 2, 3, "6 jobs need agents, max 3", NOW, NOW.plusSeconds(1), Optional.empty())))
                .hosts(List.of(new HostSnapshot("h-0abc", "us-east-1a", "available", 1, NOW, Optional.empty(), Optional.empty())))
                .rolledOutImage(Optional.of("arn:aws:imagebuilder:us-east-1:123456789012:image/semaphore-agent-ubuntu-noble-x86_64/1.0.4/1"))
                .build());
        fleet.put(new GroupState("ci-asg", 0, 3, 3, List.of(
                new GroupState.Instance("i-1", "InService", "us-east-1a", true),
                new GroupState.Instance("i-2", "InService", "us-east-1b", false),
                new GroupState.Instance("i-3", "Pending", "us-east-1a", false)), 1));

        Answer answer = send(request("GET", "/stacks/ci"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("ETag")).isEqualTo("\"1\"");
        JsonNode s = answer.body();
        assertThat(s.path("name").asText()).isEqualTo("ci");
        assertThat(s.path("specVersion").asLong()).isEqualTo(1);
        assertThat(s.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(s.path("groupName").asText()).isEqualTo("ci-asg");
        assertThat(s.path("group")).isEqualTo(JSON.readTree(
                "{\"name\":\"ci-asg\",\"minSize\":0,\"maxSize\":3,\"desired\":3,\"inService\":2,\"warm\":1}"));
        assertThat(s.path("lastDemand")).isEqualTo(JSON.readTree(
                "{\"queuedJobs\":4,\"runningJobs\":2,\"idleAgents\":0,\"occupiedAgents\":2,\"observedAt\":\"2025-01-01T10:00:00Z\"}"));
        assertThat(s.path("lastDecision").path("desired").asInt()).isEqualTo(3);
        assertThat(s.path("lastDecision").path("reason").asText()).isEqualTo("6 jobs need agents, max 3");
        assertThat(s.path("hosts")).singleElement().satisfies(h -> assertThat(h.path("hostId").asText()).isEqualTo("h-0abc"));
        assertThat(s.path("rolledOutImage").asText())
                .isEqualTo("arn:aws:imagebuilder:us-east-1:123456789012:image/semaphore-agent-ubuntu-noble-x86_64/1.0.4/1");
        assertThat(s.path("spec").path("maxSize").asInt()).isEqualTo(3);
        assertThat(s.path("spec").path("agentTokenParameterName").asText()).isEqualTo("/semaphore/agents/ci/token");
    }

    @Test
    void getOfAFailedStackShowsTheReasonAndNoGroup() {
        send(post("/stacks", spec("ci", 3)));
        store(StackTransitions.failed(registry.get("ci").orElseThrow(), "subnet-0abc does not exist", NOW));

        JsonNode s = send(request("GET", "/stacks/ci")).body();

        assertThat(s.path("status").asText()).isEqualTo("FAILED");
        assertThat(s.path("reason").asText()).isEqualTo("subnet-0abc does not exist");
        assertThat(s.has("group")).isFalse();
    }

    @Test
    void getStacksPagesThroughEveryStackInNameOrder() {
        for (String name : List.of("delta", "alpha", "echo", "charlie", "bravo")) {
            send(post("/stacks", spec(name, 1)));
        }
        List<String> seen = new ArrayList<>();
        Optional<String> token = Optional.empty();
        int pages = 0;
        do {
            var req = request("GET", "/stacks").query("limit", "2");
            token.ifPresent(t -> req.query("pageToken", t));
            Answer page = send(req);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body().path("stacks").size()).isLessThanOrEqualTo(2);
            page.body().path("stacks").forEach(s -> seen.add(s.path("name").asText()));
            token = page.body().path("nextPageToken").isTextual()
                    ? Optional.of(page.body().path("nextPageToken").asText()) : Optional.empty();
            pages++;
        } while (token.isPresent());

        assertThat(seen).containsExactly("alpha", "bravo", "charlie", "delta", "echo");
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void getStacksListsSummariesWithTheDefaultPageSize() {
        send(post("/stacks", spec("ci", 3)));

        Answer answer = send(request("GET", "/stacks"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().has("nextPageToken")).isFalse();
        JsonNode item = answer.body().path("stacks").get(0);
        assertThat(item.path("name").asText()).isEqualTo("ci");
        assertThat(item.path("status").asText()).isEqualTo("PENDING");
        assertThat(item.path("instanceType").asText()).isEqualTo("t3.large");
        assertThat(item.has("spec")).as("summaries leave the spec out").isFalse();
    }

    @Test
    void aPageSizeOutsideOneToAHundredOrNotANumberGets400() {
        Answer zero = send(request("GET", "/stacks").query("limit", "0"));
        Answer words = send(request("GET", "/stacks").query("limit", "ten"));

        assertProblem(zero, 400);
        assertThat(zero.body().path("violations").get(0).path("field").asText()).isEqualTo("limit");
        assertProblem(words, 400);
        assertThat(words.body().path("violations").get(0).path("rejectedValue").asText()).isEqualTo("ten");
    }

    @Test
    void deleteOfAnUnknownStackGets404() {
        Answer answer = send(request("DELETE", "/stacks/nope"));

        assertProblem(answer, 404);
        assertThat(workflows.executions()).isEmpty();
    }

    @Test
    void deleteTwiceStartsOneDestroyExecution() {
        send(post("/stacks", spec("ci", 3)));
        makeActive("ci");

        Answer first = send(request("DELETE", "/stacks/ci"));
        Answer second = send(request("DELETE", "/stacks/ci"));

        assertThat(first.status()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(202);
        assertThat(first.body().path("status").asText()).isEqualTo("DELETING");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(workflows.executions()).filteredOn(e -> e.workflow() == Workflow.DESTROY_STACK)
                .extracting(InMemoryWorkflowStarter.Execution::name).containsExactly("ci-delete-v1");
    }

    @Test
    void validateAnswersTheCanonicalSpecAndWritesNothing() {
        Answer answer = send(post("/stacks/validate", spec("ci", 3)));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().path("valid").asBoolean()).isTrue();
        assertThat(answer.body().path("name").asText()).isEqualTo("ci");
        assertThat(answer.body().path("spec").path("maxSize").asInt()).isEqualTo(3);
        assertThat(answer.body().path("warnings").isArray()).isTrue();
        assertNothingWritten();
    }

    @Test
    void validateOfABadSpecGets400ListingEveryViolation() {
        Answer answer = send(post("/stacks/validate", "{}"));

        assertProblem(answer, 400);
        assertThat(answer.body().path("violations").size()).isGreaterThanOrEqualTo(2);
        assertNothingWritten();
    }

    @Test
    void validateChecksContentTypeAndSizeLikeApply() {
        assertProblem(send(post("/stacks/validate", spec("ci", 3)).header("Content-Type", "text/yaml")), 415);
        assertProblem(send(post("/stacks/validate", spec("ci", 3).replace("}", " ".repeat(300_000) + "}"))), 413);
    }

    @Test
    void anUnexpectedFailureGets500WithTheRequestIdAndIsLogged() {
        StackApiHandler broken = handler(new BarrierRegistry(registry, 0) {
            @Override
            public Optional<StackRecord> get(String name) {
                throw new IllegalStateException("DynamoDB GetItem on table agent-stacks failed: throttled");
            }
        });

        var event = request("GET", "/stacks/ci");
        Answer answer = send(broken, event);

        assertProblem(answer, 500);
        String requestId = event.requestId();
        assertThat(answer.body().path("detail").asText()).contains(requestId).doesNotContain("DynamoDB");
        assertThat(logLines).anySatisfy(l -> assertThat(l).contains("\"event\":\"request.failed\"").contains("throttled")
                .contains(requestId));
    }

    @Test
    void anEventThatIsNotFromApiGatewayGets500AndIsLogged() throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        handler.handleRequest(new java.io.ByteArrayInputStream("{\"detail-type\":\"Scheduled Event\"}".getBytes(StandardCharsets.UTF_8)),
                out, new TestLambdaContext());

        JsonNode wire = JSON.readTree(out.toByteArray());
        assertThat(wire.path("statusCode").asInt()).isEqualTo(500);
        assertThat(wire.path("headers").path("Content-Type").asText()).isEqualTo("application/problem+json");
        assertThat(logLines).anySatisfy(l -> assertThat(l).contains("\"event\":\"request.unreadable\""));
        assertNothingWritten();
    }

    @Test
    void aTrailingSlashNamesTheSameRoute() {
        send(post("/stacks/", spec("ci", 3)));

        assertThat(send(request("GET", "/stacks/ci/")).status()).isEqualTo(200);
        assertThat(send(request("GET", "/stacks/")).body().path("stacks")).hasSize(1);
    }

    @Test
    void everyLogLineIsOneJsonObjectWithAnEventAndNoSpecContent() throws IOException {
        send(post("/stacks", spec("ci", 3)));
        send(post("/stacks", "{}"));
        send(request("DELETE", "/stacks/ci"));

        assertThat(logLines).hasSizeGreaterThanOrEqualTo(3);
        for (String line : logLines) {
            JsonNode json = JSON.readTree(line);
            assertThat(json.isObject()).isTrue();
            assertThat(json.path("event").isTextual()).isTrue();
            assertThat(line).doesNotContain("/semaphore/agents/ci/token").doesNotContain("Authorization")
                    .doesNotContain("AKIAIOSFODNN7EXAMPLE");
        }
        assertThat(logLines).anySatisfy(l -> assertThat(JSON.readTree(l).path("stack").asText()).isEqualTo("ci"));
    }

    private StackRecord store(StackRecord next) {
        return ((StackRegistry.PutResult.Stored) registry.put(next)).stored();
    }

    private StackRecord makeActive(String name) {
        StackRecord r = store(StackTransitions.provisioningStarted(registry.get(name).orElseThrow(), NOW));
        return store(StackTransitions.ready(r, name + "-asg", "arn:aws:cloudformation:eu-west-1:123456789012:stack/" + name + "/1", NOW));
    }

    /** Holds the first {@code parties} reads until all of them have read, so that every writer races on the same revision. */
    static class BarrierRegistry implements StackRegistry {
        private final StackRegistry delegate;
        private final java.util.concurrent.CountDownLatch allRead;
        private volatile boolean met;

        BarrierRegistry(StackRegistry delegate, int parties) {
            this.delegate = delegate;
            this.allRead = new java.util.concurrent.CountDownLatch(parties);
        }

        boolean barrierMet() {
            return met;
        }

        @Override
        public Optional<StackRecord> get(String name) {
            Optional<StackRecord> read = delegate.get(name);
            if (allRead.getCount() > 0) {
                allRead.countDown();
                try {
                    met = allRead.await(20, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return read;
        }

        @Override
        public Page list(Optional<String> pageToken, int limit) {
            return delegate.list(pageToken, limit);
        }

        @Override
        public List<StackRecord> listLive() {
            return delegate.listLive();
        }

        @Override
        public PutResult put(StackRecord next) {
            return delegate.put(next);
        }
    }
}
