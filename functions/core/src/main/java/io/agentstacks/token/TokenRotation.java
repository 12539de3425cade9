package io.agentstacks.token;

import io.agentstacks.demand.DemandSource;
import io.agentstacks.demand.Observation;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventSink;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackRegistry.Update;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.stacks.StackTransitions;
import io.agentstacks.stacks.TokenRotationMark;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Replaces a stack's agent registration token, and checks every live stack's token once a day.
 *
 * <p><b>Rotation</b> ({@link #rotate}): the token is first shown to Semaphore's metrics endpoint of the
 * stack's organization; only a 200 lets it be written, as a new version of the spec's SecureString
 * parameter encrypted with the spec's KMS key ({@value #DEFAULT_KMS_KEY} when the spec names none, as
 * in the older tool). Then the registry records the parameter version and time (a conditional write,
 * retried on conflict), a {@code TokenRotated} event is put by the run whose write recorded that version, and a
 * stack that was DEGRADED because
 * Semaphore refused its old token is ACTIVE again. A token Semaphore refuses leaves the parameter as it
 * was; when Semaphore cannot be asked nothing is written.
 *
 * <p>Rotation is idempotent, also for requests that run at the same time (a client retrying after API
 * Gateway's 29 s while the first call still runs): before the parameter is touched, the rotation takes the
 * stack with a conditional registry write of a {@link TokenRotationMark} (a one-way fingerprint of the token,
 * never the token). A second rotation finds the mark: with the same token, it answers the version the first
 * wrote and writes nothing; with another, it waits for the first to finish. Then the parameter, read past any
 * cache, is compared with the new token, and when they are the same (a retried request) the existing version
 * is answered and nothing is written. The registry's {@code tokenParameterVersion} tells whether that
 * version's rotation was completed; a retry after a failure between the parameter write and the registry
 * write completes it. A mark left by a rotation that died is taken over after {@link #ABANDONED_AFTER}.
 *
 * <p><b>Daily check</b> ({@link #dailyCheck}): every live stack's stored token is shown to Semaphore.
 * Refused (401/404): a {@code TokenRejected} event (source {@code daily-check}) and the stack DEGRADED
 * with the reason; the parameter is missing: DEGRADED too; accepted while DEGRADED: ACTIVE again;
 * Semaphore unavailable: nothing changes. A refusal is not acted on when the registry records a token parameter
 * version newer than the one judged (a {@code set-token} meanwhile), as the poller does:
 * {@link TokenCheck.Superseded}, no event. Only {@link StackTransitions#tokenRejected} leads to DEGRADED, so a
 * DEGRADED stack whose token is accepted is made ACTIVE with {@link StackTransitions#tokenAccepted}.
 *
 * <p>No answer, event, registry write or message produced here holds the token: results name the stack
 * and the parameter, and any text that comes from an adapter is scrubbed of the token's value.
 */
public final class TokenRotation {

    /** The key SSM encrypts SecureStrings with when a spec names none (the older tool's default). */
    public static final String DEFAULT_KMS_KEY = "alias/aws/ssm";

    public static final String SOURCE_ROTATION = "rotation";
    public static final String SOURCE_DAILY_CHECK = "daily-check";
    /** The demand poller, which sees a rejected token on its next poll. */
    public static final String SOURCE_POLLER = "poller";

    /**
     * A rotation mark older than this, not done, was left by a rotation that died: it can be taken over. Longer
     * than the token-rotator Lambda's timeout (120 s), so a rotation that still runs is never overtaken.
     */
    public static final Duration ABANDONED_AFTER = Duration.ofMinutes(3);
    /** How long, and how often, a rotation waits for another one of the same stack before answering InProgress. */
    static final Duration WAIT_STEP = Duration.ofMillis(250);
    static final int MAX_WAITS = 40;

    /** Waits between two looks at a rotation in progress; tests drive it. */
    @FunctionalInterface
    public interface Pause {
        void pause(Duration duration);

        /** The thread sleeps; an interrupt ends the wait early and stays set. */
        Pause SLEEP = d -> {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    private final DemandSource semaphore;
    private final TokenStore tokens;
    private final StackRegistry registry;
    private final EventSink events;
    private final Clock clock;
    private final Pause pause;

    public TokenRotation(DemandSource semaphore, TokenStore tokens, StackRegistry registry, EventSink events,
                         Clock clock) {
        this(semaphore, tokens, registry, events, clock, Pause.SLEEP);
    }

    public TokenRotation(DemandSource semaphore, TokenStore tokens, StackRegistry registry, EventSink events,
                         Clock clock, Pause pause) {
        this.semaphore = Objects.requireNonNull(semaphore, "semaphore");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pause = Objects.requireNonNull(pause, "pause");
    }

    /** The reason a stack is DEGRADED when Semaphore refuses its token; shown by {@code GET /stacks/{name}}. */
    public static String rejectedReason(String stack, String parameterName, int httpStatus, String source) {
        return "Semaphore rejects the registration token in SSM parameter " + parameterName + " (HTTP " + httpStatus
                + ", seen by the " + source.replace('-', ' ') + "); reset it in the Semaphore UI and set the new one: "
                + "agent-stacks set-token " + stack;
    }

    /** The reason a stack is DEGRADED when its token parameter does not exist. */
    public static String missingReason(String stack, String parameterName) {
        return "the registration token parameter " + parameterName + " does not exist; set the token: "
                + "agent-stacks set-token " + stack;
    }

    /**
     * Verifies {@code token} with Semaphore and, if it is accepted, makes it the stack's current token.
     * Never throws for what Semaphore or SSM answer; a failing registry or bus call propagates.
     */
    public RotationResult rotate(String stackName, AgentToken token) {
        Objects.requireNonNull(stackName, "stackName");
        Objects.requireNonNull(token, "token");
        Optional<StackRecord> found = registry.get(stackName);
        if (found.isEmpty()) {
            return new RotationResult.NotFound(stackName);
        }
        StackRecord record = found.get();
        if (record.status() == StackStatus.DELETING || record.status() == StackStatus.DELETED) {
            return new RotationResult.Conflict(stackName, record.status());
        }
        String parameter = record.spec().agentTokenParameterName();

        Observation seen = semaphore.observe(record.spec().endpointUrl(), token);
        if (seen instanceof Observation.TokenRejected rejected) {
            events.publish(new DomainEvent.TokenRejected(stackName, parameter, rejected.httpStatus(),
                    SOURCE_ROTATION, clock.instant()));
            return new RotationResult.Rejected(stackName, parameter, rejected.httpStatus());
        }
        if (seen instanceof Observation.Unavailable unavailable) {
            return new RotationResult.SemaphoreUnavailable(stackName, token.maskedIn(unavailable.reason()));
        }

        String fingerprint = fingerprint(parameter, token);
        try {
            for (int waits = 0; ; waits++) {
                Instant now = clock.instant();
                Update claim = registry.update(record, r -> taken(r, fingerprint, now));
                if (claim instanceof Update.Busy) {
                    return new RotationResult.RegistryBusy(stackName, StackRegistry.UPDATE_ATTEMPTS);
                }
                if (claim instanceof Update.Gone) {
                    return new RotationResult.NotFound(stackName);
                }
                Update.Done done = (Update.Done) claim;
                if (done.written()) {
                    return write(done.record(), parameter, token, fingerprint);
                }
                // Another rotation holds the stack, or this token's rotation is done. Either way the
                // parameter, read past any cache, tells whether the token is written already.
                Optional<StoredToken> current = readCurrentIfPresent(parameter);
                if (current.isPresent() && current.get().token().equals(token)) {
                    return complete(done.record(), parameter, current.get().version(), false, fingerprint);
                }
                TokenRotationMark mark = done.record().tokenRotation().orElseThrow();
                if (mark.isDone()) {
                    // Done with this token once, but the parameter was changed since: rotate it again.
                    Update retaken = registry.update(done.record(), r -> retaken(r, mark, fingerprint, now));
                    if (retaken instanceof Update.Done d && d.written()) {
                        return write(d.record(), parameter, token, fingerprint);
                    }
                } else if (waits >= MAX_WAITS) {
                    return new RotationResult.InProgress(stackName);
                } else {
                    pause.pause(WAIT_STEP);
                }
                Optional<StackRecord> again = registry.get(stackName);
                if (again.isEmpty()) {
                    return new RotationResult.NotFound(stackName);
                }
                record = again.get();
                if (record.status() == StackStatus.DELETING || record.status() == StackStatus.DELETED) {
                    return new RotationResult.Conflict(stackName, record.status());
                }
            }
        } catch (TokenStore.TokenStoreException e) {
            return new RotationResult.StoreUnavailable(stackName, parameter, token.maskedIn(e.getMessage()));
        }
    }

    /**
     * The stack is this rotation's now: the parameter gets the token unless it holds it already (a retry after
     * a failure), then the rotation is recorded. A failing token store gives the stack back before answering.
     */
    private RotationResult write(StackRecord claimed, String parameter, AgentToken token, String fingerprint) {
        TokenRotationMark mark = claimed.tokenRotation().orElseThrow();
        long version;
        boolean written;
        try {
            Optional<StoredToken> current = readCurrentIfPresent(parameter);
            if (current.isPresent() && current.get().token().equals(token)) {
                version = current.get().version();
                written = false;
            } else {
                String kmsKey = claimed.spec().agentTokenKmsKey().orElse(DEFAULT_KMS_KEY);
                version = tokens.write(parameter, token, Optional.of(kmsKey));
                written = true;
            }
        } catch (TokenStore.TokenStoreException e) {
            registry.update(claimed.name(), r -> r.tokenRotation().equals(Optional.of(mark))
                    ? r.toBuilder().tokenRotation(Optional.empty()).build()
                    : r);
            throw e;
        }
        return complete(claimed, parameter, version, written, fingerprint);
    }

    /**
     * Records {@code version} as the stack's token (and its rotation mark done), and puts TokenRotated when this
     * call's write is the one that recorded it. Two runs with one token can both get here (the second finds the
     * parameter written while the first is between its PutParameter and this write); only the run whose conditional
     * write moves {@code tokenParameterVersion} puts the event, so it is put at most once per recorded version. The
     * price: a bus failure after the write is not made good by a retry (which finds the version recorded); the
     * failure propagates, so the caller sees it.
     */
    private RotationResult complete(StackRecord record, String parameter, long version, boolean written,
                                    String fingerprint) {
        String stackName = record.name();
        Instant now = clock.instant();
        // Set by every application of the change: the last one is the one the registry stored.
        AtomicBoolean movesVersion = new AtomicBoolean();
        UnaryOperator<StackRecord> change = r -> {
            StackRecord.Builder b = r.toBuilder();
            boolean moves = !recorded(r, version);
            movesVersion.set(moves);
            if (moves) {
                b.tokenParameterVersion(OptionalLong.of(version)).tokenRotatedAt(Optional.of(now)).updatedAt(now);
            }
            Optional<TokenRotationMark> mark = r.tokenRotation();
            if (mark.isEmpty() || mark.get().fingerprint().equals(fingerprint)) {
                b.tokenRotation(Optional.of(mark.orElse(TokenRotationMark.started(fingerprint, now)).done(version)));
            }
            return StackTransitions.tokenAccepted(b.build(), now);
        };
        Update updated = registry.update(record, change);
        if (updated instanceof Update.Busy) {
            return new RotationResult.RegistryBusy(stackName, StackRegistry.UPDATE_ATTEMPTS);
        }
        if (updated instanceof Update.Gone) {
            return new RotationResult.NotFound(stackName);
        }
        if (((Update.Done) updated).written() && movesVersion.get()) {
            events.publish(new DomainEvent.TokenRotated(stackName, parameter, version, now));
        }
        StackRecord stored = ((Update.Done) updated).record();
        Instant rotatedAt = stored.tokenParameterVersion().equals(OptionalLong.of(version))
                ? stored.tokenRotatedAt().orElse(now)
                : now;
        return new RotationResult.Rotated(stackName, parameter, version, rotatedAt, written);
    }

    /**
     * The stack taken for a rotation to the token of {@code fingerprint}, or {@code r} unchanged when another
     * rotation holds it (started, not done, not abandoned) or this token's rotation is done already.
     */
    private static StackRecord taken(StackRecord r, String fingerprint, Instant now) {
        Optional<TokenRotationMark> mark = r.tokenRotation();
        if (mark.isPresent()) {
            TokenRotationMark m = mark.get();
            boolean held = !m.isDone() && now.isBefore(m.startedAt().plus(ABANDONED_AFTER));
            boolean doneWithThisToken = m.isDone() && m.fingerprint().equals(fingerprint);
            if (held || doneWithThisToken) {
                return r;
            }
        }
        return r.toBuilder().tokenRotation(Optional.of(TokenRotationMark.started(fingerprint, now))).build();
    }

    /** The stack taken again for a token whose rotation was done, if the mark is still {@code seen}. */
    private static StackRecord retaken(StackRecord r, TokenRotationMark seen, String fingerprint, Instant now) {
        return r.tokenRotation().equals(Optional.of(seen))
                ? r.toBuilder().tokenRotation(Optional.of(TokenRotationMark.started(fingerprint, now))).build()
                : r;
    }

    /**
     * A one-way fingerprint of a token for its parameter: SHA-256 over both. Registration tokens are long random
     * strings, so the hash does not lead back to one; it is still kept out of every log, event and answer.
     */
    static String fingerprint(String parameter, AgentToken token) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("agent-stacks token rotation\n".getBytes(StandardCharsets.UTF_8));
            sha.update(parameter.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(token.reveal().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Checks the stored token of every live stack, in name order; one stack's failure never stops the others. */
    public List<TokenCheck> dailyCheck() {
        List<TokenCheck> checks = new ArrayList<>();
        for (StackRecord record : registry.listLive()) {
            checks.add(check(record));
        }
        return List.copyOf(checks);
    }

    private TokenCheck check(StackRecord record) {
        String stack = record.name();
        String parameter = record.spec().agentTokenParameterName();
        StoredToken stored;
        try {
            Optional<StoredToken> read = readCurrentIfPresent(parameter);
            if (read.isEmpty()) {
                String reason = missingReason(stack, parameter);
                // No version was judged: a rotation recorded since the stack was listed wrote the parameter after the read.
                Degraded degraded = degrade(record, reason, r -> !r.tokenRotatedAt().equals(record.tokenRotatedAt()));
                return switch (degraded.outcome()) {
                    case NOW, ALREADY -> new TokenCheck.ParameterMissing(stack, parameter,
                            degraded.outcome() == DegradeOutcome.NOW);
                    case SUPERSEDED -> new TokenCheck.Superseded(stack, parameter,
                            degraded.recorded().tokenParameterVersion().orElse(0));
                    case BUSY -> new TokenCheck.Failed(stack, "the token parameter " + parameter
                            + " does not exist, and marking the stack DEGRADED failed: the registry kept changing");
                };
            }
            stored = read.get();
        } catch (TokenStore.TokenStoreException e) {
            return new TokenCheck.StoreUnavailable(stack, parameter, e.getMessage());
        } catch (RuntimeException e) {
            return new TokenCheck.Failed(stack, "checking the token parameter " + parameter + " failed: " + e);
        }

        AgentToken token = stored.token();
        try {
            Observation seen = semaphore.observe(record.spec().endpointUrl(), token);
            if (seen instanceof Observation.Unavailable unavailable) {
                return new TokenCheck.SemaphoreUnavailable(stack, token.maskedIn(unavailable.reason()));
            }
            if (seen instanceof Observation.TokenRejected rejected) {
                String reason = rejectedReason(stack, parameter, rejected.httpStatus(), SOURCE_DAILY_CHECK);
                long judged = stored.version();
                // As the poller: a version recorded after the one judged (a set-token meanwhile) is not judged by this.
                Degraded degraded = degrade(record, reason, r -> recordsNewer(r, judged));
                if (degraded.outcome() == DegradeOutcome.SUPERSEDED) {
                    return new TokenCheck.Superseded(stack, parameter,
                            degraded.recorded().tokenParameterVersion().orElse(judged));
                }
                events.publish(new DomainEvent.TokenRejected(stack, parameter, rejected.httpStatus(),
                        SOURCE_DAILY_CHECK, clock.instant()));
                return degraded.outcome() == DegradeOutcome.BUSY
                        ? new TokenCheck.Failed(stack, "Semaphore rejects the token (HTTP "
                                + rejected.httpStatus() + "), and marking the stack DEGRADED failed: "
                                + "the registry kept changing")
                        : new TokenCheck.Rejected(stack, parameter, judged, rejected.httpStatus(),
                                degraded.outcome() == DegradeOutcome.NOW);
            }
            Instant now = clock.instant();
            Update updated = registry.update(record, r -> StackTransitions.tokenAccepted(r, now));
            if (updated instanceof Update.Busy) {
                return new TokenCheck.Failed(stack, "Semaphore accepts the token, and marking the stack ACTIVE "
                        + "failed: the registry kept changing");
            }
            boolean recovered = record.status() == StackStatus.DEGRADED && updated instanceof Update.Done done
                    && done.written();
            return recovered
                    ? new TokenCheck.Recovered(stack, parameter, stored.version())
                    : new TokenCheck.Accepted(stack, parameter, stored.version());
        } catch (RuntimeException e) {
            return new TokenCheck.Failed(stack, token.maskedIn("recording the token check failed: " + e));
        }
    }

    private enum DegradeOutcome {
        /** The stack is DEGRADED now, by this write. */
        NOW,
        /** The stack was DEGRADED already (or has no live group any more): nothing written. */
        ALREADY,
        /** The registry records a token newer than the one judged: nothing written. */
        SUPERSEDED,
        /** The registry kept changing: nothing written. */
        BUSY
    }

    private record Degraded(DegradeOutcome outcome, StackRecord recorded) {
    }

    /**
     * Marks the stack DEGRADED unless {@code superseded} holds for the stored record (a token recorded after the
     * one judged): decided on each application of the conditional write, so a rotation recorded up to the write
     * itself wins.
     */
    private Degraded degrade(StackRecord record, String reason, Predicate<StackRecord> superseded) {
        Instant now = clock.instant();
        Update updated = registry.update(record, r -> r.status().hasLiveGroup() && !superseded.test(r)
                ? StackTransitions.tokenRejected(r, reason, now) : r);
        if (updated instanceof Update.Done done) {
            if (done.written()) {
                return new Degraded(DegradeOutcome.NOW, done.record());
            }
            return new Degraded(superseded.test(done.record()) ? DegradeOutcome.SUPERSEDED : DegradeOutcome.ALREADY,
                    done.record());
        }
        return new Degraded(updated instanceof Update.Busy ? DegradeOutcome.BUSY : DegradeOutcome.ALREADY, record);
    }

    /** The registry records a token parameter version after {@code judged}. */
    private static boolean recordsNewer(StackRecord r, long judged) {
        return r.tokenParameterVersion().isPresent() && r.tokenParameterVersion().getAsLong() > judged;
    }

    /** The parameter as SSM holds it now (past any cache), or empty when it does not exist. */
    private Optional<StoredToken> readCurrentIfPresent(String parameter) {
        try {
            return Optional.of(tokens.readCurrent(parameter));
        } catch (TokenStore.TokenStoreException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static boolean recorded(StackRecord r, long version) {
        return r.tokenParameterVersion().isPresent() && r.tokenParameterVersion().getAsLong() >= version;
    }
}
