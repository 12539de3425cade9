package io.agentstacks.stacks;

import static io.agentstacks.stacks.StackStatus.ACTIVE;
import static io.agentstacks.stacks.StackStatus.DELETED;
import static io.agentstacks.stacks.StackStatus.DELETING;
import static io.agentstacks.stacks.StackStatus.FAILED;
import static io.agentstacks.stacks.StackStatus.PENDING;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the steps of the {@code provision-stack} and {@code destroy-stack} executions do to the registry,
 * as pure decisions over the record they read.
 *
 * <p>An execution works for one spec version N. The registry only holds the newest spec, so a step of an
 * older execution must not act: once version N+1 is accepted, or the stack is being deleted, every step of
 * N's provisioning is {@link Decision.Superseded} and does nothing. A step delivered twice finds its own
 * write already there: {@link Decision.AlreadyDone}, and does nothing either.
 */
public final class WorkflowProgress {

    /** What a step does with the registry. */
    public sealed interface Decision {
        /** Write {@code next} (conditional on the revision read). */
        record Write(StackRecord next) implements Decision {
            public Write {
                Objects.requireNonNull(next, "next");
            }
        }

        /** The record already shows this step's outcome: nothing to write, nothing to announce. */
        record AlreadyDone(StackRecord current) implements Decision {
        }

        /** This execution no longer speaks for the stack; {@code why} says who does. */
        record Superseded(String why) implements Decision {
        }
    }

    private WorkflowProgress() {
    }

    /**
     * Why a provisioning step for spec version {@code specVersion} must not act, or empty when it may:
     * the record is gone, holds a newer (or older) version, is being deleted, or already failed at this version.
     */
    public static Optional<String> provisionSuperseded(Optional<StackRecord> current, long specVersion) {
        return supersededBy(current, specVersion).or(() -> {
            StackRecord r = current.get();
            if (r.status() == DELETING || r.status() == DELETED) {
                return Optional.of("stack " + r.name() + " is " + r.status());
            }
            if (r.status() == FAILED) {
                return Optional.of("stack " + r.name() + " already FAILED at spec version " + specVersion);
            }
            return Optional.empty();
        });
    }

    /** The deploy step starts CloudFormation work: a PENDING stack becomes PROVISIONING; others keep their status. */
    public static Decision provisionStarted(Optional<StackRecord> current, long specVersion, Instant now) {
        Optional<String> superseded = provisionSuperseded(current, specVersion);
        if (superseded.isPresent()) {
            return new Decision.Superseded(superseded.get());
        }
        StackRecord r = current.get();
        return r.status() == PENDING
                ? new Decision.Write(StackTransitions.provisioningStarted(r, now))
                : new Decision.AlreadyDone(r);
    }

    /** The CloudFormation stack of this version is complete: ACTIVE with its group and stack id. */
    public static Decision provisionReady(Optional<StackRecord> current, long specVersion, String groupName,
                                          String cloudFormationStackId, Instant now) {
        Objects.requireNonNull(groupName, "groupName");
        Objects.requireNonNull(cloudFormationStackId, "cloudFormationStackId");
        if (current.isPresent() && current.get().specVersion() == specVersion && current.get().status() == ACTIVE
                && current.get().groupName().equals(Optional.of(groupName))
                && current.get().cloudFormationStackId().equals(Optional.of(cloudFormationStackId))) {
            return new Decision.AlreadyDone(current.get());
        }
        Optional<String> superseded = provisionSuperseded(current, specVersion);
        if (superseded.isPresent()) {
            return new Decision.Superseded(superseded.get());
        }
        StackRecord r = current.get();
        if (r.status() == PENDING) {
            r = StackTransitions.provisioningStarted(r, now);
        }
        return new Decision.Write(StackTransitions.ready(r, groupName, cloudFormationStackId, now));
    }

    /**
     * Provisioning of this version failed: FAILED with the reason. The first failure of a version is the
     * one kept; a stack being deleted is the destroy execution's business and is left alone.
     */
    public static Decision provisionFailed(Optional<StackRecord> current, long specVersion, String reason, Instant now) {
        Objects.requireNonNull(reason, "reason");
        Optional<String> superseded = supersededBy(current, specVersion);
        if (superseded.isPresent()) {
            return new Decision.Superseded(superseded.get());
        }
        StackRecord r = current.get();
        return switch (r.status()) {
            case FAILED -> new Decision.AlreadyDone(r);
            case DELETING, DELETED -> new Decision.Superseded("stack " + r.name() + " is " + r.status());
            default -> new Decision.Write(StackTransitions.failed(r, reason, now));
        };
    }

    /** Why a destroy step for spec version {@code specVersion} must not act, or empty when the stack is DELETING at it. */
    public static Optional<String> destroySuperseded(Optional<StackRecord> current, long specVersion) {
        return supersededBy(current, specVersion).or(() -> current.get().status() == DELETING
                ? Optional.empty()
                : Optional.of("stack " + current.get().name() + " is " + current.get().status() + ", not DELETING"));
    }

    /** Deletion of this version failed: FAILED with the reason (a new DELETE starts over). */
    public static Decision destroyFailed(Optional<StackRecord> current, long specVersion, String reason, Instant now) {
        Objects.requireNonNull(reason, "reason");
        if (current.isPresent() && current.get().specVersion() == specVersion && current.get().status() == FAILED) {
            return new Decision.AlreadyDone(current.get());
        }
        Optional<String> superseded = destroySuperseded(current, specVersion);
        return superseded.<Decision>map(Decision.Superseded::new)
                .orElseGet(() -> new Decision.Write(StackTransitions.failed(current.get(), reason, now)));
    }

    /** The CloudFormation stack is gone: DELETED. */
    public static Decision deleted(Optional<StackRecord> current, long specVersion, Instant now) {
        if (current.isPresent() && current.get().specVersion() == specVersion && current.get().status() == DELETED) {
            return new Decision.AlreadyDone(current.get());
        }
        Optional<String> superseded = destroySuperseded(current, specVersion);
        return superseded.<Decision>map(Decision.Superseded::new)
                .orElseGet(() -> new Decision.Write(StackTransitions.deleted(current.get(), now)));
    }

    private static Optional<String> supersededBy(Optional<StackRecord> current, long specVersion) {
        if (current.isEmpty()) {
            return Optional.of("the stack has no registry record");
        }
        StackRecord r = current.get();
        if (r.specVersion() != specVersion) {
            return Optional.of("stack " + r.name() + " is at spec version " + r.specVersion() + ", not " + specVersion);
        }
        return Optional.empty();
    }
}
