package io.agentstacks.local.sfn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The project's {@code statemachines/} directory: the deployed definitions ({@code *.asl.json}), the event rules
 * ({@code event-rules.json}), the local runner ({@code local/run-local.mjs}) and the Node packages the statemachines
 * module's build installs ({@code node_modules/}, by {@code npm ci}).
 */
public record StateMachineFiles(Path directory) {

    /** System property naming the directory. */
    public static final String PROPERTY = "agentstacks.statemachines";
    /** Environment variable naming the directory. */
    public static final String ENV = "AGENT_STACKS_STATEMACHINES";

    public StateMachineFiles {
        Objects.requireNonNull(directory, "directory");
        directory = directory.toAbsolutePath().normalize();
    }

    /**
     * The directory named by {@value #PROPERTY} or {@value #ENV}, else {@code statemachines/} in the working
     * directory or one of its parents (a checkout of the project).
     */
    public static StateMachineFiles locate() {
        return locate(System.getProperties().entrySet().stream()
                .filter(e -> e.getKey().equals(PROPERTY)).map(e -> e.getValue().toString()).findFirst(),
                System.getenv(), Path.of(""));
    }

    static StateMachineFiles locate(Optional<String> property, Map<String, String> env, Path workingDirectory) {
        Optional<String> named = property.or(() -> Optional.ofNullable(env.get(ENV))).filter(s -> !s.isBlank());
        if (named.isPresent()) {
            StateMachineFiles f = new StateMachineFiles(Path.of(named.get()));
            if (!Files.isRegularFile(f.eventRules())) {
                throw new IllegalStateException(named.get() + " (from " + (property.isPresent() ? "-D" + PROPERTY : ENV)
                        + ") is not the project's statemachines directory: it has no event-rules.json");
            }
            return f;
        }
        for (Path dir = workingDirectory.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("statemachines");
            if (Files.isRegularFile(candidate.resolve("event-rules.json")) && Files.isRegularFile(candidate.resolve("package.json"))) {
                return new StateMachineFiles(candidate);
            }
        }
        throw new IllegalStateException("cannot find the project's statemachines/ directory from "
                + workingDirectory.toAbsolutePath().normalize() + ": run from a checkout of the project, or set "
                + ENV + " to its statemachines/ directory");
    }

    public Path definition(String name) {
        return directory.resolve(name + ".asl.json");
    }

    public Path eventRules() {
        return directory.resolve("event-rules.json");
    }

    public Path runner() {
        return directory.resolve("local").resolve("run-local.mjs");
    }

    public Path polyfills() {
        return directory.resolve("test").resolve("polyfills.mjs");
    }

    /** @throws IllegalStateException saying how to install them when the Node packages are missing */
    public void requireNodePackages() {
        if (!Files.isDirectory(directory.resolve("node_modules").resolve("aws-local-stepfunctions"))) {
            throw new IllegalStateException(directory.resolve("node_modules") + " has no aws-local-stepfunctions: build the "
                    + "project first (mvn -B verify), or run npm ci in " + directory);
        }
        if (!Files.isRegularFile(runner())) {
            throw new IllegalStateException("the local state machine runner " + runner() + " is missing");
        }
    }
}
