package io.agentstacks.stacks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventSink;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.scaling.GroupState;
import io.agentstacks.spec.SpecResult;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.spec.Violation;
import io.agentstacks.stacks.StackRegistry.PutResult;
import io.agentstacks.stacks.StackRegistry.Update;
import io.agentstacks.stacks.WorkflowStarter.ExecutionStatus;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the API (and the local control plane) does with a posted spec, a delete, and the reads: the
 * decisions are here, over ports, so that every front end behaves the same.
 *
 * <p>Apply and delete are idempotent. A spec is validated before anything is written; the registry
 * write is conditional on the record read; the workflow execution is named after the spec version
 * ({@code <stack>-v<N>}, {@code <stack>-delete-v<N>}), so a retried request finds the same name
 * and Step Functions starts nothing twice. A retry also completes a request that stored its record but
 * failed before starting the execution.
 *
 * <p>{@code StackRequested} is published by the one request whose conditional write created the version
 * (or the DELETING record), never by a retry: Step Functions answers every caller of an open execution's
 * name with success, so the start's answer cannot say who came first.
 *
 * <p>A record that says a workflow is under way (PENDING, PROVISIONING, UPDATING, DELETING) while that
 * workflow's execution has closed — an execution-level timeout, or a failure the execution could not even
 * record — would hold the stack forever. The next request that would wait on it or be refused by it reads
 * the execution (DescribeExecution); when it is closed, the stack is marked FAILED with the reason and
 * {@code StackFailed}, and the request goes on: a POST stores version N+1, a DELETE starts a new destroy.
 */
public final class StackCommands {

    public static final int DEFAULT_PAGE_SIZE = 20;
    public static final int MAX_PAGE_SIZE = 100;

    /**
     * Rounds of deciding from a fresh read, at most: a new round follows a closed run marked FAILED, or a racing
     * write that changed what the decision rests on (the spec version, the status). Writes lost to writers that
     * changed neither (the deployer's other fields, the poller's demand) are re-applied by
     * {@link StackRegistry#update} within a round.
     */
    static final int MAX_ATTEMPTS = 5;

    private final StackRegistry registry;
    private final WorkflowStarter workflows;
    private final EventSink events;
    private final FleetControl fleet;
    private final Clock clock;

    public StackCommands(StackRegistry registry, WorkflowStarter workflows, EventSink events, FleetControl fleet,
                         Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.workflows = Objects.requireNonNull(workflows, "workflows");
        this.events = Objects.requireNonNull(events, "events");
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The answer to an apply. */
    public sealed interface ApplyResult {
        /**
         * The spec is (or already was) the stack's newest version {@code version}.
         */
        record Accepted(String name, long version, StackStatus status, Disposition disposition) implements ApplyResult {
        }

        /** The spec was not valid; nothing was written. */
        record Invalid(List<Violation> violations) implements ApplyResult {
            public Invalid {
                violations = List.copyOf(violations);
            }
        }

        /** The spec was valid but the stack could not take it now; nothing was written. */
        record Conflict(String name, long currentVersion, String why) implements ApplyResult {
        }
    }

    /** How an accepted apply relates to what was stored. */
    public enum Disposition {
        /** A new spec version was stored and its provisioning started. */
        NEW_VERSION,
        /** The newest version is this very spec and is still being applied: a retried request. */
        IN_FLIGHT,
        /** The newest version is this very spec and is in force: nothing to do. */
        UNCHANGED
    }

    /** The answer to a delete. */
    public sealed interface DeleteResult {
        record Accepted(String name, long version, StackStatus status) implements DeleteResult {
        }

        record NotFound(String name) implements DeleteResult {
        }

        record Conflict(String name, long currentVersion, String why) implements DeleteResult {
        }
    }

    /** A page of stacks, or why the page request was refused. */
    public sealed interface ListResult {
        record Page(List<StackRecord> records, Optional<String> nextPageToken) implements ListResult {
            public Page {
                records = List.copyOf(records);
                Objects.requireNonNull(nextPageToken, "nextPageToken");
            }
        }

        record Invalid(List<Violation> violations) implements ListResult {
            public Invalid {
                violations = List.copyOf(violations);
            }
        }
    }

    /** A stack as {@code GET /stacks/{name}} shows it: the registry record and its group as Auto Scaling sees it now. */
    public record StackView(StackRecord record, GroupInfo group) {
        public StackView {
            Objects.requireNonNull(record, "record");
            Objects.requireNonNull(group, "group");
        }
    }

    /** The stack's Auto Scaling group, read live. */
    public sealed interface GroupInfo {
        /** The stack has no group (not provisioned yet, or deleted). */
        record NoGroup() implements GroupInfo {
        }

        /** The group's sizes and instance counts. */
        record Counts(String groupName, int minSize, int maxSize, int desired, int inService, int warm) implements GroupInfo {
        }

        /** The registry names a group that Auto Scaling does not know (any more). */
        record Missing(String groupName) implements GroupInfo {
        }

        /** Auto Scaling could not be read; the rest of the view is still good. */
        record Unreadable(String groupName, String reason) implements GroupInfo {
        }
    }

    /**
     * A registration token parameter that a stored stack names may be named again only for the same Semaphore
     * organization. The poller sends the token it reads from that parameter to the spec's endpoint: without this
     * rule, anyone allowed to post specs could name another team's token parameter and an endpoint they control,
     * and have the control plane hand them that token. Stacks of one agent type (several fleets sharing its token)
     * name the same organization and pass.
     *
     * <p>Every stored record counts: a DELETED one (the parameter and its token outlive the stack), and the record
     * of the very stack being updated (moving the stack that owns a parameter to another organization is refused:
     * whether the poster owns the parameter cannot be known here). Organizations are compared by
     * {@link #organizationHost}, so {@code https://acme.semaphoreci.com}, {@code ACME.semaphoreci.com} and
     * organization {@code acme} are one.
     *
     * <p>What it does not cover: a parameter that no stored record names (never used, or renamed away from by its
     * only stack), and two first posts racing (the check reads the registry once, before the write). The boundary
     * is IAM on {@code POST /stacks} and the {@code agent-stacks:token=true} tag on the parameters the control plane
     * may read.
     */
    private Optional<Violation> tokenBorrowedFromAnotherOrganization(StackSpec spec) {
        String parameter = spec.agentTokenParameterName();
        String host = organizationHost(spec);
        Optional<String> pageToken = Optional.empty();
        do {
            StackRegistry.Page page = registry.list(pageToken, 100);
            for (StackRecord other : page.records()) {
                if (other.spec().agentTokenParameterName().equals(parameter)
                        && !organizationHost(other.spec()).equals(host)) {
                    String whose = other.name().equals(spec.stackName()) ? "this stack (" + other.status() + ")"
                            : "stack " + other.name() + " (" + other.status() + ")";
                    return Optional.of(Violation.of("agentTokenParameterName", "is the token parameter of " + whose
                            + ", whose Semaphore organization is another (" + organizationHost(other.spec())
                            + "): a token parameter may be shared only by stacks of one organization, since the token "
                            + "is sent to the spec's endpoint; name a new parameter for this organization"));
                }
            }
            pageToken = page.nextPageToken();
        } while (pageToken.isPresent());
        return Optional.empty();
    }

    /**
     * The host the token is sent to, in lower case: the host of {@link StackSpec#endpointUrl()}, so that an
     * endpoint written with or without {@code https://}, in any case, or as an organization name, compares equal.
     */
    static String organizationHost(StackSpec spec) {
        String url = spec.endpointUrl();
        String host = null;
        try {
            host = URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            // not a URI at all: a spec built without validation (tests); fall back to the text after the scheme
        }
        if (host == null) {
            host = url.replaceFirst("^[A-Za-z]+://", "").replaceFirst("[/:].*$", "");
        }
        return host.toLowerCase(Locale.ROOT);
    }

    /** Validates, stores and starts provisioning of the spec {@code read} holds. */
    public ApplyResult apply(SpecResult read, Optional<Long> ifMatchVersion) {
        Objects.requireNonNull(read, "read");
        if (!read.isValid()) {
            return new ApplyResult.Invalid(read.violations());
        }
        return apply(read.spec().orElseThrow(), ifMatchVersion);
    }

    /**
     * Stores {@code spec} as the stack's next version and starts {@code provision-stack} for it.
     *
     * @param ifMatchVersion when present, the spec version the caller last read; any other stored
     *                       version is a conflict (the caller would overwrite a change it has not seen)
     */
    public ApplyResult apply(StackSpec spec, Optional<Long> ifMatchVersion) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(ifMatchVersion, "ifMatchVersion");
        String name = spec.stackName();
        Optional<Violation> borrowedToken = tokenBorrowedFromAnotherOrganization(spec);
        if (borrowedToken.isPresent()) {
            return new ApplyResult.Invalid(List.of(borrowedToken.get()));
        }
        long firstSeen = -1; // the spec version the first read saw, to tell a rival spec from a status write
        for (int attempt = 1; ; attempt++) {
            Optional<StackRecord> current = registry.get(name);
            long stored = current.map(StackRecord::specVersion).orElse(0L);

            if (current.isPresent()) {
                StackRecord r = current.get();
                boolean retried = r.spec().equals(spec) && isBeingApplied(r.status());
                // PROVISIONING and DELETING refuse a new spec: worth a look only if their run has ended.
                boolean refused = !retried && (r.status() == StackStatus.PROVISIONING || r.status() == StackStatus.DELETING);
                if (retried || refused) {
                    Optional<ExecutionStatus> run = workflows.describe(workflowOf(r), executionNameOf(r));
                    if (run.isPresent() && run.get().isClosed()) {
                        markAbandoned(r, run.get());
                        if (attempt == MAX_ATTEMPTS) {
                            return new ApplyResult.Conflict(name, stored, "stack " + name
                                    + " kept changing while this request was being stored; apply again");
                        }
                        continue; // decide again from a fresh read: FAILED now, or whatever won the race
                    }
                    if (retried) {
                        if (run.isEmpty()) {
                            // The request that stored it failed before starting it (or has not started it yet).
                            workflows.start(Workflow.PROVISION_STACK, r.provisionExecutionName(), executionInput(r));
                        }
                        return new ApplyResult.Accepted(name, r.specVersion(), r.status(), Disposition.IN_FLIGHT);
                    }
                }
                if (r.spec().equals(spec) && (r.status() == StackStatus.ACTIVE || r.status() == StackStatus.DEGRADED)) {
                    return new ApplyResult.Accepted(name, r.specVersion(), r.status(), Disposition.UNCHANGED);
                }
            }
            if (firstSeen >= 0 && firstSeen != stored) {
                return new ApplyResult.Conflict(name, stored, "spec version " + stored
                        + " of stack " + name + " was accepted while this request was being stored; read the stack and apply again");
            }
            firstSeen = stored;
            if (ifMatchVersion.isPresent() && ifMatchVersion.get() != stored) {
                return new ApplyResult.Conflict(name, stored, current.isEmpty()
                        ? "If-Match names spec version " + ifMatchVersion.get() + " but stack " + name + " does not exist"
                        : "If-Match names spec version " + ifMatchVersion.get() + " but the stored spec of stack " + name
                        + " is version " + stored);
            }
            Instant now = clock.instant();
            StackRecord next;
            try {
                next = StackTransitions.specAccepted(current, spec, now);
            } catch (StackTransitions.IllegalTransition e) {
                return new ApplyResult.Conflict(name, stored, e.getMessage());
            }
            String operation = current.isEmpty() || current.get().status() == StackStatus.DELETED ? "create" : "update";
            Optional<StackRecord> written;
            if (current.isEmpty()) {
                written = registry.put(next) instanceof PutResult.Stored s ? Optional.of(s.stored()) : Optional.empty();
            } else {
                StackStatus readStatus = current.get().status();
                // Re-applied to what a lost race left; a rival spec or a status move is decided again from the top.
                Update update = registry.update(current.get(), r -> r.specVersion() == stored && r.status() == readStatus
                        ? StackTransitions.specAccepted(Optional.of(r), spec, now) : r);
                if (update instanceof Update.Busy) {
                    return new ApplyResult.Conflict(name, stored, "stack " + name
                            + " kept changing while this request was being stored; apply again");
                }
                written = update instanceof Update.Done d && d.written() ? Optional.of(d.record()) : Optional.empty();
            }
            if (written.isPresent()) {
                StackRecord r = written.get();
                // Announced by the write that made the version, before the start: a start that fails is
                // completed by the retry, which announces nothing.
                events.publish(new DomainEvent.StackRequested(name, r.specVersion(), operation, clock.instant()));
                workflows.start(Workflow.PROVISION_STACK, r.provisionExecutionName(), executionInput(r));
                return new ApplyResult.Accepted(name, r.specVersion(), r.status(), Disposition.NEW_VERSION);
            }
            if (attempt == MAX_ATTEMPTS) {
                return new ApplyResult.Conflict(name, stored, "stack " + name
                        + " kept changing while this request was being stored; apply again");
            }
        }
    }

    /** Marks the stack DELETING and starts {@code destroy-stack}; a stack already deleting or deleted is accepted again. */
    public DeleteResult delete(String name) {
        Objects.requireNonNull(name, "name");
        long firstSeen = -1; // the spec version the first read saw, to tell a rival spec from a status write
        for (int attempt = 1; ; attempt++) {
            Optional<StackRecord> current = registry.get(name);
            if (current.isEmpty()) {
                return new DeleteResult.NotFound(name);
            }
            StackRecord r = current.get();
            if (r.status() == StackStatus.DELETED) {
                return new DeleteResult.Accepted(name, r.specVersion(), r.status());
            }
            if (r.status() == StackStatus.DELETING) {
                Optional<ExecutionStatus> run = workflows.describe(Workflow.DESTROY_STACK, destroyExecutionName(r));
                if (run.isPresent() && run.get().isClosed()) {
                    markAbandoned(r, run.get());
                    if (attempt == MAX_ATTEMPTS) {
                        return new DeleteResult.Conflict(name, r.specVersion(), "stack " + name
                                + " kept changing while the deletion was being stored; delete again");
                    }
                    continue; // FAILED now: the next round stores a new deletion with a new execution name
                }
                if (run.isEmpty()) {
                    // The request that stored DELETING failed before starting the run (or has not started it yet).
                    workflows.start(Workflow.DESTROY_STACK, destroyExecutionName(r), executionInput(r));
                }
                return new DeleteResult.Accepted(name, r.specVersion(), r.status());
            }
            if (firstSeen >= 0 && firstSeen != r.specVersion()) {
                return new DeleteResult.Conflict(name, r.specVersion(), "spec version " + r.specVersion() + " of stack "
                        + name + " was accepted while the deletion was being stored; read the stack and delete again");
            }
            firstSeen = r.specVersion();
            Instant now = clock.instant();
            try {
                StackTransitions.deleteRequested(r, now);
            } catch (StackTransitions.IllegalTransition e) {
                return new DeleteResult.Conflict(name, r.specVersion(), e.getMessage());
            }
            long readVersion = r.specVersion();
            StackStatus readStatus = r.status();
            // Re-applied to what a lost race left; a rival spec or a status move is decided again from the top.
            Update update = registry.update(r, x -> x.specVersion() == readVersion && x.status() == readStatus
                    ? StackTransitions.deleteRequested(x, now) : x);
            if (update instanceof Update.Busy) {
                return new DeleteResult.Conflict(name, r.specVersion(), "stack " + name
                        + " kept changing while the deletion was being stored; delete again");
            }
            if (update instanceof Update.Done d && d.written()) {
                StackRecord stored = d.record();
                events.publish(new DomainEvent.StackRequested(name, stored.specVersion(), "delete", clock.instant()));
                workflows.start(Workflow.DESTROY_STACK, destroyExecutionName(stored), executionInput(stored));
                return new DeleteResult.Accepted(name, stored.specVersion(), stored.status());
            }
            if (attempt == MAX_ATTEMPTS) {
                return new DeleteResult.Conflict(name, r.specVersion(), "stack " + name
                        + " kept changing while the deletion was being stored; delete again");
            }
        }
    }

    /** The stack with its group's live counts, or empty when no stack has that name. */
    public Optional<StackView> get(String name) {
        Objects.requireNonNull(name, "name");
        return registry.get(name).map(r -> new StackView(r, groupOf(r)));
    }

    /**
     * A page of stacks in name order.
     *
     * @param limit how many at most, 1 to {@value #MAX_PAGE_SIZE}; {@value #DEFAULT_PAGE_SIZE} when absent
     */
    public ListResult list(Optional<String> pageToken, OptionalInt limit) {
        Objects.requireNonNull(pageToken, "pageToken");
        Objects.requireNonNull(limit, "limit");
        int size = limit.orElse(DEFAULT_PAGE_SIZE);
        if (size < 1 || size > MAX_PAGE_SIZE) {
            return new ListResult.Invalid(List.of(Violation.of("limit", "must be between 1 and " + MAX_PAGE_SIZE, size)));
        }
        if (pageToken.isPresent() && pageToken.get().isBlank()) {
            return new ListResult.Invalid(List.of(Violation.of("pageToken", "must not be empty when given")));
        }
        StackRegistry.Page page = registry.list(pageToken, size);
        return new ListResult.Page(page.records(), page.nextPageToken());
    }

    /** The name of the {@code destroy-stack} execution that deletes {@code record}'s spec version. */
    public static String destroyExecutionName(StackRecord record) {
        return record.name() + "-delete-v" + record.specVersion();
    }

    /** The input of both workflows: the stack and its spec version, nothing else (never a secret). */
    public static String executionInput(StackRecord record) {
        ObjectNode input = JsonNodeFactory.instance.objectNode();
        input.put("stack", record.name());
        input.put("specVersion", record.specVersion());
        return input.toString();
    }

    private static boolean isBeingApplied(StackStatus status) {
        return status == StackStatus.PENDING || status == StackStatus.PROVISIONING || status == StackStatus.UPDATING;
    }

    /** The workflow a record in flight waits on: destroy-stack while DELETING, provision-stack otherwise. */
    private static Workflow workflowOf(StackRecord r) {
        return r.status() == StackStatus.DELETING ? Workflow.DESTROY_STACK : Workflow.PROVISION_STACK;
    }

    private static String executionNameOf(StackRecord r) {
        return r.status() == StackStatus.DELETING ? destroyExecutionName(r) : r.provisionExecutionName();
    }

    /**
     * The run {@code r} waits on has closed without recording its outcome: FAILED with why, and
     * {@code StackFailed}. Conditional on the record read, so a run that did record its outcome (or any other
     * writer) in the meantime wins, and the caller decides again from a fresh read.
     */
    private void markAbandoned(StackRecord r, ExecutionStatus run) {
        String reason = workflowOf(r).definitionName() + " execution " + executionNameOf(r) + " ended " + run.status()
                + run.error().map(e -> " (" + e + ")").orElse("") + " without recording the outcome while the stack was "
                + r.status() + "; marked FAILED when the next request came";
        Instant now = clock.instant();
        if (registry.put(StackTransitions.failed(r, reason, now)) instanceof PutResult.Stored) {
            events.publish(new DomainEvent.StackFailed(r.name(), r.specVersion(), reason, now));
        }
    }

    private GroupInfo groupOf(StackRecord r) {
        if (r.groupName().isEmpty() || r.status() == StackStatus.DELETED) {
            return new GroupInfo.NoGroup();
        }
        String groupName = r.groupName().get();
        Optional<GroupState> state;
        try {
            state = fleet.describe(groupName);
        } catch (RuntimeException e) {
            return new GroupInfo.Unreadable(groupName, String.valueOf(e.getMessage()));
        }
        return state.<GroupInfo>map(g -> new GroupInfo.Counts(groupName, g.minSize(), g.maxSize(), g.desiredCapacity(),
                (int) g.inServiceCount(), g.warmInstances())).orElseGet(() -> new GroupInfo.Missing(groupName));
    }
}
