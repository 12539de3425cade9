package io.agentstacks.stacks;

import static io.agentstacks.stacks.StackStatus.ACTIVE;
import static io.agentstacks.stacks.StackStatus.DEGRADED;
import static io.agentstacks.stacks.StackStatus.DELETED;
import static io.agentstacks.stacks.StackStatus.DELETING;
import static io.agentstacks.stacks.StackStatus.FAILED;
import static io.agentstacks.stacks.StackStatus.PENDING;
import static io.agentstacks.stacks.StackStatus.PROVISIONING;
import static io.agentstacks.stacks.StackStatus.UPDATING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.spec.StackSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

class StackTransitionsTest {

    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final Instant T1 = T0.plusSeconds(60);
    static final StackSpec SPEC = StackSpec.builder("ci-agents", "/semaphore/ci-agents/token").semaphoreOrganization("acme").build();

    static StackRecord at(StackStatus status) {
        return StackRecord.first(SPEC, T0).toBuilder().status(status).revision(3).build();
    }

    static StackRecord withGroup(StackStatus status) {
        return at(status).toBuilder().groupName(Optional.of("agent-stack-ci-agents-AutoScalingGroup-X"))
                .cloudFormationStackId(Optional.of("arn:aws:cloudformation:us-east-1:1:stack/agent-stack-ci-agents/1")).build();
    }

    /** The whole table: from, then every status it may move to (besides staying). */
    @ParameterizedTest(name = "{0} may become exactly {1}")
    @CsvSource(delimiter = '|', value = {
            "PENDING      | PROVISIONING UPDATING FAILED DELETING",
            "PROVISIONING | ACTIVE FAILED DELETING",
            "ACTIVE       | UPDATING DEGRADED DELETING FAILED",
            "UPDATING     | ACTIVE FAILED DEGRADED DELETING",
            "DEGRADED     | ACTIVE UPDATING DELETING FAILED",
            "FAILED       | PENDING UPDATING DELETING",
            "DELETING     | DELETED FAILED",
            "DELETED      | PENDING",
    })
    void allowsExactlyTheMovesOfTheTable(StackStatus from, String targets) {
        Set<StackStatus> expected = Arrays.stream(targets.trim().split("\\s+")).map(StackStatus::valueOf)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(StackStatus.class)));
        expected.add(from);
        Set<StackStatus> actual = EnumSet.noneOf(StackStatus.class);
        for (StackStatus to : StackStatus.values()) {
            if (StackTransitions.allowed(from, to)) {
                actual.add(to);
            }
        }
        assertThat(actual).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(StackStatus.class)
    void staysPutIsAlwaysAllowedSoThatARepeatedStepIsHarmless(StackStatus s) {
        assertThat(StackTransitions.allowed(s, s)).isTrue();
    }

    @Test
    void aNewStackStartsPendingAtVersionOneWithRevisionZero() {
        StackRecord r = StackTransitions.specAccepted(Optional.empty(), SPEC, T0);
        assertThat(r.status()).isEqualTo(PENDING);
        assertThat(r.specVersion()).isEqualTo(1);
        assertThat(r.revision()).isZero();
        assertThat(r.provisionExecutionName()).isEqualTo("ci-agents-v1");
    }

    @ParameterizedTest(name = "a new spec on a {0} stack makes it {1}")
    @CsvSource({
            "PENDING,  PENDING",
            "ACTIVE,   UPDATING",
            "UPDATING, UPDATING",
            "DEGRADED, UPDATING",
            "DELETED,  PENDING",
    })
    void aNewSpecBumpsTheVersionAndPicksTheNextStatus(StackStatus from, StackStatus to) {
        StackRecord current = withGroup(from).toBuilder().reason(Optional.of("old reason")).build();
        StackSpec newer = SPEC.toBuilder().maxSize(5).build();
        StackRecord r = StackTransitions.specAccepted(Optional.of(current), newer, T1);
        assertThat(r.status()).isEqualTo(to);
        assertThat(r.specVersion()).isEqualTo(current.specVersion() + 1);
        assertThat(r.spec()).isEqualTo(newer);
        assertThat(r.reason()).isEmpty();
        assertThat(r.updatedAt()).isEqualTo(T1);
        assertThat(r.revision()).as("the write stays conditional on the revision read").isEqualTo(3);
    }

    @Test
    void aFailedStackWithAGroupIsUpdatedAndOneWithoutStartsOver() {
        assertThat(StackTransitions.specAccepted(Optional.of(withGroup(FAILED)), SPEC, T1).status()).isEqualTo(UPDATING);
        assertThat(StackTransitions.specAccepted(Optional.of(at(FAILED)), SPEC, T1).status()).isEqualTo(PENDING);
    }

    @Test
    void aDeletedNameStartsOverWithoutItsOldGroup() {
        StackRecord r = StackTransitions.specAccepted(Optional.of(withGroup(DELETED)), SPEC, T1);
        assertThat(r.groupName()).isEmpty();
        assertThat(r.cloudFormationStackId()).isEmpty();
        assertThat(r.specVersion()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(value = StackStatus.class, names = {"PROVISIONING", "DELETING"})
    void aStackBeingCreatedOrDeletedRefusesANewSpec(StackStatus s) {
        assertThatThrownBy(() -> StackTransitions.specAccepted(Optional.of(at(s)), SPEC, T1))
                .isInstanceOf(StackTransitions.IllegalTransition.class)
                .hasMessageContaining("ci-agents").hasMessageContaining(s.name())
                .satisfies(e -> assertThat(((StackTransitions.IllegalTransition) e).from()).isEqualTo(s));
    }

    @Test
    void provisioningStartedMovesOnlyAPendingStack() {
        assertThat(StackTransitions.provisioningStarted(at(PENDING), T1).status()).isEqualTo(PROVISIONING);
        assertThat(StackTransitions.provisioningStarted(at(UPDATING), T1).status()).isEqualTo(UPDATING);
    }

    @Test
    void readyRecordsTheGroupAndTheCloudFormationStack() {
        StackRecord r = StackTransitions.ready(at(PROVISIONING), "g-1", "arn:stack/1", T1);
        assertThat(r.status()).isEqualTo(ACTIVE);
        assertThat(r.groupName()).contains("g-1");
        assertThat(r.cloudFormationStackId()).contains("arn:stack/1");
        assertThat(r.updatedAt()).isEqualTo(T1);
    }

    @Test
    void readyIsRefusedForAStackThatIsBeingDeleted() {
        assertThatThrownBy(() -> StackTransitions.ready(at(DELETING), "g", "s", T1))
                .isInstanceOf(StackTransitions.IllegalTransition.class).hasMessageContaining("DELETING");
    }

    @Test
    void aDeleteOfAFailedStackIsTheNextVersionSoThatItsDestroyRunGetsANameNoEarlierRunTook() {
        StackRecord failed = StackTransitions.failed(at(DELETING), "DELETE_FAILED: bucket not empty", T1);

        StackRecord deleting = StackTransitions.deleteRequested(failed, T1);

        assertThat(deleting.specVersion()).isEqualTo(failed.specVersion() + 1);
        assertThat(deleting.spec()).isEqualTo(failed.spec());
        assertThat(StackCommands.destroyExecutionName(deleting)).isNotEqualTo(StackCommands.destroyExecutionName(failed));
        assertThat(StackTransitions.deleteRequested(at(ACTIVE), T1).specVersion()).as("from a live stack").isEqualTo(at(ACTIVE).specVersion());
    }

    @Test
    void failedKeepsTheReasonAndDeletedClearsIt() {
        StackRecord failed = StackTransitions.failed(at(DELETING), "DELETE_FAILED: bucket not empty", T1);
        assertThat(failed.status()).isEqualTo(FAILED);
        assertThat(failed.reason()).contains("DELETE_FAILED: bucket not empty");
        StackRecord deleting = StackTransitions.deleteRequested(failed, T1);
        assertThat(deleting.reason()).isEmpty();
        assertThat(StackTransitions.deleted(deleting, T1).status()).isEqualTo(DELETED);
    }

    @Test
    void aDeletedStackCannotFailOrBeDeletedAgain() {
        assertThatThrownBy(() -> StackTransitions.failed(at(DELETED), "x", T1)).isInstanceOf(StackTransitions.IllegalTransition.class);
        assertThatThrownBy(() -> StackTransitions.deleteRequested(at(DELETED), T1)).isInstanceOf(StackTransitions.IllegalTransition.class);
    }

    @Test
    void aRejectedTokenDegradesALiveStackOnceAndAnAcceptedOneRestoresIt() {
        StackRecord degraded = StackTransitions.tokenRejected(withGroup(ACTIVE), "401 from Semaphore", T1);
        assertThat(degraded.status()).isEqualTo(DEGRADED);
        assertThat(degraded.reason()).contains("401 from Semaphore");
        assertThat(StackTransitions.tokenRejected(degraded, "again", T1)).isSameAs(degraded);
        assertThat(StackTransitions.tokenAccepted(degraded, T1).status()).isEqualTo(ACTIVE);
        assertThat(StackTransitions.tokenAccepted(withGroup(UPDATING), T1).status()).isEqualTo(UPDATING);
    }

    @Test
    void aTokenCannotDegradeAStackWithoutAGroup() {
        assertThatThrownBy(() -> StackTransitions.tokenRejected(at(PENDING), "401", T1))
                .isInstanceOf(StackTransitions.IllegalTransition.class);
    }

    @ParameterizedTest
    @EnumSource(StackStatus.class)
    void onlyActiveUpdatingAndDegradedStacksHaveALiveGroup(StackStatus s) {
        assertThat(s.hasLiveGroup()).isEqualTo(s == ACTIVE || s == UPDATING || s == DEGRADED);
    }
}
