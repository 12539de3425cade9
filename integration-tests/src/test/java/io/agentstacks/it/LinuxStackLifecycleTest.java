package io.agentstacks.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.local.semaphore.FakeSemaphore;
import io.agentstacks.local.sfn.StateMachineRunner;
import io.agentstacks.stacks.AgentStackNames;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** examples/linux-small.json through the real stack API: create, scale with jobs, update, delete. */
class LinuxStackLifecycleTest extends LocalScenario {

    private static final String STACK = "linux-small";
    private static final String SPEC = example("linux-small.json");

    private String createActive() {
        agentTypeFor(SPEC);
        post(SPEC);
        untilStatus(STACK, StackStatus.ACTIVE, 1, Duration.ofMinutes(30));
        return record(STACK).groupName().orElseThrow();
    }

    @Test
    void aLinuxStackScalesUpWithItsJobsAndBackToItsMinimumWhenTheyAreDone() {
        String group = createActive();
        assertThat(group(STACK)).satisfies(g -> {
            assertThat(g.groupName()).isEqualTo(group);
            assertThat(g.minSize()).isZero();
            assertThat(g.maxSize()).isEqualTo(5);
            assertThat(g.desiredCapacity()).isZero();
            assertThat(g.instanceType()).isEqualTo("t3.small");
        });
        assertThat(events(DomainEvent.StackReady.class, STACK)).hasSize(1);

        // The poll-demand execution of a minute polls the stacks live at its start: from the next minute on.
        until("first poll of the stack", () -> record(STACK).lastDemand().isPresent(), Duration.ofMinutes(2));
        Instant queued = cp.now();
        cp.semaphore().enqueue(STACK, 8, 180);
        Duration reaction = until("scaled up", () -> desired(STACK) > 0, Duration.ofMinutes(2));
        assertThat(reaction).as("one poll interval (10 s) and EventBridge's delivery").isLessThanOrEqualTo(Duration.ofMillis(10_500));
        assertThat(desired(STACK)).as("8 jobs, at most maxSize 5").isEqualTo(5);

        AtomicInteger mostInService = new AtomicInteger();
        until("every job done", () -> {
            mostInService.accumulateAndGet(group(STACK).inService(), Math::max);
            assertThat(desired(STACK)).isLessThanOrEqualTo(5);
            return agentType(STACK).finishedJobs() == 8;
        }, Duration.ofMinutes(30));
        assertThat(mostInService.get()).isEqualTo(5);
        assertThat(cp.semaphore().jobs(STACK)).allSatisfy(j -> {
            assertThat(j.state()).isEqualTo(FakeSemaphore.JobState.FINISHED);
            assertThat(j.startedAt().orElseThrow()).isAfter(queued);
        });
        JsonNode busy = get(STACK).path("group");
        assertThat(busy.path("desired").asInt()).isPositive();

        Duration drain = until("back to min", () -> desired(STACK) == 0 && group(STACK).inService() == 0
                && group(STACK).pending() == 0, Duration.ofMinutes(30));
        assertThat(drain).as("idle agents leave after disconnectAfterIdleSeconds (300 s)").isGreaterThan(Duration.ofSeconds(300));
        assertThat(cp.semaphore().departures()).extracting(FakeSemaphore.Departure::reason)
                .contains(FakeSemaphore.ShutdownReason.JOB_FINISHED, FakeSemaphore.ShutdownReason.IDLE);
        JsonNode idle = get(STACK).path("group");
        assertThat(idle.path("desired").asInt()).isZero();
        assertThat(idle.path("inService").asInt()).isZero();
        assertThat(events(DomainEvent.ScalingDecision.class, STACK)).anySatisfy(d -> {
            assertThat(d.action()).isEqualTo("scale");
            assertThat(d.desired()).isEqualTo(5);
        });
        assertThat(cp.fleet().calls("SetDesiredCapacity")).allSatisfy(c -> assertThat(c.groupName()).isEqualTo(group));
    }

    @Test
    void anUpdatedSpecIsAppliedToTheRunningGroup() throws Exception {
        String group = createActive();
        String updated = with(with(SPEC, "maxSize", 8), "instanceType", "t3.large");
        assertThat(JSON.readTree(post(updated).body()).path("version").asLong()).isEqualTo(2);
        assertThat(record(STACK).status()).isEqualTo(StackStatus.UPDATING);

        untilStatus(STACK, StackStatus.ACTIVE, 2, Duration.ofMinutes(30));
        assertThat(group(STACK)).satisfies(g -> {
            assertThat(g.groupName()).as("the same group, updated in place").isEqualTo(group);
            assertThat(g.maxSize()).isEqualTo(8);
            assertThat(g.instanceType()).isEqualTo("t3.large");
        });
        assertThat(cp.stacks().applied(AgentStackNames.cloudFormationStackName(STACK)).orElseThrow().parameters())
                .containsEntry("MaxSize", "8").containsEntry("InstanceType", "t3.large");
        assertThat(get(STACK).path("group").path("maxSize").asInt()).isEqualTo(8);
        assertThat(cp.stateMachines().executions("provision-stack")).extracting(StateMachineRunner.ExecutionView::name,
                StateMachineRunner.ExecutionView::status).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("linux-small-v1", StateMachineRunner.Status.SUCCEEDED),
                        org.assertj.core.groups.Tuple.tuple("linux-small-v2", StateMachineRunner.Status.SUCCEEDED));

        cp.semaphore().enqueue(STACK, 7, 120);
        until("scaled beyond the old maximum", () -> desired(STACK) == 7, Duration.ofMinutes(2));
        until("agents on the new instances", () -> agentType(STACK).occupiedAgents() == 7, Duration.ofMinutes(5));
        assertThat(cp.fleet().instances(group)).filteredOn(i -> i.state() == InMemoryFleetControl.State.IN_SERVICE)
                .hasSize(7)
                .allSatisfy(i -> assertThat(cp.instances().instanceType(i.instanceId())).hasValue("t3.large"));
    }

    @Test
    void aDeletedStackIsGoneOnceItsRunningJobHasFinished() {
        String group = createActive();
        cp.semaphore().enqueue(STACK, 1, 900);
        until("the job runs", () -> agentType(STACK).runningJobs() == 1, Duration.ofMinutes(5));

        assertThat(cp.api("DELETE", "/stacks/" + STACK, null).status()).isEqualTo(202);
        assertThat(record(STACK).status()).isEqualTo(StackStatus.DELETING);
        until("scaled to zero", () -> cp.fleet().describe(group).map(g -> g.maxSize() == 0).orElse(true), Duration.ofMinutes(2));
        assertThat(cp.fleet().instances(group)).as("the agent's job keeps its protected instance")
                .anySatisfy(i -> assertThat(i.protectedFromScaleIn()).isTrue());

        untilStatus(STACK, StackStatus.DELETED, 1, Duration.ofHours(1));
        assertThat(cp.semaphore().jobs(STACK)).singleElement()
                .satisfies(j -> assertThat(j.state()).isEqualTo(FakeSemaphore.JobState.FINISHED));
        assertThat(cp.stacks().stackNames()).as("no CloudFormation stack").isEmpty();
        assertThat(cp.fleet().exists(group)).as("no Auto Scaling group").isFalse();
        JsonNode gone = get(STACK);
        assertThat(gone.path("status").asText()).isEqualTo("DELETED");
        assertThat(gone.path("group").path("desired").isMissingNode()).isTrue();
        assertThat(events(DomainEvent.StackDeleted.class, STACK)).hasSize(1);
        assertThat(cp.stateMachines().executions("destroy-stack")).singleElement()
                .satisfies(e -> assertThat(e.status()).isEqualTo(StateMachineRunner.Status.SUCCEEDED));
    }
}
