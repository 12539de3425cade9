package io.agentstacks.stacks;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Port: the registry of agent stacks (one DynamoDB table, key = stack name).
 *
 * <p>Every write is conditional on the revision the writer read, so two writers racing on one stack
 * cannot both win: the loser gets {@link PutResult.Conflict} and decides again from a fresh read.
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
