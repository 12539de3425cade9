package io.agentstacks.deployer;

import static io.agentstacks.deployer.Fixture.input;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.inmemory.ForwardingStackRegistry;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

class ProvisionStepsTest {

    final Fixture f = new Fixture();

    @Test
    void aNewStackGoesFromPendingToActiveThroughEveryStep() throws Exception {
        f.accept(Fixture.spec("ci"));

        ObjectNode net = f.call("""
                {"action":"resolveNetwork","stack":"ci","specVersion":1,"startedAt":"2030-01-01T00:00:00.000Z"}""");
        assertThat(net).isEqualTo(SpecJson.MAPPER.readTree("""
                {"vpcId":"vpc-0default0000000001",
                 "subnetIds":["subnet-0default00000000a","subnet-0default00000000b","subnet-0default00000000c"],
                 "availabilityZones":["us-east-1a","us-east-1b","us-east-1c"],
                 "os":"ubuntu-noble","deadline":"2030-01-01T00:30:00Z"}"""));

        ObjectNode deploy = f.call("""
                {"action":"deploy","stack":"ci","specVersion":1,
                 "network":{"vpcId":"vpc-0default0000000001","subnetIds":["subnet-0default00000000a","subnet-0default00000000b"],
                            "availabilityZones":["us-east-1a","us-east-1b"],"os":"ubuntu-noble","deadline":"2030-01-01T00:30:00Z"},
                 "hostGroupArn":"","attempt":0,"deadline":"2030-01-01T00:30:00Z"}""");
        assertThat(deploy).isEqualTo(SpecJson.MAPPER.readTree("""
                {"outcome":"STARTED","operation":"create","waitSeconds":10,"attempt":1}"""));
        assertThat(f.record("ci").status()).isEqualTo(StackStatus.PROVISIONING);
        assertThat(f.cfn.calls()).singleElement().satisfies(c -> {
            assertThat(c.operation()).isEqualTo("CreateStack");
            assertThat(c.cloudFormationStackName()).isEqualTo("agent-stack-ci");
            assertThat(c.clientRequestToken()).isEqualTo("ci-v1-create");
        });

        String readStatus = """
                {"action":"readStatus","stack":"ci","specVersion":1,"workflow":"provision","attempt":1,"deadline":"2030-01-01T00:30:00Z"}""";
        assertThat(f.call(readStatus)).isEqualTo(SpecJson.MAPPER.readTree("""
                {"status":"IN_PROGRESS","stackStatus":"CREATE_IN_PROGRESS","waitSeconds":15,"attempt":2}"""));
        f.clock.advance(Duration.ofMinutes(3));
        assertThat(f.call(readStatus).get("status").asText()).isEqualTo("COMPLETE");

        ObjectNode fin = f.call("""
                {"action":"finalize","stack":"ci","specVersion":1}""");
        StackRecord r = f.record("ci");
        assertThat(fin.get("outcome").asText()).isEqualTo("APPLIED");
        assertThat(fin.get("groupName").asText()).startsWith("agent-stack-ci-AutoScalingGroup-").isEqualTo(r.groupName().orElseThrow());
        assertThat(fin.get("cloudFormationStackId").asText()).isEqualTo(r.cloudFormationStackId().orElseThrow());
        assertThat(r.status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(f.fleet.calls).containsExactly("suspendAzRebalance " + r.groupName().get());
        assertThat(f.events.published()).containsExactly(new DomainEvent.StackReady("ci", 1, r.groupName().get(), f.clock.instant()));
        assertThat(f.cfn.applied("agent-stack-ci").orElseThrow().parameters())
                .containsEntry("Subnets", "subnet-0default00000000a,subnet-0default00000000b")
                .containsEntry("MaxSize", "5").containsEntry("HostResourceGroupArn", "");
        assertThat(f.cfn.applied("agent-stack-ci").orElseThrow().tags()).containsEntry("agent-stacks:stack-name", "ci");
    }

    @Test
    void aRedeliveredDeployCreatesOneStackAndWritesTheRegistryOnce() {
        f.accept(Fixture.spec("ci"));
        String deploy = deployInput("ci", 1, 0, "");
        f.call(deploy);
        long revision = f.record("ci").revision();

        ObjectNode again = f.call(deploy);

        assertThat(again.get("outcome").asText()).isEqualTo("STARTED");
        assertThat(f.cfn.stackNames()).containsExactly("agent-stack-ci");
        assertThat(f.cfn.calls()).extracting(c -> c.clientRequestToken()).containsOnly("ci-v1-create");
        assertThat(f.record("ci").revision()).isEqualTo(revision);
    }

    @Test
    void aRedeliveredFinalizeIsANoOp() {
        f.accept(Fixture.spec("ci"));
        f.provision("ci");
        long revision = f.record("ci").revision();

        ObjectNode again = f.call(input("finalize", "ci", 1, null));

        assertThat(again.get("outcome").asText()).isEqualTo("ALREADY_DONE");
        assertThat(f.record("ci").revision()).isEqualTo(revision);
        assertThat(f.events.published(DomainEvent.StackReady.class)).hasSize(1);
        assertThat(f.fleet.calls).filteredOn(c -> c.startsWith("suspendAzRebalance")).hasSize(1);
    }

    @Test
    void anUpdateOfAnActiveStackUpdatesTheCloudFormationStack() {
        f.accept(Fixture.spec("ci"));
        f.provision("ci");
        f.accept(Fixture.spec("ci").toBuilder().maxSize(9).build());
        assertThat(f.record("ci").status()).isEqualTo(StackStatus.UPDATING);

        ObjectNode deploy = f.call(deployInput("ci", 2, 0, ""));

        assertThat(deploy.get("outcome").asText()).isEqualTo("STARTED");
        assertThat(deploy.get("operation").asText()).isEqualTo("update");
        assertThat(f.cfn.calls()).last().satisfies(c -> assertThat(c.clientRequestToken()).isEqualTo("ci-v2-update"));
        f.clock.advance(Duration.ofMinutes(2));
        assertThat(f.call(readStatus("ci", 2, 0)).get("stackStatus").asText()).isEqualTo("UPDATE_COMPLETE");
        f.call(input("finalize", "ci", 2, null));
        assertThat(f.record("ci").status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(f.record("ci").specVersion()).isEqualTo(2);
        assertThat(f.cfn.applied("agent-stack-ci").orElseThrow().parameters()).containsEntry("MaxSize", "9");
    }

    @Test
    void aSpecChangeTheTemplateDoesNotSeeHasNoChangesAndGoesStraightToReady() {
        f.accept(Fixture.spec("ci"));
        f.provision("ci");
        f.accept(Fixture.spec("ci").toBuilder().pollIntervalSeconds(20).build());

        ObjectNode deploy = f.call(deployInput("ci", 2, 0, ""));

        assertThat(deploy.get("outcome").asText()).isEqualTo("NO_CHANGES");
        assertThat(f.call(input("finalize", "ci", 2, null)).get("outcome").asText()).isEqualTo("APPLIED");
        assertThat(f.record("ci").status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(f.record("ci").specVersion()).isEqualTo(2);
    }

    @Test
    void anOlderExecutionDoesNothingOnceANewerSpecIsStored() {
        f.accept(Fixture.spec("ci"));
        f.provision("ci");
        f.accept(Fixture.spec("ci").toBuilder().maxSize(7).build());
        f.accept(Fixture.spec("ci").toBuilder().maxSize(8).build());
        int calls = f.cfn.calls().size();

        assertThat(f.call(deployInput("ci", 2, 0, "")).get("outcome").asText()).isEqualTo("SUPERSEDED");
        assertThat(f.call(input("finalize", "ci", 2, null)).get("outcome").asText()).isEqualTo("SUPERSEDED");
        assertThat(f.call(markFailed("ci", 2, "provision", "StackFailed", "late")).get("outcome").asText()).isEqualTo("SUPERSEDED");

        assertThat(f.cfn.calls()).hasSize(calls);
        assertThat(f.record("ci").status()).isEqualTo(StackStatus.UPDATING);
        assertThat(f.record("ci").specVersion()).isEqualTo(3);
        assertThat(f.events.published(DomainEvent.StackFailed.class)).isEmpty();
    }

    @Test
    void aStackBeingDeletedIsLeftToTheDestroyExecution() {
        f.accept(Fixture.spec("ci"));
        f.requestDelete("ci");

        assertThat(f.call(deployInput("ci", 1, 0, "")).get("outcome").asText()).isEqualTo("SUPERSEDED");
        assertThat(f.call(markFailed("ci", 1, "provision", "States.TaskFailed", "x")).get("outcome").asText()).isEqualTo("SUPERSEDED");
        assertThat(f.record("ci").status()).isEqualTo(StackStatus.DELETING);
        assertThat(f.cfn.calls()).isEmpty();
    }

    @Test
    void aFailedCreateIsReadAsFailedWithTheFirstFailedResourceAndMarkedFailed() {
        f.accept(Fixture.spec("ci"));
        f.cfn.failNextOperation("agent-stack-ci", "InstanceRole", "User is not authorized to perform: iam:CreateRole");
        f.call(deployInput("ci", 1, 0, ""));
        f.clock.advance(Duration.ofMinutes(5));

        ObjectNode status = f.call(readStatus("ci", 1, 3));
        assertThat(status.get("status").asText()).isEqualTo("FAILED");
        String reason = status.get("reason").asText();
        assertThat(reason).isEqualTo("ROLLBACK_COMPLETE: InstanceRole: User is not authorized to perform: iam:CreateRole");

        ObjectNode marked = f.call(markFailed("ci", 1, "provision", "StackFailed", reason));

        assertThat(marked.get("outcome").asText()).isEqualTo("APPLIED");
        assertThat(f.record("ci").status()).isEqualTo(StackStatus.FAILED);
        assertThat(f.record("ci").reason()).contains(reason);
        assertThat(f.events.published()).containsExactly(new DomainEvent.StackFailed("ci", 1, reason, f.clock.instant()));
        assertThat(f.call(markFailed("ci", 1, "provision", "StackFailed", "again")).get("outcome").asText()).isEqualTo("ALREADY_DONE");
        assertThat(f.events.published()).hasSize(1);
    }

    @Test
    void aStackLeftByAFailedCreateIsDeletedAndCreatedAnewForTheNextSpec() {
        f.accept(Fixture.spec("ci"));
        f.cfn.failNextOperation("agent-stack-ci", "InstanceRole", "denied");
        f.call(deployInput("ci", 1, 0, ""));
        f.clock.advance(Duration.ofMinutes(5));
        f.call(markFailed("ci", 1, "provision", "StackFailed", "denied"));
        f.accept(Fixture.spec("ci").toBuilder().maxSize(3).build());
        assertThat(f.record("ci").status()).isEqualTo(StackStatus.PENDING);

        ObjectNode first = f.call(deployInput("ci", 2, 0, ""));
        assertThat(first.get("outcome").asText()).isEqualTo("BUSY");
        assertThat(first.get("operation").asText()).isEqualTo("recreate");
        assertThat(f.cfn.calls()).last().satisfies(c -> {
            assertThat(c.operation()).isEqualTo("DeleteStack");
            assertThat(c.clientRequestToken()).isEqualTo("ci-v2-recreate");
        });

        assertThat(f.call(deployInput("ci", 2, 1, "")).get("outcome").asText()).as("deletion still running").isEqualTo("BUSY");
        f.clock.advance(Duration.ofMinutes(2));
        ObjectNode created = f.call(deployInput("ci", 2, 2, ""));
        assertThat(created.get("outcome").asText()).isEqualTo("STARTED");
        assertThat(created.get("operation").asText()).isEqualTo("create");
        assertThat(f.cfn.calls()).last().satisfies(c -> assertThat(c.clientRequestToken()).isEqualTo("ci-v2-create"));
    }

    @Test
    void theExecutionsOwnFailedCreateFailsInsteadOfLoopingOnRecreate() {
        f.accept(Fixture.spec("ci"));
        f.cfn.failNextOperation("agent-stack-ci", "InstanceRole", "denied");
        f.call(deployInput("ci", 1, 0, ""));
        f.clock.advance(Duration.ofMinutes(5));

        ObjectNode again = f.call(deployInput("ci", 1, 1, ""));

        assertThat(again.get("outcome").asText()).isEqualTo("FAILED");
        assertThat(again.get("reason").asText()).contains("stack creation failed").contains("InstanceRole: denied");
    }

    @Test
    void anUpdateWaitsWhileAnotherOperationRunsAndFailsAtTheDeadline() {
        f.accept(Fixture.spec("ci"));
        f.provision("ci");
        f.accept(Fixture.spec("ci").toBuilder().maxSize(7).build());
        f.call(deployInput("ci", 2, 0, ""));
        f.accept(Fixture.spec("ci").toBuilder().maxSize(8).build());

        ObjectNode busy = f.call(deployInput("ci", 3, 0, ""));
        assertThat(busy.get("outcome").asText()).isEqualTo("BUSY");
        assertThat(busy.get("waitSeconds").asInt()).isEqualTo(10);

        f.clock.advance(Duration.ofSeconds(30));
        ObjectNode late = f.call(deployInput("ci", 3, 1, "", f.clock.instant().toString()));
        assertThat(late.get("outcome").asText()).isEqualTo("FAILED");
        assertThat(late.get("reason").asText()).contains("timed out").contains("UPDATE_IN_PROGRESS");
    }

    @Test
    void aStackStillInProgressAtTheDeadlineHasTimedOut() {
        f.accept(Fixture.spec("ci"));
        f.call(deployInput("ci", 1, 0, ""));
        f.clock.advance(Duration.ofMinutes(1));

        ObjectNode s = f.call(input("readStatus", "ci", 1, "\"workflow\":\"provision\",\"attempt\":9,\"deadline\":\""
                + f.clock.instant() + "\""));

        assertThat(s.get("status").asText()).isEqualTo("FAILED");
        assertThat(s.get("reason").asText()).startsWith("timed out").contains("CREATE_IN_PROGRESS");
        assertThat(s.get("waitSeconds").asInt()).isEqualTo(60);
    }

    @Test
    void aMacStackIsPlacedOnTheHostGroupTheAllocatorMade() {
        f.accept(Fixture.spec("mac").toBuilder().os(OperatingSystem.MACOS).instanceType("mac2.metal").build());
        String arn = "arn:aws:resource-groups:us-east-1:123456789012:group/mac";

        f.call(deployInput("mac", 1, 0, arn));
        f.clock.advance(Duration.ofMinutes(3));

        assertThat(f.cfn.applied("agent-stack-mac").orElseThrow().parameters())
                .containsEntry("HostResourceGroupArn", arn).containsEntry("OsFamily", "macos");
        assertThat(f.call(input("resolveNetwork", "mac", 1, "\"startedAt\":\"2030-01-01T00:00:00Z\"")).get("deadline").asText())
                .isEqualTo("2030-01-01T03:00:00Z");
    }

    @Test
    void aSpecTheTemplateCannotTakeFailsTheDeployWithTheReason() {
        f.accept(Fixture.spec("ci").toBuilder().schedules(java.util.Collections.nCopies(11,
                new io.agentstacks.spec.Schedule("0 7 * * *", java.util.OptionalInt.of(1), java.util.OptionalInt.empty(), "Etc/UTC"))).build());
        ObjectNode d = f.call(deployInput("ci", 1, 0, ""));
        assertThat(d.get("outcome").asText()).isEqualTo("FAILED");
        assertThat(d.get("reason").asText()).contains("schedules");
        assertThat(f.cfn.calls()).isEmpty();
    }

    @Test
    void aLambdaErrorCaughtByTheStateMachineIsRecordedByItsMessageNotItsStackTrace() {
        f.accept(Fixture.spec("ci"));
        String cause = "{\\\"errorMessage\\\":\\\"CloudFormation CreateStack for stack agent-stack-ci failed: Access Denied\\\","
                + "\\\"errorType\\\":\\\"java.lang.IllegalStateException\\\",\\\"stackTrace\\\":[\\\"io.agentstacks.X.y(X.java:1)\\\"]}";

        f.call(markFailed("ci", 1, "provision", "java.lang.IllegalStateException", cause));

        assertThat(f.record("ci").reason()).contains("CloudFormation CreateStack for stack agent-stack-ci failed: Access Denied");
    }

    @Test
    void aLostRegistryRaceIsDecidedAgainAndAnnouncedOnce() {
        InMemoryStackRegistry inner = new InMemoryStackRegistry();
        StackRegistry racing = new ForwardingStackRegistry(inner) {
            boolean raced;

            @Override
            public PutResult put(StackRecord next) {
                if (!raced && next.status() == StackStatus.ACTIVE) {
                    raced = true; // the scaler wrote its decision in between
                    StackRecord current = inner.get(next.name()).orElseThrow();
                    inner.put(current.toBuilder().lastDemand(Optional.of(new io.agentstacks.stacks.DemandSnapshot(1, 0, 0, 0,
                            current.updatedAt()))).build());
                }
                return inner.put(next);
            }
        };
        Fixture g = new Fixture(io.agentstacks.inmemory.InMemoryNetwork.typical(), racing);
        inner.put(io.agentstacks.stacks.StackTransitions.specAccepted(Optional.empty(), Fixture.spec("ci"), g.clock.instant()));
        g.call(deployInput("ci", 1, 0, ""));
        g.clock.advance(Duration.ofMinutes(3));

        assertThat(g.call(input("finalize", "ci", 1, null)).get("outcome").asText()).isEqualTo("APPLIED");

        StackRecord r = inner.get("ci").orElseThrow();
        assertThat(r.status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(r.lastDemand()).as("the other writer's change is kept").isPresent();
        assertThat(g.events.published(DomainEvent.StackReady.class)).hasSize(1);
    }

    @Test
    void everyStepLogsOneJsonLineWithTheStackAndTheOutcome() throws Exception {
        f.accept(Fixture.spec("ci"));
        f.call(deployInput("ci", 1, 0, ""));
        JsonNode line = SpecJson.MAPPER.readTree(f.logs.get(0));
        assertThat(line.get("stack").asText()).isEqualTo("ci");
        assertThat(line.get("event").asText()).isEqualTo("stack-deployer.deploy");
        assertThat(line.get("outcome").asText()).isEqualTo("STARTED");
        assertThat(f.logs.get(0)).doesNotContain("/semaphore/ci/token");
    }

    static String deployInput(String stack, long v, int attempt, String hostGroupArn) {
        return deployInput(stack, v, attempt, hostGroupArn, "2030-01-01T00:30:00Z");
    }

    static String deployInput(String stack, long v, int attempt, String hostGroupArn, String deadline) {
        return input("deploy", stack, v, "\"network\":{\"vpcId\":\"vpc-0default0000000001\",\"subnetIds\":[\"subnet-0default00000000a\","
                + "\"subnet-0default00000000b\",\"subnet-0default00000000c\"],"
                + "\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"]},\"hostGroupArn\":\"" + hostGroupArn + "\",\"attempt\":" + attempt
                + ",\"deadline\":\"" + deadline + "\"");
    }

    static String readStatus(String stack, long v, int attempt) {
        return input("readStatus", stack, v, "\"workflow\":\"provision\",\"attempt\":" + attempt + ",\"deadline\":\"2030-01-01T00:30:00Z\"");
    }

    static String markFailed(String stack, long v, String workflow, String error, String cause) {
        return input("markFailed", stack, v, "\"workflow\":\"" + workflow + "\",\"error\":{\"Error\":\"" + error
                + "\",\"Cause\":\"" + cause + "\"}");
    }
}
