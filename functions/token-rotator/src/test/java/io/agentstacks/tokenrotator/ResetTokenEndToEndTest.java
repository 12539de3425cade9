package io.agentstacks.tokenrotator;

import static io.agentstacks.tokenrotator.Fixture.ENDPOINT;
import static io.agentstacks.tokenrotator.Fixture.JSON;
import static io.agentstacks.tokenrotator.Fixture.putToken;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.demand.Demand;
import io.agentstacks.demand.Observation;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.stacks.StackTransitions;
import io.agentstacks.token.AgentToken;
import io.agentstacks.token.StoredToken;
import io.agentstacks.token.TokenRotation;

import java.time.Duration;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/**
 * A user resets the agent type's token in the Semaphore UI. One stack's poller notices at once, the
 * other's at the daily check; both are DEGRADED with the reason until the new token is PUT, then ACTIVE,
 * and what the poller reads next (the parameter's newest version) is accepted by Semaphore with the
 * agent type's demand, so scaling resumes at its next poll.
 */
class ResetTokenEndToEndTest {

    static final AgentToken OLD_A = new AgentToken("stackA-old-token-1111111111111111");
    static final AgentToken NEW_A = new AgentToken("stackA-new-token-2222222222222222");
    static final AgentToken OLD_B = new AgentToken("stackB-old-token-3333333333333333");
    static final AgentToken NEW_B = new AgentToken("stackB-new-token-4444444444444444");

    final Fixture f = new Fixture();

    @Test
    void aStackWhoseTokenWasResetIsDegradedUntilTheNewTokenIsPutThenActiveWithTheNewVersion() {
        f.liveStack("linux-a", OLD_A);
        f.liveStack("linux-b", OLD_B);
        f.semaphore.demand(ENDPOINT, OLD_A, new Demand(4, 1, 0, 1));
        f.semaphore.demand(ENDPOINT, OLD_B, new Demand(2, 0, 0, 0));

        // Tokens reset in the Semaphore UI.
        f.semaphore.reset(ENDPOINT, OLD_A, NEW_A);
        f.semaphore.reset(ENDPOINT, OLD_B, NEW_B);
        f.semaphore.refuseWith(404);

        // The poller of linux-a gets 404 and marks the stack DEGRADED at once (the scaling helper's poller
        // does this through the same transition).
        f.clock.advance(Duration.ofSeconds(10));
        Observation polled = f.semaphore.observe(ENDPOINT, f.tokens.read("linux-a-token").token());
        assertThat(polled).isEqualTo(new Observation.TokenRejected(404, f.clock.instant()));
        StackRecord a = f.record("linux-a");
        Fixture.stored(f.registry.put(StackTransitions.tokenRejected(a,
                TokenRotation.rejectedReason("linux-a", "linux-a-token", 404, "poller"), f.clock.instant())));

        // The daily check finds linux-b's token refused too.
        f.clock.advance(Duration.ofHours(6));
        f.invoke(JSON.createObjectNode().put("action", "dailyCheck"));

        assertThat(f.record("linux-a").status()).isEqualTo(StackStatus.DEGRADED);
        assertThat(f.record("linux-b").status()).isEqualTo(StackStatus.DEGRADED);
        assertThat(f.record("linux-b").reason()).hasValueSatisfying(r -> assertThat(r)
                .contains("HTTP 404", "daily check", "agent-stacks set-token linux-b"));
        assertThat(f.events.published(DomainEvent.TokenRejected.class))
                .extracting(DomainEvent.TokenRejected::stack, DomainEvent.TokenRejected::source)
                .contains(org.assertj.core.groups.Tuple.tuple("linux-b", "daily-check"));

        // The user PUTs the new tokens.
        f.clock.advance(Duration.ofMinutes(30));
        assertThat(f.invoke(putToken("linux-a", NEW_A)).status()).isEqualTo(200);
        assertThat(f.invoke(putToken("linux-b", NEW_B)).status()).isEqualTo(200);

        for (String stack : new String[] {"linux-a", "linux-b"}) {
            StackRecord after = f.record(stack);
            assertThat(after.status()).as(stack).isEqualTo(StackStatus.ACTIVE);
            assertThat(after.reason()).as(stack).isEmpty();
            assertThat(after.tokenParameterVersion()).as(stack).isEqualTo(OptionalLong.of(2));
            assertThat(after.tokenRotatedAt()).as(stack).contains(f.clock.instant());
        }
        assertThat(f.tokens.read("linux-a-token")).isEqualTo(new StoredToken(NEW_A, 2));
        assertThat(f.tokens.read("linux-b-token")).isEqualTo(new StoredToken(NEW_B, 2));

        // The parameter's newest version, which the poller uses at its next poll (it reads past its token cache
        // when the registry records a newer version: demand-poller's RotationUnderTheTokenCacheTest), sees the
        // demand again.
        f.clock.advance(Duration.ofSeconds(10));
        assertThat(f.semaphore.observe(ENDPOINT, f.tokens.read("linux-a-token").token()))
                .isEqualTo(new Observation.Observed(new Demand(4, 1, 0, 1), f.clock.instant()));

        // The next daily check finds nothing wrong.
        f.clock.advance(Duration.ofDays(1));
        assertThat(f.invoke(JSON.createObjectNode().put("action", "dailyCheck")).json().path("accepted").asInt())
                .isEqualTo(2);
    }
}
