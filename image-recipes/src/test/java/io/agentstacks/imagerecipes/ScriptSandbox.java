package io.agentstacks.imagerecipes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One instance's worth of the agent's scripts, installed as the image installs them (the common
 * scripts plus one OS's platform.sh in one directory), run against stand-ins: an {@code aws} and a
 * service manager on PATH that record their calls, and the fake instance metadata service.
 */
final class ScriptSandbox implements AutoCloseable {

    static final Path RECIPES_DIR = Path.of(System.getProperty("imageRecipes.dir", ".")).toAbsolutePath();
    static final String INSTANCE_ID = "i-0123456789abcdef0";
    static final String REGION = "eu-west-1";
    static final String GROUP = "ci-agents-asg-1";

    final String os;
    final Path root;
    final Path agentDir;
    final Path home;
    final Path responses;
    final Path state;
    final Path calls;
    /** The CloudWatch agent as the image installs it: its etc/ (the image's config) and bin/ (the ctl stand-in). */
    final Path cloudWatchAgentDir;
    final FakeInstanceMetadata imds;
    private final Path bin;
    private final Map<String, String> env = new HashMap<>();

    ScriptSandbox(String os) throws IOException {
        this.os = os;
        root = Files.createTempDirectory("agent-scripts-" + os);
        agentDir = Files.createDirectories(root.resolve("opt/semaphore/agent"));
        home = Files.createDirectories(root.resolve("home/semaphore"));
        responses = Files.createDirectories(root.resolve("aws-responses"));
        state = Files.createDirectories(root.resolve("fake-state"));
        bin = Files.createDirectories(root.resolve("bin"));
        calls = root.resolve("calls.log");
        Files.writeString(calls, "");

        try (Stream<Path> common = Files.list(RECIPES_DIR.resolve("scripts/common"))) {
            for (Path script : common.toList()) {
                copyExecutable(script, agentDir.resolve(script.getFileName()));
            }
        }
        copyExecutable(RECIPES_DIR.resolve("scripts/" + os + "/platform.sh"), agentDir.resolve("platform.sh"));
        try (Stream<Path> fakes = Files.list(RECIPES_DIR.resolve("src/test/resources/fakes"))) {
            for (Path fake : fakes.toList()) {
                copyExecutable(fake, bin.resolve(fake.getFileName()));
            }
        }

        cloudWatchAgentDir = Files.createDirectories(root.resolve("opt/aws/amazon-cloudwatch-agent"));
        Files.createDirectories(cloudWatchAgentDir.resolve("etc"));
        Files.createDirectories(cloudWatchAgentDir.resolve("bin"));
        Path imageConfig = RECIPES_DIR.resolve("scripts/" + os + "/amazon-cloudwatch-agent.json");
        if (Files.exists(imageConfig)) {
            Files.copy(imageConfig, cloudWatchAgentDir.resolve("etc/amazon-cloudwatch-agent.json"));
        }
        copyExecutable(RECIPES_DIR.resolve("src/test/resources/fakes/amazon-cloudwatch-agent-ctl"),
                cloudWatchAgentDir.resolve("bin/amazon-cloudwatch-agent-ctl"));

        imds = new FakeInstanceMetadata(INSTANCE_ID, REGION);
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("FAKE_CALLS_LOG", calls.toString());
        env.put("FAKE_AWS_RESPONSES", responses.toString());
        env.put("FAKE_STATE_DIR", state.toString());
        env.put("SEMAPHORE_AGENT_DIR", agentDir.toString());
        env.put("SEMAPHORE_IMDS_ENDPOINT", imds.endpoint());
        env.put("SEMAPHORE_AWS_CLI", "aws");
        env.put("SEMAPHORE_AGENT_USER", System.getProperty("user.name"));
        env.put("SEMAPHORE_AGENT_HOME", home.toString());
        env.put("SEMAPHORE_SYSTEMD_DIR", root.resolve("etc/systemd/system").toString());
        env.put("SEMAPHORE_LAUNCHD_DIR", root.resolve("Library/LaunchDaemons").toString());
        env.put("SEMAPHORE_CLOUDWATCH_AGENT_DIR", cloudWatchAgentDir.toString());
        env.put("SEMAPHORE_POLL_SECONDS", "0");
        env.put("SEMAPHORE_RETRY_ATTEMPTS", "2");
        env.put("SEMAPHORE_RETRY_DELAY_SECONDS", "0");
        Files.createDirectories(root.resolve("Library/LaunchDaemons"));

        // What the stack's instances see: the group they belong to.
        answer("autoscaling.describe-auto-scaling-instances", GROUP);
    }

    /** Canned output of one AWS CLI call (see the stand-in's header for the key). */
    void answer(String key, String output) {
        write(responses.resolve(key), output + "\n");
    }

    /** The call fails as the AWS CLI fails: exit code 254, the message on stderr. */
    void fail(String key, String message) {
        write(responses.resolve(key + ".error"), message + "\n");
    }

    void agentActive(boolean active) {
        Path marker = state.resolve("agent-active");
        try {
            if (active) {
                Files.writeString(marker, "");
            } else {
                Files.deleteIfExists(marker);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What start.sh leaves behind for the hooks: the stack config and the instance's identity. */
    void startedWith(String stackConfigJson) {
        write(agentDir.resolve("stack-config.json"), stackConfigJson);
        write(agentDir.resolve("instance.json"),
                "{\"instanceId\":\"" + INSTANCE_ID + "\",\"region\":\"" + REGION + "\",\"groupName\":\"" + GROUP + "\"}");
        write(agentDir.resolve("state"), "started\n");
    }

    List<String> calls() {
        try {
            return Files.readAllLines(calls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String file(String relative) {
        try {
            return Files.readString(agentDir.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Result run(String script, Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(agentDir.resolve(script).toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        builder.environment().putAll(env);
        builder.environment().putAll(extraEnv);
        Path out = root.resolve("stdout.txt");
        Path err = root.resolve("stderr.txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(script + " did not finish within 60 s; stderr: " + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    Result run(String script, String... args) throws IOException, InterruptedException {
        return run(script, Map.of(), args);
    }

    record Result(int exitCode, String stdout, String stderr) {
        String output() {
            return stdout + stderr;
        }
    }

    private static void copyExecutable(Path from, Path to) throws IOException {
        Files.copy(from, to);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void write(Path path, String content) {
        try {
            Files.writeString(path, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        imds.close();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
