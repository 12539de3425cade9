package io.agentstacks.demandpoller;

import static io.agentstacks.demandpoller.Fixtures.MINUTE;
import static io.agentstacks.demandpoller.Fixtures.active;
import static io.agentstacks.demandpoller.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.demand.Demand;
import io.agentstacks.demand.DemandSource;
import io.agentstacks.demand.Observation;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventSink;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.stacks.DemandSnapshot;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.token.TokenRotation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

class DemandPollerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    private final Fixtures.MapTokenStore tokens = new Fixtures.MapTokenStore();
    private final InMemoryEventSink sink = new InMemoryEventSink();
    private final ManualClock clock = new ManualClock(MINUTE);
    private final List<String> log = new CopyOnWriteArrayList<>();
    /** What "Semaphore" answers per token value. */
    private final Map<String, Function<Instant, Observation>> answers = new ConcurrentHashMap<>();
    private final DemandSource semaphore = (url, token) -> answers.get(token.reveal()).apply(clock.instant());
    private DemandPoller poller = poller(DemandPoller.Settings.defaults(), sink);

    private DemandPoller poller(DemandPoller.Settings settings, EventSink events) {
        return new DemandPoller(registry, tokens, semaphore, events, clock, log::add, settings);
    }

    @AfterEach
    void stop() {
        poller.close();
    }

    private void stack(String name, int interval, Demand demand) {
        active(registry, spec(name, "https://acme.semaphoreci.com", interval), MINUTE.minusSeconds(3600));
        tokens.put("/semaphore/" + name + "/token", "token-of-" + name);
        answer(name, demand);
    }

    private void answer(String name, Demand demand) {
        answers.put("token-of-" + name, at -> new Observation.Observed(demand, at));
    }

    private PollResult poll(int offset) {
        clock.set(MINUTE.plusSeconds(offset).plusMillis(120));
        return poller.poll(new PollRequest(MINUTE, offset, false));
    }

    private static PollRequest stateMachineInput(String json) throws Exception {
        return PollRequest.from(JSON.readTree(json));
    }

    @Test
    void pollsEveryLiveStackAndPutsOneEventEachWithTheOlderToolsMetrics() {
        stack("linux", 10, new Demand(4, 3, 1, 3));
        stack("windows", 10, new Demand(0, 1, 0, 1));

        PollResult r = poll(0);

        assertThat(r.polled()).isEqualTo(2);
        assertThat(r.published()).isEqualTo(2);
        assertThat(r.nextOffsetSeconds()).isEqualTo(10);
        assertThat(r.nextPollAt()).isEqualTo(MINUTE.plusSeconds(10));
        assertThat(r.done()).isFalse();
        assertThat(sink.published(DomainEvent.DemandObserved.class))
                .extracting(DomainEvent.DemandObserved::stack, DomainEvent.DemandObserved::groupName,
                        DomainEvent.DemandObserved::queuedJobs, DomainEvent.DemandObserved::occupiedAgents)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("linux", "linux-asg", 4, 3),
                        org.assertj.core.groups.Tuple.tuple("windows", "windows-asg", 0, 1));
        assertThat(registry.get("linux").orElseThrow().lastDemand())
                .contains(new DemandSnapshot(4, 3, 1, 3, MINUTE.plusMillis(120)));
        assertThat(metric("linux", "JobCount", "JobState", "queued")).isEqualTo(4);
        assertThat(metric("linux", "JobCount", "JobState", "running")).isEqualTo(3);
        assertThat(metric("linux", "AgentCount", "AgentState", "idle")).isEqualTo(1);
        assertThat(metric("linux", "AgentCount", "AgentState", "occupied")).isEqualTo(3);
    }

    @Test
    void putsAnEventOnlyWhenDemandChangedOrTheLastIsAboutAMinuteOld() {
        stack("linux", 10, new Demand(1, 0, 0, 0));
        poll(0);
        poll(10);
        poll(20);
        assertThat(sink.published(DomainEvent.DemandObserved.class)).hasSize(1);

        answer("linux", new Demand(2, 0, 0, 0));
        poll(30);
        assertThat(sink.published(DomainEvent.DemandObserved.class)).hasSize(2);
        poll(40);
        poll(50);
        assertThat(sink.published(DomainEvent.DemandObserved.class)).hasSize(2);

        clock.set(MINUTE.plusSeconds(90).plusMillis(120));
        poller.poll(new PollRequest(MINUTE.plusSeconds(60), 30, false));
        assertThat(sink.published(DomainEvent.DemandObserved.class)).as("heartbeat 60 s after the last event").hasSize(3);
    }

    @Test
    void endsTheMinuteAfterItsLastTick() {
        stack("linux", 10, new Demand(0, 0, 0, 0));
        PollResult r = poll(50);
        assertThat(r.done()).isTrue();
        assertThat(r.nextOffsetSeconds()).isEqualTo(60);
    }

    @Test
    void pollsEachStackAtItsOwnIntervalAndWakesForTheNearest() {
        stack("fast", 5, new Demand(0, 0, 0, 0));
        stack("slow", 30, new Demand(0, 0, 0, 0));
        PollResult r0 = poll(0);
        assertThat(r0.polled()).isEqualTo(2);
        assertThat(r0.nextOffsetSeconds()).isEqualTo(5);
        PollResult r5 = poll(5);
        assertThat(r5.polled()).isEqualTo(1);
        PollResult r30 = poll(30);
        assertThat(r30.polled()).isEqualTo(2);
        assertThat(r30.nextOffsetSeconds()).isEqualTo(35);
    }

    @Test
    void skipsTicksThatAreAlreadyPast() {
        stack("linux", 10, new Demand(0, 0, 0, 0));
        clock.set(MINUTE.plusSeconds(34));
        PollResult r = poller.poll(new PollRequest(MINUTE, 10, false));
        assertThat(r.nextOffsetSeconds()).as("20 and 30 are past; 40 is next").isEqualTo(40);
    }

    @Test
    void aTickAfterTheMinuteEndedPollsNothingSoMinutesNeverOverlap() {
        stack("linux", 10, new Demand(3, 0, 0, 0));
        clock.set(MINUTE.plusSeconds(61));
        PollResult r = poller.poll(new PollRequest(MINUTE, 50, false));
        assertThat(r.done()).isTrue();
        assertThat(r.polled()).isZero();
        assertThat(sink.published()).isEmpty();
    }

    @Test
    void theTicksOfOneMinuteMeetTheNextMinuteWithoutGapOrOverlap() {
        stack("a", 10, new Demand(0, 0, 0, 0));
        stack("b", 15, new Demand(0, 0, 0, 0));
        java.util.List<Integer> offsets = new java.util.ArrayList<>();
        int offset = 0;
        while (true) {
            offsets.add(offset);
            PollResult r = poll(offset);
            if (r.done()) {
                break;
            }
            offset = r.nextOffsetSeconds();
        }
        assertThat(offsets).containsExactly(0, 10, 15, 20, 30, 40, 45, 50);
        // The next execution starts at offset 0 of the next minute: 60 s after this one's 0.
    }

    @Test
    void readsTheStateMachinesInputAndAScheduledEvent() throws Exception {
        assertThat(stateMachineInput("{\"scheduledTime\":\"2025-03-01T12:00:00Z\",\"offsetSeconds\":20}"))
                .isEqualTo(new PollRequest(MINUTE, 20, false));
        assertThat(stateMachineInput("{\"scheduledTime\":\"2025-03-01T12:00:00Z\"}"))
                .isEqualTo(new PollRequest(MINUTE, 0, false));
        String scheduled = "{\"version\":\"0\",\"id\":\"89d1a02d-5ec7-412e-82f5-13505f849b41\",\"detail-type\":\"Scheduled Event\","
                + "\"source\":\"aws.events\",\"account\":\"123456789012\",\"time\":\"2025-03-01T12:00:00Z\",\"region\":\"us-east-1\","
                + "\"resources\":[\"arn:aws:events:us-east-1:123456789012:rule/poll-demand\"],\"detail\":{}}";
        assertThat(stateMachineInput(scheduled)).isEqualTo(new PollRequest(MINUTE, 0, true));
    }

    @Test
    void aScheduledEventPollsEveryStackOnceAndEnds() throws Exception {
        stack("slow", 30, new Demand(2, 0, 0, 0));
        clock.set(MINUTE.plusSeconds(1));
        PollResult r = poller.poll(stateMachineInput("{\"version\":\"0\",\"id\":\"x\",\"detail-type\":\"Scheduled Event\","
                + "\"source\":\"aws.events\",\"time\":\"2025-03-01T12:00:00Z\",\"detail\":{}}"));
        assertThat(r.polled()).isEqualTo(1);
        assertThat(r.done()).isTrue();
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        assertThatThrownBy(() -> stateMachineInput("{\"offsetSeconds\":0}")).hasMessageContaining("scheduledTime");
        assertThatThrownBy(() -> stateMachineInput("{\"scheduledTime\":\"yesterday\"}")).hasMessageContaining("scheduledTime");
        assertThatThrownBy(() -> stateMachineInput("{\"scheduledTime\":\"2025-03-01T12:00:00Z\",\"offsetSeconds\":60}"))
                .hasMessageContaining("offsetSeconds");
        assertThatThrownBy(() -> stateMachineInput("{\"scheduledTime\":\"2025-03-01T12:00:00Z\",\"offsetSeconds\":\"ten\"}"))
                .hasMessageContaining("offsetSeconds");
        assertThatThrownBy(() -> stateMachineInput("[]")).hasMessageContaining("JSON object");
    }

    @Test
    void aRejectedTokenDegradesItsStackOnlyAndRecoversWhenAccepted() {
        stack("good", 10, new Demand(2, 0, 0, 0));
        stack("bad", 10, new Demand(0, 0, 0, 0));
        answers.put("token-of-bad", at -> new Observation.TokenRejected(401, at));

        PollResult r = poll(0);

        assertThat(r.failed()).isEqualTo(1);
        assertThat(sink.published(DomainEvent.DemandObserved.class)).extracting(DomainEvent.DemandObserved::stack)
                .containsExactly("good");
        assertThat(sink.published(DomainEvent.TokenRejected.class)).singleElement().satisfies(t -> {
            assertThat(t.stack()).isEqualTo("bad");
            assertThat(t.parameterName()).isEqualTo("/semaphore/bad/token");
            assertThat(t.httpStatus()).isEqualTo(401);
            assertThat(t.source()).isEqualTo("poller");
        });
        assertThat(registry.get("bad").orElseThrow().status()).isEqualTo(StackStatus.DEGRADED);
        assertThat(registry.get("bad").orElseThrow().reason()).contains(TokenRotation.rejectedReason("bad",
                "/semaphore/bad/token", 401, TokenRotation.SOURCE_POLLER));
        assertThat(registry.get("bad").orElseThrow().reason().orElseThrow()).doesNotContain("token-of-bad");
        assertThat(registry.get("good").orElseThrow().status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(String.join("\n", log)).doesNotContain("token-of-").contains("\"DemandPollFailed\":1");

        answer("bad", new Demand(1, 0, 0, 0));
        poll(10);
        assertThat(registry.get("bad").orElseThrow().status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(registry.get("bad").orElseThrow().reason()).isEmpty();
    }

    @Test
    void aStackStaysDegradedWithoutAnotherEventAtEveryPollUntilItsTokenIsAccepted() {
        stack("bad", 10, new Demand(0, 0, 0, 0));
        answers.put("token-of-bad", at -> new Observation.TokenRejected(404, at));

        poll(0);
        poll(10);
        poll(20);

        assertThat(sink.published(DomainEvent.TokenRejected.class)).as("one event, on the move to DEGRADED").hasSize(1);
        assertThat(registry.get("bad").orElseThrow().reason()).contains(TokenRotation.rejectedReason("bad",
                "/semaphore/bad/token", 404, TokenRotation.SOURCE_POLLER));
        assertThat(registry.get("bad").orElseThrow().reason().orElseThrow()).contains("agent-stacks set-token bad");
        assertThat(log.stream().filter(l -> l.contains("\"Reason\":\"token-rejected\""))).as("a metric per poll").hasSize(3);

        answer("bad", new Demand(0, 0, 0, 0));
        poll(30);
        answers.put("token-of-bad", at -> new Observation.TokenRejected(401, at));
        poll(40);
        assertThat(sink.published(DomainEvent.TokenRejected.class)).as("a new move to DEGRADED, a new event").hasSize(2);
    }

    @Test
    void aTokenRejectedEventThatCouldNotBePutIsPutAtTheNextPollAndTheStackIsDegradedThen() {
        poller.close();
        java.util.concurrent.atomic.AtomicBoolean busOk = new java.util.concurrent.atomic.AtomicBoolean(false);
        poller = poller(DemandPoller.Settings.defaults(), events -> {
            if (!busOk.get()) {
                throw new IllegalStateException("PutEvents failed for 1 of 1 entries after 5 attempts");
            }
            sink.publish(events);
        });
        stack("bad", 10, new Demand(0, 0, 0, 0));
        answers.put("token-of-bad", at -> new Observation.TokenRejected(401, at));

        poll(0);
        assertThat(registry.get("bad").orElseThrow().status()).isEqualTo(StackStatus.ACTIVE);
        busOk.set(true);
        poll(10);

        assertThat(registry.get("bad").orElseThrow().status()).isEqualTo(StackStatus.DEGRADED);
        assertThat(sink.published(DomainEvent.TokenRejected.class)).hasSize(1);
    }

    @Test
    void aRegistryWriteThatFailsForOneStackIsLoggedAndTheOthersAreStillRecorded() {
        poller.close();
        io.agentstacks.stacks.StackRegistry flaky = new io.agentstacks.stacks.StackRegistry() {
            @Override
            public java.util.Optional<io.agentstacks.stacks.StackRecord> get(String name) {
                return registry.get(name);
            }

            @Override
            public Page list(java.util.Optional<String> pageToken, int limit) {
                return registry.list(pageToken, limit);
            }

            @Override
            public List<io.agentstacks.stacks.StackRecord> listLive() {
                return registry.listLive();
            }

            @Override
            public PutResult put(io.agentstacks.stacks.StackRecord next) {
                if (next.name().equals("throttled")) {
                    throw new IllegalStateException("DynamoDB PutItem on registry table agent-stacks for stack throttled "
                            + "failed: ProvisionedThroughputExceededException");
                }
                return registry.put(next);
            }
        };
        poller = new DemandPoller(flaky, tokens, semaphore, sink, clock, log::add, DemandPoller.Settings.defaults());
        stack("throttled", 10, new Demand(2, 0, 0, 0));
        stack("fine", 10, new Demand(3, 0, 0, 0));
        stack("refused", 10, new Demand(0, 0, 0, 0));
        answers.put("token-of-refused", at -> new Observation.TokenRejected(401, at));

        PollResult r = poll(0);

        assertThat(r.polled()).isEqualTo(3);
        assertThat(r.published()).isEqualTo(2);
        assertThat(registry.get("fine").orElseThrow().lastDemand()).isPresent();
        assertThat(registry.get("refused").orElseThrow().status()).isEqualTo(StackStatus.DEGRADED);
        assertThat(registry.get("throttled").orElseThrow().lastDemand()).isEmpty();
        assertThat(log).anySatisfy(l -> assertThat(l).contains("\"RegistryWriteFailed\":1").contains("\"Stack\":\"throttled\"")
                .contains("demand.registry-write-failed").contains("ProvisionedThroughputExceededException"));
        assertThat(log).allSatisfy(l -> assertThat(parse(l).isObject()).isTrue());
    }

    @Test
    void unchangedDemandIsPutAgainAtTheNextPollWhileTheLastDecisionLeftDesiredBelowIt() {
        stack("linux", 10, new Demand(3, 1, 0, 1));
        poll(0);
        decided("linux", 2); // e.g. the scaler held on a stale observation, or lost its races
        poll(10);
        assertThat(sink.published(DomainEvent.DemandObserved.class)).hasSize(2);

        decided("linux", 4);
        poll(20);
        poll(30);
        assertThat(sink.published(DomainEvent.DemandObserved.class)).as("covered: back to changes and heartbeats").hasSize(2);
    }

    private void decided(String stack, int desired) {
        registry.update(stack, r -> r.toBuilder().lastDecision(java.util.Optional.of(new io.agentstacks.stacks.DecisionSnapshot(
                "Hold", desired, desired, "held", r.lastDemand().orElseThrow().observedAt(), clock.instant(),
                java.util.Optional.empty()))).build());
    }

    @Test
    void aMissingTokenParameterDegradesTheStack() {
        stack("lost", 10, new Demand(0, 0, 0, 0));
        tokens.tokens.clear();
        poll(0);
        assertThat(registry.get("lost").orElseThrow().status()).isEqualTo(StackStatus.DEGRADED);
        assertThat(registry.get("lost").orElseThrow().reason()).contains(TokenRotation.missingReason("lost", "/semaphore/lost/token"));
        assertThat(sink.published()).isEmpty();
    }

    @Test
    void anUnavailableSemaphoreChangesNothingButSaysSoInAMetric() {
        stack("linux", 10, new Demand(0, 0, 0, 0));
        answers.put("token-of-linux", at -> new Observation.Unavailable("HTTP 503", at));
        PollResult r = poll(0);
        assertThat(r.failed()).isEqualTo(1);
        assertThat(sink.published()).isEmpty();
        assertThat(registry.get("linux").orElseThrow().status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(log).anySatisfy(l -> assertThat(l).contains("\"DemandPollFailed\":1").contains("\"Reason\":\"unavailable\"")
                .contains("HTTP 503"));
    }

    @Test
    void aSlowStackNeverHoldsBackAnotherStacksEvent() throws Exception {
        poller.close();
        CountDownLatch fastPublished = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        EventSink watching = events -> {
            sink.publish(events);
            if (events.stream().anyMatch(e -> e.stack().equals("fast"))) {
                fastPublished.countDown();
            }
        };
        poller = poller(new DemandPoller.Settings(16, Duration.ofSeconds(30)), watching);
        stack("fast", 10, new Demand(1, 0, 0, 0));
        stack("slow", 10, new Demand(1, 0, 0, 0));
        answers.put("token-of-slow", at -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Observation.Observed(new Demand(1, 0, 0, 0), at);
        });
        clock.set(MINUTE.plusMillis(100));
        AtomicReference<PollResult> result = new AtomicReference<>();
        Thread t = new Thread(() -> result.set(poller.poll(new PollRequest(MINUTE, 0, false))));
        t.start();

        assertThat(fastPublished.await(10, TimeUnit.SECONDS)).as("fast stack's event is out").isTrue();
        assertThat(result.get()).as("while the slow stack is still being polled").isNull();
        release.countDown();
        t.join(10_000);
        assertThat(result.get().published()).isEqualTo(2);
    }

    /**
     * A budget no answer from the in-memory stand-ins comes near, even on a loaded machine: only a poll held on a
     * latch reaches it, so no test here depends on how fast the machine is.
     */
    private static final Duration BUDGET = Duration.ofSeconds(2);

    /** Makes {@code name}'s poll hang until {@code release} opens (the test opens it after the poll it checks). */
    private void hangs(String name, CountDownLatch release) {
        answers.put("token-of-" + name, at -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Observation.Observed(new Demand(9, 0, 0, 0), at);
        });
    }

    @Test
    void aStackThatTakesTooLongIsCutOffAndReportedAsATimeout() {
        poller.close();
        poller = poller(new DemandPoller.Settings(4, BUDGET), sink);
        stack("fast", 10, new Demand(1, 0, 0, 0));
        stack("stuck", 10, new Demand(1, 0, 0, 0));
        CountDownLatch release = new CountDownLatch(1);
        hangs("stuck", release);

        PollResult r;
        try {
            r = poll(0);
        } finally {
            release.countDown();
        }

        assertThat(r.failed()).isEqualTo(1);
        assertThat(sink.published(DomainEvent.DemandObserved.class)).extracting(DomainEvent::stack).containsExactly("fast");
        assertThat(log).anySatisfy(l -> assertThat(l).contains("\"Reason\":\"timeout\"").contains("\"stack\":\"stuck\""));
    }

    @Test
    void stacksQueuedBehindHangingPollsGetTheirWholeBudgetFromWhenTheirOwnPollStarts() {
        poller.close();
        poller = poller(new DemandPoller.Settings(2, BUDGET), sink);
        // Name order is poll order: the two hanging stacks take both places first, three more wait behind them.
        for (String name : List.of("a-hangs", "b-hangs", "c", "d", "e")) {
            stack(name, 10, new Demand(1, 0, 0, 0));
        }
        assertThat(registry.listLive()).extracting(r -> r.name()).containsExactly("a-hangs", "b-hangs", "c", "d", "e");
        CountDownLatch release = new CountDownLatch(1);
        hangs("a-hangs", release);
        hangs("b-hangs", release);

        PollResult first;
        PollResult next;
        try {
            first = poll(0);
            // The hanging polls' threads are still held; the next tick must not wait for them either.
            answer("a-hangs", new Demand(1, 0, 0, 0));
            answer("b-hangs", new Demand(1, 0, 0, 0));
            next = poll(10);
        } finally {
            release.countDown();
        }

        assertThat(first.polled()).isEqualTo(5);
        assertThat(first.failed()).as("only the two hanging stacks time out").isEqualTo(2);
        assertThat(sink.published(DomainEvent.DemandObserved.class)).extracting(DomainEvent::stack)
                .containsExactlyInAnyOrder("c", "d", "e", "a-hangs", "b-hangs");
        assertThat(next.polled()).isEqualTo(5);
        assertThat(next.failed()).as("no stack of the next tick waits behind the last tick's hanging polls").isZero();
    }

    @Test
    void anEventThatCouldNotBePutIsPutAgainAtTheNextPoll() {
        poller.close();
        java.util.concurrent.atomic.AtomicBoolean busOk = new java.util.concurrent.atomic.AtomicBoolean(false);
        poller = poller(DemandPoller.Settings.defaults(), events -> {
            if (!busOk.get()) {
                throw new IllegalStateException("PutEvents failed for 1 of 1 entries after 5 attempts");
            }
            sink.publish(events);
        });
        stack("linux", 10, new Demand(3, 0, 0, 0));
        poll(0);
        assertThat(registry.get("linux").orElseThrow().lastDemand()).isEmpty();
        assertThat(log).anySatisfy(l -> assertThat(l).contains("demand.publish-failed"));
        busOk.set(true);
        poll(10);
        assertThat(sink.published(DomainEvent.DemandObserved.class)).hasSize(1);
    }

    @Test
    void stacksWithoutALiveGroupAreNotPolled() {
        stack("linux", 10, new Demand(3, 0, 0, 0));
        var r = registry.get("linux").orElseThrow();
        registry.put(io.agentstacks.stacks.StackTransitions.deleteRequested(r, MINUTE));
        assertThat(poll(0).polled()).isZero();
    }

    private int metric(String stack, String metric, String dimension, String value) {
        return log.stream().map(DemandPollerTest::parse)
                .filter(n -> n.has("_aws") && stack.equals(n.path("Stack").asText()) && value.equals(n.path(dimension).asText())
                        && n.has(metric))
                .mapToInt(n -> n.get(metric).asInt()).findFirst().orElseThrow();
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not a JSON log line: " + line, e);
        }
    }

    @Test
    void everyLogLineIsOneJsonObject() {
        stack("linux", 10, new Demand(3, 0, 0, 0));
        answers.put("token-of-linux", at -> new Observation.TokenRejected(404, at));
        poll(0);
        assertThat(log).isNotEmpty().allSatisfy(l -> assertThat(parse(l).isObject()).isTrue());
    }
}
