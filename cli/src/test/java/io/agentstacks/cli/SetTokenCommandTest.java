package io.agentstacks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.agentstacks.cli.api.Endpoints;
import picocli.CommandLine;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.regions.Region;

class SetTokenCommandTest {

    static final String TOKEN = "Zq8Rt2Lm5Vx9Kp3Wn7Hb1Jc4Gd6Fs0Ya";
    static final AwsBasicCredentials KEYS = AwsBasicCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    /** One request as the loopback API saw it. */
    record Received(String method, String path, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    HttpServer server;
    final List<Received> received = new ArrayList<>();
    int answerStatus = 200;
    String answerType = "application/json";
    String answerBody = "{\"name\":\"linux-small\",\"parameterName\":\"linux-small-token\",\"parameterVersion\":3,"
            + "\"rotatedAt\":\"2025-03-01T08:01:00Z\"}";
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void startApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
            try (InputStream in = exchange.getRequestBody()) {
                synchronized (received) {
                    received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers,
                            in.readAllBytes()));
                }
            }
            byte[] body = answerBody.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", answerType);
            exchange.sendResponseHeaders(answerStatus, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopApi() {
        server.stop(0);
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/prod";
    }

    int run(String stdin, AwsCredentialsProvider credentials, Map<String, String> env, String... args) {
        SetTokenCommand command = new SetTokenCommand(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), () -> null, () -> credentials, env);
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    int run(String stdin, String... args) {
        return run(stdin, StaticCredentialsProvider.create(KEYS), Map.of(), args);
    }

    String printed() {
        return out + "\n" + err;
    }

    @Test
    void theTokenFromStandardInputIsSentInASigV4SignedPutAndTheNewVersionIsPrinted() throws Exception {
        int code = run(TOKEN + "\n", "linux-small", "--endpoint", endpoint(), "--region", "eu-west-1");

        assertThat(code).isEqualTo(0);
        assertThat(received).hasSize(1);
        Received r = received.get(0);
        assertThat(r.method()).isEqualTo("PUT");
        assertThat(r.path()).isEqualTo("/prod/stacks/linux-small/token");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"token\":\"" + TOKEN + "\"}");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.header("Authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                .contains("/eu-west-1/execute-api/aws4_request", "SignedHeaders=", "host", "x-amz-date", "Signature=");
        assertThat(r.header("X-Amz-Date")).matches("\\d{8}T\\d{6}Z");
        assertThat(r.header("Authorization")).isEqualTo(expectedAuthorization(r, KEYS, "eu-west-1"));
        assertThat(out.toString()).contains("Token of stack linux-small replaced: parameter linux-small-token is at version 3");
        assertThat(printed()).doesNotContain(TOKEN);
    }

    /** Signs what the server received again, at the time the request says it was signed. */
    String expectedAuthorization(Received r, AwsBasicCredentials keys, String region) {
        Instant signedAt = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX")
                .parse(r.header("X-Amz-Date"), Instant::from);
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.PUT)
                .uri(URI.create(endpoint() + "/stacks/linux-small/token"))
                .putHeader("Content-Type", r.header("Content-Type"))
                .putHeader("Accept", r.header("Accept"))
                .build();
        return AwsV4HttpSigner.create().sign(s -> s
                        .identity(keys)
                        .request(request)
                        .payload(ContentStreamProvider.fromByteArray(r.body()))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "execute-api")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)))
                .request().firstMatchingHeader("Authorization").orElseThrow();
    }

    @Test
    void temporaryCredentialsSendTheirSessionToken() {
        var session = AwsSessionCredentials.create("ASIAEXAMPLE", "secret", "FwoGZXIvYXdzEXAMPLESESSION");

        run(TOKEN, StaticCredentialsProvider.create(session), Map.of(), "linux-small", "--endpoint", endpoint(),
                "--region", "eu-west-1");

        assertThat(received).singleElement().satisfies(r -> {
            assertThat(r.header("X-Amz-Security-Token")).isEqualTo("FwoGZXIvYXdzEXAMPLESESSION");
            assertThat(r.header("Authorization")).contains("Credential=ASIAEXAMPLE/");
        });
    }

    @Test
    void theDefaultCredentialsChainAndTheEndpointFromTheEnvironmentAreUsed() {
        String keyBefore = System.setProperty("aws.accessKeyId", "AKIDFROMCHAIN");
        String secretBefore = System.setProperty("aws.secretAccessKey", "chain-secret");
        try {
            int code = run(TOKEN, SetTokenCommand.defaultCredentials(), Map.of(SetTokenCommand.ENDPOINT_ENV, endpoint()),
                    "linux-small", "--region", "us-east-2");

            assertThat(code).isEqualTo(0);
            assertThat(received).singleElement().satisfies(r -> assertThat(r.header("Authorization"))
                    .contains("Credential=AKIDFROMCHAIN/", "/us-east-2/execute-api/"));
        } finally {
            restore("aws.accessKeyId", keyBefore);
            restore("aws.secretAccessKey", secretBefore);
        }
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    @Test
    void oneTrailingWindowsOrUnixLineBreakIsStrippedAndNothingMore() {
        run(TOKEN + "\r\n", "linux-small", "--endpoint", endpoint(), "--region", "eu-west-1");
        assertThat(new String(received.get(0).body(), StandardCharsets.UTF_8)).isEqualTo("{\"token\":\"" + TOKEN + "\"}");

        int code = run(TOKEN + "\n\n", "linux-small", "--endpoint", endpoint(), "--region", "eu-west-1");
        assertThat(code).isEqualTo(1);
        assertThat(received).hasSize(1);
        assertThat(err.toString()).contains("the token on standard input must be printable ASCII without spaces or line breaks");
    }

    @Test
    void anEmptyStandardInputIsRefusedAndNothingIsSent() {
        assertThat(run("", "linux-small", "--endpoint", endpoint(), "--region", "eu-west-1")).isEqualTo(1);
        assertThat(run("\n", "linux-small", "--endpoint", endpoint(), "--region", "eu-west-1")).isEqualTo(1);

        assertThat(received).isEmpty();
        assertThat(err.toString()).contains("no token on standard input; pipe it in, e.g. agent-stacks set-token linux-small < token.txt");
    }

    @Test
    void aTokenWithASpaceOrTooLongIsRefusedLocallyWithoutPrintingIt() {
        assertThat(run(TOKEN.substring(0, 10) + " " + TOKEN.substring(10), "linux-small", "--endpoint", endpoint(),
                "--region", "eu-west-1")).isEqualTo(1);
        assertThat(run("x".repeat(5000), "linux-small", "--endpoint", endpoint(), "--region", "eu-west-1")).isEqualTo(1);

        assertThat(received).isEmpty();
        assertThat(err.toString()).contains("character 11 is not", "more than a token");
        assertThat(printed()).doesNotContain(TOKEN.substring(10));
    }

    @Test
    void aTokenGivenAsAnArgumentIsRefusedWithoutBeingPrinted() {
        int code = run("", "linux-small", TOKEN, "--endpoint", endpoint(), "--region", "eu-west-1");

        assertThat(code).isEqualTo(2);
        assertThat(received).isEmpty();
        assertThat(err.toString()).contains("the token is read from standard input, never from an argument");
        assertThat(printed()).doesNotContain(TOKEN);
    }

    @Test
    void aRejectedTokenPrintsTheProblemAndExitsWithOne() {
        answerStatus = 422;
        answerType = "application/problem+json";
        answerBody = "{\"type\":\"urn:agent-stacks:problem:token-rejected\",\"title\":\"Token rejected by Semaphore\","
                + "\"status\":422,\"detail\":\"Semaphore answered HTTP 401 to this token. The parameter linux-small-token is unchanged.\"}";

        int code = run(TOKEN, "linux-small", "--endpoint", endpoint(), "--region", "eu-west-1");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("agent-stacks: Token rejected by Semaphore (HTTP 422): Semaphore answered HTTP 401");
        assertThat(printed()).doesNotContain(TOKEN);
    }

    @Test
    void aRefusedRequestPrintsOneLinePerField() {
        answerStatus = 400;
        answerType = "application/problem+json";
        answerBody = "{\"title\":\"Invalid request\",\"status\":400,\"detail\":\"the request has 1 problem\","
                + "\"errors\":[{\"field\":\"token\",\"message\":\"must not be empty\"}]}";

        assertThat(run(TOKEN, "linux-small", "--endpoint", endpoint(), "--region", "eu-west-1")).isEqualTo(1);
        assertThat(err.toString()).contains("Invalid request (HTTP 400)", "  token: must not be empty");
    }

    @Test
    void anOutageSaysNothingWasStoredAndToRetry() {
        answerStatus = 503;
        answerType = "application/problem+json";
        answerBody = "{\"title\":\"Semaphore unavailable\",\"status\":503,\"detail\":\"timed out\"}";

        assertThat(run(TOKEN, "linux-small", "--endpoint", endpoint(), "--region", "eu-west-1")).isEqualTo(1);
        assertThat(err.toString()).contains("Semaphore unavailable (HTTP 503)", "nothing was stored");
    }

    @Test
    void apiGatewaysOwnRefusalIsPrinted() {
        answerStatus = 403;
        answerBody = "{\"message\":\"User: arn:aws:iam::111122223333:user/dev is not authorized to perform: execute-api:Invoke\"}";

        assertThat(run(TOKEN, "linux-small", "--endpoint", endpoint(), "--region", "eu-west-1")).isEqualTo(1);
        assertThat(err.toString()).contains("the API answered HTTP 403: User: arn:aws:iam::111122223333:user/dev is not authorized");
    }

    @Test
    void aBadNameOrAMissingOrPlainHttpEndpointIsRefusedBeforeReadingTheToken() {
        assertThat(run(TOKEN, "bad_name!", "--endpoint", endpoint(), "--region", "eu-west-1")).isEqualTo(1);
        assertThat(run(TOKEN, "linux-small", "--region", "eu-west-1")).isEqualTo(2);
        assertThat(run(TOKEN, "linux-small", "--endpoint", "http://api.example.com/prod", "--region", "eu-west-1"))
                .isEqualTo(2);

        assertThat(received).isEmpty();
        assertThat(err.toString()).contains("NAME must be a CloudFormation stack name", "no API endpoint: pass --endpoint URL or set AGENT_STACKS_ENDPOINT",
                "--endpoint must use https");
    }

    @Test
    void anUnreachableApiIsAnIoErrorNamingTheCall() {
        String url = endpoint();
        server.stop(0);

        assertThat(run(TOKEN, "linux-small", "--endpoint", url, "--region", "eu-west-1", "--local-start-wait", "0s")).isEqualTo(2);
        assertThat(err.toString()).contains("cannot reach " + url + "/stacks/linux-small/token: ConnectException");
    }

    @Test
    void theRegionIsTakenFromAnApiGatewayHostName() {
        assertThat(Endpoints.regionOf("abc123defg.execute-api.eu-west-1.amazonaws.com")).contains(Region.EU_WEST_1);
        assertThat(Endpoints.regionOf("abc123defg.execute-api.cn-north-1.amazonaws.com.cn")).contains(Region.CN_NORTH_1);
        assertThat(Endpoints.regionOf("api.example.com")).isEqualTo(Optional.empty());
    }

    @Test
    void setTokenIsACommandOfAgentStacks() {
        CommandLine cli = AgentStacks.newCommandLine();
        StringWriter help = new StringWriter();
        cli.setOut(new PrintWriter(help, true));

        assertThat(cli.execute("set-token", "--help")).isEqualTo(0);
        assertThat(help.toString()).contains("Usage: agent-stacks set-token", "--endpoint=URL", "--region=R",
                "standard input");
    }
}
