package io.agentstacks.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Map;

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
                ValidateCommand.class,
                ConvertCommand.class,
                SchemaCommand.class,
                SetTokenCommand.class,
                ApplyCommand.class,
                GetCommand.class,
                DeleteCommand.class,
                SimulateCommand.class,
                LocalCommand.class,
        })
public final class AgentStacks implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> environment;

    public AgentStacks() {
        this(System.getenv());
    }

    /** Tests pass an environment map instead of the process's (which they cannot change). */
    public AgentStacks(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** The environment variables commands read (convert --env). */
    public Map<String, String> environment() {
        return environment;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and answers its exit code; tests call this instead of {@link #main}. */
    public static int run(String... args) {
        return newCommandLine().execute(args);
    }

    public static CommandLine newCommandLine() {
        return newCommandLine(System.getenv());
    }

    public static CommandLine newCommandLine(Map<String, String> environment) {
        return new CommandLine(new AgentStacks(environment))
                .setExitCodeExceptionMapper(e -> 2)
                // A failure nobody foresaw is still one line, never a stack trace.
                .setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
                    commandLine.getErr().println("agent-stacks: " + commandLine.getCommandName() + " failed: "
                            + ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage()));
                    return 2;
                })
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
