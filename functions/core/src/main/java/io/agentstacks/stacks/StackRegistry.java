package io.agentstacks.stacks;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Port: the registry of agent stacks (one DynamoDB table, key = stack name).
 *
 * <p>Every whole-record write is conditional on the revision the writer read, so two writers racing on one stack
 * cannot both win: the loser gets {@link PutResult.Conflict} and decides again from a fresh read ({@link #update}).
 * The hot, per-observation writes are narrow instead: {@link #recordDemand} (the poller), {@link #claimDecision} and
 * {@link #reviseDecision} (the scaler) write one attribute, conditioned on observation time, never on the revision
 * read. They do <em>bump</em> the revision when they store: a whole-record write carries {@code lastDemand} and
 * {@code lastDecision} as its writer read them, so without the bump a write based on a read older than a narrow write
 * would put the older demand or decision back. With it, that write is refused and {@link #update} re-applies its
 * change to the fresh record (see {@link #claimDecision}). So every stored narrow write makes a concurrent
 * whole-record writer write once more; it never makes either lose its write.
 *
 * <p>A write whose storage retries it (the answer to an applied attempt lost) and then finds its own write stored
 * answers as stored, not as a conflict with itself.
 */
public interface StackRegistry {

    Optional<StackRecord> get(String name);

    /** A page of records in name order; {@code pageToken} is the previous page's {@link Page#nextPageToken()}. */
    Page list(Optional<String> pageToken, int limit);

    /** Every record whose status has a live group ({@link StackStatus#hasLiveGroup()}). */
    List<StackRecord> listLive();

    /**
     * Stores {@code next} if the stored record's revision is still {@code next.revision()} (or, for
     * revision 0, if there is no record of that name), and answers the stored record with its revision bumped.
     */
    PutResult put(StackRecord next);

    /** How many conditional writes {@link #update} tries before it answers {@link Update.Busy}. */
    int UPDATE_ATTEMPTS = 5;

    /**
     * The one way to change a stored record: applies {@code change} to the stored record and writes the result on
     * the revision read; after a conflict, applies it again to what is stored then. {@code change} answers its
     * argument unchanged (equal) to mean "nothing to write", and may be applied several times, so it must be a pure
     * function of the record it is given.
     */
    default Update update(String name, UnaryOperator<StackRecord> change) {
        return get(name).map(r -> update(r, change)).orElseGet(Update.Gone::new);
    }

    /** {@link #update(String, UnaryOperator)} starting from a record the caller has just read. */
    default Update update(StackRecord read, UnaryOperator<StackRecord> change) {
        StackRecord current = read;
        for (int attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
            StackRecord next = change.apply(current);
            if (next.equals(current)) {
                return new Update.Done(current, false);
            }
            PutResult result = put(next);
            if (result instanceof PutResult.Stored stored) {
                return new Update.Done(stored.stored(), true);
            }
            Optional<StackRecord> now = ((PutResult.Conflict) result).current();
            if (now.isEmpty()) {
                return new Update.Gone();
            }
            current = now.get();
        }
        return new Update.Busy();
    }

    /**
     * Stores {@code decision} as the stack's {@code lastDecision} only if the stored one answered an earlier
     * observation (or there is none): of two claims of one observation, exactly one is {@link Claim.Claimed}.
     * One narrow write (DynamoDB UpdateItem of {@code lastDecision} only), not conditional on the revision read, so
     * that the scaler's claim never loses to a spec, status or demand write.
     *
     * <p><b>Revision.</b> A stored claim bumps {@code revision}, as {@link #recordDemand} does. Whole-record writers
     * ({@link #put}, {@link #update}) carry {@code lastDemand} and {@code lastDecision} as they read them; if a narrow
     * write left the revision alone, such a write based on an older read would put back an older decision (the
     * scaler's de-duplication) or demand. With the bump, that write is refused instead and {@link #update} re-applies
     * its change to the fresh record: one more write for the spec writer, never a lost one, and never a lost claim.
     * A narrow write that stores nothing (not newer) bumps nothing. Once no caller writes {@code lastDemand} or
     * {@code lastDecision} through {@code put}, whole-record writes can leave those attributes out and the narrow
     * writes can stop bumping the revision; until then, the bump is what keeps both kinds of write from losing data.
     *
     * <p>This default goes through {@link #update}; the DynamoDB and in-memory registries do it in one atomic write.
     */
    default Claim claimDecision(String name, DecisionSnapshot decision) {
        Objects.requireNonNull(decision, "decision");
        return decisionWrite(name, decision, false,
                stored -> stored.isEmpty() || stored.get().observedAt().isBefore(decision.observedAt()));
    }

    /**
     * Replaces the decision the caller claimed for {@code revised.observedAt()} (e.g. a scale-up Auto Scaling refused,
     * recorded as the hold it became): stored only if the stored {@code lastDecision} still answers that very
     * observation. {@link Claim.Claimed} when stored; {@link Claim.AlreadyDecided} when a newer observation's decision
     * is there; {@link Claim.Gone} when there is no record or no decision. Bumps the revision like
     * {@link #claimDecision}.
     */
    default Claim reviseDecision(String name, DecisionSnapshot revised) {
        Objects.requireNonNull(revised, "revised");
        return decisionWrite(name, revised, true,
                stored -> stored.isPresent() && stored.get().observedAt().equals(revised.observedAt()));
    }

    /** A claim stores only over an older observation; a revision also answers Claimed when it is already stored. */
    private Claim decisionWrite(String name, DecisionSnapshot decision, boolean revision,
                                Predicate<Optional<DecisionSnapshot>> when) {
        Update u = update(name, r -> when.test(r.lastDecision()) ? r.toBuilder().lastDecision(Optional.of(decision)).build() : r);
        if (u instanceof Update.Done done) {
            Optional<DecisionSnapshot> stored = done.record().lastDecision();
            if (done.written() || (revision && stored.equals(Optional.of(decision)))) {
                return new Claim.Claimed(decision);
            }
            return stored.<Claim>map(Claim.AlreadyDecided::new).orElseGet(Claim.Gone::new);
        }
        return u instanceof Update.Gone ? new Claim.Gone() : new Claim.Busy();
    }

    /**
     * Stores {@code demand} as the stack's {@code lastDemand} only if it was observed after the stored one (or there
     * is none). One narrow write (DynamoDB UpdateItem of {@code lastDemand} only), not conditional on the revision
     * read; it bumps the revision when it stores, for the reason given at {@link #claimDecision}.
     */
    default Recorded recordDemand(String name, DemandSnapshot demand) {
        Objects.requireNonNull(demand, "demand");
        Update u = update(name, r -> r.lastDemand().map(d -> d.observedAt().isBefore(demand.observedAt())).orElse(true)
                ? r.toBuilder().lastDemand(Optional.of(demand)).build() : r);
        if (u instanceof Update.Done done) {
            return done.written() ? Recorded.STORED : Recorded.NOT_NEWER;
        }
        return u instanceof Update.Gone ? Recorded.GONE : Recorded.BUSY;
    }

    /** What {@link #claimDecision} or {@link #reviseDecision} did. */
    sealed interface Claim {
        /** {@code decision} is stored: the caller acts on it. */
        record Claimed(DecisionSnapshot decision) implements Claim {
        }

        /** The stored decision answers another (a newer, or for a claim the same) observation; nothing was written. */
        record AlreadyDecided(DecisionSnapshot stored) implements Claim {
        }

        /** There is no record of that name (any more), or for a revision no decision to revise. */
        record Gone() implements Claim {
        }

        /** Only from the default implementation: other writers won every one of {@link #UPDATE_ATTEMPTS} races. */
        record Busy() implements Claim {
        }
    }

    /** What {@link #recordDemand} did. */
    enum Recorded {
        /** Stored. */
        STORED,
        /** The stored demand was observed at the same time or later; nothing was written. */
        NOT_NEWER,
        /** There is no record of that name (any more). */
        GONE,
        /** Only from the default implementation: other writers won every one of {@link #UPDATE_ATTEMPTS} races. */
        BUSY
    }

    /** What {@link #update} did. */
    sealed interface Update {
        /** {@code record} is what is stored now; {@code written} is false when the change had nothing to write. */
        record Done(StackRecord record, boolean written) implements Update {
        }

        /** There is no record of that name (any more). */
        record Gone() implements Update {
        }

        /** Other writers won every one of {@link #UPDATE_ATTEMPTS} races; nothing was written. */
        record Busy() implements Update {
        }
    }

    record Page(List<StackRecord> records, Optional<String> nextPageToken) {
        public Page {
            records = List.copyOf(records);
            Objects.requireNonNull(nextPageToken, "nextPageToken");
        }
    }

    sealed interface PutResult {
        /** Written; {@code stored.revision()} is the new revision. */
        record Stored(StackRecord stored) implements PutResult {
        }

        /** Someone else wrote first; {@code current} is what is stored now (empty if it was deleted). */
        record Conflict(Optional<StackRecord> current) implements PutResult {
        }
    }
}
