package io.agentstacks.tokenrotator;

import static io.agentstacks.tokenrotator.Fixture.ENDPOINT;
import static io.agentstacks.tokenrotator.Fixture.JSON;
import static io.agentstacks.tokenrotator.Fixture.putEvent;
import static io.agentstacks.tokenrotator.Fixture.putToken;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.token.AgentToken;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Everything a rotation and a rejection produce — every log line (standard output, standard error and
 * java.util.logging), every event, every registry write, every invocation's input and answer beyond the
 * request itself, every HTTP response — is searched for the tokens, which appear in none of them.
 */
class TokenNeverLeaksTest {

    static final AgentToken OLD = new AgentToken("k7Qm2ZxV9pLr4TbN8cWy3HjD6sFa1GeU");
    static final AgentToken GOOD = new AgentToken("R5tY8uI1oP4aS7dF0gH3jK6lZ9xC2vB");
    static final AgentToken BAD = new AgentToken("M1nB4vC7xZ0lK3jH6gF9dS2aP5oI8uY");

    final PrintStream realOut = System.out;
    final PrintStream realErr = System.err;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final List<LogRecord> julRecords = new ArrayList<>();
    final Handler julHandler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            julRecords.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Logger.getLogger("").addHandler(julHandler);
    }

    @AfterEach
    void restore() {
        System.setOut(realOut);
        System.setErr(realErr);
        Logger.getLogger("").removeHandler(julHandler);
    }

    @Test
    void noTokenAppearsInAnyLogLineEventRegistryWriteOrAnswerOfARotationAndARejection() {
        Fixture f = new Fixture(System.out); // the handler logs where a Lambda's logs go
        f.liveStack("linux-small", OLD);
        f.semaphore.accept(ENDPOINT, OLD);
        f.semaphore.reset(ENDPOINT, OLD, GOOD);
        List<String> answers = new ArrayList<>();

        // The daily check finds the reset token (rejection of the stored one), ...
        answers.add(f.invoke(JSON.createObjectNode().put("action", "dailyCheck")).raw());
        // ... a wrong token is refused by Semaphore, a malformed one by the handler, ...
        answers.add(f.invoke(putToken("linux-small", BAD)).raw());
        answers.add(f.invoke(putEvent("linux-small", "{\"token\":\"" + BAD.reveal() + " \"}")).raw());
        answers.add(f.invoke(putEvent("linux-small", "{\"" + BAD.reveal() + "\":\"" + GOOD.reveal() + "\"}")).raw());
        // ... an outage stops a good one, then it is set, and set again by a retry.
        f.semaphore.outage(ENDPOINT, "timed out");
        answers.add(f.invoke(putToken("linux-small", GOOD)).raw());
        f.semaphore.restore(ENDPOINT);
        answers.add(f.invoke(putToken("linux-small", GOOD)).raw());
        answers.add(f.invoke(putToken("linux-small", GOOD)).raw());
        answers.add(f.invoke(JSON.createObjectNode().put("action", "dailyCheck")).raw());

        String logs = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8)
                + julRecords.stream().map(r -> r.getLoggerName() + " " + r.getMessage() + " " + r.getThrown()).toList();
        String events = String.valueOf(f.events.published());
        String registryWrites = String.valueOf(f.registryWrites) + f.registry.all();

        // The capture saw what a rotation and a rejection do, so that finding nothing means something.
        assertThat(logs).contains("token.check", "token.put.rejected", "token.put.refused",
                "token.put.semaphoreUnavailable", "token.rotated", "token.rotated.unchanged");
        assertThat(events).contains("TokenRejected", "TokenRotated");
        assertThat(registryWrites).contains("DEGRADED", "ACTIVE");
        assertThat(answers).hasSize(8).allSatisfy(a -> assertThat(a).isNotBlank());
        assertThat(String.join("\n", answers)).contains("\"statusCode\":200", "\"statusCode\":422",
                "\"statusCode\":400", "\"statusCode\":503");

        for (AgentToken token : List.of(OLD, GOOD, BAD)) {
            String value = token.reveal();
            assertThat(logs).as("log lines").doesNotContain(value);
            assertThat(events).as("events").doesNotContain(value);
            assertThat(registryWrites).as("registry writes").doesNotContain(value);
            assertThat(answers).as("answers").noneMatch(a -> a.contains(value));
        }
    }
}
