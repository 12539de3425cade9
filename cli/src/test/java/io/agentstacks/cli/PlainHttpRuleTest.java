package io.agentstacks.cli;

import io.agentstacks.cli.api.ApiClient;
import io.agentstacks.cli.api.Loopback;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One rule for plain http, for every command: only to this machine. Requests carry SigV4 headers (with a session
 * token) and set-token's body carries the registration token; neither may cross the network in clear text.
 */
class PlainHttpRuleTest {

    private static final String REMOTE = "http://api.example.com/prod/";

    @Test
    void plainHttpIsAllowedToEveryLoopbackAddressAndNowhereElse() {
        assertThat(Loopback.endpointProblem(URI.create("http://127.0.0.1:8080/"))).isEmpty();
        assertThat(Loopback.endpointProblem(URI.create("http://127.0.0.2:8080/"))).isEmpty();
        assertThat(Loopback.endpointProblem(URI.create("http://localhost:8080/"))).isEmpty();
        assertThat(Loopback.endpointProblem(URI.create("http://[::1]:8080/"))).isEmpty();
        assertThat(Loopback.endpointProblem(URI.create("https://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod/"))).isEmpty();
        assertThat(Loopback.endpointProblem(URI.create(REMOTE))).get().asString().contains("must use https");
        assertThat(Loopback.endpointProblem(URI.create("http://10.0.0.1/"))).get().asString().contains("must use https");
        assertThat(Loopback.endpointProblem(URI.create("http://127.example.com/"))).get().asString().contains("must use https");
        assertThat(Loopback.endpointProblem(URI.create("ftp://example.com/"))).get().asString().contains("http(s) URL");
    }

    @Test
    void theApiClientItselfRefusesPlainHttpToAnotherMachine() {
        assertThatThrownBy(() -> new ApiClient(URI.create(REMOTE), Region.EU_WEST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDX", "secret")), ApiClient.defaultHttpClient()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must use https");
    }

    @Test
    void applyGetAndDeleteRefusePlainHttpToAnotherMachineBeforeSendingAnything() throws Exception {
        Path spec = Files.createTempFile("spec", ".json");
        try {
            Files.writeString(spec, "{\"stackName\":\"ci-linux\"}");
            for (String[] args : new String[][] {
                    {"apply", "--file", spec.toString()}, {"get", "ci-linux"}, {"get"}, {"delete", "ci-linux"}}) {
                String[] full = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                        java.util.stream.Stream.of("--endpoint=" + REMOTE, "--region=eu-west-1")).toArray(String[]::new);
                CliRun run = CliRun.run(full);
                assertThat(run.exit()).as(String.join(" ", args)).isEqualTo(2);
                assertThat(run.err()).as(String.join(" ", args)).contains("--endpoint must use https");
            }
        } finally {
            Files.delete(spec);
        }
    }

    @Test
    void setTokenFollowsTheSameRule() {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new SetTokenCommand(new ByteArrayInputStream("tok-123\n".getBytes(StandardCharsets.UTF_8)),
                () -> null, () -> StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDX", "secret")), Map.of()))
                .setOut(new PrintWriter(new StringWriter(), true)).setErr(new PrintWriter(err, true))
                .execute("linux-small", "--endpoint", REMOTE);

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--endpoint must use https").doesNotContain("tok-123");
    }
}
