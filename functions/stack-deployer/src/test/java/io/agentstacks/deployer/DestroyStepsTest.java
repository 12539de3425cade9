package io.agentstacks.deployer;

import static io.agentstacks.deployer.Fixture.input;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;

class DestroyStepsTest {

    final Fixture f = new Fixture();

    String activeStackWithTwoInstances() {
        f.accept(Fixture.spec("ci"));
        String group = f.provision("ci").groupName().orElseThrow();
        f.fleet.add(group, 2, 2);
        f.requestDelete("ci");
        return group;
    }

    @Test
    void aGroupWhoseInstancesAreStillInTerminatingWaitIsNotDrained() throws Exception {
        String group = activeStackWithTwoInstances();
        f.call("""
                {"action":"scaleToZero","stack":"ci","specVersion":1,"startedAt":"2030-01-01T01:00:00Z"}""");
        String readInstances = """
                {"action":"readInstances","stack":"ci","specVersion":1,"groupName":"%s","attempt":0,"deadline":"2030-01-01T03:00:00Z"}"""
                .formatted(group);

        f.fleet.instancesTerminating(group, 1);
        assertThat(f.call(readInstances)).isEqualTo(SpecJson.MAPPER.readTree("""
                {"status":"DRAINING","remaining":1,"waitSeconds":10,"attempt":1}"""));

        f.fleet.instancesEnded(group);
        assertThat(f.call(readInstances).get("status").asText()).isEqualTo("DRAINED");
    }

    @Test
    void anActiveStackIsScaledToZeroDrainedDeletedAndMarkedDeleted() throws Exception {
        String group = activeStackWithTwoInstances();

        ObjectNode scaled = f.call("""
                {"action":"scaleToZero","stack":"ci","specVersion":1,"startedAt":"2030-01-01T01:00:00Z"}""");
        assertThat(scaled).isEqualTo(SpecJson.MAPPER.readTree("""
                {"outcome":"SCALED","groupName":"%s","os":"ubuntu-noble",
                 "drainDeadline":"2030-01-01T03:00:00Z","deadline":"2030-01-01T03:30:00Z"}""".formatted(group)));
        assertThat(f.fleet.calls).contains("updateSizes " + group + " 0/0/0");

        String readInstances = """
                {"action":"readInstances","stack":"ci","specVersion":1,"groupName":"%s","attempt":0,"deadline":"2030-01-01T03:00:00Z"}"""
                .formatted(group);
        assertThat(f.call(readInstances)).isEqualTo(SpecJson.MAPPER.readTree("""
                {"status":"DRAINING","remaining":2,"waitSeconds":10,"attempt":1}"""));
        f.fleet.instancesEnded(group);
        assertThat(f.call(readInstances).get("status").asText()).isEqualTo("DRAINED");

        ObjectNode delete = f.call("""
                {"action":"delete","stack":"ci","specVersion":1,"attempt":0,"deadline":"2030-01-01T03:30:00Z"}""");
        assertThat(delete).isEqualTo(SpecJson.MAPPER.readTree("""
                {"outcome":"STARTED","waitSeconds":10,"attempt":1}"""));
        assertThat(f.cfn.calls()).last().satisfies(c -> {
            assertThat(c.operation()).isEqualTo("DeleteStack");
            assertThat(c.clientRequestToken()).isEqualTo("ci-v1-delete");
        });

        String readStatus = """
                {"action":"readStatus","stack":"ci","specVersion":1,"workflow":"destroy","attempt":0,"deadline":"2030-01-01T03:30:00Z"}""";
        assertThat(f.call(readStatus).get("status").asText()).isEqualTo("IN_PROGRESS");
        f.clock.advance(Duration.ofMinutes(2));
        assertThat(f.call(readStatus)).isEqualTo(SpecJson.MAPPER.readTree("""
                {"status":"ABSENT","stackStatus":"","waitSeconds":10,"attempt":1}"""));

        assertThat(f.call("""
                {"action":"markDeleted","stack":"ci","specVersion":1}""").get("outcome").asText()).isEqualTo("APPLIED");
        assertThat(f.record("ci").status()).isEqualTo(StackStatus.DELETED);
        assertThat(f.events.published(DomainEvent.StackDeleted.class))
                .containsExactly(new DomainEvent.StackDeleted("ci", 1, f.clock.instant()));
        assertThat(f.call(input("markDeleted", "ci", 1, null)).get("outcome").asText()).isEqualTo("ALREADY_DONE");
        assertThat(f.events.published(DomainEvent.StackDeleted.class)).hasSize(1);
    }

    @Test
    void aStackWhoseCreationNeverHappenedHasNoGroupToDrain() {
        f.accept(Fixture.spec("ci"));
        f.requestDelete("ci");

        ObjectNode scaled = f.call(input("scaleToZero", "ci", 1, "\"startedAt\":\"2030-01-01T00:00:00Z\""));
        assertThat(scaled.get("outcome").asText()).isEqualTo("NO_GROUP");
        assertThat(scaled.get("groupName").asText()).isEmpty();
        assertThat(f.call(input("readInstances", "ci", 1, "\"groupName\":\"\",\"attempt\":0,\"deadline\":\"2030-01-01T02:00:00Z\""))
                .get("status").asText()).isEqualTo("DRAINED");
        assertThat(f.call(input("delete", "ci", 1, "\"attempt\":0,\"deadline\":\"2030-01-01T02:30:00Z\"")).get("outcome").asText())
                .isEqualTo("STARTED");
        assertThat(f.call(input("readStatus", "ci", 1, "\"workflow\":\"destroy\",\"attempt\":0,\"deadline\":\"2030-01-01T02:30:00Z\""))
                .get("status").asText()).isEqualTo("ABSENT");
    }

    @Test
    void theGroupIsFoundThroughCloudFormationEvenWhenTheRegistryNeverHeardOfIt() {
        f.accept(Fixture.spec("ci"));
        f.call(ProvisionStepsTest.deployInput("ci", 1, 0, ""));
        f.clock.advance(Duration.ofMinutes(3));
        String group = f.cfn.outputs("agent-stack-ci").orElseThrow().output("AutoScalingGroupName").orElseThrow();
        f.fleet.add(group, 1, 1);
        f.requestDelete("ci");

        ObjectNode scaled = f.call(input("scaleToZero", "ci", 1, "\"startedAt\":\"2030-01-01T00:10:00Z\""));

        assertThat(scaled.get("outcome").asText()).isEqualTo("SCALED");
        assertThat(scaled.get("groupName").asText()).isEqualTo(group);
    }

    @Test
    void instancesStillRunningJobsAtTheDrainDeadlineTimeOutWithTheReason() {
        String group = activeStackWithTwoInstances();
        ObjectNode r = f.call(input("readInstances", "ci", 1, "\"groupName\":\"" + group + "\",\"attempt\":40,\"deadline\":\""
                + f.clock.instant() + "\""));
        assertThat(r.get("status").asText()).isEqualTo("TIMED_OUT");
        assertThat(r.get("remaining").asInt()).isEqualTo(2);
        assertThat(r.get("reason").asText()).contains(group).contains("2 instance(s)").contains("Delete the stack again");
    }

    @Test
    void aStackBusyWithAnUpdateIsDeletedOnceTheUpdateIsOver() {
        f.accept(Fixture.spec("ci"));
        f.provision("ci");
        f.accept(Fixture.spec("ci").toBuilder().maxSize(9).build());
        f.call(ProvisionStepsTest.deployInput("ci", 2, 0, ""));
        f.requestDelete("ci");
        String deleteInput = input("delete", "ci", 2, "\"attempt\":0,\"deadline\":\"2030-01-01T05:00:00Z\"");

        assertThat(f.call(deleteInput).get("outcome").asText()).isEqualTo("BUSY");
        f.clock.advance(Duration.ofMinutes(2));
        assertThat(f.call(deleteInput).get("outcome").asText()).isEqualTo("STARTED");
    }

    @Test
    void aFailedDeletionIsReadAsFailedAndMarksTheStackFailed() {
        activeStackWithTwoInstances();
        f.cfn.failNextOperation("agent-stack-ci", "CacheBucket", "The bucket you tried to delete is not empty");
        f.call(input("delete", "ci", 1, "\"attempt\":0,\"deadline\":\"2030-01-01T05:00:00Z\""));
        f.clock.advance(Duration.ofMinutes(2));

        ObjectNode s = f.call(input("readStatus", "ci", 1, "\"workflow\":\"destroy\",\"attempt\":2,\"deadline\":\"2030-01-01T05:00:00Z\""));
        assertThat(s.get("status").asText()).isEqualTo("FAILED");
        assertThat(s.get("reason").asText()).isEqualTo("DELETE_FAILED: CacheBucket: The bucket you tried to delete is not empty");

        assertThat(f.call(ProvisionStepsTest.markFailed("ci", 1, "provision", "StackFailed", "x")).get("outcome").asText())
                .as("a provisioning failure cannot touch a stack being deleted").isEqualTo("SUPERSEDED");
        assertThat(f.call(ProvisionStepsTest.markFailed("ci", 1, "destroy", "StackFailed", s.get("reason").asText()))
                .get("outcome").asText()).isEqualTo("APPLIED");
        assertThat(f.record("ci").status()).isEqualTo(StackStatus.FAILED);
        assertThat(f.record("ci").reason()).contains("DELETE_FAILED: CacheBucket: The bucket you tried to delete is not empty");
    }

    @Test
    void aDestroyExecutionForAStackThatMovedOnDoesNothing() {
        activeStackWithTwoInstances();
        f.call(ProvisionStepsTest.markFailed("ci", 1, "destroy", "StackFailed", "drain timed out"));
        f.accept(Fixture.spec("ci").toBuilder().maxSize(2).build());
        int fleetCalls = f.fleet.calls.size();
        int cfnCalls = f.cfn.calls().size();

        assertThat(f.call(input("scaleToZero", "ci", 1, "\"startedAt\":\"2030-01-01T00:00:00Z\"")).get("outcome").asText())
                .isEqualTo("SUPERSEDED");
        assertThat(f.call(input("delete", "ci", 1, "\"attempt\":0,\"deadline\":\"2030-01-01T05:00:00Z\"")).get("outcome").asText())
                .isEqualTo("SUPERSEDED");
        assertThat(f.call(input("markDeleted", "ci", 1, null)).get("outcome").asText()).isEqualTo("SUPERSEDED");
        assertThat(f.fleet.calls).hasSize(fleetCalls);
        assertThat(f.cfn.calls()).hasSize(cfnCalls);
        assertThat(f.record("ci").status()).isEqualTo(StackStatus.UPDATING);
    }

    @Test
    void aMacStackReportsItsOsForTheHostDetachBranch() {
        f.accept(Fixture.spec("mac").toBuilder().os(OperatingSystem.MACOS).instanceType("mac2.metal").build());
        f.requestDelete("mac");
        ObjectNode scaled = f.call(input("scaleToZero", "mac", 1, "\"startedAt\":\"2030-01-01T00:00:00Z\""));
        assertThat(scaled.get("os").asText()).isEqualTo("macos");
        assertThat(scaled.get("deadline").asText()).isEqualTo("2030-01-01T05:00:00Z");
    }
}
