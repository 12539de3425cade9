package io.agentstacks.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.events.DomainEvent;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.InMemoryTokenStore;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.inmemory.ProgrammableSemaphore;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackTransitions;
import io.agentstacks.stacks.TokenRotationMark;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Rotations of one stack that run at the same time, as a client's retry next to its first request. */
class ConcurrentRotationTest {

    static final String ENDPOINT = "https://acme.semaphoreci.com";
    static final String PARAMETER = "linux-small-token";
    static final AgentToken OLD = new AgentToken("old-registration-token-0123456789");
    static final AgentToken NEW = new AgentToken("new-registration-token-9876543210");
    static final AgentToken NEWER = new AgentToken("newer-registration-token-5555555555");
    static final Instant T0 = Instant.parse("2025-03-01T08:00:00Z");

    final ManualClock clock = new ManualClock(T0);
    final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    final InMemoryTokenStore ssm = new InMemoryTokenStore();
    final InMemoryEventSink events = new InMemoryEventSink();
    final ProgrammableSemaphore semaphore = new ProgrammableSemaphore(clock);
    final ExecutorService threads = Executors.newCachedThreadPool();

    /** PutParameter calls, and a PutParameter that holds on until the test lets it go. */
    final AtomicInteger putParameters = new AtomicInteger();
    final CountDownLatch writing = new CountDownLatch(1);
    final CountDownLatch letWriteGo = new CountDownLatch(1);
    final TokenStore gatedSsm = new TokenStore() {
        @Override
        public StoredToken read(String parameterName) {
            return ssm.read(parameterName);
        }

        @Override
        public long write(String parameterName, AgentToken token, Optional<String> kmsKeyId) {
            putParameters.incrementAndGet();
            writing.countDown();
            try {
                if (!letWriteGo.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never let PutParameter go");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ssm.write(parameterName, token, kmsKeyId);
        }
    };

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    void liveStack() {
        var spec = TokenRotationTest.spec("linux-small");
        StackRecord r = TokenRotationTest.stored(registry.put(StackRecord.first(spec, T0)));
        r = TokenRotationTest.stored(registry.put(StackTransitions.provisioningStarted(r, T0)));
        r = TokenRotationTest.stored(registry.put(StackTransitions.ready(r, "linux-small-asg", "arn:aws:cloudformation:eu-west-1:111122223333:stack/linux-small/1", T0)));
        ssm.write(PARAMETER, OLD, Optional.empty());
        registry.put(r.toBuilder().tokenParameterVersion(OptionalLong.of(1)).build());
    }

    /** The first request, in its own thread, stopped inside its PutParameter. */
    CompletableFuture<RotationResult> firstRequestWriting(AgentToken token) throws InterruptedException {
        TokenRotation first = new TokenRotation(semaphore, gatedSsm, registry, events, clock);
        CompletableFuture<RotationResult> result = CompletableFuture.supplyAsync(() -> first.rotate("linux-small", token), threads);
        assertThat(writing.await(10, TimeUnit.SECONDS)).as("the first request reached PutParameter").isTrue();
        return result;
    }

    /** The second request's waits: the first one's PutParameter goes on, and the wait lasts until it has answered. */
    TokenRotation.Pause firstFinishes(CompletableFuture<RotationResult> first, AtomicInteger pauses) {
        return d -> {
            pauses.incrementAndGet();
            letWriteGo.countDown();
            first.orTimeout(10, TimeUnit.SECONDS).join();
        };
    }

    @Test
    void twoConcurrentRotationsWithTheSameTokenWriteOneVersionAndBothAnswerIt() throws Exception {
        liveStack();
        semaphore.accept(ENDPOINT, NEW);
        CompletableFuture<RotationResult> first = firstRequestWriting(NEW);
        AtomicInteger pauses = new AtomicInteger();

        RotationResult second = new TokenRotation(semaphore, gatedSsm, registry, events, clock, firstFinishes(first, pauses))
                .rotate("linux-small", NEW);

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(new RotationResult.Rotated("linux-small", PARAMETER, 2, T0, true));
        assertThat(second).isEqualTo(new RotationResult.Rotated("linux-small", PARAMETER, 2, T0, false));
        assertThat(pauses.get()).as("the second waited for the first").isEqualTo(1);
        assertThat(putParameters.get()).as("one PutParameter").isEqualTo(1);
        assertThat(ssm.versions(PARAMETER)).hasSize(2);
        assertThat(events.published(DomainEvent.TokenRotated.class)).hasSize(1);
        assertThat(registry.get("linux-small").orElseThrow().tokenParameterVersion()).isEqualTo(OptionalLong.of(2));
    }

    @Test
    void aSecondRotationWithTheSameTokenWhileTheFirstIsBetweenItsWriteAndItsRecordPutsOneTokenRotated() throws Exception {
        liveStack();
        semaphore.accept(ENDPOINT, NEW);
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch letRecordGo = new CountDownLatch(1);
        TokenStore writesThenHolds = new TokenStore() {
            @Override
            public StoredToken read(String parameterName) {
                return ssm.read(parameterName);
            }

            @Override
            public long write(String parameterName, AgentToken token, Optional<String> kmsKeyId) {
                long version = ssm.write(parameterName, token, kmsKeyId);
                written.countDown();
                try {
                    if (!letRecordGo.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never let the first rotation record its version");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return version;
            }
        };
        TokenRotation firstRun = new TokenRotation(semaphore, writesThenHolds, registry, events, clock);
        CompletableFuture<RotationResult> first = CompletableFuture.supplyAsync(() -> firstRun.rotate("linux-small", NEW), threads);
        assertThat(written.await(10, TimeUnit.SECONDS)).as("the first request wrote the parameter").isTrue();

        RotationResult second = new TokenRotation(semaphore, ssm, registry, events, clock, d -> {
            throw new AssertionError("the parameter holds the token already: nothing to wait for");
        }).rotate("linux-small", NEW);
        letRecordGo.countDown();

        assertThat(second).isEqualTo(new RotationResult.Rotated("linux-small", PARAMETER, 2, T0, false));
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(new RotationResult.Rotated("linux-small", PARAMETER, 2, T0, true));
        assertThat(events.published(DomainEvent.TokenRotated.class))
                .containsExactly(new DomainEvent.TokenRotated("linux-small", PARAMETER, 2, T0));
        assertThat(registry.get("linux-small").orElseThrow().tokenParameterVersion()).isEqualTo(OptionalLong.of(2));
    }

    @Test
    void aRotationToAnotherTokenWaitsForTheOneInProgressThenWritesItsOwn() throws Exception {
        liveStack();
        semaphore.accept(ENDPOINT, NEW).accept(ENDPOINT, NEWER);
        CompletableFuture<RotationResult> first = firstRequestWriting(NEW);
        AtomicInteger pauses = new AtomicInteger();

        RotationResult second = new TokenRotation(semaphore, ssm, registry, events, clock, firstFinishes(first, pauses))
                .rotate("linux-small", NEWER);

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(new RotationResult.Rotated("linux-small", PARAMETER, 2, T0, true));
        assertThat(second).isEqualTo(new RotationResult.Rotated("linux-small", PARAMETER, 3, T0, true));
        assertThat(ssm.versions(PARAMETER)).extracting(InMemoryTokenStore.Version::token).containsExactly(OLD, NEW, NEWER);
        assertThat(registry.get("linux-small").orElseThrow().tokenParameterVersion()).isEqualTo(OptionalLong.of(3));
    }

    @Test
    void aRotationInProgressForLongerThanTheWaitAnswersInProgressAndWritesNothing() {
        liveStack();
        semaphore.accept(ENDPOINT, NEWER);
        registry.update("linux-small", r -> r.toBuilder()
                .tokenRotation(Optional.of(TokenRotationMark.started(TokenRotation.fingerprint(PARAMETER, NEW), T0))).build());
        AtomicInteger pauses = new AtomicInteger();

        RotationResult result = new TokenRotation(semaphore, ssm, registry, events, clock, d -> pauses.incrementAndGet())
                .rotate("linux-small", NEWER);

        assertThat(result).isEqualTo(new RotationResult.InProgress("linux-small"));
        assertThat(pauses.get()).isEqualTo(TokenRotation.MAX_WAITS);
        assertThat(ssm.versions(PARAMETER)).hasSize(1);
        assertThat(events.published()).isEmpty();
    }

    @Test
    void aRotationThatDiedBeforeItsPutParameterIsTakenOverOnceAbandoned() {
        liveStack();
        semaphore.accept(ENDPOINT, NEW);
        registry.update("linux-small", r -> r.toBuilder()
                .tokenRotation(Optional.of(TokenRotationMark.started(TokenRotation.fingerprint(PARAMETER, NEW), T0))).build());
        clock.advance(TokenRotation.ABANDONED_AFTER);

        RotationResult result = new TokenRotation(semaphore, ssm, registry, events, clock, d -> {
            throw new AssertionError("an abandoned rotation is not waited for");
        }).rotate("linux-small", NEW);

        assertThat(result).isEqualTo(new RotationResult.Rotated("linux-small", PARAMETER, 2, T0.plus(TokenRotation.ABANDONED_AFTER), true));
        assertThat(ssm.versions(PARAMETER)).hasSize(2);
    }

    @Test
    void theSameTokenIsRotatedAgainWhenTheParameterWasChangedSinceItsRotation() {
        liveStack();
        semaphore.accept(ENDPOINT, NEW);
        TokenRotation rotation = new TokenRotation(semaphore, ssm, registry, events, clock);
        rotation.rotate("linux-small", NEW);
        ssm.write(PARAMETER, OLD, Optional.empty()); // someone put another value by hand

        RotationResult again = rotation.rotate("linux-small", NEW);

        assertThat(again).isEqualTo(new RotationResult.Rotated("linux-small", PARAMETER, 4, T0, true));
        assertThat(ssm.read(PARAMETER)).isEqualTo(new StoredToken(NEW, 4));
    }

    @Test
    void theTokenIsComparedWithTheParameterPastAnyCache() {
        liveStack();
        semaphore.accept(ENDPOINT, NEW);
        ssm.write(PARAMETER, NEW, Optional.empty()); // a first attempt wrote version 2, then died
        TokenStore cachingOld = new TokenStore() {
            @Override
            public StoredToken read(String parameterName) {
                return new StoredToken(OLD, 1); // what a warm container cached a minute ago
            }

            @Override
            public StoredToken readCurrent(String parameterName) {
                return ssm.read(parameterName);
            }

            @Override
            public long write(String parameterName, AgentToken token, Optional<String> kmsKeyId) {
                return ssm.write(parameterName, token, kmsKeyId);
            }
        };

        RotationResult result = new TokenRotation(semaphore, cachingOld, registry, events, clock).rotate("linux-small", NEW);

        assertThat(result).isEqualTo(new RotationResult.Rotated("linux-small", PARAMETER, 2, T0, false));
        assertThat(ssm.versions(PARAMETER)).hasSize(2);
    }

    @Test
    void theMarkHoldsAOneWayFingerprintThatNoStringOfTheRecordShows() {
        liveStack();
        semaphore.accept(ENDPOINT, NEW);
        new TokenRotation(semaphore, ssm, registry, events, clock).rotate("linux-small", NEW);

        StackRecord after = registry.get("linux-small").orElseThrow();
        TokenRotationMark mark = after.tokenRotation().orElseThrow();
        assertThat(mark.fingerprint()).hasSize(64).doesNotContain(NEW.reveal())
                .isNotEqualTo(TokenRotation.fingerprint("other-parameter", NEW))
                .isNotEqualTo(TokenRotation.fingerprint(PARAMETER, NEWER));
        assertThat(after.toString()).doesNotContain(mark.fingerprint()).doesNotContain(NEW.reveal());
        assertThat(events.published().toString()).doesNotContain(mark.fingerprint());
    }
}
