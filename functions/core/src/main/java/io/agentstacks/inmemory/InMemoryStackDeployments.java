package io.agentstacks.inmemory;

import io.agentstacks.stacks.AgentStackNames;
import io.agentstacks.stacks.StackDeployments;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * CloudFormation in memory: each stack moves through CloudFormation's states as the given clock passes.
 *
 * <ul>
 *   <li>create: {@code CREATE_IN_PROGRESS} for {@link Durations#create()}, then {@code CREATE_COMPLETE};</li>
 *   <li>update: {@code UPDATE_IN_PROGRESS} for {@link Durations#update()}, then {@code UPDATE_COMPLETE};
 *       an update with the template, parameters and tags the stack already has is {@link UpdateResult#NO_CHANGES};</li>
 *   <li>delete: {@code DELETE_IN_PROGRESS} for {@link Durations#delete()}, then the stack is gone ({@link DeploymentStatus.Absent});
 *       a stack still being created is deleted too (CloudFormation cancels the creation), one being updated is not;</li>
 *   <li>{@link #failNextOperation}: the next operation on a stack fails when it would have completed; a create
 *       rolls back ({@code ROLLBACK_IN_PROGRESS}, then {@code ROLLBACK_COMPLETE}), an update too
 *       ({@code UPDATE_ROLLBACK_IN_PROGRESS}, then {@code UPDATE_ROLLBACK_COMPLETE}, the old parameters kept), a
 *       delete ends in {@code DELETE_FAILED}; the failure reason is {@code <LogicalResourceId>: <reason>};</li>
 *   <li>client request tokens: repeating a create, update or delete with the token of the stack's latest
 *       operation does nothing more; another create of an existing stack, or an update or delete while
 *       another operation runs, throws {@link StackBusy}, as CloudFormation refuses them.</li>
 * </ul>
 *
 * Outputs, once created, hold {@link AgentStackNames#OUTPUT_AUTO_SCALING_GROUP_NAME}, named the way
 * CloudFormation names a group: {@code <stack>-AutoScalingGroup-<suffix>}.
 */
public final class InMemoryStackDeployments implements StackDeployments {

    /** How long each kind of operation takes. */
    public record Durations(Duration create, Duration update, Duration delete, Duration rollback) {
        public Durations {
            Objects.requireNonNull(create, "create");
            Objects.requireNonNull(update, "update");
            Objects.requireNonNull(delete, "delete");
            Objects.requireNonNull(rollback, "rollback");
        }

        /** Roughly what an agent stack takes on AWS: a few minutes to create, less to update or delete. */
        public static Durations typical() {
            return new Durations(Duration.ofMinutes(3), Duration.ofMinutes(2), Duration.ofMinutes(2), Duration.ofMinutes(1));
        }
    }

    /** One call made to this fake, for assertions. */
    public record Call(String operation, String cloudFormationStackName, String clientRequestToken) {
    }

    private enum Kind { CREATE, UPDATE, DELETE }

    private record Applied(String templateUrl, Map<String, String> parameters, Map<String, String> tags) {
        static Applied of(DeploymentRequest r) {
            return new Applied(r.templateUrl(), r.parameters(), r.tags());
        }
    }

    private record Failure(String logicalResourceId, String reason) {
    }

    private static final class Operation {
        final Kind kind;
        final String token;
        final Instant startedAt;
        final Applied target;
        final Failure failure;

        Operation(Kind kind, String token, Instant startedAt, Applied target, Failure failure) {
            this.kind = kind;
            this.token = token;
            this.startedAt = startedAt;
            this.target = target;
            this.failure = failure;
        }
    }

    private static final class Stack {
        final String name;
        final String id;
        final String groupName;
        Applied current;
        String status;
        String failureReason;
        Operation operation;
        boolean created;

        Stack(String name, String id, String groupName) {
            this.name = name;
            this.id = id;
            this.groupName = groupName;
        }
    }

    private final Clock clock;
    private final Durations durations;
    private final Map<String, Stack> stacks = new HashMap<>();
    private final Map<String, Failure> injected = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private long created;

    public InMemoryStackDeployments(Clock clock) {
        this(clock, Durations.typical());
    }

    public InMemoryStackDeployments(Clock clock, Durations durations) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.durations = Objects.requireNonNull(durations, "durations");
    }

    public Durations durations() {
        return durations;
    }

    /** The next operation started on this stack fails at its end, at {@code logicalResourceId}, for {@code reason}. */
    public synchronized void failNextOperation(String cloudFormationStackName, String logicalResourceId, String reason) {
        injected.put(cloudFormationStackName, new Failure(logicalResourceId, reason));
    }

    @Override
    public synchronized void create(DeploymentRequest request) {
        calls.add(new Call("CreateStack", request.cloudFormationStackName(), request.clientRequestToken()));
        Stack s = settled(request.cloudFormationStackName());
        if (s != null) {
            if (s.operation != null && s.operation.kind == Kind.CREATE && s.operation.token.equals(request.clientRequestToken())) {
                return;
            }
            throw new StackBusy(s.name, s.status, "Stack [" + s.name + "] already exists");
        }
        created++;
        String name = request.cloudFormationStackName();
        String id = "arn:aws:cloudformation:us-east-1:000000000000:stack/" + name + "/"
                + String.format("00000000-0000-4000-8000-%012d", created);
        s = new Stack(name, id, name + "-AutoScalingGroup-" + String.format("SIM%09d", created));
        s.status = "CREATE_IN_PROGRESS";
        s.operation = new Operation(Kind.CREATE, request.clientRequestToken(), clock.instant(), Applied.of(request),
                injected.remove(name));
        stacks.put(name, s);
    }

    @Override
    public synchronized UpdateResult update(DeploymentRequest request) {
        calls.add(new Call("UpdateStack", request.cloudFormationStackName(), request.clientRequestToken()));
        String name = request.cloudFormationStackName();
        Stack s = settled(name);
        if (s == null) {
            throw new IllegalStateException("CloudFormation stack " + name + " does not exist");
        }
        if (s.operation != null && s.operation.kind == Kind.UPDATE && s.operation.token.equals(request.clientRequestToken())) {
            return UpdateResult.STARTED;
        }
        if (s.status.endsWith("_IN_PROGRESS")) {
            throw new StackBusy(name, s.status, "Stack " + name + " is in " + s.status + " state and can not be updated.");
        }
        if (!updatable(s.status)) {
            throw new IllegalStateException("CloudFormation stack " + name + " is in " + s.status
                    + " state and can not be updated");
        }
        Applied target = Applied.of(request);
        if (target.equals(s.current)) {
            return UpdateResult.NO_CHANGES;
        }
        s.status = "UPDATE_IN_PROGRESS";
        s.failureReason = null;
        s.operation = new Operation(Kind.UPDATE, request.clientRequestToken(), clock.instant(), target, injected.remove(name));
        return UpdateResult.STARTED;
    }

    @Override
    public synchronized void delete(String cloudFormationStackName, String clientRequestToken) {
        calls.add(new Call("DeleteStack", cloudFormationStackName, clientRequestToken));
        Stack s = settled(cloudFormationStackName);
        if (s == null || "DELETE_IN_PROGRESS".equals(s.status)) {
            return;
        }
        if (s.status.endsWith("_IN_PROGRESS") && !s.status.equals("CREATE_IN_PROGRESS")) {
            throw new StackBusy(s.name, s.status, "Stack " + s.name + " cannot be deleted while in status " + s.status);
        }
        s.status = "DELETE_IN_PROGRESS";
        s.failureReason = null;
        s.operation = new Operation(Kind.DELETE, clientRequestToken, clock.instant(), null, injected.remove(s.name));
    }

    @Override
    public synchronized DeploymentStatus describe(String cloudFormationStackName) {
        Stack s = settled(cloudFormationStackName);
        if (s == null) {
            return new DeploymentStatus.Absent();
        }
        if (s.status.endsWith("_IN_PROGRESS")) {
            return new DeploymentStatus.InProgress(s.status);
        }
        if (s.status.equals("CREATE_COMPLETE") || s.status.equals("UPDATE_COMPLETE")) {
            return new DeploymentStatus.Complete(s.status, s.id, outputsOf(s));
        }
        return new DeploymentStatus.Failed(s.status, s.failureReason == null ? s.status : s.failureReason);
    }

    @Override
    public synchronized Optional<StackOutputs> outputs(String cloudFormationStackName) {
        Stack s = settled(cloudFormationStackName);
        return s == null ? Optional.empty() : Optional.of(new StackOutputs(s.id, s.status, outputsOf(s)));
    }

    /** The template URL, parameters and tags the stack has now (its last successful create or update). */
    public synchronized Optional<DeploymentRequest> applied(String cloudFormationStackName) {
        Stack s = settled(cloudFormationStackName);
        if (s == null || s.current == null) {
            return Optional.empty();
        }
        return Optional.of(new DeploymentRequest(s.name, s.current.templateUrl(), s.current.parameters(),
                s.current.tags(), s.operation == null ? "" : s.operation.token));
    }

    /** Every call made so far, in order. */
    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** Names of the stacks that exist now (not deleted). */
    public synchronized List<String> stackNames() {
        List<String> names = new ArrayList<>(stacks.keySet());
        names.removeIf(n -> settled(n) == null);
        names.sort(null);
        return names;
    }

    private static boolean updatable(String status) {
        return status.equals("CREATE_COMPLETE") || status.equals("UPDATE_COMPLETE")
                || status.equals("UPDATE_ROLLBACK_COMPLETE");
    }

    private Map<String, String> outputsOf(Stack s) {
        if (!s.created || s.status.startsWith("DELETE_COMPLETE")) {
            return Map.of();
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put(AgentStackNames.OUTPUT_AUTO_SCALING_GROUP_NAME, s.groupName);
        return outputs;
    }

    /** Brings a stack's status up to the clock and answers it, or null when there is no such stack. */
    private Stack settled(String name) {
        Stack s = stacks.get(name);
        if (s == null || s.operation == null) {
            return s;
        }
        Instant now = clock.instant();
        Operation op = s.operation;
        Duration length = switch (op.kind) {
            case CREATE -> durations.create();
            case UPDATE -> durations.update();
            case DELETE -> durations.delete();
        };
        Instant end = op.startedAt.plus(length);
        if (now.isBefore(end)) {
            return s;
        }
        if (op.failure == null) {
            switch (op.kind) {
                case CREATE -> {
                    s.current = op.target;
                    s.created = true;
                    s.status = "CREATE_COMPLETE";
                }
                case UPDATE -> {
                    s.current = op.target;
                    s.status = "UPDATE_COMPLETE";
                }
                case DELETE -> {
                    stacks.remove(name);
                    return null;
                }
            }
            return s;
        }
        s.failureReason = op.failure.logicalResourceId() + ": " + op.failure.reason();
        if (op.kind == Kind.DELETE) {
            s.status = "DELETE_FAILED";
            return s;
        }
        boolean rolledBack = !now.isBefore(end.plus(durations.rollback()));
        if (op.kind == Kind.CREATE) {
            s.status = rolledBack ? "ROLLBACK_COMPLETE" : "ROLLBACK_IN_PROGRESS";
        } else {
            s.status = rolledBack ? "UPDATE_ROLLBACK_COMPLETE" : "UPDATE_ROLLBACK_IN_PROGRESS";
        }
        return s;
    }
}
