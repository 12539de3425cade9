package io.agentstacks.it.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.cli.AgentStacks;
import io.agentstacks.cli.ApiOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scenarios against a real AWS account and a real Semaphore organization: {@code mvn -B verify -Paws ...}
 * (README.md, "Integration tests against a real account"). Deploys the control plane with the CDK CLI, posts a
 * Linux spec through the deployed API with the {@code agent-stacks} CLI, sees the group scale with jobs and fall
 * back, deletes the stack, and destroys the control plane. Never part of the default build: the surefire
 * configuration runs these classes only with {@code -Paws}, and then every setting below must be given.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AwsScenariosTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AwsSettings settings;
    private String stack;
    private Path specFile;
    private boolean deployed;

    @BeforeAll
    void readSettingsAndDeploy() throws Exception {
        settings = AwsSettings.read(System.getProperties(), System.getenv(), AwsScenariosTest::credentialsFound);
        stack = "it-" + Long.toString(Instant.now().getEpochSecond(), 36);
        specFile = Files.createTempFile(stack, ".json");
        Files.writeString(specFile, spec().toString());
        if (settings.deploy()) {
            cdk("deploy", ApiOptions.DEFAULT_CONTROL_PLANE_STACK, "--require-approval", "never");
        }
        deployed = true;
    }

    @AfterAll
    void deleteAndDestroy() throws Exception {
        try {
            if (deployed) {
                cli("delete", stack, "--wait", "--timeout", "3h");
            }
        } finally {
            if (deployed && settings.deploy() && !settings.keepControlPlane()) {
                cdk("destroy", ApiOptions.DEFAULT_CONTROL_PLANE_STACK, "--force");
            }
            Files.deleteIfExists(specFile);
        }
    }

    @Test
    @Order(1)
    void aPostedSpecBecomesActive() throws IOException {
        CliResult r = cli("apply", "-f", specFile.toString(), "--wait", "--timeout", "45m");
        assertThat(r.exit()).as(r.text()).isZero();
        JsonNode s = stackJson();
        assertThat(s.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(s.path("group").path("maxSize").asInt()).isEqualTo(2);
    }

    @Test
    @Order(2)
    void theGroupScalesWithJobsAndFallsBack() throws Exception {
        if (settings.semaphoreApiToken().isPresent()) {
            runWorkflow();
        } else {
            System.out.println("[aws-it] run a Semaphore pipeline with jobs on the agent type of " + settings.tokenParameter()
                    + " within " + settings.jobWait().toMinutes() + " minutes");
        }
        await().atMost(settings.jobWait()).pollInterval(Duration.ofSeconds(15))
                .until(() -> stackJson().path("group").path("desired").asInt() > 0);
        await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofSeconds(15))
                .until(() -> stackJson().path("group").path("inService").asInt() > 0);
        await().atMost(Duration.ofMinutes(60)).pollInterval(Duration.ofSeconds(30))
                .until(() -> stackJson().path("group").path("desired").asInt() == 0);
    }

    private static boolean credentialsFound() {
        try {
            software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider.builder().build().resolveCredentials();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---- the user's spec, the CLI, the CDK ------------------------------------------------------------------

    private ObjectNode spec() throws IOException {
        ObjectNode s = (ObjectNode) JSON.readTree(Files.readString(settings.repository().resolve("examples/linux-small.json")));
        s.put("stackName", stack);
        s.put("agentTokenParameterName", settings.tokenParameter());
        s.put("semaphoreOrganization", settings.organization());
        s.put("maxSize", 2);
        s.put("disconnectAfterIdleSeconds", 120);
        return s;
    }

    private JsonNode stackJson() throws IOException {
        CliResult r = cli("get", stack, "-o", "json");
        assertThat(r.exit()).as(r.text()).isZero();
        return JSON.readTree(r.out());
    }

    private CliResult cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--region");
        all.add(settings.region());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = AgentStacks.newCommandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int exit = cli.execute(all.toArray(String[]::new));
        return new CliResult(exit, out.toString(), err.toString());
    }

    private record CliResult(int exit, String out, String err) {
        String text() {
            return out + err;
        }
    }

    private void cdk(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("npx", "--yes", "aws-cdk@2"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(settings.repository().toFile()).inheritIO();
        pb.environment().put("AWS_REGION", settings.region());
        Process p = pb.start();
        if (!p.waitFor(2, TimeUnit.HOURS)) {
            p.destroyForcibly();
            throw new IllegalStateException("cdk " + String.join(" ", args) + " did not finish within 2 h");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("cdk " + String.join(" ", args) + " failed with status " + p.exitValue());
        }
    }

    /** Semaphore's API: runs the project's pipeline on the branch, whose jobs use the agent type. */
    private void runWorkflow() throws IOException, InterruptedException {
        URI uri = URI.create("https://" + settings.organization() + ".semaphoreci.com/api/v1alpha/plumber-workflows");
        String body = "project_id=" + settings.semaphoreProjectId().orElseThrow() + "&reference=refs/heads/"
                + settings.semaphoreBranch();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                .header("Authorization", "Token " + settings.semaphoreApiToken().orElseThrow())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("Semaphore's run workflow API").isBetween(200, 299);
    }
}
