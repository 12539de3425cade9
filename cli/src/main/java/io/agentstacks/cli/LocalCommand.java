package io.agentstacks.cli;

import io.agentstacks.local.LocalControlPlane;
import io.agentstacks.local.server.LocalReporter;
import io.agentstacks.local.server.LocalServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code agent-stacks local}: the whole control plane on this machine, as a server on 127.0.0.1 — the stack API
 * (so that apply, get, delete and set-token work with {@code --endpoint http://127.0.0.1:PORT}), a fake
 * Semaphore that takes jobs on {@code POST /local/jobs}, and simulated AWS, with time running {@code --speed}
 * times faster than real time. Runs until Ctrl-C (or SIGTERM).
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"Run the whole control plane on this machine, without AWS: the stack API on http://127.0.0.1:PORT,",
                "a fake Semaphore (POST /local/jobs {\"agentType\": STACK, \"count\": N, \"durationSeconds\": S}),",
                "simulated CloudFormation, Auto Scaling, EC2 and SSM, and the state machines in aws-local-stepfunctions.",
                "Run it from a checkout of the project after mvn -B verify (it needs Node.js and statemachines/)."})
public final class LocalCommand implements Callable<Integer> {

    static final double MAX_SPEED = 1000;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port on 127.0.0.1 to serve on (default: ${DEFAULT-VALUE}).")
    int port = 8080;

    @Option(names = "--speed", paramLabel = "N", defaultValue = "10",
            description = "Simulated time runs N times faster than real time, up to " + (int) MAX_SPEED + " (default: ${DEFAULT-VALUE}).")
    double speed = 10;

    @Option(names = "--log", paramLabel = "FILE",
            description = "Write every function's and stand-in's log line to FILE (JSON lines, no secrets).")
    Optional<Path> log = Optional.empty();

    /** Counted down to stop (Ctrl-C's shutdown hook, or a test). */
    final CountDownLatch stop = new CountDownLatch(1);

    /** Called with the running control plane before its clock starts (tests). */
    Consumer<LocalControlPlane> onStarted = cp -> { };

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!(speed > 0) || speed > MAX_SPEED) {
            err.println("agent-stacks: --speed must be more than 0 and at most " + (int) MAX_SPEED + ", not " + speed);
            return 2;
        }
        if (port < 0 || port > 65_535) {
            err.println("agent-stacks: --port must be 0 to 65535, not " + port);
            return 2;
        }
        Writer logFile = null;
        LocalControlPlane cp = null;
        LocalServer server = null;
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        try {
            // The port first: a port in use is said at once, not after Node has loaded every state machine.
            AtomicReference<LocalReporter> reporting = new AtomicReference<>();
            server = LocalServer.bind(port, speed, notice -> print(out, reporting.get().stamped(notice)));
            if (log.isPresent()) {
                logFile = Files.newBufferedWriter(log.get(), StandardCharsets.UTF_8);
            }
            Consumer<String> mirror = logMirror(logFile);
            cp = LocalControlPlane.start(LocalControlPlane.Options.defaults()
                    .withStart(Instant.now().truncatedTo(ChronoUnit.SECONDS)).withLogMirror(mirror));
            reporting.set(LocalReporter.attach(cp, line -> print(out, line)));
            server.serve(cp);
            String base = server.uri().toString();
            print(out, "Local control plane on " + base + " (simulated time runs " + format(speed) + "x real time,"
                    + " from " + cp.now() + ")");
            print(out, "  create a stack:  agent-stacks apply --endpoint " + base + " -f examples/linux-small.json --wait");
            print(out, "  queue jobs:      curl -s -X POST " + base + "/local/jobs -d '{\"agentType\": \"linux-small\","
                    + " \"count\": 3, \"durationSeconds\": 120}'");
            print(out, "  watch it:        agent-stacks get --endpoint " + base + " linux-small");
            print(out, "Stop with Ctrl-C.");
            LocalControlPlane running = cp;
            onStarted.accept(running);
            running.runInRealTime(speed, failure -> {
                print(err, "agent-stacks: the local control plane stopped: " + failure.getMessage());
                failed.set(failure);
                stop.countDown();
            });
            LocalServer serving = server;
            Writer logged = logFile;
            Thread hook = new Thread(() -> {
                shutDown(serving, running, logged);
                print(out, "Stopped.");
                stop.countDown();
            }, "agent-stacks-local-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            stop.await();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                return 0; // the JVM is shutting down: the hook stops everything
            }
            shutDown(server, cp, logFile);
            if (failed.get() != null) {
                return 1; // the simulation died: a script or CI wrapper must be able to tell this from Ctrl-C
            }
            print(out, "Stopped.");
            return 0;
        } catch (IllegalStateException | IllegalArgumentException e) {
            err.println("agent-stacks: " + e.getMessage());
            shutDown(server, cp, logFile);
            return 2;
        } catch (IOException e) {
            err.println("agent-stacks: cannot write the log file " + log.map(Path::toString).orElse("") + ": " + e.getMessage());
            shutDown(server, cp, logFile);
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutDown(server, cp, logFile);
            return 0;
        }
    }

    private static Consumer<String> logMirror(Writer logFile) {
        if (logFile == null) {
            return line -> { };
        }
        return line -> {
            synchronized (logFile) {
                try {
                    logFile.write(line);
                    logFile.write('\n');
                    logFile.flush();
                } catch (IOException e) {
                    // the log is best effort; the control plane goes on
                }
            }
        };
    }

    private static void shutDown(LocalServer server, LocalControlPlane cp, Writer logFile) {
        if (server != null) {
            server.close();
        }
        if (cp != null) {
            cp.close();
        }
        if (logFile != null) {
            try {
                logFile.close();
            } catch (IOException e) {
                // nothing more to write
            }
        }
    }

    private static void print(PrintWriter w, String line) {
        synchronized (w) {
            w.println(line);
            w.flush();
        }
    }

    private static String format(double speed) {
        return speed == Math.rint(speed) ? Long.toString((long) speed) : Double.toString(speed);
    }
}
