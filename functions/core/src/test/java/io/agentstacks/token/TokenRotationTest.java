package io.agentstacks.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.demand.Demand;
import io.agentstacks.demand.DemandSource;
import io.agentstacks.demand.Observation;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.inmemory.ForwardingStackRegistry;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.InMemoryTokenStore;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.inmemory.ProgrammableSemaphore;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.stacks.StackTransitions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

class TokenRotationTest {

    static final String ENDPOINT = "https://acme.semaphoreci.com";
    static final String PARAMETER = "linux-small-token";
    static final AgentToken OLD = new AgentToken("old-registration-token-0123456789");
    static final AgentToken NEW = new AgentToken("new-registration-token-9876543210");
    static final Instant T0 = Instant.parse("2025-03-01T08:00:00Z");

    final ManualClock clock = new ManualClock(T0);
    final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    final InMemoryTokenStore tokens = new InMemoryTokenStore();
    final InMemoryEventSink events = new InMemoryEventSink();
    final ProgrammableSemaphore semaphore = new ProgrammableSemaphore(clock);

    TokenRotation rotation;

    @BeforeEach
    void setUp() {
        rotation = new TokenRotation(semaphore, tokens, registry, events, clock);
    }

    static StackSpec spec(String name) {
        return StackSpec.builder(name, name + "-token").semaphoreOrganization("acme").build();
    }

    /** A stack taken through the status machine to ACTIVE, with its old token stored (version 1). */
    StackRecord liveStack(StackSpec spec) {
        StackRecord r = stored(registry.put(StackRecord.first(spec, clock.instant())));
        r = stored(registry.put(StackTransitions.provisioningStarted(r, clock.instant())));
        r = stored(registry.put(StackTransitions.ready(r, spec.stackName() + "-asg",
                "arn:aws:cloudformation:eu-west-1:111122223333:stack/" + spec.stackName() + "/1", clock.instant())));
        tokens.write(spec.agentTokenParameterName(), OLD, Optional.empty());
        r = stored(registry.put(r.toBuilder().tokenParameterVersion(OptionalLong.of(1)).build()));
        return r;
    }

    static StackRecord stored(StackRegistry.PutResult result) {
        assertThat(result).isInstanceOf(StackRegistry.PutResult.Stored.class);
        return ((StackRegistry.PutResult.Stored) result).stored();
    }

    StackRecord record(String name) {
        return registry.get(name).orElseThrow();
    }

    @Test
    void aTokenSemaphoreAcceptsBecomesANewParameterVersionRecordedInTheRegistry() {
        liveStack(spec("linux-small"));
        semaphore.accept(ENDPOINT, NEW);
        clock.advance(Duration.ofMinutes(5));

        RotationResult result = rotation.rotate("linux-small", NEW);

        assertThat(result).isEqualTo(new RotationResult.Rotated("linux-small", PARAMETER, 2, T0.plusSeconds(300), true));
        assertThat(tokens.read(PARAMETER)).isEqualTo(new StoredToken(NEW, 2));
        assertThat(tokens.versions(PARAMETER)).extracting(InMemoryTokenStore.Version::kmsKeyId)
                .containsExactly("alias/aws/ssm", "alias/aws/ssm");
        StackRecord after = record("linux-small");
        assertThat(after.tokenParameterVersion()).isEqualTo(OptionalLong.of(2));
        assertThat(after.tokenRotatedAt()).contains(T0.plusSeconds(300));
        assertThat(after.status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(events.published()).containsExactly(
                new DomainEvent.TokenRotated("linux-small", PARAMETER, 2, T0.plusSeconds(300)));
        assertThat(semaphore.calls()).singleElement()
                .satisfies(c -> assertThat(c.endpointUrl()).isEqualTo(ENDPOINT))
                .satisfies(c -> assertThat(c.token()).isEqualTo(NEW));
    }

    @Test
    void theNewVersionIsEncryptedWithTheKmsKeyTheSpecNames() {
        StackSpec spec = spec("linux-small").toBuilder()
                .agentTokenKmsKey(Optional.of("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"))
                .build();
        liveStack(spec);
        semaphore.accept(ENDPOINT, NEW);

        rotation.rotate("linux-small", NEW);

        assertThat(tokens.versions(PARAMETER)).last().extracting(InMemoryTokenStore.Version::kmsKeyId)
                .isEqualTo("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    }

    @Test
    void aGoodTokenIsWrittenOnceWhenTheRequestIsRetried() {
        liveStack(spec("linux-small"));
        semaphore.accept(ENDPOINT, NEW);

        RotationResult first = rotation.rotate("linux-small", NEW);
        long revisionAfterFirst = record("linux-small").revision();
        clock.advance(Duration.ofSeconds(30));
        RotationResult retried = rotation.rotate("linux-small", NEW);

        assertThat(tokens.versions(PARAMETER)).hasSize(2);
        assertThat(tokens.writes()).isEqualTo(2); // the stack's first token, and the rotation once
        assertThat(retried).isEqualTo(new RotationResult.Rotated("linux-small", PARAMETER, 2, T0, false));
        assertThat(((RotationResult.Rotated) first).parameterVersion()).isEqualTo(2);
        assertThat(record("linux-small").revision()).isEqualTo(revisionAfterFirst);
        assertThat(events.published(DomainEvent.TokenRotated.class)).hasSize(1);
    }

    @Test
    void aTokenSemaphoreRejectsLeavesTheParameterAndTheStackAsTheyWere() {
        StackRecord before = liveStack(spec("linux-small"));
        semaphore.accept(ENDPOINT, OLD);

        RotationResult result = rotation.rotate("linux-small", NEW);

        assertThat(result).isEqualTo(new RotationResult.Rejected("linux-small", PARAMETER, 401));
        assertThat(tokens.versions(PARAMETER)).singleElement().extracting(InMemoryTokenStore.Version::token).isEqualTo(OLD);
        assertThat(record("linux-small")).isEqualTo(before);
        assertThat(events.published()).containsExactly(
                new DomainEvent.TokenRejected("linux-small", PARAMETER, 401, "rotation", T0));
    }

    @Test
    void aSemaphoreOutageDuringVerificationWritesNothing() {
        StackRecord before = liveStack(spec("linux-small"));
        semaphore.accept(ENDPOINT, NEW);
        semaphore.outage(ENDPOINT, "GET /api/v1/self_hosted_agents/metrics timed out after 2000 ms");
        int writesBefore = tokens.writes();

        RotationResult result = rotation.rotate("linux-small", NEW);

        assertThat(result).isEqualTo(new RotationResult.SemaphoreUnavailable("linux-small",
                "GET /api/v1/self_hosted_agents/metrics timed out after 2000 ms"));
        assertThat(tokens.writes()).isEqualTo(writesBefore);
        assertThat(tokens.read(PARAMETER)).isEqualTo(new StoredToken(OLD, 1));
        assertThat(record("linux-small")).isEqualTo(before);
        assertThat(events.published()).isEmpty();
    }

    @Test
    void aReasonFromTheSemaphoreAdapterThatQuotesTheTokenIsScrubbed() {
        liveStack(spec("linux-small"));
        semaphore.outage(ENDPOINT, "connection reset while sending Authorization: Token " + NEW.reveal());

        RotationResult result = rotation.rotate("linux-small", NEW);

        assertThat(((RotationResult.SemaphoreUnavailable) result).reason())
                .isEqualTo("connection reset while sending Authorization: Token ****");
    }

    @Test
    void anUnknownStackIsNotFoundAndSemaphoreIsNotAsked() {
        assertThat(rotation.rotate("nope", NEW)).isEqualTo(new RotationResult.NotFound("nope"));
        assertThat(semaphore.calls()).isEmpty();
    }

    @Test
    void aStackBeingDeletedOrDeletedCannotTakeAToken() {
        StackRecord r = liveStack(spec("linux-small"));
        semaphore.accept(ENDPOINT, NEW);
        r = stored(registry.put(StackTransitions.deleteRequested(r, T0)));

        assertThat(rotation.rotate("linux-small", NEW))
                .isEqualTo(new RotationResult.Conflict("linux-small", StackStatus.DELETING));
        stored(registry.put(StackTransitions.deleted(r, T0)));
        assertThat(rotation.rotate("linux-small", NEW))
                .isEqualTo(new RotationResult.Conflict("linux-small", StackStatus.DELETED));
        assertThat(semaphore.calls()).isEmpty();
        assertThat(tokens.versions(PARAMETER)).hasSize(1);
    }

    @Test
    void aPendingStackCanTakeItsFirstTokenIntoAParameterThatDidNotExist() {
        stored(registry.put(StackRecord.first(spec("linux-small"), T0)));
        semaphore.accept(ENDPOINT, NEW);

        RotationResult result = rotation.rotate("linux-small", NEW);

        assertThat(result).isEqualTo(new RotationResult.Rotated("linux-small", PARAMETER, 1, T0, true));
        assertThat(record("linux-small").status()).isEqualTo(StackStatus.PENDING);
        assertThat(record("linux-small").tokenParameterVersion()).isEqualTo(OptionalLong.of(1));
    }

    @Test
    void aStackDegradedForItsTokenIsActiveAgainOnceANewTokenIsSet() {
        StackRecord r = liveStack(spec("linux-small"));
        stored(registry.put(StackTransitions.tokenRejected(r,
                TokenRotation.rejectedReason("linux-small", PARAMETER, 404, "poller"), T0)));
        semaphore.accept(ENDPOINT, NEW);

        rotation.rotate("linux-small", NEW);

        StackRecord after = record("linux-small");
        assertThat(after.status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(after.reason()).isEmpty();
    }

    @Test
    void aRetryAfterTheParameterWasWrittenButNotRecordedCompletesTheRotationWithoutWritingAgain() {
        liveStack(spec("linux-small"));
        tokens.write(PARAMETER, NEW, Optional.empty()); // a first attempt wrote version 2, then died
        semaphore.accept(ENDPOINT, NEW);
        int writesBefore = tokens.writes();

        RotationResult result = rotation.rotate("linux-small", NEW);

        assertThat(result).isEqualTo(new RotationResult.Rotated("linux-small", PARAMETER, 2, T0, false));
        assertThat(tokens.writes()).isEqualTo(writesBefore);
        assertThat(record("linux-small").tokenParameterVersion()).isEqualTo(OptionalLong.of(2));
        assertThat(events.published(DomainEvent.TokenRotated.class)).hasSize(1);
    }

    @Test
    void aConcurrentRegistryWriteIsKeptAndTheRotationIsRecordedOnTheNextAttempt() {
        liveStack(spec("linux-small"));
        semaphore.accept(ENDPOINT, NEW);
        AtomicInteger puts = new AtomicInteger();
        StackRegistry racing = new ForwardingStackRegistry(registry) {
            @Override
            public PutResult put(StackRecord next) {
                if (puts.getAndIncrement() == 0) { // the poller writes between our read and our write
                    StackRecord current = registry.get(next.name()).orElseThrow();
                    registry.put(current.toBuilder().groupName(Optional.of("renamed-asg")).build());
                }
                return registry.put(next);
            }
        };
        TokenRotation racingRotation = new TokenRotation(semaphore, tokens, racing, events, clock);

        RotationResult result = racingRotation.rotate("linux-small", NEW);

        assertThat(result).isInstanceOf(RotationResult.Rotated.class);
        assertThat(puts.get()).as("the mark after one lost race, then the rotation").isEqualTo(3);
        assertThat(record("linux-small").groupName()).contains("renamed-asg");
        assertThat(record("linux-small").tokenParameterVersion()).isEqualTo(OptionalLong.of(2));
    }

    @Test
    void aRegistryThatKeepsChangingGivesABusyAnswerThatARetryCompletes() {
        liveStack(spec("linux-small"));
        semaphore.accept(ENDPOINT, NEW);
        AtomicInteger puts = new AtomicInteger();
        StackRegistry racingAfterTheMark = new ForwardingStackRegistry(registry) {
            @Override
            public PutResult put(StackRecord next) {
                // the rotation mark is written; every write after the parameter's loses a race
                return puts.getAndIncrement() == 0 ? registry.put(next) : new PutResult.Conflict(registry.get(next.name()));
            }
        };

        RotationResult busy = new TokenRotation(semaphore, tokens, racingAfterTheMark, events, clock)
                .rotate("linux-small", NEW);
        RotationResult retried = rotation.rotate("linux-small", NEW);

        assertThat(busy).isEqualTo(new RotationResult.RegistryBusy("linux-small", StackRegistry.UPDATE_ATTEMPTS));
        assertThat(retried).isEqualTo(new RotationResult.Rotated("linux-small", PARAMETER, 2, T0, false));
        assertThat(tokens.versions(PARAMETER)).hasSize(2);
        assertThat(record("linux-small").tokenParameterVersion()).isEqualTo(OptionalLong.of(2));
        assertThat(record("linux-small").tokenRotation()).hasValueSatisfying(m -> assertThat(m.isDone()).isTrue());
    }

    @Test
    void anSsmFailureAnswersStoreUnavailableAndWritesNothing() {
        StackRecord before = liveStack(spec("linux-small"));
        semaphore.accept(ENDPOINT, NEW);
        tokens.outage("ThrottlingException: Rate exceeded");

        RotationResult result = rotation.rotate("linux-small", NEW);

        assertThat(result).isEqualTo(new RotationResult.StoreUnavailable("linux-small", PARAMETER,
                "SSM GetParameter linux-small-token failed: ThrottlingException: Rate exceeded"));
        tokens.restore();
        assertThat(tokens.versions(PARAMETER)).hasSize(1);
        assertThat(record("linux-small")).as("the rotation mark given back").usingRecursiveComparison()
                .ignoringFields("revision").isEqualTo(before);
        assertThat(events.published()).isEmpty();
    }

    // ---------------------------------------------------------------- daily check

    @Test
    void theDailyCheckMarksAStackWhoseTokenWasResetDegradedWithTheReasonAndPutsAnEvent() {
        liveStack(spec("linux-small"));
        semaphore.accept(ENDPOINT, OLD);
        semaphore.reset(ENDPOINT, OLD, NEW);
        semaphore.refuseWith(404);

        List<TokenCheck> checks = rotation.dailyCheck();

        assertThat(checks).containsExactly(new TokenCheck.Rejected("linux-small", PARAMETER, 1, 404, true));
        StackRecord after = record("linux-small");
        assertThat(after.status()).isEqualTo(StackStatus.DEGRADED);
        assertThat(after.reason()).contains(
                "Semaphore rejects the registration token in SSM parameter linux-small-token (HTTP 404, seen by the "
                        + "daily check); reset it in the Semaphore UI and set the new one: agent-stacks set-token linux-small");
        assertThat(events.published()).containsExactly(
                new DomainEvent.TokenRejected("linux-small", PARAMETER, 404, "daily-check", T0));
    }

    @Test
    void theDailyCheckReportsAnAlreadyDegradedStackAgainWithoutRewritingIt() {
        StackRecord r = liveStack(spec("linux-small"));
        StackRecord degraded = stored(registry.put(StackTransitions.tokenRejected(r, "rejected by the poller", T0)));

        List<TokenCheck> checks = rotation.dailyCheck();

        assertThat(checks).containsExactly(new TokenCheck.Rejected("linux-small", PARAMETER, 1, 401, false));
        assertThat(record("linux-small")).isEqualTo(degraded);
        assertThat(events.published(DomainEvent.TokenRejected.class)).hasSize(1);
    }

    @Test
    void theDailyCheckMakesADegradedStackWhoseTokenIsAcceptedAgainActive() {
        StackRecord r = liveStack(spec("linux-small"));
        stored(registry.put(StackTransitions.tokenRejected(r, "rejected by the poller", T0)));
        semaphore.accept(ENDPOINT, OLD); // Semaphore's 404 was a blip

        List<TokenCheck> checks = rotation.dailyCheck();

        assertThat(checks).containsExactly(new TokenCheck.Recovered("linux-small", PARAMETER, 1));
        assertThat(record("linux-small").status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(record("linux-small").reason()).isEmpty();
    }

    @Test
    void theDailyCheckWritesNothingForAStackWhoseTokenIsAccepted() {
        StackRecord before = liveStack(spec("linux-small"));
        semaphore.accept(ENDPOINT, OLD);

        assertThat(rotation.dailyCheck()).containsExactly(new TokenCheck.Accepted("linux-small", PARAMETER, 1));
        assertThat(record("linux-small")).isEqualTo(before);
        assertThat(events.published()).isEmpty();
    }

    @Test
    void theDailyCheckChangesNothingWhenSemaphoreIsUnavailable() {
        StackRecord before = liveStack(spec("linux-small"));
        semaphore.outage(ENDPOINT, "HTTP 502 from the metrics endpoint");

        assertThat(rotation.dailyCheck()).containsExactly(
                new TokenCheck.SemaphoreUnavailable("linux-small", "HTTP 502 from the metrics endpoint"));
        assertThat(record("linux-small")).isEqualTo(before);
        assertThat(events.published()).isEmpty();
    }

    @Test
    void theDailyCheckLeavesAStackWhoseTokenWasSetWhileItsOldOneWasBeingJudged() {
        StackRecord before = liveStack(spec("linux-small"));
        semaphore.accept(ENDPOINT, OLD);
        semaphore.reset(ENDPOINT, OLD, NEW);
        semaphore.refuseWith(401);
        // Semaphore refuses version 1 while a set-token writes and records version 2.
        DemandSource setTokenMeanwhile = (endpointUrl, token) -> {
            Observation seen = semaphore.observe(endpointUrl, token);
            long version = tokens.write(PARAMETER, NEW, Optional.empty());
            registry.update("linux-small", r -> r.toBuilder().tokenParameterVersion(OptionalLong.of(version))
                    .tokenRotatedAt(Optional.of(T0)).build());
            return seen;
        };

        List<TokenCheck> checks = new TokenRotation(setTokenMeanwhile, tokens, registry, events, clock).dailyCheck();

        assertThat(checks).containsExactly(new TokenCheck.Superseded("linux-small", PARAMETER, 2));
        assertThat(record("linux-small").status()).isEqualTo(before.status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(record("linux-small").tokenParameterVersion()).isEqualTo(OptionalLong.of(2));
        assertThat(events.published()).isEmpty();
    }

    @Test
    void theDailyCheckLeavesAStackWhoseMissingParameterWasSetWhileItWasBeingRead() {
        StackRecord r = stored(registry.put(StackRecord.first(spec("linux-small"), T0)));
        r = stored(registry.put(StackTransitions.provisioningStarted(r, T0)));
        stored(registry.put(StackTransitions.ready(r, "asg", "arn:aws:cloudformation:eu-west-1:1:stack/x/1", T0)));
        TokenStore setTokenAfterTheRead = new TokenStore() {
            @Override
            public StoredToken read(String parameterName) {
                return tokens.read(parameterName);
            }

            @Override
            public StoredToken readCurrent(String parameterName) {
                try {
                    return tokens.readCurrent(parameterName);
                } finally {
                    long version = tokens.write(PARAMETER, NEW, Optional.empty());
                    registry.update("linux-small", x -> x.toBuilder().tokenParameterVersion(OptionalLong.of(version))
                            .tokenRotatedAt(Optional.of(T0.plusSeconds(1))).build());
                }
            }

            @Override
            public long write(String parameterName, AgentToken token, Optional<String> kmsKeyId) {
                return tokens.write(parameterName, token, kmsKeyId);
            }
        };

        List<TokenCheck> checks = new TokenRotation(semaphore, setTokenAfterTheRead, registry, events, clock).dailyCheck();

        assertThat(checks).containsExactly(new TokenCheck.Superseded("linux-small", PARAMETER, 1));
        assertThat(record("linux-small").status()).isEqualTo(StackStatus.ACTIVE);
    }

    @Test
    void theDailyCheckMarksAStackWhoseParameterIsMissingDegraded() {
        StackRecord r = stored(registry.put(StackRecord.first(spec("linux-small"), T0)));
        r = stored(registry.put(StackTransitions.provisioningStarted(r, T0)));
        stored(registry.put(StackTransitions.ready(r, "asg", "arn:aws:cloudformation:eu-west-1:1:stack/x/1", T0)));

        assertThat(rotation.dailyCheck()).containsExactly(new TokenCheck.ParameterMissing("linux-small", PARAMETER, true));
        assertThat(record("linux-small").status()).isEqualTo(StackStatus.DEGRADED);
        assertThat(record("linux-small").reason()).contains(TokenRotation.missingReason("linux-small", PARAMETER));
    }

    @Test
    void theDailyCheckChangesNothingWhenTheParameterCannotBeRead() {
        StackRecord before = liveStack(spec("linux-small"));
        tokens.outage("KMS AccessDeniedException");

        assertThat(rotation.dailyCheck()).containsExactly(new TokenCheck.StoreUnavailable("linux-small", PARAMETER,
                "SSM GetParameter linux-small-token failed: KMS AccessDeniedException"));
        assertThat(record("linux-small")).isEqualTo(before);
    }

    @Test
    void theDailyCheckSkipsStacksWithoutALiveGroupAndGoesOnAfterAFailure() {
        liveStack(spec("a-stack"));
        liveStack(spec("b-stack"));
        stored(registry.put(StackRecord.first(spec("c-pending"), T0)));
        semaphore.accept(ENDPOINT, OLD);
        DemandSource failingOnce = new DemandSource() {
            int calls;

            @Override
            public Observation observe(String endpointUrl, AgentToken token) {
                if (calls++ == 0) {
                    throw new IllegalStateException("metrics client was closed");
                }
                return semaphore.observe(endpointUrl, token);
            }
        };

        List<TokenCheck> checks = new TokenRotation(failingOnce, tokens, registry, events, clock).dailyCheck();

        assertThat(checks).hasSize(2);
        assertThat(checks.get(0)).isInstanceOf(TokenCheck.Failed.class);
        assertThat(((TokenCheck.Failed) checks.get(0)).reason()).contains("metrics client was closed");
        assertThat(checks.get(1)).isEqualTo(new TokenCheck.Accepted("b-stack", "b-stack-token", 1));
    }

    @Test
    void nothingTheDailyCheckRecordsHoldsTheToken() {
        liveStack(spec("linux-small"));
        semaphore.outage(ENDPOINT, "refused " + OLD.reveal());
        List<TokenCheck> unavailable = rotation.dailyCheck();
        semaphore.restore(ENDPOINT);
        List<TokenCheck> rejected = rotation.dailyCheck();
        semaphore.demand(ENDPOINT, OLD, new Demand(1, 0, 0, 0));
        List<TokenCheck> recovered = rotation.dailyCheck();

        String everything = String.valueOf(unavailable) + rejected + recovered + events.published() + registry.all();
        assertThat(everything).doesNotContain(OLD.reveal()).contains("Unavailable", "Rejected", "Recovered");
    }
}
