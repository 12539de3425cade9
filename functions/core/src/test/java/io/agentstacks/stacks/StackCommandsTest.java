package io.agentstacks.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.events.DomainEvent.StackFailed;
import io.agentstacks.events.DomainEvent.StackRequested;
import io.agentstacks.inmemory.DescribeOnlyFleetControl;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.InMemoryWorkflowStarter;
import io.agentstacks.scaling.GroupState;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.SpecResult;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.spec.Violation;
import io.agentstacks.stacks.StackCommands.ApplyResult;
import io.agentstacks.stacks.StackCommands.DeleteResult;
import io.agentstacks.stacks.StackCommands.Disposition;
import io.agentstacks.stacks.StackCommands.GroupInfo;
import io.agentstacks.stacks.StackCommands.ListResult;
import io.agentstacks.stacks.WorkflowStarter.StartResult;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

class StackCommandsTest {

    private static final Instant NOW = Instant.parse("2025-01-01T10:00:00Z");

    private final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    private final InMemoryWorkflowStarter workflows = new InMemoryWorkflowStarter();
    private final InMemoryEventSink events = new InMemoryEventSink();
    private final DescribeOnlyFleetControl fleet = new DescribeOnlyFleetControl();
    private final StackCommands commands = new StackCommands(registry, workflows, events, fleet,
            Clock.fixed(NOW, ZoneOffset.UTC));

    private static StackSpec spec(String name, int maxSize) {
        return StackSpec.builder(name, "/semaphore/" + name + "/token").semaphoreOrganization("acme").maxSize(maxSize).build();
    }

    private static SpecResult valid(StackSpec spec) {
        return SpecResult.valid(spec, List.of(), false);
    }

    /** Drives the stored record to ACTIVE with a group, as provision-stack would. */
    private StackRecord makeActive(String name) {
        StackRecord r = registry.get(name).orElseThrow();
        r = ((StackRegistry.PutResult.Stored) registry.put(StackTransitions.provisioningStarted(r, NOW))).stored();
        r = ((StackRegistry.PutResult.Stored) registry.put(
                StackTransitions.ready(r, name + "-asg", "arn:aws:cloudformation:us-east-1:1:stack/" + name + "/1", NOW))).stored();
        return r;
    }

    private StackRecord store(StackRecord next) {
        return ((StackRegistry.PutResult.Stored) registry.put(next)).stored();
    }

    @Test
    void aNewSpecIsStoredAsVersionOneAndStartsProvisionStackNamedAfterThatVersion() {
        ApplyResult result = commands.apply(valid(spec("ci", 3)), Optional.empty());

        assertThat(result).isEqualTo(new ApplyResult.Accepted("ci", 1, StackStatus.PENDING, Disposition.NEW_VERSION));
        StackRecord stored = registry.get("ci").orElseThrow();
        assertThat(stored.spec()).isEqualTo(spec("ci", 3));
        assertThat(stored.status()).isEqualTo(StackStatus.PENDING);
        assertThat(workflows.executions()).singleElement().satisfies(e -> {
            assertThat(e.workflow()).isEqualTo(Workflow.PROVISION_STACK);
            assertThat(e.name()).isEqualTo("ci-v1");
        });
        assertThat(events.published()).containsExactly(new StackRequested("ci", 1, "create", NOW));
    }

    @Test
    void theExecutionInputCarriesOnlyTheStackNameAndSpecVersion() throws Exception {
        commands.apply(valid(spec("ci", 3)), Optional.empty());

        JsonNode input = SpecJson.MAPPER.readTree(workflows.executions().get(0).input());
        assertThat(input).isEqualTo(SpecJson.MAPPER.readTree("{\"stack\":\"ci\",\"specVersion\":1}"));
    }

    @Test
    void anotherStacksTokenParameterWithAnotherOrganizationsEndpointIsRefusedAndNothingIsWritten() {
        commands.apply(valid(spec("team-a", 3)), Optional.empty());
        StackSpec borrowing = StackSpec.builder("intruder", "/semaphore/team-a/token")
                .semaphoreEndpoint("semaphore.attacker-controlled.example.net").build();

        ApplyResult result = commands.apply(valid(borrowing), Optional.empty());

        assertThat(result).isInstanceOfSatisfying(ApplyResult.Invalid.class, invalid ->
                assertThat(invalid.violations()).singleElement().satisfies(v -> {
                    assertThat(v.field()).isEqualTo("agentTokenParameterName");
                    assertThat(v.message()).contains("stack team-a", "acme.semaphoreci.com");
                }));
        assertThat(registry.get("intruder")).isEmpty();
        assertThat(workflows.executions()).hasSize(1);
    }

    @Test
    void stacksOfOneOrganizationMayShareATokenParameter() {
        commands.apply(valid(spec("fleet-a", 3)), Optional.empty());
        StackSpec sameAgentType = StackSpec.builder("fleet-b", "/semaphore/fleet-a/token").semaphoreOrganization("acme").build();

        ApplyResult result = commands.apply(valid(sameAgentType), Optional.empty());

        assertThat(result).isEqualTo(new ApplyResult.Accepted("fleet-b", 1, StackStatus.PENDING, Disposition.NEW_VERSION));
    }

    @Test
    void anEndpointWrittenWithSchemeOrInAnotherCaseIsTheSameOrganizationForASharedTokenParameter() {
        commands.apply(valid(spec("fleet-a", 3)), Optional.empty());
        StackSpec withScheme = StackSpec.builder("fleet-b", "/semaphore/fleet-a/token")
                .semaphoreEndpoint("https://ACME.semaphoreci.com").build();
        StackSpec bareHost = StackSpec.builder("fleet-c", "/semaphore/fleet-a/token")
                .semaphoreEndpoint("acme.semaphoreci.com").build();

        assertThat(commands.apply(valid(withScheme), Optional.empty()))
                .isEqualTo(new ApplyResult.Accepted("fleet-b", 1, StackStatus.PENDING, Disposition.NEW_VERSION));
        assertThat(commands.apply(valid(bareHost), Optional.empty()))
                .isEqualTo(new ApplyResult.Accepted("fleet-c", 1, StackStatus.PENDING, Disposition.NEW_VERSION));
    }

    @Test
    void aDeletedStacksTokenParameterStillCannotBeNamedForAnotherOrganization() {
        commands.apply(valid(spec("team-a", 3)), Optional.empty());
        StackRecord active = makeActive("team-a");
        store(StackTransitions.deleted(store(StackTransitions.deleteRequested(active, NOW)), NOW));
        assertThat(registry.get("team-a").orElseThrow().status()).isEqualTo(StackStatus.DELETED);
        StackSpec borrowing = StackSpec.builder("intruder", "/semaphore/team-a/token")
                .semaphoreEndpoint("semaphore.attacker-controlled.example.net").build();

        ApplyResult result = commands.apply(valid(borrowing), Optional.empty());

        assertThat(result).isInstanceOfSatisfying(ApplyResult.Invalid.class, invalid ->
                assertThat(invalid.violations()).singleElement().satisfies(v -> {
                    assertThat(v.field()).isEqualTo("agentTokenParameterName");
                    assertThat(v.message()).contains("stack team-a (DELETED)", "acme.semaphoreci.com");
                }));
        assertThat(registry.get("intruder")).isEmpty();
    }

    @Test
    void theStackOwningATokenParameterCannotBeMovedToAnotherOrganizationWithIt() {
        commands.apply(valid(spec("team-a", 3)), Optional.empty());
        makeActive("team-a");
        StackSpec moved = StackSpec.builder("team-a", "/semaphore/team-a/token")
                .semaphoreEndpoint("semaphore.attacker-controlled.example.net").maxSize(3).build();

        ApplyResult result = commands.apply(valid(moved), Optional.empty());

        assertThat(result).isInstanceOfSatisfying(ApplyResult.Invalid.class, invalid ->
                assertThat(invalid.violations()).singleElement().satisfies(v ->
                        assertThat(v.message()).contains("this stack (ACTIVE)", "acme.semaphoreci.com")));
        assertThat(registry.get("team-a").orElseThrow().specVersion()).isEqualTo(1);
        assertThat(workflows.executions()).hasSize(1);
    }

    @Test
    void theStackOwningATokenParameterMayBeUpdatedWithItsEndpointWrittenAnotherWay() {
        commands.apply(valid(spec("team-a", 3)), Optional.empty());
        makeActive("team-a");
        StackSpec sameOrganization = StackSpec.builder("team-a", "/semaphore/team-a/token")
                .semaphoreEndpoint("https://acme.semaphoreci.com").maxSize(4).build();

        ApplyResult result = commands.apply(valid(sameOrganization), Optional.empty());

        assertThat(result).isEqualTo(new ApplyResult.Accepted("team-a", 2, StackStatus.UPDATING, Disposition.NEW_VERSION));
    }

    @Test
    void anInvalidSpecWritesNothingStartsNothingAndReturnsEveryViolation() {
        List<Violation> violations = List.of(Violation.of("stackName", "is required"),
                Violation.of("maxSize", "must be at least minSize (2)", 1));

        ApplyResult result = commands.apply(SpecResult.invalid(violations, List.of(), false), Optional.empty());

        assertThat(result).isEqualTo(new ApplyResult.Invalid(violations));
        assertThat(registry.all()).isEmpty();
        assertThat(workflows.executions()).isEmpty();
        assertThat(events.published()).isEmpty();
    }

    @Test
    void theSameSpecPostedTwiceWhilePendingAnswersTheSameVersionAndStartsOneExecution() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());

        ApplyResult again = commands.apply(valid(spec("ci", 3)), Optional.empty());

        assertThat(again).isEqualTo(new ApplyResult.Accepted("ci", 1, StackStatus.PENDING, Disposition.IN_FLIGHT));
        assertThat(registry.get("ci").orElseThrow().specVersion()).isEqualTo(1);
        assertThat(workflows.executions()).hasSize(1);
        assertThat(events.published()).hasSize(1);
    }

    @Test
    void aRetryStartsTheExecutionThatAFailedRequestStoredButNeverStarted() {
        AtomicBoolean failOnce = new AtomicBoolean(true);
        StackCommands flaky = new StackCommands(registry, new ForwardingStarter(workflows) {
            @Override
            public StartResult start(Workflow workflow, String name, String input) {
                if (failOnce.getAndSet(false)) {
                    throw new IllegalStateException("StartExecution throttled");
                }
                return super.start(workflow, name, input);
            }
        }, events, fleet, Clock.fixed(NOW, ZoneOffset.UTC));

        assertThatThrownBy(() -> flaky.apply(valid(spec("ci", 3)), Optional.empty())).hasMessageContaining("throttled");
        ApplyResult retried = flaky.apply(valid(spec("ci", 3)), Optional.empty());

        assertThat(retried).isEqualTo(new ApplyResult.Accepted("ci", 1, StackStatus.PENDING, Disposition.IN_FLIGHT));
        assertThat(workflows.executions()).extracting(InMemoryWorkflowStarter.Execution::name).containsExactly("ci-v1");
        assertThat(events.published()).containsExactly(new StackRequested("ci", 1, "create", NOW));
    }

    @Test
    void theSameSpecAsTheActiveOneChangesNothing() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        makeActive("ci");

        ApplyResult result = commands.apply(valid(spec("ci", 3)), Optional.empty());

        assertThat(result).isEqualTo(new ApplyResult.Accepted("ci", 1, StackStatus.ACTIVE, Disposition.UNCHANGED));
        assertThat(workflows.executions()).hasSize(1);
    }

    @Test
    void aChangedSpecOnAnActiveStackBecomesTheNextVersionAndStartsItsOwnExecution() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        makeActive("ci");

        ApplyResult result = commands.apply(valid(spec("ci", 5)), Optional.empty());

        assertThat(result).isEqualTo(new ApplyResult.Accepted("ci", 2, StackStatus.UPDATING, Disposition.NEW_VERSION));
        assertThat(registry.get("ci").orElseThrow().spec().maxSize()).isEqualTo(5);
        assertThat(workflows.executions()).extracting(InMemoryWorkflowStarter.Execution::name).containsExactly("ci-v1", "ci-v2");
        assertThat(events.published(StackRequested.class)).extracting(StackRequested::operation).containsExactly("create", "update");
    }

    @Test
    void ifMatchNamingTheStoredVersionIsAccepted() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        makeActive("ci");

        assertThat(commands.apply(valid(spec("ci", 4)), Optional.of(1L)))
                .isEqualTo(new ApplyResult.Accepted("ci", 2, StackStatus.UPDATING, Disposition.NEW_VERSION));
    }

    @Test
    void ifMatchNamingAnotherVersionIsAConflictAndWritesNothing() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        StackRecord active = makeActive("ci");

        ApplyResult result = commands.apply(valid(spec("ci", 4)), Optional.of(7L));

        assertThat(result).isInstanceOfSatisfying(ApplyResult.Conflict.class, c -> {
            assertThat(c.currentVersion()).isEqualTo(1);
            assertThat(c.why()).contains("If-Match names spec version 7").contains("version 1");
        });
        assertThat(registry.get("ci")).contains(active);
        assertThat(workflows.executions()).hasSize(1);
    }

    @Test
    void ifMatchOnAStackThatDoesNotExistIsAConflict() {
        ApplyResult result = commands.apply(valid(spec("ci", 3)), Optional.of(1L));

        assertThat(result).isInstanceOfSatisfying(ApplyResult.Conflict.class,
                c -> assertThat(c.why()).contains("does not exist"));
        assertThat(registry.all()).isEmpty();
    }

    @Test
    void aRivalSpecStoredBetweenTheReadAndTheWriteMakesTheLaterWriterConflict() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        makeActive("ci");
        RacingRegistry racing = new RacingRegistry(registry,
                () -> new StackCommands(registry, workflows, events, fleet, Clock.fixed(NOW.plusSeconds(1), ZoneOffset.UTC))
                        .apply(valid(spec("ci", 9)), Optional.empty()));
        StackCommands loser = new StackCommands(racing, workflows, events, fleet, Clock.fixed(NOW, ZoneOffset.UTC));

        ApplyResult result = loser.apply(valid(spec("ci", 4)), Optional.empty());

        assertThat(result).isInstanceOfSatisfying(ApplyResult.Conflict.class, c -> assertThat(c.currentVersion()).isEqualTo(2));
        StackRecord stored = registry.get("ci").orElseThrow();
        assertThat(stored.specVersion()).isEqualTo(2);
        assertThat(stored.spec().maxSize()).isEqualTo(9);
        assertThat(stored.updatedAt()).as("the rival's write, at the rival's time").isEqualTo(NOW.plusSeconds(1));
        assertThat(workflows.executions()).extracting(InMemoryWorkflowStarter.Execution::name).containsExactly("ci-v1", "ci-v2");
    }

    @Test
    void aStatusWriteBetweenTheReadAndTheWriteIsDecidedAgainNotRefused() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        makeActive("ci");
        RacingRegistry racing = new RacingRegistry(registry, () -> {
            StackRecord r = registry.get("ci").orElseThrow();
            store(r.toBuilder().lastDemand(Optional.of(new DemandSnapshot(2, 1, 0, 1, NOW))).build());
        });
        StackCommands writer = new StackCommands(racing, workflows, events, fleet, Clock.fixed(NOW, ZoneOffset.UTC));

        ApplyResult result = writer.apply(valid(spec("ci", 4)), Optional.of(1L));

        assertThat(result).isEqualTo(new ApplyResult.Accepted("ci", 2, StackStatus.UPDATING, Disposition.NEW_VERSION));
        assertThat(registry.get("ci").orElseThrow().lastDemand()).isPresent();
    }

    @Test
    void aSpecPostedWhileTheFirstCreationRunsIsAConflict() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        store(StackTransitions.provisioningStarted(registry.get("ci").orElseThrow(), NOW));

        ApplyResult result = commands.apply(valid(spec("ci", 4)), Optional.empty());

        assertThat(result).isInstanceOfSatisfying(ApplyResult.Conflict.class,
                c -> assertThat(c.why()).contains("PROVISIONING"));
        assertThat(registry.get("ci").orElseThrow().specVersion()).isEqualTo(1);
    }

    @Test
    void theSameSpecPostedAgainAfterAFailureIsTriedAgainAsTheNextVersion() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        store(StackTransitions.failed(registry.get("ci").orElseThrow(), "subnet not found", NOW));

        ApplyResult result = commands.apply(valid(spec("ci", 3)), Optional.empty());

        assertThat(result).isEqualTo(new ApplyResult.Accepted("ci", 2, StackStatus.PENDING, Disposition.NEW_VERSION));
        assertThat(workflows.executions()).extracting(InMemoryWorkflowStarter.Execution::name).containsExactly("ci-v1", "ci-v2");
    }

    @Test
    void deletingAnUnknownStackIsNotFound() {
        assertThat(commands.delete("nope")).isEqualTo(new DeleteResult.NotFound("nope"));
        assertThat(workflows.executions()).isEmpty();
    }

    @Test
    void deletingMarksTheStackDeletingAndStartsDestroyStackNamedAfterTheVersion() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        makeActive("ci");

        DeleteResult result = commands.delete("ci");

        assertThat(result).isEqualTo(new DeleteResult.Accepted("ci", 1, StackStatus.DELETING));
        assertThat(registry.get("ci").orElseThrow().status()).isEqualTo(StackStatus.DELETING);
        assertThat(workflows.executions()).last().satisfies(e -> {
            assertThat(e.workflow()).isEqualTo(Workflow.DESTROY_STACK);
            assertThat(e.name()).isEqualTo("ci-delete-v1");
            assertThat(e.input()).isEqualTo("{\"stack\":\"ci\",\"specVersion\":1}");
        });
        assertThat(events.published()).last().isEqualTo(new StackRequested("ci", 1, "delete", NOW));
    }

    @Test
    void deletingTwiceStartsOneDestroyExecution() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        makeActive("ci");

        commands.delete("ci");
        DeleteResult again = commands.delete("ci");

        assertThat(again).isEqualTo(new DeleteResult.Accepted("ci", 1, StackStatus.DELETING));
        assertThat(workflows.executions()).filteredOn(e -> e.workflow() == Workflow.DESTROY_STACK).hasSize(1);
        assertThat(events.published(StackRequested.class)).filteredOn(e -> e.operation().equals("delete")).hasSize(1);
    }

    @Test
    void deletingADeletedStackIsAcceptedAndStartsNothing() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        StackRecord deleting = store(StackTransitions.deleteRequested(makeActive("ci"), NOW));
        store(StackTransitions.deleted(deleting, NOW));

        assertThat(commands.delete("ci")).isEqualTo(new DeleteResult.Accepted("ci", 1, StackStatus.DELETED));
        assertThat(workflows.executions()).filteredOn(e -> e.workflow() == Workflow.DESTROY_STACK).isEmpty();
    }

    @Test
    void aDeletedStackTakesItsSpecAgainAsANewCreation() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        StackRecord deleting = store(StackTransitions.deleteRequested(makeActive("ci"), NOW));
        store(StackTransitions.deleted(deleting, NOW));

        ApplyResult result = commands.apply(valid(spec("ci", 3)), Optional.empty());

        assertThat(result).isEqualTo(new ApplyResult.Accepted("ci", 2, StackStatus.PENDING, Disposition.NEW_VERSION));
        assertThat(events.published(StackRequested.class)).last().extracting(StackRequested::operation).isEqualTo("create");
    }

    @Test
    void getShowsTheGroupsDesiredInServiceAndWarmCounts() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        makeActive("ci");
        fleet.put(new GroupState("ci-asg", 0, 3, 2, List.of(
                new GroupState.Instance("i-1", "InService", "us-east-1a", true),
                new GroupState.Instance("i-2", "Pending", "us-east-1b", false)), 1));

        StackCommands.StackView view = commands.get("ci").orElseThrow();

        assertThat(view.record().status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(view.group()).isEqualTo(new GroupInfo.Counts("ci-asg", 0, 3, 2, 1, 1));
    }

    @Test
    void getOfAStackWithoutAGroupReadsNoGroup() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        fleet.failWith(new IllegalStateException("must not be called"));

        assertThat(commands.get("ci").orElseThrow().group()).isEqualTo(new GroupInfo.NoGroup());
    }

    @Test
    void getStillAnswersWhenAutoScalingCannotBeRead() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        makeActive("ci");
        fleet.failWith(new IllegalStateException("DescribeAutoScalingGroups throttled"));

        assertThat(commands.get("ci").orElseThrow().group())
                .isEqualTo(new GroupInfo.Unreadable("ci-asg", "DescribeAutoScalingGroups throttled"));
    }

    @Test
    void getOfAGroupAutoScalingNoLongerKnowsSaysItIsMissing() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        makeActive("ci");

        assertThat(commands.get("ci").orElseThrow().group()).isEqualTo(new GroupInfo.Missing("ci-asg"));
        assertThat(commands.get("other")).isEmpty();
    }

    @Test
    void listPagesThroughEveryStackInNameOrder() {
        for (String name : List.of("c", "a", "e", "b", "d")) {
            commands.apply(valid(spec(name, 1)), Optional.empty());
        }

        var first = (ListResult.Page) commands.list(Optional.empty(), OptionalInt.of(2));
        var second = (ListResult.Page) commands.list(first.nextPageToken(), OptionalInt.of(2));
        var third = (ListResult.Page) commands.list(second.nextPageToken(), OptionalInt.of(2));

        assertThat(first.records()).extracting(StackRecord::name).containsExactly("a", "b");
        assertThat(second.records()).extracting(StackRecord::name).containsExactly("c", "d");
        assertThat(third.records()).extracting(StackRecord::name).containsExactly("e");
        assertThat(third.nextPageToken()).isEmpty();
    }

    @Test
    void listRefusesAPageSizeOutsideOneToAHundred() {
        assertThat(commands.list(Optional.empty(), OptionalInt.of(0))).isInstanceOfSatisfying(ListResult.Invalid.class,
                i -> assertThat(i.violations()).extracting(Violation::field).containsExactly("limit"));
        assertThat(commands.list(Optional.empty(), OptionalInt.of(101))).isInstanceOf(ListResult.Invalid.class);
        assertThat(commands.list(Optional.of(" "), OptionalInt.empty())).isInstanceOfSatisfying(ListResult.Invalid.class,
                i -> assertThat(i.violations()).extracting(Violation::field).containsExactly("pageToken"));
    }

    // ---- StartExecution's idempotence and executions that ended without recording their outcome ----------

    /**
     * Step Functions as racing or retrying callers see it: StartExecution of an open execution's name and input
     * answers success to each of them, so an adapter cannot always tell who started it.
     */
    private final WorkflowStarter stepFunctionsAsCallersSeeIt = new ForwardingStarter(workflows) {
        @Override
        public StartResult start(Workflow workflow, String name, String input) {
            StartResult r = super.start(workflow, name, input);
            return r instanceof StartResult.AlreadyRunning ? new StartResult.Started(r.executionId()) : r;
        }
    };

    @Test
    void aRetriedPostThatStartExecutionAnswersWithSuccessAnnouncesNothingAgain() {
        StackCommands api = new StackCommands(registry, stepFunctionsAsCallersSeeIt, events, fleet, Clock.fixed(NOW, ZoneOffset.UTC));

        api.apply(valid(spec("ci", 3)), Optional.empty());
        ApplyResult again = api.apply(valid(spec("ci", 3)), Optional.empty());

        assertThat(again).isEqualTo(new ApplyResult.Accepted("ci", 1, StackStatus.PENDING, Disposition.IN_FLIGHT));
        assertThat(workflows.executions()).hasSize(1);
        assertThat(events.published()).containsExactly(new StackRequested("ci", 1, "create", NOW));
    }

    @Test
    void twentyConcurrentIdenticalPostsStoreOneVersionStartOneExecutionAndAnnounceItOnce() throws Exception {
        StackCommands api = new StackCommands(registry, stepFunctionsAsCallersSeeIt, events, fleet, Clock.fixed(NOW, ZoneOffset.UTC));
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<ApplyResult>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return api.apply(valid(spec("ci", 3)), Optional.empty());
                }));
            }
            go.countDown();
            for (Future<ApplyResult> answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS)).isInstanceOfSatisfying(ApplyResult.Accepted.class,
                        a -> assertThat(a.version()).isEqualTo(1));
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(registry.get("ci").orElseThrow().specVersion()).isEqualTo(1);
        assertThat(workflows.executions()).extracting(InMemoryWorkflowStarter.Execution::name).containsExactly("ci-v1");
        assertThat(events.published()).containsExactly(new StackRequested("ci", 1, "create", NOW));
    }

    @Test
    void aRetriedDeleteThatStartExecutionAnswersWithSuccessAnnouncesNothingAgain() {
        StackCommands api = new StackCommands(registry, stepFunctionsAsCallersSeeIt, events, fleet, Clock.fixed(NOW, ZoneOffset.UTC));
        api.apply(valid(spec("ci", 3)), Optional.empty());
        makeActive("ci");

        api.delete("ci");
        api.delete("ci");

        assertThat(events.published(StackRequested.class)).extracting(StackRequested::operation).containsExactly("create", "delete");
    }

    @Test
    void aCreationWhoseExecutionTimedOutWithoutMarkingTheStackIsFailedAndTheSamePostStartsTheNextVersion() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        store(StackTransitions.provisioningStarted(registry.get("ci").orElseThrow(), NOW));
        workflows.finish(Workflow.PROVISION_STACK, "ci-v1", WorkflowStarter.Status.TIMED_OUT, Optional.of("States.Timeout"));

        ApplyResult result = commands.apply(valid(spec("ci", 3)), Optional.empty());

        assertThat(result).isEqualTo(new ApplyResult.Accepted("ci", 2, StackStatus.PENDING, Disposition.NEW_VERSION));
        assertThat(workflows.executions()).extracting(InMemoryWorkflowStarter.Execution::name).containsExactly("ci-v1", "ci-v2");
        assertThat(events.published(StackFailed.class)).singleElement().satisfies(f -> {
            assertThat(f.specVersion()).isEqualTo(1);
            assertThat(f.reason()).contains("provision-stack execution ci-v1 ended TIMED_OUT (States.Timeout)")
                    .contains("PROVISIONING");
        });
        assertThat(events.published(StackRequested.class)).extracting(StackRequested::specVersion).containsExactly(1L, 2L);
    }

    @Test
    void anUpdateWhoseExecutionCouldNotEvenRecordItsFailureIsFailedAndTheSamePostTriesAgain() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        makeActive("ci");
        commands.apply(valid(spec("ci", 4)), Optional.empty());
        workflows.finish(Workflow.PROVISION_STACK, "ci-v2", WorkflowStarter.Status.FAILED, Optional.of("MarkFailedFailed"));

        ApplyResult result = commands.apply(valid(spec("ci", 4)), Optional.empty());

        assertThat(result).isEqualTo(new ApplyResult.Accepted("ci", 3, StackStatus.UPDATING, Disposition.NEW_VERSION));
        assertThat(workflows.executions()).extracting(InMemoryWorkflowStarter.Execution::name).containsExactly("ci-v1", "ci-v2", "ci-v3");
    }

    @Test
    void anotherSpecPostedOverADeadCreationIsAcceptedInsteadOfRefused() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        store(StackTransitions.provisioningStarted(registry.get("ci").orElseThrow(), NOW));
        workflows.finish(Workflow.PROVISION_STACK, "ci-v1", WorkflowStarter.Status.ABORTED, Optional.empty());

        ApplyResult result = commands.apply(valid(spec("ci", 4)), Optional.empty());

        assertThat(result).isEqualTo(new ApplyResult.Accepted("ci", 2, StackStatus.PENDING, Disposition.NEW_VERSION));
    }

    @Test
    void aRetriedPostWhileTheExecutionStillRunsStaysInFlightAndWritesNothing() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        StackRecord provisioning = store(StackTransitions.provisioningStarted(registry.get("ci").orElseThrow(), NOW));

        ApplyResult result = commands.apply(valid(spec("ci", 3)), Optional.empty());

        assertThat(result).isEqualTo(new ApplyResult.Accepted("ci", 1, StackStatus.PROVISIONING, Disposition.IN_FLIGHT));
        assertThat(registry.get("ci")).contains(provisioning);
        assertThat(workflows.executions()).hasSize(1);
    }

    @Test
    void aRunThatRecordsItsOutcomeJustBeforeItClosesWinsOverTheMarkFailed() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        store(StackTransitions.provisioningStarted(registry.get("ci").orElseThrow(), NOW));
        // Between this request's read and its look at the execution, the run finalizes the stack and ends.
        RacingRegistry racing = new RacingRegistry(registry, () -> {
            StackRecord r = registry.get("ci").orElseThrow();
            store(StackTransitions.ready(r, "ci-asg", "arn:aws:cloudformation:us-east-1:1:stack/ci/1", NOW));
            workflows.finish(Workflow.PROVISION_STACK, "ci-v1", WorkflowStarter.Status.SUCCEEDED, Optional.empty());
        });
        StackCommands late = new StackCommands(racing, workflows, events, fleet, Clock.fixed(NOW, ZoneOffset.UTC));

        ApplyResult result = late.apply(valid(spec("ci", 3)), Optional.empty());

        assertThat(result).isEqualTo(new ApplyResult.Accepted("ci", 1, StackStatus.ACTIVE, Disposition.UNCHANGED));
        assertThat(registry.get("ci").orElseThrow().status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(events.published(StackFailed.class)).isEmpty();
    }

    @Test
    void aDeleteWhoseDestroyExecutionDiedIsFailedAndDeletingAgainStartsANewDestroyUnderANewName() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        makeActive("ci");
        commands.delete("ci");
        workflows.finish(Workflow.DESTROY_STACK, "ci-delete-v1", WorkflowStarter.Status.TIMED_OUT, Optional.of("States.Timeout"));

        DeleteResult again = commands.delete("ci");

        assertThat(again).isEqualTo(new DeleteResult.Accepted("ci", 2, StackStatus.DELETING));
        assertThat(workflows.executions()).filteredOn(e -> e.workflow() == Workflow.DESTROY_STACK)
                .extracting(InMemoryWorkflowStarter.Execution::name).containsExactly("ci-delete-v1", "ci-delete-v2");
        assertThat(workflows.executions()).last().satisfies(e -> assertThat(e.input()).isEqualTo("{\"stack\":\"ci\",\"specVersion\":2}"));
        assertThat(events.published()).filteredOn(e -> !(e instanceof StackRequested r && r.operation().equals("create")))
                .satisfiesExactly(
                        e -> assertThat(e).isEqualTo(new StackRequested("ci", 1, "delete", NOW)),
                        e -> assertThat(e).isInstanceOfSatisfying(StackFailed.class,
                                f -> assertThat(f.reason()).contains("destroy-stack execution ci-delete-v1 ended TIMED_OUT")),
                        e -> assertThat(e).isEqualTo(new StackRequested("ci", 2, "delete", NOW)));
    }

    @Test
    void deletingAgainAfterADestroyThatFailedStartsANewDestroyUnderANewName() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        makeActive("ci");
        commands.delete("ci");
        store(StackTransitions.failed(registry.get("ci").orElseThrow(), "DELETE_FAILED: bucket not empty", NOW));
        workflows.finish(Workflow.DESTROY_STACK, "ci-delete-v1", WorkflowStarter.Status.FAILED, Optional.of("StackFailed"));

        assertThat(commands.delete("ci")).isEqualTo(new DeleteResult.Accepted("ci", 2, StackStatus.DELETING));
        assertThat(workflows.executions()).last().extracting(InMemoryWorkflowStarter.Execution::name).isEqualTo("ci-delete-v2");
        assertThat(workflows.describe(Workflow.DESTROY_STACK, "ci-delete-v2")).hasValueSatisfying(
                run -> assertThat(run.status()).isEqualTo(WorkflowStarter.Status.RUNNING));
    }

    @Test
    void aRetriedDeleteStartsTheDestroyThatAFailedRequestStoredButNeverStarted() {
        commands.apply(valid(spec("ci", 3)), Optional.empty());
        store(StackTransitions.deleteRequested(makeActive("ci"), NOW));

        assertThat(commands.delete("ci")).isEqualTo(new DeleteResult.Accepted("ci", 1, StackStatus.DELETING));
        assertThat(workflows.executions()).last().extracting(InMemoryWorkflowStarter.Execution::name).isEqualTo("ci-delete-v1");
    }

    /** Hands every call to another starter; tests override what they change. */
    private static class ForwardingStarter implements WorkflowStarter {
        private final WorkflowStarter delegate;

        ForwardingStarter(WorkflowStarter delegate) {
            this.delegate = delegate;
        }

        @Override
        public StartResult start(Workflow workflow, String executionName, String inputJson) {
            return delegate.start(workflow, executionName, inputJson);
        }

        @Override
        public Optional<ExecutionStatus> describe(Workflow workflow, String executionName) {
            return delegate.describe(workflow, executionName);
        }
    }

    /** Runs a rival writer once, right after the first read, as a concurrent request would. */
    private static final class RacingRegistry implements StackRegistry {
        private final StackRegistry delegate;
        private Runnable rival;

        RacingRegistry(StackRegistry delegate, Runnable rival) {
            this.delegate = delegate;
            this.rival = rival;
        }

        @Override
        public Optional<StackRecord> get(String name) {
            Optional<StackRecord> read = delegate.get(name);
            if (rival != null) {
                Runnable r = rival;
                rival = null;
                r.run();
            }
            return read;
        }

        @Override
        public Page list(Optional<String> pageToken, int limit) {
            return delegate.list(pageToken, limit);
        }

        @Override
        public List<StackRecord> listLive() {
            return delegate.listLive();
        }

        @Override
        public PutResult put(StackRecord next) {
            return delegate.put(next);
        }
    }
}
