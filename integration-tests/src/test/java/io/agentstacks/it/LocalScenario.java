package io.agentstacks.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventJson;
import io.agentstacks.local.LocalControlPlane;
import io.agentstacks.local.aws.LocalApiGateway;
import io.agentstacks.local.aws.LocalCloudFormation;
import io.agentstacks.local.semaphore.FakeSemaphore;
import io.agentstacks.local.sfn.StateMachineFiles;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.token.AgentToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One end-to-end scenario on a fresh {@link LocalControlPlane}: the real handlers, the deployed state machine
 * definitions, in-memory AWS and a fake Semaphore, on simulated time (nothing sleeps). After each scenario the
 * invariants every scenario shares are checked, and its real and simulated durations are written to
 * {@code target/scenario-timings.txt}.
 */
abstract class LocalScenario {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path REPOSITORY = StateMachineFiles.locate().directory().getParent();
    static final Path TIMINGS = Path.of("target", "scenario-timings.txt");
    private static final List<String> timings = new ArrayList<>();

    LocalControlPlane cp;
    private final List<AgentToken> tokens = new ArrayList<>();
    private long realStart;
    private Instant simulatedStart;
    private String name;

    @BeforeEach
    void startControlPlane(TestInfo info) {
        name = getClass().getSimpleName() + "." + info.getTestMethod().orElseThrow().getName();
        realStart = System.nanoTime();
        cp = LocalControlPlane.start(LocalControlPlane.Options.defaults());
        simulatedStart = cp.now();
    }

    @AfterEach
    void checkInvariantsAndStop() {
        try {
            assertThat(cp.lambdas().failures()).as("functions that failed").isEmpty();
            for (FakeSemaphore.AgentTypeView t : cp.semaphore().agentTypes()) {
                assertThat(t.interruptedJobs()).as("jobs killed under a running agent of " + t.name()).isZero();
            }
            for (AgentToken token : tokens) {
                String secret = token.reveal();
                assertThat(cp.log().lines()).as("log lines").noneMatch(l -> l.contains(secret));
                assertThat(cp.events().published()).as("events")
                        .noneMatch(e -> EventJson.detailString(e).contains(secret));
                assertThat(cp.stateMachines().executions()).as("executions of every state machine: input, output, error, cause")
                        .noneMatch(e -> e.input().toString().contains(secret)
                                || e.output().map(JsonNode::toString).orElse("").contains(secret)
                                || e.error().orElse("").contains(secret) || e.cause().orElse("").contains(secret));
                assertThat(cp.workflows().executions()).as("execution inputs").noneMatch(e -> e.input().contains(secret));
                assertThat(cp.stateMachines().taskCalls()).as("Task inputs and outputs (Lambda payloads)")
                        .noneMatch(t -> t.input().toString().contains(secret)
                                || t.output().map(JsonNode::toString).orElse("").contains(secret)
                                || t.error().orElse("").contains(secret) || t.cause().orElse("").contains(secret));
            }
        } finally {
            long realMillis = (System.nanoTime() - realStart) / 1_000_000;
            Duration simulated = Duration.between(simulatedStart, cp.now());
            cp.close();
            synchronized (timings) {
                timings.add(String.format("%-70s real %6.1f s   simulated %s", name, realMillis / 1000.0,
                        simulated.toString().substring(2).toLowerCase()));
            }
        }
    }

    @AfterAll
    static void writeTimings() throws IOException {
        synchronized (timings) {
            Files.createDirectories(TIMINGS.getParent());
            Files.write(TIMINGS, timings, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            timings.clear();
        }
    }

    // ---- what a user does ------------------------------------------------------------------------------

    static String example(String file) {
        try {
            return Files.readString(REPOSITORY.resolve("examples").resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StackSpec spec(String json) {
        try {
            return SpecJson.readTrusted(JSON.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The spec with some fields changed. */
    static String with(String json, String field, Object value) {
        try {
            ObjectNode o = (ObjectNode) JSON.readTree(json);
            o.set(field, JSON.valueToTree(value));
            return o.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The agent type in Semaphore and its token in the spec's SSM parameter, as a user sets them up first. */
    AgentToken agentTypeFor(String specJson) {
        AgentToken token = cp.createAgentType(spec(specJson));
        tokens.add(token);
        return token;
    }

    /** A token the scenario handed over, to be looked for in logs, events and executions afterwards. */
    void remember(AgentToken token) {
        tokens.add(token);
    }

    LocalApiGateway.Answer post(String specJson) {
        LocalApiGateway.Answer answer = cp.api("POST", "/stacks", specJson);
        assertThat(answer.status()).as("POST /stacks: " + answer.body()).isEqualTo(202);
        return answer;
    }

    JsonNode get(String stack) {
        LocalApiGateway.Answer answer = cp.api("GET", "/stacks/" + stack, null);
        assertThat(answer.status()).as("GET /stacks/" + stack + ": " + answer.body()).isEqualTo(200);
        try {
            return JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- watching ------------------------------------------------------------------------------------------

    StackRecord record(String stack) {
        return cp.registry().get(stack).orElseThrow();
    }

    boolean is(String stack, StackStatus status, long version) {
        return cp.registry().get(stack).map(r -> r.status() == status && r.specVersion() == version).orElse(false);
    }

    Duration until(String what, java.util.function.BooleanSupplier condition, Duration limit) {
        return cp.runUntil(what, condition, limit);
    }

    Duration untilStatus(String stack, StackStatus status, long version, Duration limit) {
        return until(stack + " v" + version + " " + status, () -> is(stack, status, version), limit);
    }

    LocalCloudFormation.GroupView group(String stack) {
        return cp.group(stack).orElseThrow(() -> new AssertionError("stack " + stack + " has no group"));
    }

    int desired(String stack) {
        return cp.group(stack).map(LocalCloudFormation.GroupView::desiredCapacity).orElse(-1);
    }

    FakeSemaphore.AgentTypeView agentType(String name) {
        return cp.semaphore().agentType(name).orElseThrow();
    }

    <T extends DomainEvent> List<T> events(Class<T> type, String stack) {
        return cp.events().published(type).stream().filter(e -> e.stack().equals(stack)).toList();
    }

    Optional<JsonNode> groupOfGet(String stack) {
        JsonNode g = get(stack).path("group");
        return g.isMissingNode() || g.isNull() ? Optional.empty() : Optional.of(g);
    }
}
