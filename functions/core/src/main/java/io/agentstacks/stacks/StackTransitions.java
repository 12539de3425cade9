package io.agentstacks.stacks;

import static io.agentstacks.stacks.StackStatus.ACTIVE;
import static io.agentstacks.stacks.StackStatus.DEGRADED;
import static io.agentstacks.stacks.StackStatus.DELETED;
import static io.agentstacks.stacks.StackStatus.DELETING;
import static io.agentstacks.stacks.StackStatus.FAILED;
import static io.agentstacks.stacks.StackStatus.PENDING;
import static io.agentstacks.stacks.StackStatus.PROVISIONING;
import static io.agentstacks.stacks.StackStatus.UPDATING;

import io.agentstacks.spec.StackSpec;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The status machine of an agent stack, as pure functions from a record to the next record.
 *
 * <pre>
 *   (none) ──spec──▶ PENDING ──start──▶ PROVISIONING ──ready──▶ ACTIVE ◀──token ok── DEGRADED
 *                                           │                    │  ▲                  ▲
 *                                         fail                 spec  ready           token rejected
 *                                           ▼                    ▼  │                  │
 *                                         FAILED ◀───fail──── UPDATING            (from ACTIVE)
 *   ACTIVE, DEGRADED, FAILED, PENDING ──delete──▶ DELETING ──deleted──▶ DELETED ──spec──▶ PENDING (v N+1)
 * </pre>
 *
 * A delete of a FAILED stack counts as version N+1 (same spec): its {@code destroy-stack} execution needs a
 * name that no earlier run of version N took, since Step Functions refuses a closed execution's name.
 *
 * Each function throws {@link IllegalTransition} when the move is not allowed from the current status;
 * callers map that to a 409 (API) or a failed task (workflow).
 */
public final class StackTransitions {

    private static final Map<StackStatus, Set<StackStatus>> ALLOWED = Map.of(
            PENDING, EnumSet.of(PROVISIONING, UPDATING, FAILED, DELETING),
            PROVISIONING, EnumSet.of(ACTIVE, FAILED, DELETING),
            ACTIVE, EnumSet.of(UPDATING, DEGRADED, DELETING, FAILED),
            UPDATING, EnumSet.of(ACTIVE, FAILED, DEGRADED, DELETING),
            DEGRADED, EnumSet.of(ACTIVE, UPDATING, DELETING, FAILED),
            FAILED, EnumSet.of(PENDING, UPDATING, DELETING),
            DELETING, EnumSet.of(DELETED, FAILED),
            DELETED, EnumSet.of(PENDING));

    private StackTransitions() {
    }

    public static boolean allowed(StackStatus from, StackStatus to) {
        return from == to || ALLOWED.get(from).contains(to);
    }

    /**
     * A new spec version is accepted: a new stack starts PENDING at version 1; an existing one moves to
     * UPDATING (or PENDING when it never got a group) at version N+1; a DELETED name starts over.
     * A stack being deleted cannot take a spec.
     */
    public static StackRecord specAccepted(Optional<StackRecord> current, StackSpec spec, Instant now) {
        if (current.isEmpty()) {
            return StackRecord.first(spec, now);
        }
        StackRecord r = current.get();
        StackStatus next = switch (r.status()) {
            case DELETED -> PENDING;
            case PENDING -> PENDING;
            case FAILED -> r.groupName().isPresent() ? UPDATING : PENDING;
            case ACTIVE, DEGRADED, UPDATING -> UPDATING;
            case PROVISIONING, DELETING -> throw new IllegalTransition(r.name(), r.status(), "take a new spec");
        };
        StackRecord.Builder b = r.toBuilder().spec(spec).specVersion(r.specVersion() + 1).status(next)
                .reason(Optional.empty()).updatedAt(now);
        if (r.status() == DELETED) {
            b.groupName(Optional.empty()).cloudFormationStackId(Optional.empty()).lastDemand(Optional.empty())
                    .lastDecision(Optional.empty());
        }
        return b.build();
    }

    public static StackRecord provisioningStarted(StackRecord r, Instant now) {
        return move(r, r.status() == PENDING ? PROVISIONING : r.status(), Optional.empty(), now);
    }

    public static StackRecord ready(StackRecord r, String groupName, String cloudFormationStackId, Instant now) {
        return move(r, ACTIVE, Optional.empty(), now).toBuilder().groupName(Optional.of(groupName))
                .cloudFormationStackId(Optional.of(cloudFormationStackId)).build();
    }

    public static StackRecord failed(StackRecord r, String reason, Instant now) {
        return move(r, FAILED, Optional.of(reason), now);
    }

    /**
     * Deletion is asked for. From FAILED the version moves to N+1, so that the new {@code destroy-stack} run gets
     * a fresh execution name ({@code <name>-delete-v<N+1>}): the failed run of N, a destroy that failed or died,
     * holds {@code <name>-delete-v<N>}, and steps of any run of N are superseded.
     */
    public static StackRecord deleteRequested(StackRecord r, Instant now) {
        StackRecord moved = move(r, DELETING, Optional.empty(), now);
        return r.status() == FAILED ? moved.toBuilder().specVersion(r.specVersion() + 1).build() : moved;
    }

    public static StackRecord deleted(StackRecord r, Instant now) {
        return move(r, DELETED, Optional.empty(), now);
    }

    /** Semaphore refuses the token: the group stays, but cannot follow demand. */
    public static StackRecord tokenRejected(StackRecord r, String reason, Instant now) {
        return r.status() == DEGRADED ? r : move(r, DEGRADED, Optional.of(reason), now);
    }

    /** Semaphore accepts the token again: a DEGRADED stack is ACTIVE again; others are unchanged. */
    public static StackRecord tokenAccepted(StackRecord r, Instant now) {
        return r.status() == DEGRADED ? move(r, ACTIVE, Optional.empty(), now) : r;
    }

    private static StackRecord move(StackRecord r, StackStatus to, Optional<String> reason, Instant now) {
        if (!allowed(r.status(), to)) {
            throw new IllegalTransition(r.name(), r.status(), "become " + to);
        }
        return r.toBuilder().status(to).reason(reason).updatedAt(now).build();
    }

    /** A move the status machine does not allow. */
    public static final class IllegalTransition extends RuntimeException {
        private final StackStatus from;

        public IllegalTransition(String stack, StackStatus from, String what) {
            super("stack " + stack + " is " + from + " and cannot " + what);
            this.from = from;
        }

        public StackStatus from() {
            return from;
        }
    }
}
