package io.agentstacks.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.stacks.Workflow;
import io.agentstacks.stacks.WorkflowStarter.ExecutionStatus;
import io.agentstacks.stacks.WorkflowStarter.StartResult;
import io.agentstacks.stacks.WorkflowStarter.Status;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** StartExecution's rules for a name already used, as the Step Functions API reference states them. */
class InMemoryWorkflowStarterTest {

    static final String ARN = "arn:aws:states:local:000000000000:execution:provision-stack:ci-v1";
    static final String INPUT = "{\"stack\":\"ci\",\"specVersion\":1}";

    final ManualClock clock = ManualClock.startingAt2030();
    final InMemoryWorkflowStarter starter = new InMemoryWorkflowStarter(clock);

    @Test
    void theSameNameAndInputWhileTheExecutionRunsSucceedsAndStartsNothing() {
        List<String> runs = new ArrayList<>();
        starter.onStart(e -> runs.add(e.name()));

        assertThat(starter.start(Workflow.PROVISION_STACK, "ci-v1", INPUT)).isEqualTo(new StartResult.Started(ARN));
        assertThat(starter.start(Workflow.PROVISION_STACK, "ci-v1", INPUT)).isEqualTo(new StartResult.AlreadyRunning(ARN));

        assertThat(runs).containsExactly("ci-v1");
        assertThat(starter.executions()).hasSize(1);
    }

    @Test
    void theSameNameWithAnotherInputWhileTheExecutionRunsIsExecutionAlreadyExists() {
        starter.start(Workflow.PROVISION_STACK, "ci-v1", INPUT);

        assertThat(starter.start(Workflow.PROVISION_STACK, "ci-v1", "{\"stack\":\"ci\",\"specVersion\":2}"))
                .isEqualTo(new StartResult.AlreadyStarted(ARN));
    }

    @Test
    void aClosedExecutionsNameIsExecutionAlreadyExistsWhateverTheInputForNinetyDays() {
        starter.start(Workflow.PROVISION_STACK, "ci-v1", INPUT);
        starter.finish(Workflow.PROVISION_STACK, "ci-v1", Status.SUCCEEDED, Optional.empty());

        assertThat(starter.start(Workflow.PROVISION_STACK, "ci-v1", INPUT)).isEqualTo(new StartResult.AlreadyStarted(ARN));
        clock.advance(Duration.ofDays(90).minusSeconds(1));
        assertThat(starter.start(Workflow.PROVISION_STACK, "ci-v1", INPUT)).isEqualTo(new StartResult.AlreadyStarted(ARN));

        clock.advance(Duration.ofSeconds(1));
        assertThat(starter.describe(Workflow.PROVISION_STACK, "ci-v1")).isEmpty();
        assertThat(starter.start(Workflow.PROVISION_STACK, "ci-v1", INPUT)).isEqualTo(new StartResult.Started(ARN));
        assertThat(starter.executions()).hasSize(2);
    }

    @Test
    void namesAreKeptPerStateMachine() {
        starter.start(Workflow.PROVISION_STACK, "ci-v1", INPUT);

        assertThat(starter.start(Workflow.DESTROY_STACK, "ci-v1", INPUT)).isInstanceOf(StartResult.Started.class);
    }

    @Test
    void describeReadsTheStatusAndErrorOfAnExecutionAndNothingForAnUnknownName() {
        starter.start(Workflow.DESTROY_STACK, "ci-delete-v1", INPUT);
        String arn = "arn:aws:states:local:000000000000:execution:destroy-stack:ci-delete-v1";

        assertThat(starter.describe(Workflow.DESTROY_STACK, "ci-delete-v1"))
                .contains(new ExecutionStatus(arn, Status.RUNNING, Optional.empty()));
        starter.finish(Workflow.DESTROY_STACK, "ci-delete-v1", Status.TIMED_OUT, Optional.of("States.Timeout"));
        assertThat(starter.describe(Workflow.DESTROY_STACK, "ci-delete-v1"))
                .contains(new ExecutionStatus(arn, Status.TIMED_OUT, Optional.of("States.Timeout")));
        assertThat(starter.describe(Workflow.DESTROY_STACK, "ci-delete-v2")).isEmpty();
        assertThat(starter.describe(Workflow.PROVISION_STACK, "ci-delete-v1")).isEmpty();
    }

    @Test
    void onlyAnOpenExecutionCanBeClosedAndOnlyWithAClosingStatus() {
        starter.start(Workflow.PROVISION_STACK, "ci-v1", INPUT);

        assertThatThrownBy(() -> starter.finish(Workflow.PROVISION_STACK, "ci-v1", Status.RUNNING, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        starter.finish(Workflow.PROVISION_STACK, "ci-v1", Status.ABORTED, Optional.empty());
        assertThatThrownBy(() -> starter.finish(Workflow.PROVISION_STACK, "ci-v1", Status.FAILED, Optional.empty()))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> starter.finish(Workflow.PROVISION_STACK, "ci-v9", Status.FAILED, Optional.empty()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRedrivePendingExecutionIsNotClosed() {
        assertThat(Status.PENDING_REDRIVE.isClosed()).isFalse();
        assertThat(Status.RUNNING.isClosed()).isFalse();
        assertThat(List.of(Status.SUCCEEDED, Status.FAILED, Status.TIMED_OUT, Status.ABORTED)).allMatch(Status::isClosed);
    }
}
