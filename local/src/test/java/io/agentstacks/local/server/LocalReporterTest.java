package io.agentstacks.local.server;

import io.agentstacks.events.DomainEvent;
import io.agentstacks.token.TokenRotation;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class LocalReporterTest {

    private static final Instant T = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void aRefusedNewTokenFromSetTokenSaysTheParameterIsUnchanged() {
        assertThat(LocalReporter.describe(new DomainEvent.TokenRejected("ci", "/semaphore/ci/token", 401,
                TokenRotation.SOURCE_ROTATION, T)))
                .hasValue("Semaphore refuses the new token given for /semaphore/ci/token (HTTP 401); the parameter is unchanged");
    }

    @Test
    void aRefusedStoredTokenSaysTheTokenInTheParameterIsRefused() {
        assertThat(LocalReporter.describe(new DomainEvent.TokenRejected("ci", "/semaphore/ci/token", 401,
                TokenRotation.SOURCE_POLLER, T)))
                .hasValue("Semaphore refuses the token in /semaphore/ci/token (HTTP 401)");
        assertThat(LocalReporter.describe(new DomainEvent.TokenRejected("ci", "/semaphore/ci/token", 404,
                TokenRotation.SOURCE_DAILY_CHECK, T)))
                .hasValue("Semaphore refuses the token in /semaphore/ci/token (HTTP 404)");
    }
}
