package io.agentstacks.inmemory;

import io.agentstacks.stacks.DecisionSnapshot;
import io.agentstacks.stacks.DemandSnapshot;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The registry in memory, with DynamoDB's conditional-write behaviour: a put whose revision is not the
 * stored one is refused, so tests see the same races the real table produces. The narrow writes are atomic, as
 * DynamoDB's UpdateItem is.
 */
public final class InMemoryStackRegistry implements StackRegistry {

    private final TreeMap<String, StackRecord> records = new TreeMap<>();

    @Override
    public synchronized Optional<StackRecord> get(String name) {
        return Optional.ofNullable(records.get(name));
    }

    @Override
    public synchronized Page list(Optional<String> pageToken, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        var tail = pageToken.map(t -> records.tailMap(t, false)).orElse(records);
        List<StackRecord> page = new ArrayList<>();
        for (StackRecord r : tail.values()) {
            if (page.size() == limit) {
                break;
            }
            page.add(r);
        }
        boolean more = tail.size() > page.size();
        return new Page(page, more ? Optional.of(page.get(page.size() - 1).name()) : Optional.empty());
    }

    @Override
    public synchronized List<StackRecord> listLive() {
        return records.values().stream().filter(r -> r.status().hasLiveGroup()).toList();
    }

    @Override
    public synchronized PutResult put(StackRecord next) {
        StackRecord current = records.get(next.name());
        long storedRevision = current == null ? 0 : current.revision();
        if (storedRevision != next.revision()) {
            return new PutResult.Conflict(Optional.ofNullable(current));
        }
        StackRecord stored = next.toBuilder().revision(next.revision() + 1).build();
        records.put(stored.name(), stored);
        return new PutResult.Stored(stored);
    }

    /*
     * The narrow writes hold the lock across their read and write, so that, like DynamoDB's single UpdateItem, they
     * are atomic and never answer Busy; what they store (revision bumped, condition on observation time) is the port's
     * default, the same as DynamoDbStackRegistry's.
     */

    @Override
    public synchronized Claim claimDecision(String name, DecisionSnapshot decision) {
        return StackRegistry.super.claimDecision(name, decision);
    }

    @Override
    public synchronized Claim reviseDecision(String name, DecisionSnapshot revised) {
        return StackRegistry.super.reviseDecision(name, revised);
    }

    @Override
    public synchronized Recorded recordDemand(String name, DemandSnapshot demand) {
        return StackRegistry.super.recordDemand(name, demand);
    }

    /** Every record, for assertions. */
    public synchronized List<StackRecord> all() {
        return List.copyOf(records.values());
    }
}
