package io.agentstacks.stacks;

import static io.agentstacks.stacks.StackStatus.ACTIVE;
import static io.agentstacks.stacks.StackStatus.DELETED;
import static io.agentstacks.stacks.StackStatus.DELETING;
import static io.agentstacks.stacks.StackStatus.FAILED;
import static io.agentstacks.stacks.StackStatus.PENDING;
import static io.agentstacks.stacks.StackStatus.PROVISIONING;
import static io.agentstacks.stacks.StackStatus.UPDATING;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.WorkflowProgress.Decision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.util.Optional;

class WorkflowProgressTest {

    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final Instant T1 = T0.plusSeconds(90);
    static final StackSpec SPEC = StackSpec.builder("ci-agents", "ci-token").semaphoreOrganization("acme").build();

    static Optional<StackRecord> at(StackStatus status, long version) {
        return Optional.of(StackRecord.first(SPEC, T0).toBuilder().status(status).specVersion(version).revision(4).build());
    }

    static StackRecord written(Decision d) {
        assertThat(d).isInstanceOf(Decision.Write.class);
        return ((Decision.Write) d).next();
    }

    @Test
    void deployOfAPendingStackMarksItProvisioning() {
        assertThat(written(WorkflowProgress.provisionStarted(at(PENDING, 1), 1, T1)).status()).isEqualTo(PROVISIONING);
    }

    @Test
    void deployOfAnUpdatingStackWritesNothing() {
        assertThat(WorkflowProgress.provisionStarted(at(UPDATING, 2), 2, T1)).isInstanceOf(Decision.AlreadyDone.class);
    }

    @Test
    void anOlderExecutionIsSupersededOnceANewerSpecIsStored() {
        Decision d = WorkflowProgress.provisionStarted(at(UPDATING, 3), 2, T1);
        assertThat(d).isInstanceOf(Decision.Superseded.class);
        assertThat(((Decision.Superseded) d).why()).contains("spec version 3").contains("not 2");
        assertThat(WorkflowProgress.provisionReady(at(UPDATING, 3), 2, "g", "s", T1)).isInstanceOf(Decision.Superseded.class);
        assertThat(WorkflowProgress.provisionFailed(at(UPDATING, 3), 2, "r", T1)).isInstanceOf(Decision.Superseded.class);
    }

    @ParameterizedTest
    @EnumSource(value = StackStatus.class, names = {"DELETING", "DELETED"})
    void provisioningStepsLeaveAStackBeingDeletedAlone(StackStatus s) {
        assertThat(WorkflowProgress.provisionStarted(at(s, 1), 1, T1)).isInstanceOf(Decision.Superseded.class);
        assertThat(WorkflowProgress.provisionReady(at(s, 1), 1, "g", "s", T1)).isInstanceOf(Decision.Superseded.class);
        assertThat(WorkflowProgress.provisionFailed(at(s, 1), 1, "r", T1)).isInstanceOf(Decision.Superseded.class);
    }

    @Test
    void aMissingRecordSupersedesEveryStep() {
        assertThat(WorkflowProgress.provisionStarted(Optional.empty(), 1, T1)).isInstanceOf(Decision.Superseded.class);
        assertThat(WorkflowProgress.destroySuperseded(Optional.empty(), 1)).isPresent();
        assertThat(WorkflowProgress.deleted(Optional.empty(), 1, T1)).isInstanceOf(Decision.Superseded.class);
    }

    @Test
    void readyMakesTheStackActiveEvenWhenTheDeployStepNeverMarkedItProvisioning() {
        StackRecord r = written(WorkflowProgress.provisionReady(at(PENDING, 1), 1, "g-1", "arn:s", T1));
        assertThat(r.status()).isEqualTo(ACTIVE);
        assertThat(r.groupName()).contains("g-1");
    }

    @Test
    void readyDeliveredTwiceWritesOnce() {
        StackRecord active = written(WorkflowProgress.provisionReady(at(UPDATING, 2), 2, "g-1", "arn:s", T1));
        assertThat(WorkflowProgress.provisionReady(Optional.of(active), 2, "g-1", "arn:s", T1))
                .isInstanceOf(Decision.AlreadyDone.class);
    }

    @Test
    void theFirstFailureOfAVersionIsKept() {
        StackRecord failed = written(WorkflowProgress.provisionFailed(at(PROVISIONING, 1), 1, "AutoScalingGroup: denied", T1));
        assertThat(failed.status()).isEqualTo(FAILED);
        assertThat(failed.reason()).contains("AutoScalingGroup: denied");
        assertThat(WorkflowProgress.provisionFailed(Optional.of(failed), 1, "later", T1)).isInstanceOf(Decision.AlreadyDone.class);
        assertThat(WorkflowProgress.provisionStarted(Optional.of(failed), 1, T1)).isInstanceOf(Decision.Superseded.class);
    }

    @Test
    void destroyStepsActOnlyOnADeletingStackAtTheirVersion() {
        assertThat(WorkflowProgress.destroySuperseded(at(DELETING, 2), 2)).isEmpty();
        assertThat(WorkflowProgress.destroySuperseded(at(DELETING, 3), 2)).isPresent();
        assertThat(WorkflowProgress.destroySuperseded(at(PENDING, 2), 2)).get().asString().contains("not DELETING");
    }

    @Test
    void deletedIsWrittenOnceAndADestroyFailureOnce() {
        StackRecord deleted = written(WorkflowProgress.deleted(at(DELETING, 2), 2, T1));
        assertThat(deleted.status()).isEqualTo(DELETED);
        assertThat(WorkflowProgress.deleted(Optional.of(deleted), 2, T1)).isInstanceOf(Decision.AlreadyDone.class);

        StackRecord failed = written(WorkflowProgress.destroyFailed(at(DELETING, 2), 2, "DELETE_FAILED", T1));
        assertThat(failed.status()).isEqualTo(FAILED);
        assertThat(WorkflowProgress.destroyFailed(Optional.of(failed), 2, "again", T1)).isInstanceOf(Decision.AlreadyDone.class);
        assertThat(WorkflowProgress.destroyFailed(at(ACTIVE, 2), 2, "x", T1)).isInstanceOf(Decision.Superseded.class);
    }
}
