package io.agentstacks.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.stacks.AgentStackNames;
import io.agentstacks.stacks.StackDeployments.DeploymentRequest;
import io.agentstacks.stacks.StackDeployments.DeploymentStatus;
import io.agentstacks.stacks.StackDeployments.StackBusy;
import io.agentstacks.stacks.StackDeployments.UpdateResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

class InMemoryStackDeploymentsTest {

    static final String NAME = "agent-stack-ci";
    static final String URL = "https://bucket.s3.amazonaws.com/agent-stack.json";

    final ManualClock clock = ManualClock.startingAt2030();
    final InMemoryStackDeployments cfn = new InMemoryStackDeployments(clock, new InMemoryStackDeployments.Durations(
            Duration.ofMinutes(3), Duration.ofMinutes(2), Duration.ofMinutes(1), Duration.ofSeconds(30)));

    static DeploymentRequest request(String maxSize, String token) {
        return new DeploymentRequest(NAME, URL, Map.of("MaxSize", maxSize), Map.of("team", "ci"), token);
    }

    @Test
    void aCreatedStackIsInProgressUntilItsDelayHasPassedAndThenNamesItsGroup() {
        cfn.create(request("1", "ci-v1-create"));
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.InProgress("CREATE_IN_PROGRESS"));
        assertThat(cfn.outputs(NAME)).get().extracting(o -> o.outputs()).isEqualTo(Map.of());

        clock.advance(Duration.ofMinutes(3));
        DeploymentStatus s = cfn.describe(NAME);
        assertThat(s).isInstanceOf(DeploymentStatus.Complete.class);
        DeploymentStatus.Complete c = (DeploymentStatus.Complete) s;
        assertThat(c.stackStatus()).isEqualTo("CREATE_COMPLETE");
        assertThat(c.stackId()).startsWith("arn:aws:cloudformation:us-east-1:000000000000:stack/agent-stack-ci/");
        assertThat(c.output(AgentStackNames.OUTPUT_AUTO_SCALING_GROUP_NAME)).get().asString()
                .startsWith("agent-stack-ci-AutoScalingGroup-");
        assertThat(cfn.applied(NAME)).get().extracting(DeploymentRequest::parameters).isEqualTo(Map.of("MaxSize", "1"));
    }

    @Test
    void aRetriedCreateWithTheSameTokenIsANoOpAndAnotherCreateIsRefused() {
        cfn.create(request("1", "ci-v1-create"));
        cfn.create(request("1", "ci-v1-create"));
        assertThat(cfn.stackNames()).containsExactly(NAME);
        assertThatThrownBy(() -> cfn.create(request("1", "ci-v2-create")))
                .isInstanceOf(StackBusy.class).hasMessageContaining("already exists");
    }

    @Test
    void anUpdateMovesThroughUpdateInProgressToUpdateComplete() {
        created();
        assertThat(cfn.update(request("5", "ci-v2-update"))).isEqualTo(UpdateResult.STARTED);
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.InProgress("UPDATE_IN_PROGRESS"));
        assertThat(cfn.outputs(NAME)).get().extracting(o -> o.output(AgentStackNames.OUTPUT_AUTO_SCALING_GROUP_NAME))
                .asString().contains("AutoScalingGroup");
        clock.advance(Duration.ofMinutes(2));
        assertThat(((DeploymentStatus.Complete) cfn.describe(NAME)).stackStatus()).isEqualTo("UPDATE_COMPLETE");
        assertThat(cfn.applied(NAME).orElseThrow().parameters()).containsEntry("MaxSize", "5");
    }

    @Test
    void anUpdateWithIdenticalParametersHasNoChanges() {
        created();
        assertThat(cfn.update(request("1", "ci-v2-update"))).isEqualTo(UpdateResult.NO_CHANGES);
        assertThat(((DeploymentStatus.Complete) cfn.describe(NAME)).stackStatus()).isEqualTo("CREATE_COMPLETE");
    }

    @Test
    void anUpdateRetriedWithItsTokenIsAcceptedButAnotherUpdateMustWait() {
        created();
        cfn.update(request("5", "ci-v2-update"));
        assertThat(cfn.update(request("5", "ci-v2-update"))).isEqualTo(UpdateResult.STARTED);
        assertThatThrownBy(() -> cfn.update(request("7", "ci-v3-update")))
                .isInstanceOf(StackBusy.class)
                .satisfies(e -> assertThat(((StackBusy) e).stackStatus()).isEqualTo("UPDATE_IN_PROGRESS"));
    }

    @Test
    void aFailedCreateRollsBackAndReportsTheFirstFailedResource() {
        cfn.failNextOperation(NAME, "InstanceRole", "User is not authorized to perform iam:CreateRole");
        cfn.create(request("1", "ci-v1-create"));
        clock.advance(Duration.ofMinutes(3));
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.InProgress("ROLLBACK_IN_PROGRESS"));
        clock.advance(Duration.ofSeconds(30));
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.Failed("ROLLBACK_COMPLETE",
                "InstanceRole: User is not authorized to perform iam:CreateRole"));
        assertThat(cfn.outputs(NAME)).get().extracting(o -> o.outputs()).isEqualTo(Map.of());
        assertThatThrownBy(() -> cfn.update(request("2", "ci-v2-update")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ROLLBACK_COMPLETE");
    }

    @Test
    void aFailedUpdateRollsBackToTheOldParameters() {
        created();
        cfn.failNextOperation(NAME, "AutoScalingGroup", "Invalid instance type");
        cfn.update(request("9", "ci-v2-update"));
        clock.advance(Duration.ofMinutes(2));
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.InProgress("UPDATE_ROLLBACK_IN_PROGRESS"));
        clock.advance(Duration.ofSeconds(30));
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.Failed("UPDATE_ROLLBACK_COMPLETE",
                "AutoScalingGroup: Invalid instance type"));
        assertThat(cfn.applied(NAME).orElseThrow().parameters()).containsEntry("MaxSize", "1");
        assertThat(cfn.outputs(NAME).orElseThrow().stackStatus()).isEqualTo("UPDATE_ROLLBACK_COMPLETE");
        assertThat(cfn.update(request("3", "ci-v3-update"))).isEqualTo(UpdateResult.STARTED);
    }

    @Test
    void aDeletedStackIsGoneAfterItsDelayAndDeletingAgainIsHarmless() {
        created();
        cfn.delete(NAME, "ci-v1-delete");
        cfn.delete(NAME, "ci-v1-delete");
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.InProgress("DELETE_IN_PROGRESS"));
        clock.advance(Duration.ofMinutes(1));
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.Absent());
        assertThat(cfn.outputs(NAME)).isEmpty();
        cfn.delete(NAME, "ci-v1-delete");
        assertThat(cfn.stackNames()).isEmpty();
    }

    @Test
    void aStackStillBeingCreatedIsDeletedAtOnceAsCloudFormationCancelsTheCreation() {
        cfn.create(request("3", "ci-v1-create"));

        cfn.delete(NAME, "ci-v1-abandon");

        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.InProgress("DELETE_IN_PROGRESS"));
        clock.advance(Duration.ofMinutes(10));
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.Absent());
    }

    @Test
    void aStackCannotBeDeletedWhileItIsBeingUpdated() {
        created();
        cfn.update(request("5", "ci-v2-update"));
        assertThatThrownBy(() -> cfn.delete(NAME, "ci-v2-delete")).isInstanceOf(StackBusy.class);
    }

    @Test
    void aFailedDeleteEndsInDeleteFailedAndCanBeRetried() {
        created();
        cfn.failNextOperation(NAME, "CacheBucket", "The bucket you tried to delete is not empty");
        cfn.delete(NAME, "ci-v1-delete");
        clock.advance(Duration.ofMinutes(1));
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.Failed("DELETE_FAILED",
                "CacheBucket: The bucket you tried to delete is not empty"));
        cfn.delete(NAME, "ci-v1-delete-2");
        clock.advance(Duration.ofMinutes(1));
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.Absent());
    }

    @Test
    void updatingAStackThatDoesNotExistIsAnError() {
        assertThatThrownBy(() -> cfn.update(request("1", "t"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void everyCallIsRecordedWithItsToken() {
        created();
        cfn.delete(NAME, "ci-v1-delete");
        assertThat(cfn.calls()).extracting(InMemoryStackDeployments.Call::operation, InMemoryStackDeployments.Call::clientRequestToken)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("CreateStack", "ci-v1-create"),
                        org.assertj.core.groups.Tuple.tuple("DeleteStack", "ci-v1-delete"));
    }

    private void created() {
        cfn.create(request("1", "ci-v1-create"));
        clock.advance(Duration.ofMinutes(3));
        assertThat(cfn.describe(NAME)).isInstanceOf(DeploymentStatus.Complete.class);
    }
}
