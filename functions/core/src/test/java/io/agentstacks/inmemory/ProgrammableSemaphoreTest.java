package io.agentstacks.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.demand.Demand;
import io.agentstacks.demand.Observation;
import io.agentstacks.token.AgentToken;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class ProgrammableSemaphoreTest {

    static final String ACME = "https://acme.semaphoreci.com";
    static final Instant NOW = Instant.parse("2025-03-01T08:00:00Z");
    final ProgrammableSemaphore semaphore = new ProgrammableSemaphore(Clock.fixed(NOW, ZoneOffset.UTC));
    final AgentToken old = new AgentToken("old");
    final AgentToken fresh = new AgentToken("fresh");

    @Test
    void anAcceptedTokenSeesItsAgentTypesDemand() {
        semaphore.demand(ACME, old, new Demand(3, 1, 0, 1));

        assertThat(semaphore.observe(ACME, old)).isEqualTo(new Observation.Observed(new Demand(3, 1, 0, 1), NOW));
    }

    @Test
    void aTokenIsKnownOnlyToItsOwnOrganization() {
        semaphore.accept(ACME, old);

        assertThat(semaphore.observe("https://other.semaphoreci.com", old))
                .isEqualTo(new Observation.TokenRejected(401, NOW));
    }

    @Test
    void afterAResetTheOldTokenIsRefusedAndTheNewOneSeesTheSameDemand() {
        semaphore.demand(ACME, old, new Demand(2, 0, 0, 0));
        semaphore.reset(ACME, old, fresh);
        semaphore.refuseWith(404);

        assertThat(semaphore.observe(ACME, old)).isEqualTo(new Observation.TokenRejected(404, NOW));
        assertThat(semaphore.observe(ACME, fresh)).isEqualTo(new Observation.Observed(new Demand(2, 0, 0, 0), NOW));
        assertThatThrownBy(() -> semaphore.refuseWith(500)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anOutageAnswersUnavailableUntilRestored() {
        semaphore.accept(ACME, old);
        semaphore.outage(ACME, "timed out");

        assertThat(semaphore.observe(ACME, old)).isEqualTo(new Observation.Unavailable("timed out", NOW));
        semaphore.restore(ACME);
        assertThat(semaphore.observe(ACME, old)).isInstanceOf(Observation.Observed.class);
        assertThat(semaphore.calls()).hasSize(2);
    }
}
