package io.agentstacks.stackapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * API Gateway REST API proxy events (payload 1.0) as API Gateway sends them: the full JSON of a
 * captured request ({@code events/rest-api-proxy-request.json}) with method, resource, path, headers,
 * query and body set per request; the handler gets the JSON bytes, as Lambda streams them.
 */
final class ApiGatewayEvents {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectNode TEMPLATE;

    static {
        try (InputStream in = ApiGatewayEvents.class.getResourceAsStream("/events/rest-api-proxy-request.json")) {
            TEMPLATE = (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ApiGatewayEvents() {
    }

    /** A request to build; {@link #json()} gives what Lambda hands the handler. */
    static final class Request {
        private final String method;
        private final String path;
        private String resource;
        private final Map<String, String> pathParameters = new LinkedHashMap<>();
        private final Map<String, String> query = new LinkedHashMap<>();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String body;
        private boolean base64;
        private final String requestId = UUID.randomUUID().toString();

        private Request(String method, String path) {
            this.method = method;
            this.path = path;
            this.resource = path;
            if (path.startsWith("/stacks/") && !path.equals("/stacks/validate")) {
                resource = "/stacks/{name}";
                pathParameters.put("name", path.substring("/stacks/".length()));
            }
        }

        Request header(String name, String value) {
            if (value == null) {
                headers.put(name, null);
            } else {
                headers.put(name, value);
            }
            return this;
        }

        Request query(String name, String value) {
            query.put(name, value);
            return this;
        }

        Request body(String json) {
            body = json;
            return this;
        }

        /** As API Gateway passes a body of a binary media type: base64 with isBase64Encoded. */
        Request base64Body(String json) {
            body = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
            base64 = true;
            return this;
        }

        /** A body API Gateway marks base64 as is, whatever it holds. */
        Request rawBase64Body(String text) {
            body = text;
            base64 = true;
            return this;
        }

        String json() {
            ObjectNode e = TEMPLATE.deepCopy();
            e.put("resource", resource);
            e.put("path", path);
            e.put("httpMethod", method);
            ObjectNode single = (ObjectNode) e.get("headers");
            ObjectNode multi = (ObjectNode) e.get("multiValueHeaders");
            if (body == null) {
                single.remove("Content-Type");
                multi.remove("Content-Type");
            }
            headers.forEach((name, value) -> {
                if (value == null) {
                    single.remove(name);
                    multi.remove(name);
                } else {
                    single.put(name, value);
                    multi.putArray(name).add(value);
                }
            });
            if (!query.isEmpty()) {
                ObjectNode q = e.putObject("queryStringParameters");
                ObjectNode mq = e.putObject("multiValueQueryStringParameters");
                query.forEach((k, v) -> {
                    q.put(k, v);
                    mq.putArray(k).add(v);
                });
            }
            if (!pathParameters.isEmpty()) {
                ObjectNode p = e.putObject("pathParameters");
                pathParameters.forEach(p::put);
            }
            ObjectNode context = (ObjectNode) e.get("requestContext");
            context.put("resourcePath", resource);
            context.put("httpMethod", method);
            context.put("path", "/prod" + path);
            context.put("requestId", requestId);
            if (body == null) {
                e.putNull("body");
            } else {
                e.put("body", body);
            }
            e.put("isBase64Encoded", base64);
            return e.toString();
        }

        String requestId() {
            return requestId;
        }
    }

    static Request request(String method, String path) {
        return new Request(method, path);
    }

    static Request post(String path, String body) {
        return new Request("POST", path).body(body);
    }
}
