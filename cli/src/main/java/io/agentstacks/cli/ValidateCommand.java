package io.agentstacks.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.spec.SpecReader;
import io.agentstacks.spec.SpecResult;
import io.agentstacks.spec.Violation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code agent-stacks validate FILE...}: checks specs, in either format, and prints every violation. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Checks stack specs: JSON specs, or the older tool's SEMAPHORE_* config.json.",
                "Prints one line per violation, 'FILE: field: message'; warnings go to standard error.",
                "Exit status: 0 all valid, 1 a spec is invalid, 2 a file cannot be read as JSON."})
final class ValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Spec files to check.")
    List<Path> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int exit = 0;
        for (Path file : files) {
            exit = Math.max(exit, validate(file, out, err));
        }
        out.flush();
        err.flush();
        return exit;
    }

    private static int validate(Path file, PrintWriter out, PrintWriter err) {
        JsonNode json;
        try {
            json = CliInput.readObject(file);
        } catch (CliInput.BadInput e) {
            err.println(file + ": " + e.getMessage());
            return 2;
        }
        SpecResult result = SpecReader.read(json);
        for (Violation w : result.warnings()) {
            err.println(file + ": warning: " + CliInput.line(w));
        }
        if (!result.isValid()) {
            result.violations().forEach(v -> out.println(file + ": " + CliInput.line(v)));
            return 1;
        }
        out.println(file + ": valid" + (result.legacy()
                ? " (the older tool's configuration; 'agent-stacks convert' turns it into a spec)" : ""));
        return 0;
    }
}
