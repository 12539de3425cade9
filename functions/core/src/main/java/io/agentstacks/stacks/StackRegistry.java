package io.agentstacks.stacks;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
