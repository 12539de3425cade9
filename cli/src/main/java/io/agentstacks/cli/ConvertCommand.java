package io.agentstacks.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.spec.LegacyConfig;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.SpecReader;
import io.agentstacks.spec.SpecResult;
import io.agentstacks.spec.Violation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code agent-stacks convert [--env] [FILE]}: prints a spec, converted from the older format, as canonical JSON. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Prints the spec in FILE in the new format, every field written out (canonical JSON).",
                "FILE may be the older tool's SEMAPHORE_* config.json; with --env, SEMAPHORE_* environment",
                "variables override its keys as they did in the older tool (an empty variable means unset).",
                "With --env and no FILE, the file named by SEMAPHORE_AGENT_STACK_CONFIG is read, if any.",
                "Exit status: 0 converted, 1 the configuration is invalid, 2 usage or a file cannot be read."})
final class ConvertCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    AgentStacks parent;

    @Option(names = "--env", description = "Let SEMAPHORE_* environment variables override the file's keys.")
    boolean env;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "A spec or an older config.json.")
    Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return convert(out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int convert(PrintWriter out, PrintWriter err) {
        Map<String, String> environment = env ? parent.environment() : Map.of();
        Path source = file;
        if (source == null && env) {
            String configured = environment.getOrDefault(LegacyConfig.CONFIG_PATH_VARIABLE, "");
            source = configured.isEmpty() ? null : Path.of(configured);
        }
        if (source == null && !env) {
            err.println("agent-stacks convert: give a FILE, or --env to read SEMAPHORE_* environment variables");
            return 2;
        }
        String label = source == null ? "environment" : source.toString();
        JsonNode json = null;
        if (source != null) {
            try {
                json = CliInput.readObject(source);
            } catch (CliInput.BadInput e) {
                err.println(label + ": " + e.getMessage());
                return 2;
            }
        }
        SpecResult result;
        if (env) {
            if (json != null && !json.isEmpty() && !LegacyConfig.isLegacy(json)) {
                err.println(label + ": --env applies to the older tool's SEMAPHORE_* configuration, and this is a spec");
                return 2;
            }
            result = SpecReader.readLegacy(json, environment);
        } else {
            result = SpecReader.read(json);
        }
        for (Violation w : result.warnings()) {
            err.println(label + ": warning: " + CliInput.line(w));
        }
        if (!result.isValid()) {
            result.violations().forEach(v -> err.println(label + ": " + CliInput.line(v)));
            return 1;
        }
        out.println(CliInput.pretty(SpecJson.write(result.spec().orElseThrow())));
        return 0;
    }
}
