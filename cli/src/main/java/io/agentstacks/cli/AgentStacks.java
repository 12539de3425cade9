package io.agentstacks.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code agent-stacks}: validate and convert stack specs, talk to the control plane's API, simulate
 * scaling policies, and run the whole control plane locally.
 *
 * <p>Exit codes: 0 success, 1 the input is invalid or the operation failed, 2 usage or I/O error.
 */
@Command(name = "agent-stacks",
        mixinStandardHelpOptions = true,
        versionProvider = AgentStacks.Version.class,
        description = "Semaphore agent stacks on AWS: specs, API client, simulator and local control plane.",
        subcommands = {
                CommandLine.HelpCommand.class,
                SimulateCommand.class,
        })
public final class AgentStacks implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and answers its exit code; tests call this instead of {@link #main}. */
    public static int run(String... args) {
        return newCommandLine().execute(args);
    }

    public static CommandLine newCommandLine() {
        return new CommandLine(new AgentStacks())
                .setExitCodeExceptionMapper(e -> 2)
                .setParameterExceptionHandler((ex, args) -> {
                    ex.getCommandLine().getErr().println("agent-stacks: " + ex.getMessage());
                    ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName()
                            + " --help' for more information.");
                    return 2;
                });
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AgentStacks.class.getPackage().getImplementationVersion();
            return new String[] {"agent-stacks " + (v == null ? "development build" : v)};
        }
    }
}
