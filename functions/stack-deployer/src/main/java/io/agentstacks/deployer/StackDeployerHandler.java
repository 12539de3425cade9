package io.agentstacks.deployer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.images.ImageRollout;
import io.agentstacks.metrics.EmbeddedMetrics;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.stacks.Network.ResolvedNetwork;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The stack-deployer Lambda's one handler: the task input's {@code action} names the step, the other
 * fields are its arguments, and the answer is the step's result as JSON (statemachines/README.md lists
 * every input and output). One function for all steps keeps one warm instance for a whole workflow, one
 * IAM role and one ARN to substitute into the definitions.
 *
 * <p>The same function is the target of the EventBridge rule on Image Builder's
 * {@code EC2 Image Builder Image State Change} events: an input with a {@code detail-type} is such an event, and
 * an {@code AVAILABLE} image starts the {@link ImageRollout} of its (os, arch). A second delivery of the event
 * starts nothing new: each stack's record names the image once its refresh is under way, and an event for an image
 * older than the one a stack holds leaves it alone. A stack whose refresh could not be started stops no other: each
 * such stack is logged (with the {@code ImageRolloutFailed} metric), and then the invocation fails with
 * {@link ImageRolloutIncomplete}, so that Lambda's retry of the asynchronous event tries exactly those stacks again
 * (twice, about 1 and 2 minutes later: event-rules.json's function settings); after that, Lambda puts the event in
 * the function's failed-events queue, whose alarm tells an operator.
 *
 * <p>Input is checked before anything is done: a missing or mistyped field throws
 * {@link BadTaskInput} naming it. Nothing in an input or output is a secret.
 */
public final class StackDeployerHandler {

    /** A task input the handler cannot act on; the message names the field. */
    public static final class BadTaskInput extends IllegalArgumentException {
        public BadTaskInput(String message) {
            super(message);
        }
    }

    /**
     * Some stacks' refresh could not be started (the others were); the message names them and why. Thrown after
     * the whole event was handled, so that the asynchronous invocation is retried; {@link #answer} is what a
     * successful invocation would have answered.
     */
    public static final class ImageRolloutIncomplete extends RuntimeException {
        private final transient ObjectNode answer;

        ImageRolloutIncomplete(String message, ObjectNode answer) {
            super(message);
            this.answer = answer;
        }

        public ObjectNode answer() {
            return answer;
        }
    }

    /** The {@code Error} a state machine gives a failure it builds itself; its {@code Cause} is the reason as is. */
    public static final String STACK_FAILED_ERROR = "StackFailed";

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final DeployerSteps steps;
    private final ImageRollout rollout;
    private final Consumer<String> log;

    public StackDeployerHandler(DeployerSteps steps) {
        this(steps, System.out::println);
    }

    /** @param log receives one JSON object per handled step (stack, event, outcome); never a secret */
    public StackDeployerHandler(DeployerSteps steps, Consumer<String> log) {
        this(steps, steps.imageRollout(), log);
    }

    public StackDeployerHandler(DeployerSteps steps, ImageRollout rollout, Consumer<String> log) {
        this.steps = Objects.requireNonNull(steps, "steps");
        this.rollout = Objects.requireNonNull(rollout, "rollout");
        this.log = Objects.requireNonNull(log, "log");
    }

    public ObjectNode handle(JsonNode input) {
        if (input == null || !input.isObject()) {
            throw new BadTaskInput("task input must be a JSON object");
        }
        if (input.has("detail-type")) {
            return imageStateChange(input);
        }
        String action = text(input, "action");
        String stack = text(input, "stack");
        if (stack.isBlank() || stack.length() > 128 || !stack.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new BadTaskInput("stack must be a stack name (1-128 printable characters): " + stack);
        }
        long specVersion = positiveLong(input, "specVersion");
        ObjectNode out = switch (action) {
            case "resolveNetwork" -> resolveNetwork(stack, specVersion, input);
            case "deploy" -> deploy(stack, specVersion, input);
            case "readStatus" -> readStatus(stack, input);
            case "finalize" -> finalizeStack(stack, specVersion);
            case "markFailed" -> markFailed(stack, specVersion, input);
            case "scaleToZero" -> scaleToZero(stack, specVersion, input);
            case "readInstances" -> readInstances(input);
            case "delete" -> delete(stack, specVersion, input);
            case "markDeleted" -> markDeleted(stack, specVersion);
            default -> throw new BadTaskInput("unknown action " + action + "; one of resolveNetwork, deploy, readStatus, "
                    + "finalize, markFailed, scaleToZero, readInstances, delete, markDeleted");
        };
        ObjectNode line = F.objectNode();
        line.put("stack", stack);
        line.put("event", "stack-deployer." + action);
        line.put("specVersion", specVersion);
        out.fields().forEachRemaining(e -> {
            if (!e.getValue().isContainerNode()) {
                line.set(e.getKey(), e.getValue());
            }
        });
        log.accept(line.toString());
        return out;
    }

    public String handle(String inputJson) {
        try {
            return handle(SpecJson.MAPPER.readTree(inputJson)).toString();
        } catch (JsonProcessingException e) {
            throw new BadTaskInput("task input is not JSON: " + e.getOriginalMessage());
        }
    }

    /** An EventBridge event: only Image Builder's image state changes are this function's. */
    private ObjectNode imageStateChange(JsonNode event) {
        ImageRollout.Outcome outcome;
        try {
            outcome = rollout.onImageStateChange(event.toString());
        } catch (IllegalArgumentException e) {
            throw new BadTaskInput("not an EC2 Image Builder Image State Change event of an agent image: " + e.getMessage());
        }
        ObjectNode o = F.objectNode();
        ObjectNode line = F.objectNode().put("event", "stack-deployer.imageRollout");
        if (outcome instanceof ImageRollout.Outcome.Ignored ignored) {
            o.put("outcome", "IGNORED");
            o.put("reason", ignored.reason());
            line.put("outcome", "IGNORED").put("reason", ignored.reason());
            log.accept(line.toString());
            return o;
        }
        ImageRollout.Outcome.Refreshed refreshed = (ImageRollout.Outcome.Refreshed) outcome;
        String image = refreshed.image().imageArn();
        o.put("outcome", refreshed.failed().isEmpty() ? "REFRESHED" : "INCOMPLETE");
        o.put("image", image);
        o.put("os", refreshed.image().os().value());
        o.put("arch", refreshed.image().arch().value());
        ArrayNode refreshes = o.putArray("refreshes");
        for (ImageRollout.Refresh r : refreshed.refreshes()) {
            refreshes.addObject().put("stack", r.stack()).put("groupName", r.groupName())
                    .put("instanceRefreshId", r.instanceRefreshId());
            log.accept(F.objectNode().put("stack", r.stack()).put("event", "stack-deployer.instanceRefresh")
                    .put("image", image).put("groupName", r.groupName())
                    .put("instanceRefreshId", r.instanceRefreshId()).toString());
        }
        ArrayNode skipped = o.putArray("skipped");
        for (ImageRollout.Skipped k : refreshed.skipped()) {
            skipped.addObject().put("stack", k.stack()).put("reason", k.reason());
            log.accept(F.objectNode().put("stack", k.stack()).put("event", "stack-deployer.instanceRefreshSkipped")
                    .put("image", image).put("reason", k.reason()).toString());
        }
        ArrayNode failed = o.putArray("failed");
        Instant at = eventTime(event);
        for (ImageRollout.Failed f : refreshed.failed()) {
            failed.addObject().put("stack", f.stack()).put("groupName", f.groupName()).put("reason", f.reason());
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("stack", f.stack());
            fields.put("event", "stack-deployer.instanceRefreshFailed");
            fields.put("level", "ERROR");
            fields.put("image", image);
            fields.put("groupName", f.groupName());
            fields.put("reason", f.reason());
            log.accept(EmbeddedMetrics.line(at, EmbeddedMetrics.dims("Stack", f.stack()),
                    List.of(EmbeddedMetrics.Metric.count("ImageRolloutFailed", 1)), fields));
        }
        line.put("outcome", o.path("outcome").asText()).put("image", image).put("refreshes", refreshes.size())
                .put("skipped", skipped.size()).put("failed", failed.size());
        log.accept(line.toString());
        if (!refreshed.failed().isEmpty()) {
            throw new ImageRolloutIncomplete("image roll-out of " + image + " incomplete: " + refreshed.failed().stream()
                    .map(f -> f.stack() + " (" + f.reason() + ")").collect(Collectors.joining(", "))
                    + "; the other stacks were refreshed or skipped, and a retry of the event tries only these", o);
        }
        return o;
    }

    /** The event's own time (EventBridge always sets it), for the metric's timestamp. */
    private static Instant eventTime(JsonNode event) {
        try {
            return Instant.parse(event.path("time").asText());
        } catch (DateTimeParseException e) {
            return Instant.now();
        }
    }

    private ObjectNode resolveNetwork(String stack, long specVersion, JsonNode in) {
        DeployerSteps.NetworkResult r = steps.resolveNetwork(stack, specVersion, instant(in, "startedAt"));
        ObjectNode o = F.objectNode();
        o.put("vpcId", r.network().vpcId());
        r.network().subnetIds().forEach(o.putArray("subnetIds")::add);
        r.network().availabilityZones().forEach(o.putArray("availabilityZones")::add);
        o.put("os", r.os().value());
        o.put("deadline", r.deadline().toString());
        return o;
    }

    private ObjectNode deploy(String stack, long specVersion, JsonNode in) {
        JsonNode net = in.get("network");
        if (net == null || !net.isObject()) {
            throw new BadTaskInput("network must be an object with vpcId, subnetIds and availabilityZones");
        }
        ResolvedNetwork network = new ResolvedNetwork(text(net, "vpcId"), strings(net, "network.subnetIds", "subnetIds"),
                strings(net, "network.availabilityZones", "availabilityZones"));
        String hostGroupArn = optionalText(in, "hostGroupArn");
        DeployerSteps.DeployResult r = steps.deploy(stack, specVersion, network,
                hostGroupArn.isEmpty() ? Optional.empty() : Optional.of(hostGroupArn), attempt(in), instant(in, "deadline"));
        ObjectNode o = F.objectNode();
        o.put("outcome", r.outcome().name());
        o.put("operation", r.operation());
        r.reason().ifPresent(v -> o.put("reason", v));
        poll(o, r.next());
        return o;
    }

    private ObjectNode readStatus(String stack, JsonNode in) {
        DeployerSteps.StatusResult r = steps.readStatus(stack, workflow(in), attempt(in), instant(in, "deadline"));
        ObjectNode o = F.objectNode();
        o.put("status", r.status().name());
        o.put("stackStatus", r.stackStatus());
        r.reason().ifPresent(v -> o.put("reason", v));
        poll(o, r.next());
        return o;
    }

    private ObjectNode finalizeStack(String stack, long specVersion) {
        DeployerSteps.FinalizeResult r = steps.finalizeStack(stack, specVersion);
        ObjectNode o = F.objectNode();
        o.put("outcome", r.outcome().name());
        o.put("groupName", r.groupName().orElse(""));
        o.put("cloudFormationStackId", r.cloudFormationStackId().orElse(""));
        return o;
    }

    private ObjectNode markFailed(String stack, long specVersion, JsonNode in) {
        DeployerSteps.MarkResult r = steps.markFailed(stack, specVersion, workflow(in), reason(in.get("error")));
        ObjectNode o = F.objectNode();
        o.put("outcome", r.outcome().name());
        o.put("reason", r.reason().orElse(""));
        return o;
    }

    private ObjectNode scaleToZero(String stack, long specVersion, JsonNode in) {
        DeployerSteps.ScaleResult r = steps.scaleToZero(stack, specVersion, instant(in, "startedAt"));
        ObjectNode o = F.objectNode();
        o.put("outcome", r.outcome().name());
        o.put("groupName", r.groupName().orElse(""));
        o.put("os", r.os().value());
        o.put("drainDeadline", r.drainDeadline().toString());
        o.put("deadline", r.deadline().toString());
        return o;
    }

    private ObjectNode readInstances(JsonNode in) {
        String group = optionalText(in, "groupName");
        DeployerSteps.InstancesResult r = steps.readInstances(group.isEmpty() ? Optional.empty() : Optional.of(group),
                attempt(in), instant(in, "deadline"));
        ObjectNode o = F.objectNode();
        o.put("status", r.status().name());
        o.put("remaining", r.remaining());
        r.reason().ifPresent(v -> o.put("reason", v));
        poll(o, r.next());
        return o;
    }

    private ObjectNode delete(String stack, long specVersion, JsonNode in) {
        DeployerSteps.DeleteResult r = steps.delete(stack, specVersion, attempt(in), instant(in, "deadline"));
        ObjectNode o = F.objectNode();
        o.put("outcome", r.outcome().name());
        r.reason().ifPresent(v -> o.put("reason", v));
        poll(o, r.next());
        return o;
    }

    private ObjectNode markDeleted(String stack, long specVersion) {
        ObjectNode o = F.objectNode();
        o.put("outcome", steps.markDeleted(stack, specVersion).outcome().name());
        return o;
    }

    /**
     * The reason of a failure as a Catch or a Pass state hands it over ({@code {"Error": ..., "Cause": ...}}):
     * a {@value #STACK_FAILED_ERROR} error's cause as is; a Lambda error's {@code errorMessage} (not its stack
     * trace); otherwise {@code <Error>: <Cause>}.
     */
    static String reason(JsonNode error) {
        if (error == null || !error.isObject()) {
            throw new BadTaskInput("error must be an object with Error and Cause");
        }
        String name = error.path("Error").asText("");
        String cause = error.path("Cause").asText("");
        if (STACK_FAILED_ERROR.equals(name) && !cause.isBlank()) {
            return cause;
        }
        if (cause.startsWith("{")) {
            try {
                JsonNode c = SpecJson.MAPPER.readTree(cause);
                if (c.hasNonNull("errorMessage")) {
                    return c.get("errorMessage").asText();
                }
            } catch (JsonProcessingException e) {
                // not JSON after all: use it as text
            }
        }
        if (cause.isBlank()) {
            return name.isBlank() ? "failed without a reason" : name;
        }
        return name.isBlank() ? cause : name + ": " + cause;
    }

    private static void poll(ObjectNode o, DeployerSteps.Poll next) {
        o.put("waitSeconds", next.waitSeconds());
        o.put("attempt", next.attempt());
    }

    private static DeployerSteps.Workflow workflow(JsonNode in) {
        String w = text(in, "workflow");
        return switch (w) {
            case "provision" -> DeployerSteps.Workflow.PROVISION;
            case "destroy" -> DeployerSteps.Workflow.DESTROY;
            default -> throw new BadTaskInput("workflow must be provision or destroy: " + w);
        };
    }

    private static int attempt(JsonNode in) {
        JsonNode v = in.get("attempt");
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || v.asInt() < 0 || !v.canConvertToInt()) {
            throw new BadTaskInput("attempt must be a whole number, 0 or more: " + v);
        }
        return v.asInt();
    }

    private static String text(JsonNode in, String field) {
        JsonNode v = in.get(field);
        if (v == null || !v.isTextual()) {
            throw new BadTaskInput(field + " is required and must be a string");
        }
        return v.textValue();
    }

    private static String optionalText(JsonNode in, String field) {
        JsonNode v = in.get(field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw new BadTaskInput(field + " must be a string");
        }
        return v.textValue();
    }

    private static long positiveLong(JsonNode in, String field) {
        JsonNode v = in.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1) {
            throw new BadTaskInput(field + " is required and must be a whole number, 1 or more");
        }
        return v.asLong();
    }

    private static Instant instant(JsonNode in, String field) {
        String v = text(in, field);
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new BadTaskInput(field + " must be an ISO-8601 instant: " + v);
        }
    }

    private static List<String> strings(JsonNode in, String path, String field) {
        JsonNode v = in.get(field);
        if (v == null || !v.isArray()) {
            throw new BadTaskInput(path + " is required and must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw new BadTaskInput(path + " must hold strings only");
            }
            out.add(e.textValue());
        }
        return out;
    }
}
