package io.agentstacks.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.stacks.DeployPlan.Action;
import io.agentstacks.stacks.StackDeployments.DeploymentStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

class DeployPlanTest {

    @Test
    void noStackIsCreated() {
        assertThat(DeployPlan.decide(new DeploymentStatus.Absent(), true)).isInstanceOf(Action.Create.class);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aCompleteStackIsUpdated(boolean first) {
        assertThat(DeployPlan.decide(new DeploymentStatus.Complete("UPDATE_COMPLETE", "id", Map.of()), first))
                .isInstanceOf(Action.Update.class);
        assertThat(DeployPlan.decide(new DeploymentStatus.Failed("UPDATE_ROLLBACK_COMPLETE", "r"), first))
                .as("a stack back on its old parameters after a failed update takes the next one")
                .isInstanceOf(Action.Update.class);
    }

    @ParameterizedTest(name = "{0} in progress: {1}")
    @CsvSource({
            "CREATE_IN_PROGRESS, Create",
            "UPDATE_IN_PROGRESS, Update",
            "ROLLBACK_IN_PROGRESS, Wait",
            "DELETE_IN_PROGRESS, Wait",
            "UPDATE_ROLLBACK_IN_PROGRESS, Wait",
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, Wait",
    })
    void anOperationInProgressIsRepeatedWithOurTokenOnlyWhenItCanBeOurs(String status, String action) {
        assertThat(DeployPlan.decide(new DeploymentStatus.InProgress(status), true).getClass().getSimpleName()).isEqualTo(action);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"})
    void aFailedCreationIsClearedAwayOnTheFirstAttemptOnly(String status) {
        assertThat(DeployPlan.decide(new DeploymentStatus.Failed(status, "Role: denied"), true)).isInstanceOf(Action.Recreate.class);
        Action later = DeployPlan.decide(new DeploymentStatus.Failed(status, "Role: denied"), false);
        assertThat(later).isInstanceOf(Action.Fail.class);
        assertThat(((Action.Fail) later).reason()).contains("Role: denied");
    }

    @ParameterizedTest
    @CsvSource({
            "UPDATE_ROLLBACK_FAILED, continue the rollback",
            "DELETE_FAILED, delete the stack again",
    })
    void aStackThatNeedsAnOperatorFailsWithWhatToDo(String status, String advice) {
        Action a = DeployPlan.decide(new DeploymentStatus.Failed(status, "Bucket: not empty"), true);
        assertThat(a).isInstanceOf(Action.Fail.class);
        assertThat(((Action.Fail) a).reason()).contains(advice).contains("Bucket: not empty");
    }
}
