package io.agentstacks.cli;

import com.sun.net.httpserver.HttpServer;
import io.agentstacks.cli.api.ApiClient;
import io.agentstacks.cli.api.ApiException;
import io.agentstacks.cli.api.ApiResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * "Try it without AWS" starts {@code agent-stacks local} in the background and calls it on the next line: a call to
 * this machine waits for the server to listen, and says so once.
 */
class LocalStartWaitTest {

    private static final StaticCredentialsProvider KEYS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDLOCALWAIT", "local-wait-secret"));

    private final List<String> notices = new CopyOnWriteArrayList<>();
    private HttpServer late;

    @AfterEach
    void stop() {
        if (late != null) {
            late.stop(0);
        }
    }

    @Test
    void aCallToThisMachineWaitsForAServerThatStartsListeningLater() throws Exception {
        int port = freeLoopbackPort();
        ApiClient client = new ApiClient(URI.create("http://127.0.0.1:" + port + "/"), Region.US_EAST_1, KEYS,
                ApiClient.defaultHttpClient(), notices::add, Duration.ofSeconds(30));

        CompletableFuture<ApiResponse> call = CompletableFuture.supplyAsync(() -> {
            try {
                return client.get("linux-small");
            } catch (ApiException e) {
                throw new IllegalStateException(e);
            }
        });
        // The first connection was refused and the client said it waits; only now does the server start.
        await().atMost(Duration.ofSeconds(10)).until(() -> !notices.isEmpty());
        assertThat(call).isNotDone();
        late = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        late.createContext("/", exchange -> {
            byte[] body = "{\"name\":\"linux-small\",\"status\":\"ACTIVE\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        late.start();

        ApiResponse response = call.get(20, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("ACTIVE");
        assertThat(notices).singleElement().asString()
                .isEqualTo("agent-stacks: waiting for the local control plane at http://127.0.0.1:" + port
                        + "/ to start (agent-stacks local)…");
    }

    @Test
    void aCallToThisMachineGivesUpWhenNothingListensWithinTheWait() throws Exception {
        int port = freeLoopbackPort();
        ApiClient client = new ApiClient(URI.create("http://127.0.0.1:" + port + "/"), Region.US_EAST_1, KEYS,
                ApiClient.defaultHttpClient(), notices::add, Duration.ofMillis(500));

        assertThatThrownBy(() -> client.get("linux-small")).isInstanceOf(ApiException.class)
                .hasMessageStartingWith("cannot reach http://127.0.0.1:" + port + "/stacks/linux-small: ConnectException");
        assertThat(notices).hasSize(1);
    }

    @Test
    void theCommandsSayOnStandardErrorThatTheyWaitAndThenFailWithOneLine() throws Exception {
        int port = freeLoopbackPort();

        CliRun run = CliRun.run("get", "linux-small", "--endpoint=http://127.0.0.1:" + port + "/", "--region=us-east-1",
                "--local-start-wait=1s");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(2);
        assertThat(run.errLines().get(0)).startsWith("agent-stacks: waiting for the local control plane at http://127.0.0.1:" + port);
        assertThat(run.errLines().get(1)).startsWith("agent-stacks: cannot reach http://127.0.0.1:" + port);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
