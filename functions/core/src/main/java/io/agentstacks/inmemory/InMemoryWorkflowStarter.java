package io.agentstacks.inmemory;

import io.agentstacks.stacks.Workflow;
import io.agentstacks.stacks.WorkflowStarter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Step Functions' StartExecution and DescribeExecution for Standard workflows, in memory. An execution runs
 * until {@link #finish} closes it (as the local runner or a test decides). Starting a name again:
 * <ul>
 *   <li>while that execution is open, with the same input: success, nothing new runs ({@link StartResult.AlreadyRunning});</li>
 *   <li>while it is open with another input, or once it is closed: ExecutionAlreadyExists ({@link StartResult.AlreadyStarted});</li>
 *   <li>{@value #RETENTION_DAYS} days after it closed: the name is free again, and DescribeExecution no longer finds it.</li>
 * </ul>
 */
public final class InMemoryWorkflowStarter implements WorkflowStarter {

    /** How long Step Functions keeps a closed Standard execution (and its name). */
    public static final int RETENTION_DAYS = 90;

    /** A started execution, as the tests and the local runner see it. */
    public record Execution(Workflow workflow, String name, String input, String executionId) {
    }

    private static final class State {
        final Execution execution;
        Status status = Status.RUNNING;
        Optional<String> error = Optional.empty();
        Instant stoppedAt;

        State(Execution execution) {
            this.execution = execution;
        }
    }

    private final Clock clock;
    private final Map<String, State> byName = new HashMap<>();
    private final List<Execution> started = new ArrayList<>();
    private final List<Consumer<Execution>> runners = new ArrayList<>();

    public InMemoryWorkflowStarter() {
        this(Clock.systemUTC());
    }

    /** @param clock decides when a closed execution's name is free again */
    public InMemoryWorkflowStarter(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public StartResult start(Workflow workflow, String executionName, String inputJson) {
        if (executionName == null || !executionName.matches("[A-Za-z0-9_-]{1,80}")) {
            throw new IllegalArgumentException("execution name must be 1-80 letters, digits, '-' or '_': " + executionName);
        }
        Objects.requireNonNull(inputJson, "inputJson");
        Execution execution;
        List<Consumer<Execution>> targets;
        synchronized (this) {
            State existing = current(workflow, executionName);
            if (existing != null) {
                boolean idempotent = !existing.status.isClosed() && existing.execution.input().equals(inputJson);
                return idempotent ? new StartResult.AlreadyRunning(existing.execution.executionId())
                        : new StartResult.AlreadyStarted(existing.execution.executionId());
            }
            execution = new Execution(workflow, executionName, inputJson, executionArn(workflow, executionName));
            byName.put(key(workflow, executionName), new State(execution));
            started.add(execution);
            targets = List.copyOf(runners);
        }
        targets.forEach(r -> r.accept(execution));
        return new StartResult.Started(execution.executionId());
    }

    @Override
    public synchronized Optional<ExecutionStatus> describe(Workflow workflow, String executionName) {
        State s = current(workflow, executionName);
        return s == null ? Optional.empty()
                : Optional.of(new ExecutionStatus(s.execution.executionId(), s.status, s.error));
    }

    /**
     * Closes an open execution with {@code status}, as its last state would (Succeed, Fail, an execution-level
     * timeout, StopExecution).
     *
     * @param error the error name Step Functions reports, such as {@code States.Timeout}
     */
    public synchronized void finish(Workflow workflow, String executionName, Status status, Optional<String> error) {
        if (!status.isClosed()) {
            throw new IllegalArgumentException(status + " does not close an execution");
        }
        State s = current(workflow, executionName);
        if (s == null || s.status.isClosed()) {
            throw new IllegalStateException("no open execution " + executionName + " of " + workflow.definitionName());
        }
        s.status = status;
        s.error = Objects.requireNonNull(error, "error");
        s.stoppedAt = clock.instant();
    }

    /** Runs {@code runner} for every execution started from now on (e.g. the local state machine runner). */
    public synchronized void onStart(Consumer<Execution> runner) {
        runners.add(runner);
    }

    /** Every execution started, in order. */
    public synchronized List<Execution> executions() {
        return List.copyOf(started);
    }

    /** The execution of that name still known to the service, after forgetting one closed past retention. */
    private State current(Workflow workflow, String executionName) {
        String key = key(workflow, executionName);
        State s = byName.get(key);
        if (s != null && s.status.isClosed()
                && !clock.instant().isBefore(s.stoppedAt.plus(Duration.ofDays(RETENTION_DAYS)))) {
            byName.remove(key);
            return null;
        }
        return s;
    }

    private static String key(Workflow workflow, String executionName) {
        return workflow.definitionName() + ":" + executionName;
    }

    private static String executionArn(Workflow workflow, String executionName) {
        return "arn:aws:states:local:000000000000:execution:" + workflow.definitionName() + ":" + executionName;
    }
}
