package io.agentstacks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.cli.SignedApiServer.Received;
import io.agentstacks.cli.SignedApiServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

class ApiCommandsTest {

    private static final String SPEC = """
            {
              "stackName": "ci-linux",
              "agentTokenParameterName": "/semaphore/ci-linux/token",
              "semaphoreOrganization": "acme",
              "instanceType": "t3.large",
              "maxSize": 5
            }
            """;

    private static final String ACTIVE = """
            {"name":"ci-linux","specVersion":2,"status":"ACTIVE","groupName":"ci-linux-asg",
             "spec":{"stackName":"ci-linux","os":"ubuntu-noble","arch":"x86_64","instanceType":"t3.large","minSize":0,"maxSize":5},
             "group":{"name":"ci-linux-asg","minSize":0,"maxSize":5,"desired":2,"inService":2,"warm":0},
             "lastDemand":{"queuedJobs":1,"runningJobs":1,"idleAgents":0,"occupiedAgents":2,"observedAt":"2025-01-01T10:00:00Z"},
             "lastDecision":{"action":"scale","previousDesired":1,"desired":2,"reason":"2 jobs need agents","observedAt":"2025-01-01T10:00:00Z","decidedAt":"2025-01-01T10:00:01Z"},
             "hosts":[],"createdAt":"2025-01-01T09:00:00Z","updatedAt":"2025-01-01T10:00:01Z"}
            """;

    @TempDir
    Path dir;

    private SignedApiServer api;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void startApi() throws IOException {
        api = new SignedApiServer("execute-api");
    }

    @AfterEach
    void stopApi() {
        api.close();
        System.clearProperty("aws.endpointUrlCloudFormation");
    }

    private int run(String... args) {
        CommandLine cli = AgentStacks.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private String endpoint() {
        return api.base() + "prod/";
    }

    private List<String> withApi(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--endpoint=" + endpoint());
        all.add("--region=" + SignedApiServer.REGION);
        return all;
    }

    private Path specFile(String content) throws IOException {
        Path file = dir.resolve("spec.json");
        Files.writeString(file, content);
        return file;
    }

    private static String problem(int status, String title, String detail) {
        return "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}";
    }

    @Test
    void applyPostsTheSpecFileAsItIsSignedWithSigV4ForExecuteApi() throws IOException {
        api.on("POST", "/prod/stacks", Reply.json(202, "{\"name\":\"ci-linux\",\"version\":1,\"status\":\"PENDING\"}"));

        int exit = run(withApi("apply", "-f", specFile(SPEC).toString()).toArray(String[]::new));

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("ci-linux: spec version 1 accepted (PENDING)");
        Received post = api.received().get(0);
        assertThat(post.signatureProblem()).isEmpty();
        assertThat(post.header("authorization")).matches(SignedApiServer.AUTHORIZATION)
                .contains("Credential=AKIDLOOPBACKTEST/").contains("/eu-west-1/execute-api/aws4_request");
        assertThat(post.header("x-amz-date")).matches("\\d{8}T\\d{6}Z");
        assertThat(post.header("content-type")).isEqualTo("application/json");
        assertThat(post.bodyText()).isEqualTo(SPEC);
    }

    @Test
    void theLoopbackApiRefusesARequestWhoseBodyIsNotTheOneSigned() throws Exception {
        // The check the other tests rely on must be able to fail: sign one body, send another.
        var client = new io.agentstacks.cli.api.ApiClient(java.net.URI.create(endpoint()),
                software.amazon.awssdk.regions.Region.of(SignedApiServer.REGION),
                software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider.builder().build(),
                java.net.http.HttpClient.newHttpClient());
        api.on("POST", "/prod/stacks", Reply.json(202, "{}"));
        client.apply(SPEC.getBytes(), java.util.Optional.empty());
        assertThat(api.received().get(0).signatureProblem()).isEmpty();

        var tampered = java.net.http.HttpRequest.newBuilder(java.net.URI.create(endpoint() + "stacks"))
                .header("Authorization", api.received().get(0).header("authorization"))
                .header("X-Amz-Date", api.received().get(0).header("x-amz-date"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(SPEC.replace("t3.large", "t3.small")))
                .build();
        var answer = java.net.http.HttpClient.newHttpClient().send(tampered, java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(api.received().get(1).signatureProblem()).hasValueSatisfying(p -> assertThat(p).contains("mismatch"));
    }

    @Test
    void applyPrintsTheWarningsOfAnAcceptedSpec() throws IOException {
        api.on("POST", "/prod/stacks", Reply.json(202, """
                {"name":"ci-linux","version":1,"status":"PENDING","warnings":[
                  {"field":"volume.type","message":"gp2 costs more than gp3","rejectedValue":"gp2","legacyKey":null}]}
                """));

        int exit = run(withApi("apply", "-f", specFile(SPEC).toString()).toArray(String[]::new));

        assertThat(exit).isZero();
        assertThat(err.toString().strip()).isEqualTo("warning: volume.type: gp2 costs more than gp3");
    }

    @Test
    void applySendsIfMatchWithTheVersionGiven() throws IOException {
        api.on("POST", "/prod/stacks", Reply.json(202, "{\"name\":\"ci-linux\",\"version\":3,\"status\":\"UPDATING\"}"));

        int exit = run(withApi("apply", "-f", specFile(SPEC).toString(), "--if-match", "2").toArray(String[]::new));

        assertThat(exit).isZero();
        assertThat(api.received().get(0).header("if-match")).isEqualTo("\"2\"");
        assertThat(api.received().get(0).signatureProblem()).isEmpty();
    }

    @Test
    void applyPrintsEveryViolationOnOneLineEachAndExitsOne() throws IOException {
        api.on("POST", "/prod/stacks", Reply.problem(400, """
                {"type":"urn:agent-stacks:problem:invalid-spec","title":"The stack spec is not valid","status":400,
                 "detail":"2 violations","violations":[
                   {"field":"maxSize","message":"must be at least minSize (3)","rejectedValue":"1","legacyKey":null},
                   {"field":"os","message":"must be one of ubuntu-focal, ubuntu-jammy","rejectedValue":"plan9","legacyKey":"SEMAPHORE_AGENT_OS"}]}
                """));

        int exit = run(withApi("apply", "-f", specFile(SPEC).toString()).toArray(String[]::new));

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().lines()).containsExactly(
                "maxSize: must be at least minSize (3)",
                "os (SEMAPHORE_AGENT_OS): must be one of ubuntu-focal, ubuntu-jammy");
    }

    @Test
    void applyOfAFileThatIsNotJsonSendsNothingAndExitsOne() throws IOException {
        int exit = run(withApi("apply", "-f", specFile("stackName: ci").toString()).toArray(String[]::new));

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("not JSON");
        assertThat(api.received()).isEmpty();
    }

    @Test
    void applyOfAMissingFileExitsTwo() {
        int exit = run(withApi("apply", "-f", dir.resolve("nope.json").toString()).toArray(String[]::new));

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read");
    }

    @Test
    void applyWaitShowsProgressUntilTheNewVersionIsActive() throws IOException {
        api.on("POST", "/prod/stacks", Reply.json(202, "{\"name\":\"ci-linux\",\"version\":2,\"status\":\"UPDATING\"}"));
        api.on("GET", "/prod/stacks/ci-linux",
                Reply.json(200, ACTIVE.replace("ACTIVE", "UPDATING")),
                Reply.json(200, ACTIVE.replace("ACTIVE", "UPDATING")),
                Reply.json(200, ACTIVE.replace("ACTIVE", "UPDATING").replace("\"inService\":2", "\"inService\":1")),
                Reply.json(200, ACTIVE));

        int exit = run(withApi("apply", "-f", specFile(SPEC).toString(), "--wait", "--poll-interval=0s").toArray(String[]::new));

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(
                "ci-linux: spec version 2 accepted (UPDATING)",
                "[00:00] ci-linux v2 UPDATING · group ci-linux-asg: desired 2, in service 2, warm 0",
                "[00:00] ci-linux v2 UPDATING · group ci-linux-asg: desired 2, in service 1, warm 0",
                "[00:00] ci-linux v2 ACTIVE · group ci-linux-asg: desired 2, in service 2, warm 0");
        assertThat(api.received()).filteredOn(r -> r.method().equals("GET")).hasSize(4)
                .allSatisfy(r -> assertThat(r.signatureProblem()).isEmpty());
    }

    @Test
    void applyWaitExitsOneWithTheReasonWhenTheVersionFails() throws IOException {
        api.on("POST", "/prod/stacks", Reply.json(202, "{\"name\":\"ci-linux\",\"version\":1,\"status\":\"PENDING\"}"));
        api.on("GET", "/prod/stacks/ci-linux", Reply.json(200,
                "{\"name\":\"ci-linux\",\"specVersion\":1,\"status\":\"FAILED\",\"reason\":\"subnet-1 does not exist\"}"));

        int exit = run(withApi("apply", "-f", specFile(SPEC).toString(), "--wait", "--poll-interval=0s").toArray(String[]::new));

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("ci-linux: spec version 1 failed: subnet-1 does not exist");
    }

    @Test
    void applyWaitGivesUpAtTheTimeout() throws IOException {
        api.on("POST", "/prod/stacks", Reply.json(202, "{\"name\":\"ci-linux\",\"version\":1,\"status\":\"PENDING\"}"));
        api.on("GET", "/prod/stacks/ci-linux", Reply.json(200, "{\"name\":\"ci-linux\",\"specVersion\":1,\"status\":\"PROVISIONING\"}"));

        int exit = run(withApi("apply", "-f", specFile(SPEC).toString(), "--wait", "--timeout=0s").toArray(String[]::new));

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("timed out after 0s waiting for ci-linux (still PROVISIONING)");
    }

    @Test
    void getShowsOneStackWithItsGroupDemandAndDecision() {
        api.on("GET", "/prod/stacks/ci-linux", Reply.json(200, ACTIVE));

        int exit = run(withApi("get", "ci-linux").toArray(String[]::new));

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("Status:          ACTIVE")
                .contains("Group:           ci-linux-asg: desired 2, in service 2, warm 0 (min 0, max 5)")
                .contains("Demand:          1 queued, 1 running jobs; 0 idle, 2 occupied agents")
                .contains("Last decision:   scale 1 -> 2: 2 jobs need agents");
        assertThat(api.received().get(0).signatureProblem()).isEmpty();
    }

    @Test
    void getAsJsonPrintsTheApisAnswer() throws IOException {
        api.on("GET", "/prod/stacks/ci-linux", Reply.json(200, ACTIVE));

        int exit = run(withApi("get", "ci-linux", "-o", "json").toArray(String[]::new));

        assertThat(exit).isZero();
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(mapper.readTree(out.toString())).isEqualTo(mapper.readTree(ACTIVE));
    }

    @Test
    void getWithoutANameListsEveryPage() {
        api.on("GET", "/prod/stacks",
                Reply.json(200, "{\"stacks\":[{\"name\":\"a\",\"specVersion\":1,\"status\":\"ACTIVE\",\"os\":\"ubuntu-noble\",\"arch\":\"arm64\",\"instanceType\":\"t4g.large\",\"groupName\":\"a-asg\",\"updatedAt\":\"2025-01-01T10:00:00Z\"}],\"nextPageToken\":\"a/1\"}"),
                Reply.json(200, "{\"stacks\":[{\"name\":\"b\",\"specVersion\":3,\"status\":\"PENDING\",\"os\":\"macos\",\"arch\":\"arm64\",\"instanceType\":\"mac2.metal\",\"updatedAt\":\"2025-01-01T11:00:00Z\"}]}"));

        int exit = run(withApi("get").toArray(String[]::new));

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString().lines()).hasSize(3);
        assertThat(out.toString().lines().toList().get(0)).startsWith("NAME").contains("STATUS");
        assertThat(out.toString()).contains("a-asg").contains("mac2.metal");
        assertThat(api.received()).extracting(r -> r.rawQuery().orElse(""))
                .containsExactly("limit=100", "limit=100&pageToken=a%2F1");
        assertThat(api.received()).allSatisfy(r -> assertThat(r.signatureProblem()).isEmpty());
    }

    @Test
    void getWithoutStacksSaysHowToCreateOne() {
        api.on("GET", "/prod/stacks", Reply.json(200, "{\"stacks\":[]}"));

        assertThat(run(withApi("get").toArray(String[]::new))).isZero();
        assertThat(out.toString().strip()).isEqualTo("No stacks yet: create one with agent-stacks apply -f SPEC.json");
    }

    @Test
    void getOfAnUnknownStackSaysSoAndExitsOne() {
        api.on("GET", "/prod/stacks/nope", Reply.problem(404, problem(404, "Not Found", "no stack named nope")));

        int exit = run(withApi("get", "nope").toArray(String[]::new));

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("agent-stacks: no stack named nope (HTTP 404)");
    }

    @Test
    void deleteWaitShowsProgressUntilDeleted() {
        api.on("DELETE", "/prod/stacks/ci-linux", Reply.json(202, "{\"name\":\"ci-linux\",\"version\":2,\"status\":\"DELETING\"}"));
        api.on("GET", "/prod/stacks/ci-linux",
                Reply.json(200, ACTIVE.replace("ACTIVE", "DELETING").replace("\"desired\":2", "\"desired\":0")),
                Reply.json(200, "{\"name\":\"ci-linux\",\"specVersion\":2,\"status\":\"DELETED\"}"));

        int exit = run(withApi("delete", "ci-linux", "--wait", "--poll-interval=0s").toArray(String[]::new));

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(
                "ci-linux: deletion of spec version 2 accepted (DELETING)",
                "[00:00] ci-linux v2 DELETING · group ci-linux-asg: desired 0, in service 2, warm 0",
                "[00:00] ci-linux v2 DELETED");
        assertThat(api.received().get(0).signatureProblem()).isEmpty();
        assertThat(api.received().get(0).body()).isEmpty();
    }

    @Test
    void deleteOfAnUnknownStackExitsOne() {
        api.on("DELETE", "/prod/stacks/nope", Reply.problem(404, problem(404, "Not Found", "no stack named nope")));

        assertThat(run(withApi("delete", "nope").toArray(String[]::new))).isEqualTo(1);
        assertThat(err.toString()).contains("no stack named nope");
    }

    @Test
    void anApiGatewayRefusalIsPrintedOnOneLine() {
        api.on("GET", "/prod/stacks/ci-linux", Reply.json(403,
                "{\"message\":\"User: arn:aws:iam::1:user/x is not authorized to perform: execute-api:Invoke\"}"));

        int exit = run(withApi("get", "ci-linux").toArray(String[]::new));

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().lines()).singleElement().asString().contains("not authorized").endsWith("(HTTP 403)");
    }

    @Test
    void anUnreachableApiExitsTwoWithOneLine() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }

        int exit = run("get", "ci-linux", "--endpoint=http://127.0.0.1:" + closedPort + "/prod/", "--region=eu-west-1",
                "--local-start-wait=0s");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().lines()).singleElement().asString().startsWith("agent-stacks: cannot reach http://127.0.0.1:" + closedPort);
    }

    @Test
    void withoutEndpointTheApiUrlIsReadFromTheControlPlaneStackOutputs() throws IOException {
        try (SignedApiServer cloudFormation = new SignedApiServer("cloudformation")) {
            cloudFormation.on("POST", "/", new Reply(200, "text/xml", describeStacks("SemaphoreAgentStacks", endpoint())));
            System.setProperty("aws.endpointUrlCloudFormation", cloudFormation.base().toString());
            api.on("GET", "/prod/stacks/ci-linux", Reply.json(200, ACTIVE));

            int exit = run("get", "ci-linux", "--region=" + SignedApiServer.REGION);

            assertThat(exit).as(err.toString()).isZero();
            Received describe = cloudFormation.received().get(0);
            assertThat(describe.signatureProblem()).isEmpty();
            assertThat(describe.bodyText()).contains("Action=DescribeStacks").contains("StackName=SemaphoreAgentStacks");
            assertThat(api.received()).singleElement().satisfies(r -> assertThat(r.path()).isEqualTo("/prod/stacks/ci-linux"));
        }
    }

    @Test
    void anApiUrlOutputInPlainHttpToAnotherHostIsRefusedLikeAnEndpoint() throws IOException {
        try (SignedApiServer cloudFormation = new SignedApiServer("cloudformation")) {
            cloudFormation.on("POST", "/", new Reply(200, "text/xml", describeStacks("SemaphoreAgentStacks", "http://api.example.com/prod/")));
            System.setProperty("aws.endpointUrlCloudFormation", cloudFormation.base().toString());

            int exit = run("get", "ci-linux", "--region=" + SignedApiServer.REGION);

            assertThat(exit).isEqualTo(2);
            assertThat(err.toString()).contains("must use https").contains("http://api.example.com/prod/");
        }
    }

    @Test
    void aMissingControlPlaneStackIsExplainedAndExitsTwo() throws IOException {
        try (SignedApiServer cloudFormation = new SignedApiServer("cloudformation")) {
            cloudFormation.on("POST", "/", new Reply(400, "text/xml", """
                    <ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
                      <Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id Other does not exist</Message></Error>
                      <RequestId>5ccc7dcd-744c-11e5-be70-example</RequestId>
                    </ErrorResponse>
                    """));
            System.setProperty("aws.endpointUrlCloudFormation", cloudFormation.base().toString());

            int exit = run("get", "--control-plane-stack=Other", "--region=" + SignedApiServer.REGION);

            assertThat(exit).isEqualTo(2);
            assertThat(err.toString().strip()).isEqualTo("agent-stacks: control plane stack Other does not exist in eu-west-1;"
                    + " deploy it, or pass --control-plane-stack, --region or --endpoint");
        }
    }

    private static String describeStacks(String stackName, String apiUrl) {
        return """
                <DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
                  <DescribeStacksResult>
                    <Stacks>
                      <member>
                        <StackName>%s</StackName>
                        <StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/%s/1</StackId>
                        <StackStatus>UPDATE_COMPLETE</StackStatus>
                        <CreationTime>2025-01-01T09:00:00Z</CreationTime>
                        <Outputs>
                          <member><OutputKey>RegistryTable</OutputKey><OutputValue>agent-stacks</OutputValue></member>
                          <member><OutputKey>ApiUrl</OutputKey><OutputValue>%s</OutputValue></member>
                        </Outputs>
                      </member>
                    </Stacks>
                  </DescribeStacksResult>
                  <ResponseMetadata><RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId></ResponseMetadata>
                </DescribeStacksResponse>
                """.formatted(stackName, stackName, apiUrl);
    }
}
