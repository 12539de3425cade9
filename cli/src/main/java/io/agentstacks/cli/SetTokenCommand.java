package io.agentstacks.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agentstacks.cli.api.ApiClient;
import io.agentstacks.cli.api.ApiException;
import io.agentstacks.cli.api.ApiResponse;
import io.agentstacks.cli.api.Endpoints;
import io.agentstacks.cli.api.Loopback;
import io.agentstacks.spec.StackNameRule;
import io.agentstacks.token.TokenFormat;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * {@code agent-stacks set-token NAME}: replaces a stack's agent registration token. The token is read
 * from standard input — never from an argument, which would leave it in shell history and in every
 * process list — and sent in the body of {@code PUT /stacks/NAME/token}, signed with SigV4 (service
 * {@code execute-api}) with the credentials of the AWS SDK's default chain. The control plane checks the
 * token with Semaphore before storing it. Nothing this command prints contains the token.
 */
@Command(name = "set-token",
        mixinStandardHelpOptions = true,
        description = {
                "Replace a stack's agent registration token, read from standard input.",
                "Reset the token in the Semaphore UI first, then e.g.: agent-stacks set-token NAME < token.txt",
                "The control plane stores it only if Semaphore accepts it."})
public final class SetTokenCommand implements Callable<Integer> {

    static final String ENDPOINT_ENV = "AGENT_STACKS_ENDPOINT";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "NAME", description = "The stack whose token to replace.")
    String name;

    /** Anything after NAME; refused without being printed, since it may be the token itself. */
    @Parameters(index = "1..*", hidden = true)
    List<String> extra = List.of();

    @Option(names = "--endpoint", paramLabel = "URL",
            description = "The control plane's API base URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod "
                    + "(default: $" + ENDPOINT_ENV + ").")
    String endpoint;

    @Option(names = "--region", paramLabel = "R",
            description = "AWS region to sign for (default: the endpoint's, else the SDK's region chain).")
    String region;

    @Option(names = "--local-start-wait", paramLabel = "DURATION", defaultValue = "30s",
            converter = WaitOptions.DurationConverter.class,
            description = "How long a call to this machine waits for agent-stacks local to start listening (default: ${DEFAULT-VALUE}).")
    Duration localStartWait = ApiClient.LOCAL_START_WAIT;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final InputStream stdin;
    private final Supplier<Console> console;
    private final Supplier<AwsCredentialsProvider> credentials;
    private final Map<String, String> env;

    /** The command as {@code agent-stacks} runs it. */
    public SetTokenCommand() {
        this(System.in, System::console, SetTokenCommand::defaultCredentials, System.getenv());
    }

    /** The AWS SDK's default chain: environment, system properties, profile files, SSO, container, instance. */
    static AwsCredentialsProvider defaultCredentials() {
        return DefaultCredentialsProvider.builder().build();
    }

    SetTokenCommand(InputStream stdin, Supplier<Console> console, Supplier<AwsCredentialsProvider> credentials,
                    Map<String, String> env) {
        this.stdin = stdin;
        this.console = console;
        this.credentials = credentials;
        this.env = env;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!extra.isEmpty()) {
            err.println("agent-stacks: set-token takes only NAME; the token is read from standard input, never from "
                    + "an argument (it would stay in shell history and process lists). If that was the token, reset it "
                    + "in the Semaphore UI: it has been exposed.");
            return 2;
        }
        Optional<String> badName = StackNameRule.problem(name);
        if (badName.isPresent()) {
            err.println("agent-stacks: NAME " + badName.get());
            return 1;
        }
        ApiClient api;
        try {
            URI base = baseUri();
            api = new ApiClient(base, Endpoints.signingRegion(Optional.ofNullable(region), Optional.of(base)), credentials.get(),
                    ApiClient.defaultHttpClient(), line -> {
                        err.println(line);
                        err.flush();
                    }, localStartWait);
        } catch (UsageException | ApiException e) {
            err.println("agent-stacks: " + e.getMessage());
            return 2;
        }

        char[] token;
        try {
            token = readToken();
        } catch (UsageException e) {
            err.println("agent-stacks: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("agent-stacks: reading the token from standard input failed: " + e.getMessage());
            return 2;
        }
        Optional<String> problem = TokenFormat.problem(new String(token));
        if (problem.isPresent()) {
            Arrays.fill(token, '\0');
            err.println("agent-stacks: the token on standard input " + problem.get());
            return 1;
        }

        byte[] body;
        try {
            body = JSON.writeValueAsBytes(Map.of("token", new String(token)));
        } catch (IOException e) {
            throw new IllegalStateException("a token body could not be written as JSON", e);
        } finally {
            Arrays.fill(token, '\0');
        }
        ApiResponse response;
        try {
            response = api.putToken(name, body);
        } catch (ApiException e) {
            err.println("agent-stacks: " + e.getMessage());
            return 2;
        } finally {
            Arrays.fill(body, (byte) 0);
        }
        return report(response, out, err);
    }

    private int report(ApiResponse response, PrintWriter out, PrintWriter err) {
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException e) {
            json = JSON.createObjectNode();
        }
        if (response.status() == 200) {
            out.println("Token of stack " + json.path("name").asText(name) + " replaced: parameter "
                    + json.path("parameterName").asText("?") + " is at version " + json.path("parameterVersion").asText("?")
                    + " (" + json.path("rotatedAt").asText("?") + "). New instances register with it.");
            return 0;
        }
        if (json.hasNonNull("title")) { // RFC 9457 problem details from the control plane
            err.println("agent-stacks: " + json.path("title").asText() + " (HTTP " + response.status() + "): "
                    + json.path("detail").asText(""));
            for (JsonNode e : json.path("errors")) {
                err.println("  " + e.path("field").asText() + ": " + e.path("message").asText());
            }
        } else { // API Gateway's own answers, e.g. 403 {"message": "..."} for credentials it refuses
            err.println("agent-stacks: the API answered HTTP " + response.status()
                    + json.path("message").asText("").transform(m -> m.isEmpty() ? "" : ": " + m));
        }
        if (response.status() == 503) {
            err.println("  nothing was stored; run the command again later.");
        }
        return 1;
    }

    private URI baseUri() throws UsageException {
        String raw = endpoint != null ? endpoint : env.get(ENDPOINT_ENV);
        if (raw == null || raw.isBlank()) {
            throw new UsageException("no API endpoint: pass --endpoint URL or set " + ENDPOINT_ENV);
        }
        URI uri;
        try {
            uri = new URI(raw.trim());
        } catch (URISyntaxException e) {
            throw new UsageException("--endpoint is not a URL: " + e.getMessage());
        }
        if (uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null) {
            throw new UsageException("--endpoint must be a base URL like https://abc123.execute-api.eu-west-1.amazonaws.com/prod");
        }
        Optional<String> problem = Loopback.endpointProblem(uri);
        if (problem.isPresent()) {
            throw new UsageException(problem.get());
        }
        return uri;
    }

    /** The token from the terminal with echo off, or all of standard input less one trailing newline. */
    private char[] readToken() throws IOException, UsageException {
        Console terminal = console.get();
        if (terminal != null) {
            char[] typed = terminal.readPassword("Registration token for %s (input hidden): ", name);
            if (typed == null || typed.length == 0) {
                throw new UsageException("no token entered");
            }
            return typed;
        }
        byte[] bytes = readLimited(stdin, TokenFormat.MAX_LENGTH + 3);
        if (bytes.length > TokenFormat.MAX_LENGTH + 2) {
            throw new UsageException("standard input holds more than a token (over " + TokenFormat.MAX_LENGTH
                    + " characters)");
        }
        int end = bytes.length;
        if (end > 0 && bytes[end - 1] == '\n') {
            end--;
            if (end > 0 && bytes[end - 1] == '\r') {
                end--;
            }
        }
        if (end == 0) {
            throw new UsageException("no token on standard input; pipe it in, e.g. agent-stacks set-token " + name
                    + " < token.txt");
        }
        char[] token = new String(bytes, 0, end, StandardCharsets.UTF_8).toCharArray();
        Arrays.fill(bytes, (byte) 0);
        return token;
    }

    private static byte[] readLimited(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        byte[] chunk = new byte[512];
        int n;
        while (buffer.size() < limit && (n = in.read(chunk, 0, Math.min(chunk.length, limit - buffer.size()))) != -1) {
            buffer.write(chunk, 0, n);
        }
        return buffer.toByteArray();
    }

    private static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }
}
