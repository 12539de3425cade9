package io.agentstacks.local.semaphore;

import io.agentstacks.demand.Demand;
import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.local.SimulatedTime;
import io.agentstacks.local.semaphore.FakeSemaphore.AgentConfig;
import io.agentstacks.local.semaphore.FakeSemaphore.JobState;
import io.agentstacks.local.semaphore.FakeSemaphore.MetricsAnswer;
import io.agentstacks.local.semaphore.FakeSemaphore.ShutdownReason;
import io.agentstacks.token.AgentToken;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FakeSemaphoreTest {

    private static final String ORG = "my-org.semaphoreci.com";
    private static final AgentConfig AFTER_JOB = new AgentConfig(ORG, true, 300);
    private static final AgentConfig STAYING = new AgentConfig(ORG, false, 60);

    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final SimulatedTime time = new SimulatedTime(clock, new InMemoryFleetControl(clock));
    private final List<String> calls = new ArrayList<>();
    private boolean refuseDecrement;
    private final FakeSemaphore.InstanceHooks hooks = new FakeSemaphore.InstanceHooks() {
        @Override
        public void protect(String groupName, String instanceId, boolean on) {
            calls.add("protect " + instanceId + " " + on);
        }

        @Override
        public boolean terminate(String instanceId, boolean decrementDesired) {
            calls.add("terminate " + instanceId + (decrementDesired ? " decrement" : ""));
            return !(decrementDesired && refuseDecrement);
        }

        @Override
        public void powerOff(String instanceId) {
            calls.add("poweroff " + instanceId);
        }
    };
    private final List<String> log = new ArrayList<>();
    private final FakeSemaphore semaphore = new FakeSemaphore(time, hooks, log::add);
    private final AgentToken token = semaphore.createAgentType("ci", ORG);

    private Demand demand() {
        return semaphore.agentType("ci").orElseThrow().demand();
    }

    @Test
    void anAgentTakesOneJobAtATimeProtectingItsInstanceAndLeavesAfterItWithoutLoweringDesired() {
        semaphore.enqueue("ci", 2, 60);
        assertThat(demand()).isEqualTo(new Demand(2, 0, 0, 0));
        assertThat(semaphore.boot("i-1", "g", AFTER_JOB, token)).isTrue();
        assertThat(demand()).isEqualTo(new Demand(1, 1, 0, 1));
        assertThat(calls).containsExactly("protect i-1 true");

        time.advance(Duration.ofSeconds(60));
        assertThat(calls).containsExactly("protect i-1 true", "protect i-1 false", "terminate i-1");
        assertThat(semaphore.departures()).extracting(FakeSemaphore.Departure::reason).containsExactly(ShutdownReason.JOB_FINISHED);
        assertThat(demand()).as("the second job waits for a fresh agent").isEqualTo(new Demand(1, 0, 0, 0));
        assertThat(semaphore.jobs("ci")).extracting(FakeSemaphore.JobView::state).containsExactly(JobState.FINISHED, JobState.QUEUED);
    }

    @Test
    void anAgentThatStaysTakesTheNextJobAndLeavesIdleLoweringDesired() {
        semaphore.boot("i-1", "g", STAYING, token);
        semaphore.enqueue("ci", 2, 30);
        time.advance(Duration.ofSeconds(60));
        assertThat(semaphore.agentType("ci").orElseThrow().finishedJobs()).isEqualTo(2);
        assertThat(calls).doesNotContain("terminate i-1");
        time.advance(Duration.ofSeconds(59));
        assertThat(semaphore.departures()).isEmpty();
        time.advance(Duration.ofSeconds(1));
        assertThat(calls).endsWith("terminate i-1 decrement");
        assertThat(semaphore.departures()).extracting(FakeSemaphore.Departure::reason).containsExactly(ShutdownReason.IDLE);
        assertThat(demand()).isEqualTo(new Demand(0, 0, 0, 0));
    }

    @Test
    void anIdleAgentRefusedTheDecrementAtMinSizePowersItsInstanceOff() {
        refuseDecrement = true;
        semaphore.boot("i-1", "g", STAYING, token);
        time.advance(Duration.ofSeconds(60));
        assertThat(calls).containsExactly("terminate i-1 decrement", "poweroff i-1");
    }

    @Test
    void aTokenSemaphoreDoesNotAcceptFailsTheStartAndTheInstancePowersOff() {
        assertThat(semaphore.boot("i-1", "g", AFTER_JOB, new AgentToken("not-the-token"))).isFalse();
        assertThat(semaphore.boot("i-2", "g", new AgentConfig("other-org.semaphoreci.com", true, 0), token))
                .as("the token of another organization").isFalse();
        assertThat(calls).containsExactly("poweroff i-1", "poweroff i-2");
        assertThat(demand().agents()).isZero();
    }

    @Test
    void aResetTokenIsRefusedFromThenOnWhileRunningAgentsKeepWorking() {
        semaphore.enqueue("ci", 1, 600);
        semaphore.boot("i-1", "g", AFTER_JOB, token);
        AgentToken fresh = semaphore.resetToken("ci");
        assertThat(semaphore.metrics(token, Optional.of(ORG))).isInstanceOf(MetricsAnswer.Unauthorized.class);
        assertThat(semaphore.metrics(fresh, Optional.of(ORG))).isEqualTo(new MetricsAnswer.Metrics(new Demand(0, 1, 0, 1)));
        assertThat(semaphore.boot("i-2", "g", AFTER_JOB, token)).isFalse();
        assertThat(semaphore.isCurrentToken("ci", fresh)).isTrue();
        time.advance(Duration.ofSeconds(600));
        assertThat(semaphore.agentType("ci").orElseThrow().finishedJobs()).isEqualTo(1);
    }

    @Test
    void theMetricsRouteAnswersTheTokensAgentTypeInItsOrganizationOnly() {
        semaphore.createAgentType("other", "other-org.semaphoreci.com");
        semaphore.enqueue("ci", 3, 60);
        assertThat(semaphore.metrics(token, Optional.empty())).isEqualTo(new MetricsAnswer.Metrics(new Demand(3, 0, 0, 0)));
        assertThat(semaphore.metrics(token, Optional.of("https://My-Org.semaphoreci.com")))
                .isEqualTo(new MetricsAnswer.Metrics(new Demand(3, 0, 0, 0)));
        assertThat(semaphore.metrics(token, Optional.of("other-org.semaphoreci.com"))).isInstanceOf(MetricsAnswer.Unauthorized.class);
    }

    @Test
    void anOutageAnswersUnavailableForItsLengthOnly() {
        semaphore.outage(Duration.ofMinutes(2));
        assertThat(semaphore.metrics(token, Optional.empty())).isInstanceOf(MetricsAnswer.Unavailable.class);
        time.advance(Duration.ofSeconds(119));
        assertThat(semaphore.inOutage()).isTrue();
        time.advance(Duration.ofSeconds(1));
        assertThat(semaphore.metrics(token, Optional.empty())).isInstanceOf(MetricsAnswer.Metrics.class);
    }

    @Test
    void aJobWhoseInstanceEndsUnderItIsInterruptedAndTheAgentLeavesAsRequested() {
        semaphore.enqueue("ci", 1, 600);
        semaphore.boot("i-1", "g", AFTER_JOB, token);
        semaphore.instanceGone("i-1");
        assertThat(semaphore.jobs("ci")).extracting(FakeSemaphore.JobView::state).containsExactly(JobState.INTERRUPTED);
        assertThat(semaphore.departures()).extracting(FakeSemaphore.Departure::reason).containsExactly(ShutdownReason.REQUESTED);
        time.advance(Duration.ofSeconds(600));
        assertThat(calls).as("nothing more happens on a gone instance").containsExactly("protect i-1 true");
    }

    @Test
    void aTerminatingInstancesAgentFinishesItsJobBeforeTheLifecycleActionIsCompleted() {
        List<String> released = new ArrayList<>();
        semaphore.enqueue("ci", 1, 300);
        semaphore.boot("i-1", "g", STAYING, token);
        semaphore.boot("i-2", "g", STAYING, token);
        semaphore.terminating("i-2", () -> released.add("i-2"));
        assertThat(released).as("an idle agent lets its instance go at once").containsExactly("i-2");
        semaphore.terminating("i-1", () -> released.add("i-1"));
        assertThat(released).containsExactly("i-2");
        time.advance(Duration.ofSeconds(300));
        assertThat(released).as("after its job").containsExactly("i-2", "i-1");
        assertThat(semaphore.jobs("ci")).extracting(FakeSemaphore.JobView::state).containsExactly(JobState.FINISHED);
        assertThat(semaphore.departures()).extracting(FakeSemaphore.Departure::reason)
                .containsExactly(ShutdownReason.REQUESTED, ShutdownReason.REQUESTED);
        assertThat(calls).as("its shutdown hook does not terminate the instance a second time")
                .doesNotContain("terminate i-1", "terminate i-1 decrement");
        semaphore.terminating("i-3", () -> released.add("i-3"));
        assertThat(released).as("no agent: nothing to wait for").endsWith("i-3");
    }

    @Test
    void jobRequestsAndAgentTypesAreChecked() {
        assertThatThrownBy(() -> semaphore.enqueue("nope", 1, 1)).isInstanceOf(FakeSemaphore.NoSuchAgentType.class);
        assertThatThrownBy(() -> semaphore.enqueue("ci", 0, 1)).hasMessageContaining("count");
        assertThatThrownBy(() -> semaphore.enqueue("ci", 1, 0)).hasMessageContaining("durationSeconds");
        assertThatThrownBy(() -> semaphore.createAgentType("ci", ORG)).hasMessageContaining("exists");
    }

    @Test
    void noLogLineOrViewShowsAToken() {
        semaphore.enqueue("ci", 1, 10);
        semaphore.boot("i-1", "g", AFTER_JOB, token);
        semaphore.boot("i-2", "g", AFTER_JOB, new AgentToken("wrong-token-value"));
        time.advance(Duration.ofSeconds(20));
        assertThat(log).isNotEmpty().noneMatch(l -> l.contains(token.reveal()) || l.contains("wrong-token-value"));
        assertThat(semaphore.agentTypes().toString()).doesNotContain(token.reveal());
    }
}
