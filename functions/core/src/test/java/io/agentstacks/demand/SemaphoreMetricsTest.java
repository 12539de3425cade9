package io.agentstacks.demand;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

class SemaphoreMetricsTest {

    private static final Instant AT = Instant.parse("2030-01-01T00:00:00Z");

    private static Observation read(int status, String body) {
        return SemaphoreMetrics.read(status, body.getBytes(StandardCharsets.UTF_8), AT);
    }

    @ParameterizedTest(name = "{0} {1} → {2}/{3}/{4}/{5}")
    @CsvSource(delimiter = '|', value = {
            "200 | {\"jobs\":{\"queued\":3,\"running\":2},\"agents\":{\"idle\":1,\"occupied\":2}} | 3 | 2 | 1 | 2",
            "200 | {\"jobs\":{\"queued\":3},\"agents\":{}}                                          | 3 | 0 | 0 | 0",
            "200 | {\"jobs\":{\"queued\":null,\"running\":1},\"agents\":{\"idle\":0,\"occupied\":1},\"x\":1} | 0 | 1 | 0 | 1",
    })
    void aMetricsAnswerIsTheDemandItCountsWithAStateLeftOutCountingZero(int status, String body, int queued, int running,
                                                                        int idle, int occupied) {
        assertThat(read(status, body)).isEqualTo(new Observation.Observed(new Demand(queued, running, idle, occupied), AT));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"401", "404"})
    void unauthorizedAndNotFoundMeanTheTokenIsRefused(int status) {
        assertThat(read(status, "{\"message\":\"Unauthorized\"}")).isEqualTo(new Observation.TokenRejected(status, AT));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "503 | {}                                                      | HTTP 503",
            "302 | {}                                                      | HTTP 302",
            "200 | <html>secret-looking-body</html>                         | malformed response: not JSON",
            "200 | [1,2]                                                   | malformed response: not a JSON object",
            "200 | {\"agents\":{}}                                         | malformed response: no \"jobs\" object",
            "200 | {\"jobs\":{\"queued\":-1},\"agents\":{}}                | malformed response: jobs.queued is not a count",
            "200 | {\"jobs\":{\"queued\":1.5},\"agents\":{}}               | malformed response: jobs.queued is not a count",
            "200 | {\"jobs\":{\"queued\":\"3\"},\"agents\":{}}             | malformed response: jobs.queued is not a count",
            "200 | {\"jobs\":{\"queued\":99999999999},\"agents\":{}}       | malformed response: jobs.queued is not a count",
    })
    void anythingElseIsUnavailableWithAReasonThatNeverQuotesTheBody(int status, String body, String reason) {
        assertThat(read(status, body)).isEqualTo(new Observation.Unavailable(reason, AT));
    }
}
