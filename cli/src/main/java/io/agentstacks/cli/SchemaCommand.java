package io.agentstacks.cli;

import io.agentstacks.spec.SpecSchema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code agent-stacks schema}: prints the JSON Schema of the stack spec. */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = {"Prints the JSON Schema (draft 2020-12) of the stack spec, for editors and other tools.",
                "A few rules compare fields and are checked by 'validate' only; the schema's description lists them."})
final class SchemaCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(CliInput.pretty(SpecSchema.generate()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
