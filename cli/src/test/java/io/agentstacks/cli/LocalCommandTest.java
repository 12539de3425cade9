package io.agentstacks.cli;

import io.agentstacks.local.LocalControlPlane;
import io.agentstacks.local.server.LocalServer;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.token.AgentToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** apply, get, set-token and delete against the local server, as against AWS; the clock driven by the test. */
class LocalCommandTest {

    private LocalControlPlane cp;
    private LocalServer server;
    private final List<String> notices = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        cp = LocalControlPlane.start(LocalControlPlane.Options.defaults());
        server = LocalServer.start(cp, 0, 1, notices::add);
    }

    @AfterEach
    void stop() {
        server.close();
        cp.close();
    }

    private String endpoint() {
        return server.uri().toString();
    }

    private boolean is(StackStatus status) {
        return cp.registry().get("linux-small").map(r -> r.status() == status).orElse(false);
    }

    private int desired() {
        return cp.group("linux-small").map(g -> g.desiredCapacity()).orElse(-1);
    }

    private HttpResponse<String> postJobs(String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve("/local/jobs"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theCommandsWorkAgainstTheLocalServerAsAgainstTheDeployedApi() throws Exception {
        CliRun apply = CliRun.run("apply", "--endpoint", endpoint(), "-f", CliRun.examples().resolve("linux-small.json").toString());
        assertThat(apply.exit()).as(apply.err()).isZero();
        assertThat(apply.out()).contains("linux-small: spec version 1 accepted (PENDING)");
        assertThat(notices).singleElement().asString().contains("created agent type linux-small")
                .contains("/semaphore/agents/linux-small/token");
        AgentToken generated = cp.semaphore().currentToken("linux-small");
        assertThat(notices.get(0)).doesNotContain(generated.reveal());

        cp.runUntil("ACTIVE", () -> is(StackStatus.ACTIVE), Duration.ofMinutes(30));
        CliRun active = CliRun.run("get", "--endpoint", endpoint(), "linux-small");
        assertThat(active.out()).contains("ACTIVE").contains("desired 0, in service 0, warm 0 (min 0, max 5)");

        cp.runUntil("polled", () -> cp.registry().get("linux-small").orElseThrow().lastDemand().isPresent(), Duration.ofMinutes(2));
        HttpResponse<String> queued = postJobs("{\"agentType\": \"linux-small\", \"count\": 3, \"durationSeconds\": 120}");
        assertThat(queued.statusCode()).isEqualTo(202);
        cp.runUntil("scaled", () -> desired() == 3, Duration.ofMinutes(1));
        assertThat(CliRun.run("get", "--endpoint", endpoint(), "linux-small").out()).contains("desired 3");
        cp.runUntil("back to min", () -> desired() == 0 && cp.group("linux-small").orElseThrow().inService() == 0,
                Duration.ofMinutes(30));
        assertThat(CliRun.run("get", "--endpoint", endpoint(), "linux-small").out()).contains("desired 0, in service 0");
        assertThat(CliRun.run("get", "--endpoint", endpoint()).out()).contains("linux-small").contains("ACTIVE");

        AgentToken fresh = cp.semaphore().resetToken("linux-small");
        cp.runUntil("DEGRADED", () -> is(StackStatus.DEGRADED), Duration.ofMinutes(2));
        StringWriter out = new StringWriter();
        int setToken = new CommandLine(new SetTokenCommand(new ByteArrayInputStream((fresh.reveal() + "\n")
                .getBytes(StandardCharsets.UTF_8)), () -> null, SetTokenCommand::defaultCredentials, Map.of()))
                .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
                .execute("linux-small", "--endpoint", endpoint());
        assertThat(setToken).as(out.toString()).isZero();
        assertThat(out.toString()).contains("is at version 2").doesNotContain(fresh.reveal());
        assertThat(is(StackStatus.ACTIVE)).isTrue();

        CliRun delete = CliRun.run("delete", "--endpoint", endpoint(), "linux-small");
        assertThat(delete.exit()).as(delete.err()).isZero();
        cp.runUntil("DELETED", () -> is(StackStatus.DELETED), Duration.ofHours(1));
        assertThat(CliRun.run("get", "--endpoint", endpoint(), "linux-small").out()).contains("DELETED");
    }

    @Test
    void badJobRequestsAndUnknownRoutesAreRefused() throws Exception {
        assertThat(postJobs("{\"agentType\": \"nope\", \"count\": 1, \"durationSeconds\": 60}").statusCode()).isEqualTo(404);
        assertThat(postJobs("{\"count\": -1}").body()).contains("agentType:").contains("count:").contains("durationSeconds:");
        HttpResponse<String> other = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve("/local/nothing"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void theCommandRefusesASpeedOutOfRangeAndAPortInUse() throws Exception {
        CliRun fast = CliRun.run("local", "--speed", "0");
        assertThat(fast.exit()).isEqualTo(2);
        assertThat(fast.err()).contains("--speed must be more than 0");
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            java.nio.file.Path log = java.nio.file.Files.createTempDirectory("local").resolve("never.log");
            CliRun busy = CliRun.run("local", "--port", Integer.toString(taken.getLocalPort()), "--log", log.toString());
            assertThat(busy.exit()).isEqualTo(2);
            assertThat(busy.err()).contains("port " + taken.getLocalPort() + " on 127.0.0.1 is in use");
            assertThat(log).as("the port is bound before anything else starts").doesNotExist();
            assertThat(busy.out()).doesNotContain("Local control plane on");
        }
    }
}
