package io.agentstacks.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code agent-stacks local} itself: it serves, its clock runs faster than real time, and it stops cleanly. */
class LocalCommandRunTest {

    private static final Pattern SERVING = Pattern.compile("Local control plane on (http://127\\.0\\.0\\.1:\\d+) ");

    @Test
    void theServerRunsSimulatedTimeFasterThanRealTimeAndStops() throws Exception {
        LocalCommand command = new LocalCommand();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread running = new Thread(() -> exit.set(cli.execute("--port", "0", "--speed", "600")));
        running.start();
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> SERVING.matcher(out.toString()).find());
            Matcher m = SERVING.matcher(out.toString());
            assertThat(m.find()).isTrue();
            URI clock = URI.create(m.group(1) + "/local/clock");
            HttpClient http = HttpClient.newHttpClient();
            Instant first = Instant.parse(com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                    .readTree(http.send(HttpRequest.newBuilder(clock).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .path("simulatedTime").asText());
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                String body = http.send(HttpRequest.newBuilder(clock).build(), HttpResponse.BodyHandlers.ofString()).body();
                Instant now = Instant.parse(com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(body)
                        .path("simulatedTime").asText());
                return Duration.between(first, now).compareTo(Duration.ofMinutes(2)) >= 0;
            });
            assertThat(out.toString()).contains("agent-stacks apply --endpoint " + m.group(1)).contains("Stop with Ctrl-C.");
        } finally {
            command.stop.countDown();
            running.join(30_000);
        }
        assertThat(exit.get()).as(err.toString()).isZero();
    }

    @Test
    void whenTheSimulationFailsTheCommandExitsOneWithTheReasonAndDoesNotSayStopped() {
        LocalCommand command = new LocalCommand();
        command.onStarted = cp -> cp.time().after(Duration.ofMinutes(1), "a failing step", () -> {
            throw new IllegalStateException("a step failed");
        });
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute("--port", "0", "--speed", "600");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("agent-stacks: the local control plane stopped: a step failed");
        assertThat(out.toString()).contains("Local control plane on").doesNotContain("Stopped.");
    }
}
