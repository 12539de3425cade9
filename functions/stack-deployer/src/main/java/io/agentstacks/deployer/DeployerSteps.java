package io.agentstacks.deployer;

import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventSink;
import io.agentstacks.images.ImageRollout;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.scaling.GroupState;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.AgentStackNames;
import io.agentstacks.stacks.AgentStackParameters;
import io.agentstacks.stacks.DeployPlan;
import io.agentstacks.stacks.Network;
import io.agentstacks.stacks.Network.ResolvedNetwork;
import io.agentstacks.stacks.DeployWaitSchedule;
import io.agentstacks.stacks.StackDeployments;
import io.agentstacks.stacks.StackDeployments.DeploymentRequest;
import io.agentstacks.stacks.StackDeployments.DeploymentStatus;
import io.agentstacks.stacks.StackDeployments.StackBusy;
import io.agentstacks.stacks.StackDeployments.StackOutputs;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackRegistry.Update;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.stacks.WorkflowProgress;
import io.agentstacks.stacks.WorkflowProgress.Decision;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The task steps of {@code provision-stack} and {@code destroy-stack}: each reads what it needs, asks core
 * what to do (WorkflowProgress, DeployPlan, DeployWaitSchedule, AgentStackParameters) and does it through the ports.
 *
 * <p>Every step may be delivered twice. Registry writes are conditional on the revision read and retried
 * from a fresh read on conflict; a step whose write is already there writes nothing and announces nothing;
 * CloudFormation calls carry a client request token per spec version and operation; scaling a group to zero
 * and suspending AZRebalance are idempotent by nature. An event is put before the registry write it
 * announces, so that a crash between the two repeats the event rather than losing it.
 */
public final class DeployerSteps {

    private final StackRegistry registry;
    private final StackDeployments deployments;
    private final Network network;
    private final FleetControl fleet;
    private final EventSink events;
    private final Clock clock;
    private final String templateUrl;

    public DeployerSteps(StackRegistry registry, StackDeployments deployments, Network network, FleetControl fleet,
                         EventSink events, Clock clock, String templateUrl) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.deployments = Objects.requireNonNull(deployments, "deployments");
        this.network = Objects.requireNonNull(network, "network");
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.templateUrl = Objects.requireNonNull(templateUrl, "templateUrl");
    }

    /** The image roll-out over the same registry and groups: this function's other job. */
    public ImageRollout imageRollout() {
        return new ImageRollout(registry, fleet);
    }

    // ---- results -------------------------------------------------------------------------------------

    public record NetworkResult(ResolvedNetwork network, OperatingSystem os, Instant deadline) {
    }

    public enum DeployOutcome { STARTED, NO_CHANGES, BUSY, FAILED, SUPERSEDED }

    public record DeployResult(DeployOutcome outcome, String operation, Optional<String> reason, Poll next) {
    }

    public enum StackState { IN_PROGRESS, COMPLETE, FAILED, ABSENT }

    public record StatusResult(StackState status, String stackStatus, Optional<String> reason, Poll next) {
    }

    public enum WriteOutcome { APPLIED, ALREADY_DONE, SUPERSEDED }

    public record FinalizeResult(WriteOutcome outcome, Optional<String> groupName, Optional<String> cloudFormationStackId) {
    }

    public record MarkResult(WriteOutcome outcome, Optional<String> reason) {
    }

    public enum ScaleOutcome { SCALED, NO_GROUP, SUPERSEDED }

    public record ScaleResult(ScaleOutcome outcome, Optional<String> groupName, OperatingSystem os,
                              Instant drainDeadline, Instant deadline) {
    }

    public enum DrainState { DRAINING, DRAINED, TIMED_OUT }

    public record InstancesResult(DrainState status, int remaining, Optional<String> reason, Poll next) {
    }

    public enum DeleteOutcome { STARTED, BUSY, FAILED, SUPERSEDED }

    public record DeleteResult(DeleteOutcome outcome, Optional<String> reason, Poll next) {
    }

    /** The next look: how long to wait first, and the attempt number to pass then. */
    public record Poll(int waitSeconds, int attempt) {
        static Poll after(int attempt) {
            return new Poll(DeployWaitSchedule.waitSeconds(attempt), attempt + 1);
        }
    }

    public enum Workflow { PROVISION, DESTROY }

    // ---- provision-stack ------------------------------------------------------------------------------

    /** The stack's VPC and subnets, its OS (for the macOS branch) and the execution's deadline. */
    public NetworkResult resolveNetwork(String stack, long specVersion, Instant startedAt) {
        StackRecord r = registry.get(stack).orElseThrow(() -> new IllegalStateException(
                "stack " + stack + " has no registry record; nothing to provision"));
        StackSpec spec = r.spec();
        return new NetworkResult(network.resolve(spec), spec.os(),
                DeployWaitSchedule.provisionDeadline(spec.os().family(), startedAt));
    }

    /** Creates or updates the CloudFormation stack of spec version {@code specVersion}. */
    public DeployResult deploy(String stack, long specVersion, ResolvedNetwork net, Optional<String> hostGroupArn,
                               int attempt, Instant deadline) {
        Poll next = Poll.after(attempt);
        Instant at = now();
        Optional<Decision> started = write(stack, rec -> WorkflowProgress.provisionStarted(rec, specVersion, at), rec -> {
        });
        if (started.isEmpty()) {
            return new DeployResult(DeployOutcome.SUPERSEDED, "none", Optional.empty(), next);
        }
        StackRecord r = started.get() instanceof Decision.Write w ? w.next() : ((Decision.AlreadyDone) started.get()).current();
        Map<String, String> parameters;
        try {
            parameters = AgentStackParameters.of(r.spec(), net, hostGroupArn);
        } catch (IllegalArgumentException e) {
            return new DeployResult(DeployOutcome.FAILED, "none", Optional.of(e.getMessage()), next);
        }
        String cfnName = AgentStackNames.cloudFormationStackName(stack);
        DeploymentStatus current = deployments.describe(cfnName);
        DeployPlan.Action action = DeployPlan.decide(current, attempt == 0);
        try {
            if (action instanceof DeployPlan.Action.Create) {
                deployments.create(request(r, cfnName, parameters, "create"));
                Optional<String> abandoned = deletedMeanwhile(stack, specVersion, cfnName);
                return abandoned.isPresent()
                        ? new DeployResult(DeployOutcome.SUPERSEDED, "create", abandoned, next)
                        : new DeployResult(DeployOutcome.STARTED, "create", Optional.empty(), next);
            }
            if (action instanceof DeployPlan.Action.Update) {
                StackDeployments.UpdateResult u = deployments.update(request(r, cfnName, parameters, "update"));
                return u == StackDeployments.UpdateResult.NO_CHANGES
                        ? new DeployResult(DeployOutcome.NO_CHANGES, "none", Optional.empty(), next)
                        : new DeployResult(DeployOutcome.STARTED, "update", Optional.empty(), next);
            }
            if (action instanceof DeployPlan.Action.Recreate) {
                deployments.delete(cfnName, AgentStackNames.clientRequestToken(stack, specVersion, "recreate"));
                return busy("recreate", cfnName, ((DeployPlan.Action.Recreate) action).stackStatus(), deadline, next);
            }
            if (action instanceof DeployPlan.Action.Wait w) {
                return busy("none", cfnName, w.stackStatus(), deadline, next);
            }
            return new DeployResult(DeployOutcome.FAILED, "none", Optional.of(((DeployPlan.Action.Fail) action).reason()), next);
        } catch (StackBusy e) {
            return busy("none", cfnName, e.stackStatus(), deadline, next);
        }
    }

    /**
     * A DELETE may land between this step's registry check and its CreateStack: destroy-stack then finds no
     * CloudFormation stack, deletes nothing and marks the stack DELETED, and the stack created here would be
     * left with nobody to delete it. So after CreateStack the registry is read again; if the stack is being
     * deleted or is gone, the stack just created (still CREATE_IN_PROGRESS, no agent has a job yet) is deleted
     * here, which CloudFormation does at once by cancelling the creation. Deleting it twice, here and by a
     * destroy-stack that did see it, is harmless. A newer spec version adopts the stack instead, so it stays.
     *
     * @return why the stack was deleted again, or empty when provisioning goes on
     */
    private Optional<String> deletedMeanwhile(String stack, long specVersion, String cfnName) {
        Optional<StackRecord> now = registry.get(stack);
        boolean deleting = now.isEmpty() || now.get().status() == StackStatus.DELETING || now.get().status() == StackStatus.DELETED;
        if (!deleting) {
            return Optional.empty();
        }
        deployments.delete(cfnName, AgentStackNames.clientRequestToken(stack, specVersion, "abandon"));
        return Optional.of("stack " + stack + " became " + now.map(r -> r.status().name()).orElse("unknown to the registry")
                + " while CloudFormation stack " + cfnName + " was being created; that stack was deleted again");
    }

    private DeployResult busy(String operation, String cfnName, String stackStatus, Instant deadline, Poll next) {
        if (!now().isBefore(deadline)) {
            return new DeployResult(DeployOutcome.FAILED, operation, Optional.of("timed out waiting for CloudFormation stack "
                    + cfnName + " to leave " + stackStatus), next);
        }
        return new DeployResult(DeployOutcome.BUSY, operation, Optional.empty(), next);
    }

    private DeploymentRequest request(StackRecord r, String cfnName, Map<String, String> parameters, String operation) {
        return new DeploymentRequest(cfnName, templateUrl, parameters, AgentStackParameters.stackTags(r.spec()),
                AgentStackNames.clientRequestToken(r.name(), r.specVersion(), operation));
    }

    /**
     * Where the CloudFormation stack is. For provisioning, an absent stack is a failure; for destroying it
     * is the goal. Past the deadline, a stack still in progress is a failure ("timed out").
     */
    public StatusResult readStatus(String stack, Workflow workflow, int attempt, Instant deadline) {
        Poll next = Poll.after(attempt);
        String cfnName = AgentStackNames.cloudFormationStackName(stack);
        DeploymentStatus s = deployments.describe(cfnName);
        if (s instanceof DeploymentStatus.Absent) {
            return workflow == Workflow.DESTROY
                    ? new StatusResult(StackState.ABSENT, "", Optional.empty(), next)
                    : new StatusResult(StackState.FAILED, "", Optional.of("CloudFormation stack " + cfnName
                    + " disappeared while it was being provisioned"), next);
        }
        if (s instanceof DeploymentStatus.InProgress p) {
            if (!now().isBefore(deadline)) {
                return new StatusResult(StackState.FAILED, p.stackStatus(), Optional.of("timed out: CloudFormation stack "
                        + cfnName + " still " + p.stackStatus() + " at the deadline " + deadline), next);
            }
            return new StatusResult(StackState.IN_PROGRESS, p.stackStatus(), Optional.empty(), next);
        }
        if (s instanceof DeploymentStatus.Complete c) {
            return workflow == Workflow.PROVISION
                    ? new StatusResult(StackState.COMPLETE, c.stackStatus(), Optional.empty(), next)
                    : new StatusResult(StackState.FAILED, c.stackStatus(), Optional.of("CloudFormation stack " + cfnName
                    + " is " + c.stackStatus() + " instead of being deleted"), next);
        }
        DeploymentStatus.Failed f = (DeploymentStatus.Failed) s;
        return new StatusResult(StackState.FAILED, f.stackStatus(), Optional.of(f.stackStatus() + ": " + f.reason()), next);
    }

    /** The stack is complete: AZRebalance suspended on its group, registry ACTIVE, {@code StackReady}. */
    public FinalizeResult finalizeStack(String stack, long specVersion) {
        if (WorkflowProgress.provisionSuperseded(registry.get(stack), specVersion).isPresent()) {
            return new FinalizeResult(WriteOutcome.SUPERSEDED, Optional.empty(), Optional.empty());
        }
        String cfnName = AgentStackNames.cloudFormationStackName(stack);
        StackOutputs outputs = deployments.outputs(cfnName).orElseThrow(() -> new IllegalStateException(
                "CloudFormation stack " + cfnName + " does not exist; it cannot be finalized"));
        String group = outputs.output(AgentStackNames.OUTPUT_AUTO_SCALING_GROUP_NAME).orElseThrow(() -> new IllegalStateException(
                "CloudFormation stack " + cfnName + " has no output " + AgentStackNames.OUTPUT_AUTO_SCALING_GROUP_NAME));
        Instant at = now();
        Optional<Decision> d = write(stack, r -> WorkflowProgress.provisionReady(r, specVersion, group, outputs.stackId(), at),
                next -> {
                    fleet.suspendAzRebalance(group);
                    events.publish(new DomainEvent.StackReady(stack, specVersion, group, at));
                });
        return new FinalizeResult(outcome(d), Optional.of(group), Optional.of(outputs.stackId()));
    }

    /** Provisioning or deletion failed: registry FAILED with the reason, {@code StackFailed}. */
    public MarkResult markFailed(String stack, long specVersion, Workflow workflow, String reason) {
        String bounded = reason.length() > 1000 ? reason.substring(0, 997) + "..." : reason;
        Instant at = now();
        Function<Optional<StackRecord>, Decision> decide = workflow == Workflow.PROVISION
                ? r -> WorkflowProgress.provisionFailed(r, specVersion, bounded, at)
                : r -> WorkflowProgress.destroyFailed(r, specVersion, bounded, at);
        Optional<Decision> d = write(stack, decide,
                next -> events.publish(new DomainEvent.StackFailed(stack, specVersion, bounded, at)));
        return new MarkResult(outcome(d), Optional.of(bounded));
    }

    // ---- destroy-stack --------------------------------------------------------------------------------

    /** Min, max and desired to zero, so that the group ends its instances (protected ones when their jobs end). */
    public ScaleResult scaleToZero(String stack, long specVersion, Instant startedAt) {
        Optional<StackRecord> record = registry.get(stack);
        OperatingSystem os = record.map(r -> r.spec().os()).orElse(StackSpec.DEFAULT_OS);
        Instant drainDeadline = startedAt.plus(DeployWaitSchedule.DRAIN_BUDGET);
        Instant deadline = DeployWaitSchedule.destroyDeadline(os.family(), startedAt);
        if (WorkflowProgress.destroySuperseded(record, specVersion).isPresent()) {
            return new ScaleResult(ScaleOutcome.SUPERSEDED, Optional.empty(), os, drainDeadline, deadline);
        }
        Optional<String> group = groupOf(stack, record.get());
        if (group.isEmpty() || fleet.describe(group.get()).isEmpty()) {
            return new ScaleResult(ScaleOutcome.NO_GROUP, group, os, drainDeadline, deadline);
        }
        fleet.updateSizes(group.get(), 0, 0, 0);
        return new ScaleResult(ScaleOutcome.SCALED, group, os, drainDeadline, deadline);
    }

    /** The group as CloudFormation names it (it may have been created without the registry hearing of it), else as the registry does. */
    private Optional<String> groupOf(String stack, StackRecord r) {
        return deployments.outputs(AgentStackNames.cloudFormationStackName(stack))
                .flatMap(o -> o.output(AgentStackNames.OUTPUT_AUTO_SCALING_GROUP_NAME))
                .or(r::groupName);
    }

    /** How many instances the group still has; past the drain deadline, a group still draining has timed out. */
    public InstancesResult readInstances(Optional<String> groupName, int attempt, Instant drainDeadline) {
        Poll next = Poll.after(attempt);
        Optional<GroupState> g = groupName.flatMap(fleet::describe);
        // Instances in Terminating:Wait still run a job (the terminate lifecycle hook): the group is not drained yet.
        int remaining = g.map(GroupState::runningInstanceCount).orElse(0);
        if (remaining == 0) {
            return new InstancesResult(DrainState.DRAINED, 0, Optional.empty(), next);
        }
        if (!now().isBefore(drainDeadline)) {
            return new InstancesResult(DrainState.TIMED_OUT, remaining, Optional.of("timed out: group " + groupName.get()
                    + " still has " + remaining + " instance(s) at the deadline " + drainDeadline
                    + "; jobs still running keep their instances. Delete the stack again to keep waiting"), next);
        }
        return new InstancesResult(DrainState.DRAINING, remaining, Optional.empty(), next);
    }

    /** Deletes the CloudFormation stack; a stack busy with another operation is waited for. */
    public DeleteResult delete(String stack, long specVersion, int attempt, Instant deadline) {
        Poll next = Poll.after(attempt);
        if (WorkflowProgress.destroySuperseded(registry.get(stack), specVersion).isPresent()) {
            return new DeleteResult(DeleteOutcome.SUPERSEDED, Optional.empty(), next);
        }
        String cfnName = AgentStackNames.cloudFormationStackName(stack);
        try {
            deployments.delete(cfnName, AgentStackNames.clientRequestToken(stack, specVersion, "delete"));
            return new DeleteResult(DeleteOutcome.STARTED, Optional.empty(), next);
        } catch (StackBusy e) {
            if (!now().isBefore(deadline)) {
                return new DeleteResult(DeleteOutcome.FAILED, Optional.of("timed out waiting for CloudFormation stack "
                        + cfnName + " to leave " + e.stackStatus() + " before deleting it"), next);
            }
            return new DeleteResult(DeleteOutcome.BUSY, Optional.empty(), next);
        }
    }

    /** The CloudFormation stack is gone: registry DELETED, {@code StackDeleted}. */
    public MarkResult markDeleted(String stack, long specVersion) {
        Instant at = now();
        Optional<Decision> d = write(stack, r -> WorkflowProgress.deleted(r, specVersion, at),
                next -> events.publish(new DomainEvent.StackDeleted(stack, specVersion, at)));
        return new MarkResult(outcome(d), Optional.empty());
    }

    // ---- registry writes ------------------------------------------------------------------------------

    /**
     * Decides from a fresh read and writes through {@link StackRegistry#update}, which decides again on what is stored
     * after each lost race. {@code beforeFirstWrite} runs once, before the first write attempt (the side effects the
     * write announces). Answers the decision taken on the record last read, empty when superseded. {@code decide} may
     * run several times and must be pure: callers read the clock once, outside it.
     */
    private Optional<Decision> write(String stack, Function<Optional<StackRecord>, Decision> decide,
                                     Consumer<StackRecord> beforeFirstWrite) {
        Optional<StackRecord> read = registry.get(stack);
        Decision first = decide.apply(read);
        if (first instanceof Decision.Superseded) {
            return Optional.empty();
        }
        if (first instanceof Decision.AlreadyDone) {
            return Optional.of(first);
        }
        beforeFirstWrite.accept(((Decision.Write) first).next());
        // The decision about the record the last application of the change saw: that is what update() answers for.
        AtomicReference<Decision> decided = new AtomicReference<>(first);
        Update result = registry.update(read.get(), r -> {
            Decision d = decide.apply(Optional.of(r));
            decided.set(d);
            return d instanceof Decision.Write w ? w.next() : r;
        });
        if (result instanceof Update.Busy) {
            throw new IllegalStateException("stack " + stack + ": the registry record kept changing; gave up after "
                    + StackRegistry.UPDATE_ATTEMPTS + " conditional writes");
        }
        if (result instanceof Update.Gone || decided.get() instanceof Decision.Superseded) {
            return Optional.empty();
        }
        return Optional.of(decided.get());
    }

    private static WriteOutcome outcome(Optional<Decision> d) {
        if (d.isEmpty()) {
            return WriteOutcome.SUPERSEDED;
        }
        return d.get() instanceof Decision.Write ? WriteOutcome.APPLIED : WriteOutcome.ALREADY_DONE;
    }

    private Instant now() {
        return clock.instant();
    }
}
