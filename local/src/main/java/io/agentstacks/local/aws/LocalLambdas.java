package io.agentstacks.local.aws;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The control plane's Lambda functions in this JVM, by their module names ({@code stack-deployer}, {@code scaler}…),
 * each the real handler class over the local ports. An invocation answers the handler's JSON, or fails as Lambda
 * reports a function error: the exception's class name ({@code errorType}) and message ({@code errorMessage}).
 */
public final class LocalLambdas {

    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "000000000000";
    private static final String ARN_PREFIX = "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:";

    /** One function's handler: the event as Lambda passes it in, the answer as Lambda returns it. */
    @FunctionalInterface
    public interface Handler {
        JsonNode handle(JsonNode event) throws Exception;
    }

    /** A function error, as Lambda reports it to its caller. */
    public static final class FunctionError extends Exception {
        private final String errorType;

        public FunctionError(String errorType, String errorMessage) {
            super(errorMessage);
            this.errorType = Objects.requireNonNull(errorType, "errorType");
        }

        public String errorType() {
            return errorType;
        }

        public String errorMessage() {
            return String.valueOf(getMessage());
        }
    }

    /** A failed invocation, kept for tests and diagnostics. */
    public record Failure(String function, Instant at, String errorType, String errorMessage) {
    }

    private final Map<String, Handler> handlers = new TreeMap<>();
    private final List<Failure> failures = new ArrayList<>();
    private final Map<String, Integer> invocations = new TreeMap<>();
    private final Clock clock;
    private final Consumer<String> log;

    public LocalLambdas(Clock clock, Consumer<String> log) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = Objects.requireNonNull(log, "log");
    }

    public static String arn(String function) {
        return ARN_PREFIX + function;
    }

    /** The function name in a Lambda ARN (qualifier dropped), or the name itself. */
    public static Optional<String> nameOf(String arnOrName) {
        if (arnOrName == null || arnOrName.isBlank()) {
            return Optional.empty();
        }
        if (!arnOrName.startsWith("arn:")) {
            return Optional.of(arnOrName);
        }
        String[] parts = arnOrName.split(":");
        if (parts.length < 7 || !parts[2].equals("lambda") || !parts[5].equals("function")) {
            return Optional.empty();
        }
        return Optional.of(parts[6]);
    }

    public synchronized void register(String function, Handler handler) {
        if (handlers.putIfAbsent(function, Objects.requireNonNull(handler, "handler")) != null) {
            throw new IllegalArgumentException("function " + function + " is registered already");
        }
    }

    public synchronized boolean exists(String function) {
        return handlers.containsKey(function);
    }

    /** Invokes the function synchronously (RequestResponse). */
    public JsonNode invoke(String function, JsonNode event) throws FunctionError {
        Handler handler;
        synchronized (this) {
            handler = handlers.get(function);
            invocations.merge(function, 1, Integer::sum);
        }
        if (handler == null) {
            throw new FunctionError("ResourceNotFoundException", "Function not found: " + arn(function));
        }
        try {
            JsonNode answer = handler.handle(event);
            if (answer == null) {
                throw new IllegalStateException("the handler answered nothing");
            }
            return answer;
        } catch (Exception e) {
            Failure f = new Failure(function, clock.instant(), e.getClass().getName(), String.valueOf(e.getMessage()));
            synchronized (this) {
                failures.add(f);
            }
            log.accept("{\"event\":\"lambda.failed\",\"function\":\"" + function + "\",\"errorType\":\"" + f.errorType()
                    + "\"}");
            throw new FunctionError(f.errorType(), f.errorMessage());
        }
    }

    public synchronized List<Failure> failures() {
        return List.copyOf(failures);
    }

    public synchronized Map<String, Integer> invocations() {
        return Map.copyOf(invocations);
    }
}
