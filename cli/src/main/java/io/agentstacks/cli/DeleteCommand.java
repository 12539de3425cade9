package io.agentstacks.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.cli.api.ApiClient;
import io.agentstacks.cli.api.ApiException;
import io.agentstacks.cli.api.ApiResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code agent-stacks delete NAME [--wait]}: {@code DELETE /stacks/{name}}. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = {"Delete an agent stack: its group is scaled to zero (running jobs finish), then its resources are deleted.",
                "Mac dedicated hosts are released later, once AWS allows it."})
public final class DeleteCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The stack.")
    String name;

    @Mixin
    WaitOptions waiting;

    @Mixin
    ApiOptions api;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            ApiClient client = api.connect(err);
            ApiResponse response = client.delete(name);
            if (!response.successful()) {
                return ApiReplies.printFailure(response, err);
            }
            JsonNode accepted = response.json();
            out.println(accepted.path("name").asText(name) + ": deletion of spec version " + accepted.path("version").asLong()
                    + " accepted (" + accepted.path("status").asText() + ")");
            out.flush();
            if (!waiting.wait) {
                return 0;
            }
            return new StackWatcher(client, out, err, waiting.pollInterval, waiting.timeout).untilDeleted(name);
        } catch (ApiException e) {
            err.println("agent-stacks: " + e.getMessage());
            return 2;
        }
    }
}
