package io.agentstacks.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.cli.api.ApiClient;
import io.agentstacks.cli.api.ApiException;
import io.agentstacks.cli.api.ApiResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code agent-stacks apply -f FILE [--wait]}: posts a spec to {@code POST /stacks}. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Create or update an agent stack from a spec file.",
                "The file is a stack spec, or the older tool's config.json of SEMAPHORE_* keys; the API checks it and answers every violation."})
public final class ApplyCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The spec (JSON).")
    Path file;

    @Option(names = "--if-match", paramLabel = "VERSION",
            description = "Apply only if the stored spec is still this version (see `get`); otherwise the API answers 409.")
    Optional<Long> ifMatch = Optional.empty();

    @Mixin
    WaitOptions waiting;

    @Mixin
    ApiOptions api;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        byte[] body;
        try {
            body = Files.readAllBytes(file);
        } catch (IOException e) {
            err.println("agent-stacks: cannot read " + file + ": " + e.getMessage());
            return 2;
        }
        try {
            JsonNode parsed = JSON.readTree(body);
            if (parsed == null || !parsed.isObject()) {
                err.println(file + ": a stack spec must be a JSON object");
                return 1;
            }
        } catch (IOException e) {
            err.println(file + ": not JSON: " + ApiClient.firstLine(e.getMessage()));
            return 1;
        }
        try {
            ApiClient client = api.connect(err);
            ApiResponse response = client.apply(body, ifMatch);
            if (!response.successful()) {
                return ApiReplies.printFailure(response, err);
            }
            JsonNode accepted = response.json();
            for (JsonNode w : accepted.path("warnings")) {
                err.println("warning: " + w.path("field").asText() + ": " + w.path("message").asText());
            }
            String name = accepted.path("name").asText();
            long version = accepted.path("version").asLong();
            out.println(name + ": spec version " + version + " accepted (" + accepted.path("status").asText() + ")");
            out.flush();
            if (!waiting.wait) {
                return 0;
            }
            return new StackWatcher(client, out, err, waiting.pollInterval, waiting.timeout).untilApplied(name, version);
        } catch (ApiException e) {
            err.println("agent-stacks: " + e.getMessage());
            return 2;
        }
    }
}
