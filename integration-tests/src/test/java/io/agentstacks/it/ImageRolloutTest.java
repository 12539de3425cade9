package io.agentstacks.it;

import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A new agent AMI reaches a running fleet through the Image Builder rule of event-rules.json, killing no job. */
class ImageRolloutTest extends LocalScenario {

    private static final String STACK = "linux-small";
    private static final String SPEC = example("linux-small.json");

    @Test
    void anAvailableAgentImageRefreshesTheFleetOfItsOsAndArchWaitingForRunningJobs() throws Exception {
        agentTypeFor(SPEC);
        post(SPEC);
        untilStatus(STACK, StackStatus.ACTIVE, 1, Duration.ofMinutes(30));
        String group = record(STACK).groupName().orElseThrow();
        until("first poll of the stack", () -> record(STACK).lastDemand().isPresent(), Duration.ofMinutes(2));
        cp.semaphore().enqueue(STACK, 2, 600);
        until("two jobs run", () -> agentType(STACK).runningJobs() == 2, Duration.ofMinutes(5));
        List<String> before = cp.fleet().instances(group).stream().map(InMemoryFleetControl.InstanceView::instanceId).toList();

        cp.putEvent(JSON.readTree("""
                {"version":"0","id":"7d1c0a35-5b2f-4d4e-8f57-2a0c9f0e1b23","detail-type":"EC2 Image Builder Image State Change",
                 "source":"aws.imagebuilder","account":"000000000000","time":"2030-01-01T00:10:00Z","region":"us-east-1",
                 "resources":["arn:aws:imagebuilder:us-east-1:000000000000:image/semaphore-agent-ubuntu-noble-x86_64/1.0.4/1"],
                 "detail":{"previous-state":{"status":"DISTRIBUTING"},"state":{"status":"AVAILABLE"}}}"""));
        until("the refresh starts", () -> !cp.fleet().calls("StartInstanceRefresh").isEmpty(), Duration.ofMinutes(1));
        assertThat(cp.bus().deliveries()).anySatisfy(d -> {
            assertThat(d.rule()).isEqualTo("ImageAvailable");
            assertThat(d.target()).isEqualTo("function stack-deployer");
        });
        assertThat(cp.fleet().instances(group)).as("instances running jobs are waited for")
                .extracting(InMemoryFleetControl.InstanceView::instanceId).containsAll(before);

        until("every job done and every old instance replaced", () -> agentType(STACK).finishedJobs() == 2
                && cp.fleet().instances(group).stream().noneMatch(i -> before.contains(i.instanceId())), Duration.ofMinutes(30));
        assertThat(cp.semaphore().jobs(STACK)).allSatisfy(j -> assertThat(j.state().name()).isEqualTo("FINISHED"));
    }
}
