package io.agentstacks.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control plane's REST API in API Gateway, locally: a plain HTTP request becomes the REST API proxy event
 * (payload 1.0) API Gateway hands to Lambda, for the function that serves its route — {@code token-rotator} for
 * {@code PUT /stacks/{name}/token} (its own route integration), {@code stack-api} for the other {@code /stacks}
 * routes — and the function's proxy response becomes the HTTP answer.
 */
public final class LocalApiGateway {

    public static final String STAGE = "local";
    /** The identity local requests are attributed to (API Gateway's requestContext.identity). */
    public static final String CALLER_ARN = "arn:aws:iam::" + LocalLambdas.ACCOUNT + ":user/local";

    private static final Pattern TOKEN_ROUTE = Pattern.compile("/stacks/([^/]+)/token");
    private static final Pattern STACK_ROUTE = Pattern.compile("/stacks/([^/]+)");
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** One HTTP request: method, path (no stage), raw query, headers, body. */
    public record Request(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body) {
        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
            rawQuery = rawQuery == null ? "" : rawQuery;
            headers = Map.copyOf(headers);
            body = body == null ? new byte[0] : body;
        }

        public static Request of(String method, String path, String body) {
            Map<String, List<String>> h = body == null ? Map.of() : Map.of("Content-Type", List.of("application/json"));
            return new Request(method, path, "", h, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The HTTP answer: status, headers, body text. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
        }
    }

    private final LocalLambdas lambdas;
    private final Clock clock;

    public LocalApiGateway(LocalLambdas lambdas, Clock clock) {
        this.lambdas = Objects.requireNonNull(lambdas, "lambdas");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Whether a path is one of the API's routes. */
    public static boolean isApiPath(String path) {
        return path.equals("/stacks") || path.startsWith("/stacks/");
    }

    public Answer handle(Request request) {
        String path = request.path();
        Matcher token = TOKEN_ROUTE.matcher(path);
        Matcher stack = STACK_ROUTE.matcher(path);
        String function;
        String resource;
        Map<String, String> pathParameters = new LinkedHashMap<>();
        if (token.matches()) {
            function = "token-rotator";
            resource = "/stacks/{name}/token";
            pathParameters.put("name", decode(token.group(1)));
        } else if (stack.matches()) {
            function = "stack-api";
            resource = "/stacks/{name}";
            pathParameters.put("name", decode(stack.group(1)));
        } else if (path.equals("/stacks")) {
            function = "stack-api";
            resource = "/stacks";
        } else {
            // API Gateway's own answer to a route it does not have.
            return new Answer(403, Map.of("Content-Type", "application/json"), "{\"message\":\"Missing Authentication Token\"}");
        }
        JsonNode response;
        try {
            response = lambdas.invoke(function, event(request, resource, pathParameters));
        } catch (LocalLambdas.FunctionError e) {
            // API Gateway's answer to a Lambda integration error.
            return new Answer(502, Map.of("Content-Type", "application/json"), "{\"message\": \"Internal server error\"}");
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        response.path("headers").fields().forEachRemaining(f -> headers.put(f.getKey(), f.getValue().asText()));
        String body = response.path("body").isTextual() ? response.get("body").textValue() : "";
        return new Answer(response.path("statusCode").asInt(502), Map.copyOf(headers), body);
    }

    /** The REST API proxy event (payload 1.0) for a request. */
    ObjectNode event(Request request, String resource, Map<String, String> pathParameters) {
        ObjectNode e = F.objectNode();
        e.put("resource", resource);
        e.put("path", request.path());
        e.put("httpMethod", request.method().toUpperCase(Locale.ROOT));
        ObjectNode headers = e.putObject("headers");
        ObjectNode multiHeaders = e.putObject("multiValueHeaders");
        request.headers().forEach((name, values) -> {
            if (!values.isEmpty()) {
                headers.put(name, values.get(values.size() - 1));
                values.forEach(multiHeaders.putArray(name)::add);
            }
        });
        Map<String, List<String>> query = query(request.rawQuery());
        if (query.isEmpty()) {
            e.putNull("queryStringParameters");
            e.putNull("multiValueQueryStringParameters");
        } else {
            ObjectNode q = e.putObject("queryStringParameters");
            ObjectNode mq = e.putObject("multiValueQueryStringParameters");
            query.forEach((k, v) -> {
                q.put(k, v.get(v.size() - 1));
                v.forEach(mq.putArray(k)::add);
            });
        }
        if (pathParameters.isEmpty()) {
            e.putNull("pathParameters");
        } else {
            ObjectNode p = e.putObject("pathParameters");
            pathParameters.forEach(p::put);
        }
        e.putNull("stageVariables");
        ObjectNode context = e.putObject("requestContext");
        context.put("resourcePath", resource);
        context.put("httpMethod", request.method().toUpperCase(Locale.ROOT));
        context.put("path", "/" + STAGE + request.path());
        context.put("accountId", LocalLambdas.ACCOUNT);
        context.put("stage", STAGE);
        context.put("requestId", UUID.randomUUID().toString());
        context.put("requestTime", DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT)
                .format(clock.instant().atZone(clock.getZone())));
        context.put("requestTimeEpoch", clock.millis());
        context.put("protocol", "HTTP/1.1");
        ObjectNode identity = context.putObject("identity");
        identity.put("sourceIp", "127.0.0.1");
        identity.put("userArn", CALLER_ARN);
        identity.put("user", "local");
        identity.put("accountId", LocalLambdas.ACCOUNT);
        if (request.body().length == 0) {
            e.putNull("body");
        } else {
            e.put("body", new String(request.body(), StandardCharsets.UTF_8));
        }
        e.put("isBase64Encoded", false);
        return e;
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
