package io.agentstacks.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.agentstacks.cli.api.ApiClient;
import io.agentstacks.cli.api.ApiException;
import io.agentstacks.cli.api.ApiResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code agent-stacks get [NAME] [-o table|json]}: one stack in detail, or every stack. */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Show one agent stack (status, reason, group counts, demand, last scaling decision, Mac hosts), or list them all.")
public final class GetCommand implements Callable<Integer> {

    /** Page size when listing: the API's maximum, so that few calls fetch everything. */
    static final int PAGE_SIZE = 100;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    enum Format { table, json }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "The stack; all stacks when left out.")
    Optional<String> name = Optional.empty();

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    Format output = Format.table;

    @Mixin
    ApiOptions api;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            ApiClient client = api.connect(err);
            if (name.isPresent()) {
                ApiResponse response = client.get(name.get());
                if (!response.successful()) {
                    return ApiReplies.printFailure(response, err);
                }
                out.println(output == Format.json ? JSON.writeValueAsString(response.json()) : detail(response.json()));
                return 0;
            }
            List<JsonNode> stacks = new ArrayList<>();
            Optional<String> pageToken = Optional.empty();
            do {
                ApiResponse response = client.list(pageToken, PAGE_SIZE);
                if (!response.successful()) {
                    return ApiReplies.printFailure(response, err);
                }
                response.json().path("stacks").forEach(stacks::add);
                JsonNode next = response.json().path("nextPageToken");
                pageToken = next.isTextual() ? Optional.of(next.asText()) : Optional.empty();
            } while (pageToken.isPresent());
            if (output == Format.json) {
                ArrayNode array = JSON.createArrayNode();
                stacks.forEach(array::add);
                out.println(JSON.writeValueAsString(array));
            } else if (stacks.isEmpty()) {
                out.println("No stacks yet: create one with agent-stacks apply -f SPEC.json");
            } else {
                out.print(table(stacks));
            }
            return 0;
        } catch (ApiException e) {
            err.println("agent-stacks: " + e.getMessage());
            return 2;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        } finally {
            out.flush();
        }
    }

    static String table(List<JsonNode> stacks) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "VERSION", "STATUS", "OS", "ARCH", "INSTANCE TYPE", "GROUP", "UPDATED"});
        for (JsonNode s : stacks) {
            rows.add(new String[] {
                    s.path("name").asText(), s.path("specVersion").asText(), s.path("status").asText(),
                    s.path("os").asText("-"), s.path("arch").asText("-"), s.path("instanceType").asText("-"),
                    s.path("groupName").asText("-"), s.path("updatedAt").asText("-")});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s   ", row[i]));
            }
            text.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return text.toString();
    }

    static String detail(JsonNode s) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Name", s.path("name").asText()});
        rows.add(new String[] {"Spec version", s.path("specVersion").asText()});
        rows.add(new String[] {"Status", s.path("status").asText()});
        if (s.path("reason").isTextual()) {
            rows.add(new String[] {"Reason", s.path("reason").asText()});
        }
        JsonNode spec = s.path("spec");
        rows.add(new String[] {"Agents", spec.path("os").asText() + "/" + spec.path("arch").asText() + " on "
                + spec.path("instanceType").asText() + ", " + spec.path("minSize").asInt() + " to " + spec.path("maxSize").asInt()});
        JsonNode group = s.path("group");
        if (group.has("desired")) {
            rows.add(new String[] {"Group", group.path("name").asText() + ": desired " + group.path("desired").asInt()
                    + ", in service " + group.path("inService").asInt() + ", warm " + group.path("warm").asInt()
                    + " (min " + group.path("minSize").asInt() + ", max " + group.path("maxSize").asInt() + ")"});
        } else if (group.has("name")) {
            rows.add(new String[] {"Group", group.path("name").asText() + ": "
                    + group.path("error").asText(group.path("missing").asBoolean() ? "not found in Auto Scaling" : "unknown")});
        }
        JsonNode demand = s.path("lastDemand");
        if (demand.isObject()) {
            rows.add(new String[] {"Demand", demand.path("queuedJobs").asInt() + " queued, " + demand.path("runningJobs").asInt()
                    + " running jobs; " + demand.path("idleAgents").asInt() + " idle, " + demand.path("occupiedAgents").asInt()
                    + " occupied agents (at " + demand.path("observedAt").asText() + ")"});
        }
        JsonNode decision = s.path("lastDecision");
        if (decision.isObject()) {
            rows.add(new String[] {"Last decision", decision.path("action").asText() + " " + decision.path("previousDesired").asInt()
                    + " -> " + decision.path("desired").asInt() + ": " + decision.path("reason").asText()
                    + " (at " + decision.path("decidedAt").asText() + ")"});
        }
        for (JsonNode h : s.path("hosts")) {
            rows.add(new String[] {"Mac host", h.path("hostId").asText() + " in " + h.path("availabilityZone").asText() + ", "
                    + h.path("state").asText() + ", " + h.path("instances").asInt() + " instance(s)"
                    + (h.path("waitingFor").isTextual() ? ", waiting for " + h.path("waitingFor").asText() : "")});
        }
        rows.add(new String[] {"Updated", s.path("updatedAt").asText()});
        int width = rows.stream().mapToInt(r -> r[0].length() + 1).max().orElse(0);
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            text.append(String.format("%-" + width + "s   %s", row[0] + ":", row[1]).stripTrailing()).append(System.lineSeparator());
        }
        return text.toString().stripTrailing();
    }
}
