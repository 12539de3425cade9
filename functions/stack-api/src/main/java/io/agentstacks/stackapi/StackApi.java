package io.agentstacks.stackapi;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.events.EventSink;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.SpecReader;
import io.agentstacks.spec.SpecResult;
import io.agentstacks.spec.StackNameRule;
import io.agentstacks.spec.Violation;
import io.agentstacks.stacks.StackCommands;
import io.agentstacks.stacks.StackCommands.ApplyResult;
import io.agentstacks.stacks.StackCommands.DeleteResult;
import io.agentstacks.stacks.StackCommands.ListResult;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.WorkflowStarter;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code /stacks} routes: maps HTTP to {@link StackCommands} and back. Checks here are about HTTP
 * (route, method, content type, size, JSON syntax, headers, query parameters); everything about specs
 * and stacks is decided in core. Every answer that is not a success is problem JSON.
 */
@Singleton
public final class StackApi {

    /** Bodies above this are refused with 413 (a spec is a few KB; the older tool's config is smaller). */
    static final int MAX_BODY_BYTES = 256 * 1024;

    private static final Pattern IF_MATCH = Pattern.compile("\\s*(?:W/)?\"?(\\d{1,18})\"?\\s*");
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final StackCommands commands;
    private final ApiLog log;

    /** Lambda's wiring: the ports are the AWS adapters' beans; log lines go to standard output. */
    @Inject
    public StackApi(StackRegistry registry, WorkflowStarter workflows, EventSink events, FleetControl fleet) {
        this(registry, workflows, events, fleet, Clock.systemUTC(), System.out::println);
    }

    public StackApi(StackRegistry registry, WorkflowStarter workflows, EventSink events, FleetControl fleet, Clock clock,
                    Consumer<String> logLines) {
        this.commands = new StackCommands(registry, workflows, events, fleet, clock);
        this.log = new ApiLog(logLines, clock);
    }

    /** Answers one request; never throws (an unexpected failure is a logged 500). */
    ApiResponse handle(ApiRequest request) {
        try {
            return route(request);
        } catch (RuntimeException e) {
            String requestId = request.requestId().orElse(null);
            log.error("request.failed").put("method", request.method()).put("path", request.path())
                    .put("error", e.getClass().getName()).put("message", e.getMessage()).put("requestId", requestId).write();
            return Problems.plain(500, "the request failed; retrying it is safe"
                    + (requestId == null ? "" : " (request id " + requestId + ")"));
        }
    }

    /** Answers an event that is not an API Gateway proxy request (a wiring mistake, never a user's). */
    ApiResponse notAnApiGatewayEvent(String why) {
        log.error("request.unreadable").put("message", why).write();
        return Problems.plain(500, "the function received an event that is not an API Gateway proxy request");
    }

    private ApiResponse route(ApiRequest request) {
        List<String> segments = segments(request.path());
        String method = request.method().toUpperCase(Locale.ROOT);
        if (segments.size() == 1 && segments.get(0).equals("stacks")) {
            return switch (method) {
                case "GET" -> list(request);
                case "POST" -> apply(request);
                default -> Problems.methodNotAllowed(request, "GET, POST");
            };
        }
        if (segments.size() == 2 && segments.get(0).equals("stacks")) {
            String name = segments.get(1);
            if (name.equals(StackNameRule.RESERVED)) {
                // The dry-run resource; no stack can take its name (StackNameRule), so it is nothing else.
                return method.equals("POST") ? validate(request) : Problems.methodNotAllowed(request, "POST");
            }
            return switch (method) {
                case "GET" -> withName(request, name, "stack.get.refused", () -> get(request, name));
                case "DELETE" -> withName(request, name, "stack.delete.refused", () -> delete(request, name));
                default -> Problems.methodNotAllowed(request, "GET, DELETE");
            };
        }
        return Problems.plain(404, "no route " + request.path() + "; the API has /stacks, /stacks/{name} and /stacks/validate");
    }

    private ApiResponse apply(ApiRequest request) {
        Optional<ApiResponse> refused = checkBody(request);
        if (refused.isPresent()) {
            return refusedLogged(refused.get(), "stack.apply.refused", request);
        }
        Optional<Long> version = Optional.empty();
        Optional<String> ifMatch = request.header("If-Match");
        if (ifMatch.isPresent()) {
            Matcher m = IF_MATCH.matcher(ifMatch.get());
            if (!m.matches()) {
                return refusedLogged(Problems.invalidRequest(List.of(Violation.of("If-Match",
                        "must be the spec version to update, such as \"3\" (the ETag of GET /stacks/{name})"))),
                        "stack.apply.refused", request);
            }
            version = Optional.of(Long.parseLong(m.group(1)));
        }
        Parsed parsed = parse(request.body());
        if (parsed.problem().isPresent()) {
            return refusedLogged(parsed.problem().get(), "stack.apply.refused", request);
        }
        SpecResult read = parsed.result().orElseThrow();
        ApplyResult result = commands.apply(read, version);
        String requestId = request.requestId().orElse(null);
        if (result instanceof ApplyResult.Accepted a) {
            log.info("stack.apply.accepted").put("stack", a.name()).put("version", a.version())
                    .put("status", a.status().name()).put("disposition", a.disposition().name())
                    .put("legacy", read.legacy() ? 1 : 0).put("warnings", read.warnings().size())
                    .put("bodyBytes", request.body().length).put("requestId", requestId).write();
            return ApiResponse.json(202, StackJson.accepted(a.name(), a.version(), a.status(), read.warnings()))
                    .withHeader("Location", "/stacks/" + a.name())
                    .withHeader("ETag", etag(a.version()));
        }
        if (result instanceof ApplyResult.Invalid i) {
            log.info("stack.apply.invalid").put("violations", i.violations().size()).put("legacy", read.legacy() ? 1 : 0)
                    .put("bodyBytes", request.body().length).put("requestId", requestId).write();
            return Problems.invalidSpec(i.violations());
        }
        ApplyResult.Conflict c = (ApplyResult.Conflict) result;
        log.info("stack.apply.conflict").put("stack", c.name()).put("currentVersion", c.currentVersion())
                .put("ifMatch", version.map(String::valueOf).orElse(null)).put("requestId", requestId).write();
        return Problems.conflict(c.why(), c.currentVersion());
    }

    private ApiResponse validate(ApiRequest request) {
        Optional<ApiResponse> refused = checkBody(request);
        if (refused.isPresent()) {
            return refusedLogged(refused.get(), "stack.validate.refused", request);
        }
        Parsed parsed = parse(request.body());
        if (parsed.problem().isPresent()) {
            return refusedLogged(parsed.problem().get(), "stack.validate.refused", request);
        }
        SpecResult read = parsed.result().orElseThrow();
        log.info("stack.validate").put("stack", read.spec().map(s -> s.stackName()).orElse(null))
                .put("violations", read.violations().size()).put("warnings", read.warnings().size())
                .put("legacy", read.legacy() ? 1 : 0).put("requestId", request.requestId().orElse(null)).write();
        if (!read.isValid()) {
            return Problems.invalidSpec(read.violations());
        }
        ObjectNode answer = MAPPER.createObjectNode();
        answer.put("valid", true);
        answer.put("name", read.spec().orElseThrow().stackName());
        answer.put("legacy", read.legacy());
        answer.set("warnings", Problems.violations(read.warnings()));
        answer.set("spec", SpecJson.write(read.spec().orElseThrow()));
        return ApiResponse.json(200, answer);
    }

    private ApiResponse list(ApiRequest request) {
        OptionalInt size = OptionalInt.empty();
        Optional<String> limit = request.queryValue("limit");
        if (limit.isPresent()) {
            try {
                size = OptionalInt.of(Integer.parseInt(limit.get().trim()));
            } catch (NumberFormatException e) {
                return Problems.invalidRequest(List.of(Violation.of("limit", "must be a whole number from 1 to "
                        + StackCommands.MAX_PAGE_SIZE, limit.get())));
            }
        }
        ListResult result;
        try {
            result = commands.list(request.queryValue("pageToken"), size);
        } catch (IllegalArgumentException e) {
            // The registry could not read the token: it is not one it handed out.
            return Problems.invalidRequest(List.of(Violation.of("pageToken", "is not a nextPageToken of an earlier page")));
        }
        if (result instanceof ListResult.Invalid i) {
            return Problems.invalidRequest(i.violations());
        }
        ListResult.Page page = (ListResult.Page) result;
        log.info("stack.list").put("stacks", page.records().size()).put("more", page.nextPageToken().isPresent() ? 1 : 0)
                .put("requestId", request.requestId().orElse(null)).write();
        return ApiResponse.json(200, StackJson.page(page.records(), page.nextPageToken()));
    }

    /** Answers {@code route} only for a {@code {name}} that a stack could have; otherwise 400 naming {@code name}. */
    private ApiResponse withName(ApiRequest request, String name, String refusedEvent, Supplier<ApiResponse> route) {
        Optional<String> problem = StackNameRule.problem(name);
        if (problem.isPresent()) {
            return refusedLogged(Problems.invalidRequest(List.of(Violation.of("name", problem.get(),
                    name.length() <= StackNameRule.MAX_LENGTH ? name : null))), refusedEvent, request);
        }
        return route.get();
    }

    private ApiResponse get(ApiRequest request, String name) {
        Optional<StackCommands.StackView> view = commands.get(name);
        if (view.isEmpty()) {
            return Problems.noSuchStack(name);
        }
        return ApiResponse.json(200, StackJson.detail(view.get())).withHeader("ETag", etag(view.get().record().specVersion()));
    }

    private ApiResponse delete(ApiRequest request, String name) {
        DeleteResult result = commands.delete(name);
        String requestId = request.requestId().orElse(null);
        if (result instanceof DeleteResult.Accepted a) {
            log.info("stack.delete.accepted").put("stack", a.name()).put("version", a.version())
                    .put("status", a.status().name()).put("requestId", requestId).write();
            return ApiResponse.json(202, StackJson.accepted(a.name(), a.version(), a.status(), List.of()));
        }
        if (result instanceof DeleteResult.NotFound) {
            log.info("stack.delete.unknown").put("stack", name).put("requestId", requestId).write();
            return Problems.noSuchStack(name);
        }
        DeleteResult.Conflict c = (DeleteResult.Conflict) result;
        log.info("stack.delete.conflict").put("stack", c.name()).put("currentVersion", c.currentVersion())
                .put("requestId", requestId).write();
        return Problems.conflict(c.why(), c.currentVersion());
    }

    /** 415 unless the body is declared JSON, 400 when it is unreadable base64, 413 above the limit, 400 when there is none. */
    private static Optional<ApiResponse> checkBody(ApiRequest request) {
        Optional<String> type = request.header("Content-Type");
        if (type.isEmpty() || !isJson(type.get())) {
            return Optional.of(Problems.plain(415, "send the spec as application/json"
                    + type.map(t -> ", not " + t).orElse(" (Content-Type is missing)")));
        }
        if (request.bodyProblem().isPresent()) {
            return Optional.of(Problems.invalidRequest(List.of(Violation.of("body", request.bodyProblem().get()))));
        }
        int size = request.body().length;
        if (size > MAX_BODY_BYTES) {
            return Optional.of(Problems.plain(413, "the body is " + size + " bytes; a spec may be at most "
                    + MAX_BODY_BYTES + " bytes"));
        }
        if (size == 0) {
            return Optional.of(Problems.invalidSpec(List.of(Violation.of("$", "the body is empty; send a stack spec"))));
        }
        return Optional.empty();
    }

    /** {@code application/json} or any {@code application/*+json}, with or without parameters. */
    static boolean isJson(String contentType) {
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    private record Parsed(Optional<SpecResult> result, Optional<ApiResponse> problem) {
    }

    private static Parsed parse(byte[] body) {
        JsonNode json;
        try {
            json = MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            // Position only: the parser's message quotes the offending token, which may be a pasted secret.
            // Duplicate keys are named, since a key is never one.
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            String what = String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")
                    ? ": " + e.getOriginalMessage() : "";
            return new Parsed(Optional.empty(), Optional.of(Problems.invalidSpec(List.of(
                    Violation.of("$", "is not valid JSON" + where + what)))));
        }
        return new Parsed(Optional.of(SpecReader.read(json)), Optional.empty());
    }

    private ApiResponse refusedLogged(ApiResponse response, String event, ApiRequest request) {
        log.info(event).put("status", response.status()).put("requestId", request.requestId().orElse(null)).write();
        return response;
    }

    private static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                segments.add(s);
            }
        }
        return segments;
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }
}
