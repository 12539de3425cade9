package io.agentstacks.inmemory;

import io.agentstacks.stacks.Workflow;
import io.agentstacks.stacks.WorkflowStarter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Step Functions' StartExecution in memory: an execution name can be used once per state machine; a
 * second start with the same name answers {@link StartResult.AlreadyStarted} and runs nothing.
 */
public final class InMemoryWorkflowStarter implements WorkflowStarter {

    /** A started execution, as the tests and the local runner see it. */
    public record Execution(Workflow workflow, String name, String input, String executionId) {
    }

    private final Map<String, Execution> executions = new LinkedHashMap<>();
    private final List<Consumer<Execution>> runners = new ArrayList<>();

    @Override
    public StartResult start(Workflow workflow, String executionName, String inputJson) {
        if (executionName == null || !executionName.matches("[A-Za-z0-9_-]{1,80}")) {
            throw new IllegalArgumentException("execution name must be 1-80 letters, digits, '-' or '_': " + executionName);
        }
        String key = workflow.definitionName() + ":" + executionName;
        Execution execution;
        List<Consumer<Execution>> targets;
        synchronized (this) {
            Execution existing = executions.get(key);
            if (existing != null) {
                return new StartResult.AlreadyStarted(existing.executionId());
            }
            String id = "arn:aws:states:local:000000000000:execution:" + workflow.definitionName() + ":" + executionName;
            execution = new Execution(workflow, executionName, inputJson, id);
            executions.put(key, execution);
            targets = List.copyOf(runners);
        }
        targets.forEach(r -> r.accept(execution));
        return new StartResult.Started(execution.executionId());
    }

    /** Runs {@code runner} for every execution started from now on (e.g. the local state machine runner). */
    public synchronized void onStart(Consumer<Execution> runner) {
        runners.add(runner);
    }

    public synchronized List<Execution> executions() {
        return List.copyOf(executions.values());
    }
}
