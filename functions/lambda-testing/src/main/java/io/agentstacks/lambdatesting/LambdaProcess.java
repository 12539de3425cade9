package io.agentstacks.lambdatesting;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Lambda entry run as Lambda runs it: in a new JVM whose class path is the function's shaded jar and nothing
 * else that could stand in for a class the jar lacks (the {@link LambdaInvoker}, and for the cold-start comparison a
 * plain entry's own classes, copied alone into a directory), with only the environment given here, and the JVM
 * flags of Lambda's Java runtime. A class the shade filter left out, a bean the context cannot build or a setting
 * that is missing fails here, at {@code verify}, instead of in Lambda.
 */
public final class LambdaProcess {

    /** Lambda's Java runtime starts the JVM with these (tiered compilation stopped at C1). */
    public static final List<String> LAMBDA_JVM_FLAGS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1");
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    /** How one run went: the answer (or error) of each invocation, what the function printed, and the wall time. */
    public record Result(int exitCode, List<Optional<String>> answers, List<Optional<String>> errors, String stdout,
                         String stderr, Duration wallTime) {

        /** The answer of invocation {@code i}, failing with the process's output when there is none. */
        public String answer(int i) {
            return answers.get(i).orElseThrow(() -> new AssertionError("invocation " + i + " has no answer: "
                    + errors.get(i).orElse("(no error either)") + "\nexit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr));
        }

        public String error(int i) {
            return errors.get(i).orElseThrow(() -> new AssertionError("invocation " + i + " did not fail; it answered "
                    + answers.get(i).orElse("nothing") + "\nstderr:\n" + stderr));
        }

        /** Everything the function wrote: its answers, errors and log lines. */
        public String everythingWritten() {
            StringBuilder b = new StringBuilder(stdout).append('\n').append(stderr);
            answers.forEach(a -> a.ifPresent(s -> b.append('\n').append(s)));
            errors.forEach(e -> e.ifPresent(s -> b.append('\n').append(s)));
            return b.toString();
        }
    }

    private final Path jar;
    private final String entryClass;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<String> jvmFlags = new ArrayList<>(LAMBDA_JVM_FLAGS);
    private Path extraClasses;
    private final List<String> extraClassNames = new ArrayList<>();

    private LambdaProcess(Path jar, String entryClass) {
        this.jar = jar;
        this.entryClass = entryClass;
    }

    /** {@code entryClass} (its no-argument constructor) from the shaded {@code jar}. */
    public static LambdaProcess of(Path jar, String entryClass) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: the shaded jar is built at package");
        }
        return new LambdaProcess(jar, entryClass);
    }

    /** The child's whole environment (nothing is inherited from this JVM's). */
    public LambdaProcess environment(Map<String, String> env) {
        environment.clear();
        environment.putAll(env);
        return this;
    }

    /** Adds classes (with their nested classes) from a class directory, e.g. a plain entry from test-classes. */
    public LambdaProcess withClasses(Path classesDirectory, String... classNames) {
        this.extraClasses = classesDirectory;
        extraClassNames.addAll(List.of(classNames));
        return this;
    }

    public LambdaProcess jvmFlag(String flag) {
        jvmFlags.add(flag);
        return this;
    }

    /** Builds the entry once and hands it each input in turn, as one warm execution environment would. */
    public Result invoke(String... inputs) {
        Path work = null;
        try {
            work = Files.createTempDirectory("lambda-process");
            Path classes = Files.createDirectories(work.resolve("classes"));
            copyClass(LambdaInvoker.class.getClassLoader(), LambdaInvoker.class.getName(), classes);
            for (String name : extraClassNames) {
                copyClassTree(extraClasses, name, classes);
            }
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmFlags);
            command.add("-cp");
            command.add(jar.toAbsolutePath() + java.io.File.pathSeparator + classes);
            command.add(LambdaInvoker.class.getName());
            command.add(entryClass);
            List<Path> outputs = new ArrayList<>();
            for (int i = 0; i < inputs.length; i++) {
                Path in = Files.writeString(work.resolve("input-" + i + ".json"), inputs[i], StandardCharsets.UTF_8);
                Path out = work.resolve("output-" + i + ".json");
                command.add(in.toString());
                command.add(out.toString());
                outputs.add(out);
            }
            ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                    .redirectOutput(work.resolve("stdout").toFile()).redirectError(work.resolve("stderr").toFile());
            pb.environment().clear();
            pb.environment().putAll(environment);
            long start = System.nanoTime();
            Process process = pb.start();
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(entryClass + " did not finish within " + TIMEOUT + "; stderr:\n"
                        + Files.readString(work.resolve("stderr")));
            }
            Duration wall = Duration.ofNanos(System.nanoTime() - start);
            List<Optional<String>> answers = new ArrayList<>();
            List<Optional<String>> errors = new ArrayList<>();
            for (Path out : outputs) {
                Path error = out.resolveSibling(out.getFileName() + ".error");
                errors.add(Files.exists(error) ? Optional.of(Files.readString(error)) : Optional.empty());
                answers.add(Files.exists(out) && errors.get(errors.size() - 1).isEmpty() ? Optional.of(Files.readString(out)) : Optional.empty());
            }
            return new Result(process.exitValue(), answers, errors, Files.readString(work.resolve("stdout")),
                    Files.readString(work.resolve("stderr")), wall);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + entryClass + " ran", e);
        } finally {
            delete(work);
        }
    }

    private static void copyClass(ClassLoader loader, String className, Path target) throws IOException {
        String resource = className.replace('.', '/') + ".class";
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no class file " + resource);
            }
            Path file = target.resolve(resource);
            Files.createDirectories(file.getParent());
            Files.copy(in, file);
        }
    }

    /** The class and its nested classes ({@code Name$*.class}) from a class directory. */
    private static void copyClassTree(Path directory, String className, Path target) throws IOException {
        Path file = directory.resolve(className.replace('.', '/') + ".class");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no class file " + file + " (compiled with the module's tests)");
        }
        String simple = file.getFileName().toString().replace(".class", "");
        try (Stream<Path> siblings = Files.list(file.getParent())) {
            for (Path f : siblings.filter(f -> f.getFileName().toString().equals(simple + ".class")
                    || f.getFileName().toString().startsWith(simple + "$")).toList()) {
                Path to = target.resolve(directory.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.copy(f, to);
            }
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
