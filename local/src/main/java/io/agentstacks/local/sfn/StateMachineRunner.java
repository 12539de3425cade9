package io.agentstacks.local.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agentstacks.local.LocalHttp;
import io.agentstacks.local.SimulatedTime;
import io.agentstacks.local.aws.LocalLambdas;
import io.agentstacks.stacks.Workflow;
import io.agentstacks.stacks.WorkflowStarter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the deployed state machine definitions in aws-local-stepfunctions (a Node process running
 * {@code statemachines/local/run-local.mjs}) on the simulated clock, their Tasks routed to the Java handlers.
 *
 * <p>This class is the Java half: a loopback HTTP endpoint the runner calls for each Task ({@code /invoke}: a
 * Lambda function by ARN, {@code lambda:invoke} with FunctionName and Payload, or {@code states:startExecution}),
 * for each Wait ({@code /wait}: the execution parks in {@link SimulatedTime} until the simulated instant) and at
 * each execution's end ({@code /end}); and the runner's standard input, on which it is told to start executions
 * and to wake parked ones. See run-local.mjs for the rewriting of Wait states.
 */
public final class StateMachineRunner implements AutoCloseable {

    /** Real time allowed for Node to load and validate every definition. */
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String STATES_PREFIX = "arn:aws:states:" + LocalLambdas.REGION + ":" + LocalLambdas.ACCOUNT + ":";

    /** As Step Functions reports them (an execution here is never aborted or redriven). */
    public enum Status { RUNNING, SUCCEEDED, FAILED, TIMED_OUT }

    /** One execution, as the tests and the local server see it. */
    public record ExecutionView(String definition, String name, String executionArn, Status status, Instant startedAt,
                                JsonNode input, Optional<Instant> endedAt, Optional<JsonNode> output, Optional<String> error,
                                Optional<String> cause, List<String> lastStates, int transitions) {
    }

    /**
     * One Task's call as Step Functions makes it: the resource, the Task's input, and its output or its error and
     * cause. Kept so that tests can check that no secret passes through a state machine's data.
     */
    public record TaskCall(String execution, String state, String resource, Instant at, JsonNode input, Optional<JsonNode> output, Optional<String> error,
                           Optional<String> cause) {
    }

    /** How many Task calls are kept (the latest), so that a long local run does not grow without bound. */
    public static final int TASK_CALLS_KEPT = 20_000;

    private static final class Execution {
        final String definition;
        final String name;
        final String arn;
        final Instant startedAt;
        final JsonNode input;
        Status status = Status.RUNNING;
        Instant endedAt;
        JsonNode output;
        String error;
        String cause;
        List<String> lastStates = List.of();
        int transitions;

        Execution(String definition, String name, String arn, Instant startedAt, JsonNode input) {
            this.definition = definition;
            this.name = name;
            this.arn = arn;
            this.startedAt = startedAt;
            this.input = input.deepCopy();
        }

        ExecutionView view() {
            return new ExecutionView(definition, name, arn, status, startedAt, input.deepCopy(), Optional.ofNullable(endedAt),
                    Optional.ofNullable(output), Optional.ofNullable(error), Optional.ofNullable(cause), lastStates,
                    transitions);
        }
    }

    private final StateMachineFiles files;
    private final SimulatedTime time;
    private final LocalLambdas lambdas;
    private final WorkflowStarter workflows;
    private final Consumer<String> log;
    private final List<Consumer<ExecutionView>> endListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Execution> executions = new LinkedHashMap<>();
    private final Deque<TaskCall> taskCalls = new ArrayDeque<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final HttpServer server;
    private Process process;
    private OutputStream stdin;
    private volatile boolean closing;

    /**
     * @param workflows starts the executions a definition starts itself ({@code states:startExecution});
     *                  it is expected to hand them back to {@link #start} (InMemoryWorkflowStarter.onStart)
     */
    public StateMachineRunner(StateMachineFiles files, SimulatedTime time, LocalLambdas lambdas, WorkflowStarter workflows,
                              Consumer<String> log) {
        this.files = Objects.requireNonNull(files, "files");
        this.time = Objects.requireNonNull(time, "time");
        this.lambdas = Objects.requireNonNull(lambdas, "lambdas");
        this.workflows = Objects.requireNonNull(workflows, "workflows");
        this.log = Objects.requireNonNull(log, "log");
        this.server = LocalHttp.loopbackServer("sfn-task-", 32);
        server.createContext("/", this::handle);
    }

    /** The ARN a definition is deployed under here (what {@code ${...StateMachineArn}} placeholders become). */
    public static String stateMachineArn(String definition) {
        return STATES_PREFIX + "stateMachine:" + definition;
    }

    public static String executionArn(String definition, String name) {
        return STATES_PREFIX + "execution:" + definition + ":" + name;
    }

    /** Starts Node and waits (real time, bounded) until every definition is loaded and validated. */
    public void open(Map<String, String> substitutions) {
        files.requireNodePackages();
        server.start();
        ProcessBuilder pb = new ProcessBuilder("node", "--import", "./test/polyfills.mjs", "local/run-local.mjs")
                .directory(files.directory().toFile());
        pb.environment().put("LOCAL_CONTROL_PLANE_URL", "http://127.0.0.1:" + server.getAddress().getPort());
        pb.environment().put("LOCAL_SUBSTITUTIONS", JSON.valueToTree(substitutions).toString());
        pb.environment().put("NODE_NO_WARNINGS", "1");
        try {
            process = pb.start();
        } catch (IOException e) {
            LocalHttp.stop(server);
            throw new IllegalStateException("cannot start node (Node.js 20 or newer must be on the PATH): " + e.getMessage(), e);
        }
        stdin = process.getOutputStream();
        Thread errors = new Thread(() -> drain(new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8)), true), "sfn-runner-stderr");
        errors.setDaemon(true);
        errors.start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread out = new Thread(() -> {
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (!ready.isDone() && line.startsWith("{\"ready\":true")) {
                        ready.complete(line);
                    } else {
                        log.accept(line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            ready.completeExceptionally(new IllegalStateException("the state machine runner exited before it was ready"));
        }, "sfn-runner-stdout");
        out.setDaemon(true);
        out.start();
        try {
            ready.get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            String why = problem().orElse("it did not say it was ready within " + STARTUP_TIMEOUT.toSeconds() + " s");
            close();
            throw new IllegalStateException("the state machine runner (node " + files.runner() + ") did not start: " + why, e);
        }
        time.healthCheck(this::problem);
    }

    /** Why executions cannot go on, if the runner is gone. */
    public Optional<String> problem() {
        if (process != null && !process.isAlive() && !closing) {
            synchronized (stderrTail) {
                return Optional.of("the state machine runner exited with status " + process.exitValue()
                        + (stderrTail.isEmpty() ? "" : ": " + String.join(" | ", stderrTail)));
            }
        }
        return Optional.empty();
    }

    /** Starts an execution of {@code definition} (its clock is the simulated one). */
    public void start(String definition, String name, String executionArn, JsonNode input) {
        // Counted in flight first: from here the clock stands still until the execution parks or ends.
        Instant now = time.executionStarted();
        synchronized (this) {
            if (executions.containsKey(executionArn)) {
                time.executionEnded();
                // Step Functions refuses a reused name; every caller here makes names unique, so this is a bug.
                throw new IllegalStateException("execution " + executionArn + " exists already");
            }
            executions.put(executionArn, new Execution(definition, name, executionArn, now, input));
        }
        ObjectNode msg = F.objectNode();
        msg.put("type", "start");
        msg.put("definition", definition);
        msg.put("name", name);
        msg.put("executionArn", executionArn);
        msg.set("input", input);
        msg.put("startTime", now.toString());
        send(msg);
    }

    public synchronized List<ExecutionView> executions() {
        return executions.values().stream().map(Execution::view).toList();
    }

    /** The latest Task calls (at most {@value #TASK_CALLS_KEPT}), oldest first. */
    public List<TaskCall> taskCalls() {
        synchronized (taskCalls) {
            return List.copyOf(taskCalls);
        }
    }

    public synchronized List<ExecutionView> executions(String definition) {
        return executions.values().stream().filter(e -> e.definition.equals(definition)).map(Execution::view).toList();
    }

    // ---- the runner's calls ----------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(LocalHttp.body(exchange, 1024 * 1024));
            JsonNode answer = switch (exchange.getRequestURI().getPath()) {
                case "/invoke" -> invoke(body);
                case "/wait" -> park(body);
                case "/end" -> end(body);
                default -> null;
            };
            if (answer == null) {
                LocalHttp.problem(exchange, 404, "no route " + exchange.getRequestURI().getPath());
            } else {
                LocalHttp.send(exchange, new LocalHttp.Answer(200, "application/json", answer.toString()));
            }
        } catch (BadRequest e) {
            LocalHttp.problem(exchange, 400, e.getMessage());
        } catch (RuntimeException e) {
            log.accept("{\"event\":\"sfn.runner-call-failed\",\"error\":\"" + e.getClass().getName() + "\"}");
            LocalHttp.problem(exchange, 500, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** A Task: a Lambda function by ARN, {@code lambda:invoke}, or {@code states:startExecution}. */
    private JsonNode invoke(JsonNode call) {
        String resource = call.path("resource").asText("");
        JsonNode input = call.path("input");
        ObjectNode answer = F.objectNode();
        try {
            if (resource.equals("arn:aws:states:::lambda:invoke")) {
                String function = LocalLambdas.nameOf(input.path("FunctionName").asText(""))
                        .orElseThrow(() -> new LocalLambdas.FunctionError("States.Runtime",
                                "lambda:invoke without a FunctionName"));
                JsonNode payload = input.has("Payload") ? input.get("Payload") : F.objectNode();
                ObjectNode result = F.objectNode();
                result.put("ExecutedVersion", "$LATEST");
                result.set("Payload", lambdas.invoke(function, payload));
                result.put("StatusCode", 200);
                answer.set("output", result);
            } else if (resource.equals("arn:aws:states:::states:startExecution")) {
                answer.set("output", startExecution(input));
            } else if (LocalLambdas.nameOf(resource).filter(n -> resource.startsWith("arn:aws:lambda:")).isPresent()) {
                answer.set("output", lambdas.invoke(LocalLambdas.nameOf(resource).orElseThrow(), input));
            } else {
                throw new LocalLambdas.FunctionError("States.Runtime", "the local runner cannot call resource " + resource);
            }
        } catch (LocalLambdas.FunctionError e) {
            answer.put("error", e.errorType());
            ObjectNode cause = F.objectNode();
            cause.put("errorMessage", e.errorMessage());
            cause.put("errorType", e.errorType());
            cause.putArray("stackTrace");
            answer.put("cause", cause.toString());
        }
        record(call.path("execution").asText(""), call.path("state").asText(""), resource, input, answer);
        return answer;
    }

    private void record(String execution, String state, String resource, JsonNode input, ObjectNode answer) {
        TaskCall call = new TaskCall(execution, state, resource, time.now(), input.deepCopy(), Optional.ofNullable(answer.get("output")).map(JsonNode::deepCopy),
                Optional.ofNullable(answer.get("error")).map(JsonNode::asText), Optional.ofNullable(answer.get("cause")).map(JsonNode::asText));
        synchronized (taskCalls) {
            if (taskCalls.size() == TASK_CALLS_KEPT) {
                taskCalls.removeFirst();
            }
            taskCalls.addLast(call);
        }
    }

    private JsonNode startExecution(JsonNode input) throws LocalLambdas.FunctionError {
        String arn = input.path("StateMachineArn").asText("");
        String definition = arn.startsWith(STATES_PREFIX + "stateMachine:") ? arn.substring((STATES_PREFIX + "stateMachine:").length()) : "";
        Optional<Workflow> workflow = java.util.Arrays.stream(Workflow.values())
                .filter(w -> w.definitionName().equals(definition)).findFirst();
        if (workflow.isEmpty()) {
            throw new LocalLambdas.FunctionError("StepFunctions.StateMachineDoesNotExistException", "State Machine Does Not Exist: '" + arn + "'");
        }
        String name = input.path("Name").asText("");
        JsonNode executionInput = input.path("Input");
        String inputJson = executionInput.isTextual() ? executionInput.textValue() : executionInput.toString();
        WorkflowStarter.StartResult r;
        try {
            r = workflows.start(workflow.get(), name, inputJson);
        } catch (IllegalArgumentException e) {
            throw new LocalLambdas.FunctionError("StepFunctions.InvalidNameException", String.valueOf(e.getMessage()));
        }
        if (r instanceof WorkflowStarter.StartResult.AlreadyStarted) {
            // The service integration's error when the name is taken by a closed execution or another input.
            throw new LocalLambdas.FunctionError("StepFunctions.ExecutionAlreadyExistsException",
                    "Execution Already Exists: '" + r.executionId() + "'");
        }
        ObjectNode out = F.objectNode();
        out.put("ExecutionArn", r.executionId());
        out.put("StartDate", time.now().toString());
        return out;
    }

    /** A Wait: parks the execution until the simulated instant, and answers the parking's id. */
    private JsonNode park(JsonNode call) {
        String execution = call.path("execution").asText("");
        String state = call.path("state").asText("");
        Instant now = time.now();
        Instant wakeAt;
        if (call.has("seconds")) {
            JsonNode s = call.get("seconds");
            if (!s.isIntegralNumber() || s.asLong() < 0) {
                throw new BadRequest("Wait " + state + ": seconds must be a non-negative whole number, got " + s);
            }
            wakeAt = now.plusSeconds(s.asLong());
        } else if (call.path("timestamp").isTextual()) {
            try {
                wakeAt = Instant.parse(call.get("timestamp").textValue());
            } catch (DateTimeParseException e) {
                throw new BadRequest("Wait " + state + ": timestamp is not an ISO-8601 instant: " + call.get("timestamp"));
            }
        } else {
            throw new BadRequest("Wait " + state + ": neither seconds nor timestamp");
        }
        long id = time.park(wakeAt, execution + " in " + state, parked -> {
            ObjectNode msg = F.objectNode();
            msg.put("type", "wake");
            msg.put("id", parked);
            send(msg);
        });
        ObjectNode answer = F.objectNode();
        answer.put("id", id);
        return answer;
    }

    /** Calls {@code listener} with every execution that ends, before time may move on. */
    public void onEnd(Consumer<ExecutionView> listener) {
        endListeners.add(listener);
    }

    private JsonNode end(JsonNode call) {
        String arn = call.path("execution").asText("");
        ExecutionView ended;
        synchronized (this) {
            Execution e = executions.get(arn);
            if (e == null || e.status != Status.RUNNING) {
                throw new BadRequest("no running execution " + arn);
            }
            e.status = switch (call.path("status").asText("")) {
                case "SUCCEEDED" -> Status.SUCCEEDED;
                case "TIMED_OUT" -> Status.TIMED_OUT;
                default -> Status.FAILED;
            };
            e.endedAt = time.now();
            e.output = call.has("output") ? call.get("output") : null;
            e.error = call.path("error").isTextual() ? call.get("error").textValue() : null;
            e.cause = call.path("cause").isTextual() ? call.get("cause").textValue() : null;
            List<String> states = new ArrayList<>();
            call.path("lastStates").forEach(s -> states.add(s.asText()));
            e.lastStates = List.copyOf(states);
            e.transitions = call.path("transitions").asInt();
            ObjectNode line = F.objectNode();
            line.put("at", e.endedAt.toString());
            line.put("event", "sfn.execution-ended");
            line.put("definition", e.definition);
            line.put("execution", e.name);
            line.put("status", e.status.name());
            if (e.error != null) {
                line.put("error", e.error);
            }
            if (!e.definition.equals("poll-demand") || e.status != Status.SUCCEEDED) {
                log.accept(line.toString());
            }
            ended = e.view();
        }
        try {
            endListeners.forEach(l -> l.accept(ended));
        } finally {
            time.executionEnded();
        }
        return F.objectNode();
    }

    private void send(ObjectNode msg) {
        byte[] line = (msg.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (stdinLock) {
            try {
                stdin.write(line);
                stdin.flush();
            } catch (IOException | NullPointerException e) {
                throw new IllegalStateException("cannot reach the state machine runner: " + problem().orElse(String.valueOf(e.getMessage())), e);
            }
        }
    }

    private final Object stdinLock = new Object();

    private void drain(BufferedReader reader, boolean keepTail) {
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                log.accept("{\"event\":\"sfn.runner-stderr\",\"line\":" + JSON.valueToTree(line) + "}");
                if (keepTail) {
                    synchronized (stderrTail) {
                        stderrTail.addLast(line);
                        if (stderrTail.size() > 20) {
                            stderrTail.removeFirst();
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        closing = true;
        if (process != null) {
            try {
                stdin.close();
            } catch (IOException e) {
                // already gone
            }
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        LocalHttp.stop(server);
    }
}
