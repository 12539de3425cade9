package io.agentstacks.stackapi;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.SpecReader;
import io.agentstacks.spec.SpecResult;
import io.agentstacks.spec.Violation;
import io.agentstacks.stacks.StackCommands;
import io.agentstacks.stacks.StackCommands.ApplyResult;
import io.agentstacks.stacks.StackCommands.DeleteResult;
import io.agentstacks.stacks.StackCommands.ListResult;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.servlet.http.ServletHttpRequest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /stacks}: maps HTTP to {@link StackCommands} and back. Request checks here are about HTTP
 * (content type, size, JSON syntax, headers, query parameters); everything about specs and stacks is
 * decided in core.
 */
@Controller("/stacks")
final class StacksController {

    /** Bodies above this are refused with 413 (a spec is a few KB; the older tool's config is smaller). */
    static final int MAX_BODY_BYTES = 256 * 1024;

    private static final String JSON = MediaType.APPLICATION_JSON;
    private static final Pattern IF_MATCH = Pattern.compile("\\s*(?:W/)?\"?(\\d{1,18})\"?\\s*");
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final StackCommands commands;
    private final ApiLog log;

    StacksController(StackApiServices services) {
        this.commands = services.commands();
        this.log = services.log();
    }

    @Post(consumes = MediaType.ALL, produces = JSON)
    MutableHttpResponse<String> apply(HttpRequest<?> request, @Nullable @Body byte[] body,
                                      @Nullable @Header("If-Match") String ifMatch) {
        Optional<MutableHttpResponse<String>> refused = checkBody(request, body);
        if (refused.isPresent()) {
            return logged(refused.get(), "stack.apply.refused", request, Optional.empty());
        }
        Optional<Long> version = Optional.empty();
        if (ifMatch != null) {
            Matcher m = IF_MATCH.matcher(ifMatch);
            if (!m.matches()) {
                return logged(Problems.invalidRequest(List.of(Violation.of("If-Match",
                        "must be the spec version to update, such as \"3\" (see the ETag of GET /stacks/{name})"))),
                        "stack.apply.refused", request, Optional.empty());
            }
            version = Optional.of(Long.parseLong(m.group(1)));
        }
        Parsed parsed = parse(body);
        if (parsed.problem().isPresent()) {
            return logged(parsed.problem().get(), "stack.apply.refused", request, Optional.empty());
        }
        SpecResult read = parsed.result().orElseThrow();
        ApplyResult result = commands.apply(read, version);
        if (result instanceof ApplyResult.Accepted a) {
            log.info("stack.apply.accepted").put("stack", a.name()).put("version", a.version())
                    .put("status", a.status().name()).put("disposition", a.disposition().name())
                    .put("legacy", read.legacy() ? 1 : 0).put("warnings", read.warnings().size())
                    .put("bodyBytes", body.length).put("requestId", requestId(request)).write();
            return HttpResponse.<String>status(HttpStatus.ACCEPTED)
                    .header("Location", "/stacks/" + a.name())
                    .header("ETag", etag(a.version()))
                    .contentType(JSON)
                    .body(StackJson.accepted(a.name(), a.version(), a.status(), read.warnings()).toString());
        }
        if (result instanceof ApplyResult.Invalid i) {
            log.info("stack.apply.invalid").put("violations", i.violations().size()).put("legacy", read.legacy() ? 1 : 0)
                    .put("bodyBytes", body.length).put("requestId", requestId(request)).write();
            return Problems.invalidSpec(i.violations());
        }
        ApplyResult.Conflict c = (ApplyResult.Conflict) result;
        log.info("stack.apply.conflict").put("stack", c.name()).put("currentVersion", c.currentVersion())
                .put("ifMatch", version.map(String::valueOf).orElse(null)).put("requestId", requestId(request)).write();
        return Problems.conflict(c.why(), c.currentVersion());
    }

    @Post(uri = "/validate", consumes = MediaType.ALL, produces = JSON)
    MutableHttpResponse<String> validate(HttpRequest<?> request, @Nullable @Body byte[] body) {
        Optional<MutableHttpResponse<String>> refused = checkBody(request, body);
        if (refused.isPresent()) {
            return logged(refused.get(), "stack.validate.refused", request, Optional.empty());
        }
        Parsed parsed = parse(body);
        if (parsed.problem().isPresent()) {
            return logged(parsed.problem().get(), "stack.validate.refused", request, Optional.empty());
        }
        SpecResult read = parsed.result().orElseThrow();
        log.info("stack.validate").put("stack", read.spec().map(s -> s.stackName()).orElse(null))
                .put("violations", read.violations().size()).put("warnings", read.warnings().size())
                .put("legacy", read.legacy() ? 1 : 0).put("requestId", requestId(request)).write();
        if (!read.isValid()) {
            return Problems.invalidSpec(read.violations());
        }
        var answer = MAPPER.createObjectNode();
        answer.put("valid", true);
        answer.put("name", read.spec().orElseThrow().stackName());
        answer.put("legacy", read.legacy());
        answer.set("warnings", Problems.violations(read.warnings()));
        answer.set("spec", SpecJson.write(read.spec().orElseThrow()));
        return HttpResponse.<String>ok().contentType(JSON).body(answer.toString());
    }

    @Get(produces = JSON)
    MutableHttpResponse<String> list(HttpRequest<?> request, @Nullable @QueryValue String limit,
                                     @Nullable @QueryValue String pageToken) {
        OptionalInt size = OptionalInt.empty();
        if (limit != null) {
            try {
                size = OptionalInt.of(Integer.parseInt(limit.trim()));
            } catch (NumberFormatException e) {
                return Problems.invalidRequest(List.of(Violation.of("limit", "must be a whole number from 1 to "
                        + StackCommands.MAX_PAGE_SIZE, limit)));
            }
        }
        ListResult result;
        try {
            result = commands.list(Optional.ofNullable(pageToken), size);
        } catch (IllegalArgumentException e) {
            // The registry could not read the token: it was not one it handed out.
            return Problems.invalidRequest(List.of(Violation.of("pageToken", "is not a nextPageToken of an earlier page")));
        }
        if (result instanceof ListResult.Invalid i) {
            return Problems.invalidRequest(i.violations());
        }
        ListResult.Page page = (ListResult.Page) result;
        log.info("stack.list").put("stacks", page.records().size()).put("more", page.nextPageToken().isPresent() ? 1 : 0)
                .put("requestId", requestId(request)).write();
        return HttpResponse.<String>ok().contentType(JSON).body(StackJson.page(page.records(), page.nextPageToken()).toString());
    }

    @Get(uri = "/{name}", produces = JSON)
    MutableHttpResponse<String> get(HttpRequest<?> request, @PathVariable String name) {
        Optional<StackCommands.StackView> view = commands.get(name);
        if (view.isEmpty()) {
            return Problems.noSuchStack(name);
        }
        return HttpResponse.<String>ok().header("ETag", etag(view.get().record().specVersion()))
                .contentType(JSON).body(StackJson.detail(view.get()).toString());
    }

    @Delete(uri = "/{name}", consumes = MediaType.ALL, produces = JSON)
    MutableHttpResponse<String> delete(HttpRequest<?> request, @PathVariable String name) {
        DeleteResult result = commands.delete(name);
        if (result instanceof DeleteResult.Accepted a) {
            log.info("stack.delete.accepted").put("stack", a.name()).put("version", a.version())
                    .put("status", a.status().name()).put("requestId", requestId(request)).write();
            return HttpResponse.<String>status(HttpStatus.ACCEPTED).contentType(JSON)
                    .body(StackJson.accepted(a.name(), a.version(), a.status(), List.of()).toString());
        }
        if (result instanceof DeleteResult.NotFound) {
            log.info("stack.delete.unknown").put("stack", name).put("requestId", requestId(request)).write();
            return Problems.noSuchStack(name);
        }
        DeleteResult.Conflict c = (DeleteResult.Conflict) result;
        log.info("stack.delete.conflict").put("stack", c.name()).put("currentVersion", c.currentVersion())
                .put("requestId", requestId(request)).write();
        return Problems.conflict(c.why(), c.currentVersion());
    }

    /** 415 unless the body is declared JSON, 413 above the limit, 400 when there is none. */
    private static Optional<MutableHttpResponse<String>> checkBody(HttpRequest<?> request, byte[] body) {
        Optional<MediaType> type = request.getContentType();
        if (type.isEmpty() || !isJson(type.get())) {
            return Optional.of(Problems.plain(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "send the spec as application/json" + type.map(t -> ", not " + t.getName()).orElse(" (Content-Type is missing)")));
        }
        if (body != null && body.length > MAX_BODY_BYTES) {
            return Optional.of(Problems.plain(HttpStatus.REQUEST_ENTITY_TOO_LARGE,
                    "the body is " + body.length + " bytes; a spec may be at most " + MAX_BODY_BYTES + " bytes"));
        }
        if (body == null || body.length == 0) {
            return Optional.of(Problems.invalidSpec(List.of(Violation.of("$", "the body is empty; send a stack spec"))));
        }
        return Optional.empty();
    }

    private static boolean isJson(MediaType type) {
        String main = type.getType().toLowerCase(Locale.ROOT);
        String sub = type.getSubtype().toLowerCase(Locale.ROOT);
        return main.equals("application") && (sub.equals("json") || sub.endsWith("+json"));
    }

    private record Parsed(Optional<SpecResult> result, Optional<MutableHttpResponse<String>> problem) {
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

    private MutableHttpResponse<String> logged(MutableHttpResponse<String> response, String event, HttpRequest<?> request,
                                               Optional<String> stack) {
        log.info(event).put("stack", stack.orElse(null)).put("status", response.getStatus().getCode())
                .put("requestId", requestId(request)).write();
        return response;
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    /** API Gateway's request id, to find a request's log lines from a user's report. */
    static String requestId(HttpRequest<?> request) {
        if (request instanceof ServletHttpRequest<?, ?> servlet
                && servlet.getNativeRequest() instanceof APIGatewayProxyRequestEvent event
                && event.getRequestContext() != null) {
            return event.getRequestContext().getRequestId();
        }
        return null;
    }
}
