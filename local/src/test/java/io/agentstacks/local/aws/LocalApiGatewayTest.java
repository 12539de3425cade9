package io.agentstacks.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.inmemory.ManualClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LocalApiGatewayTest {

    private final ManualClock clock = ManualClock.startingAt2030();
    private final LocalLambdas lambdas = new LocalLambdas(clock, line -> { });
    private final List<String> invoked = new ArrayList<>();
    private final List<JsonNode> events = new ArrayList<>();
    private final LocalApiGateway gateway = new LocalApiGateway(lambdas, clock);

    LocalApiGatewayTest() {
        for (String f : List.of("stack-api", "token-rotator")) {
            lambdas.register(f, event -> {
                invoked.add(f);
                events.add(event);
                ObjectNode r = JsonNodeFactory.instance.objectNode();
                r.put("statusCode", 200);
                r.putObject("headers").put("Content-Type", "application/json").put("ETag", "\"3\"");
                r.put("body", "{\"ok\":true}");
                r.put("isBase64Encoded", false);
                return r;
            });
        }
    }

    @Test
    void theTokenRouteGoesToTheTokenRotatorWithItsResourceAndPathParameter() {
        LocalApiGateway.Answer a = gateway.handle(new LocalApiGateway.Request("PUT", "/stacks/ci/token", "",
                Map.of("Content-Type", List.of("application/json")), "{\"token\":\"t\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(invoked).containsExactly("token-rotator");
        JsonNode e = events.get(0);
        assertThat(e.path("resource").asText()).isEqualTo("/stacks/{name}/token");
        assertThat(e.path("pathParameters").path("name").asText()).isEqualTo("ci");
        assertThat(e.path("httpMethod").asText()).isEqualTo("PUT");
        assertThat(e.path("headers").path("Content-Type").asText()).isEqualTo("application/json");
        assertThat(e.path("requestContext").path("identity").path("userArn").asText()).isEqualTo(LocalApiGateway.CALLER_ARN);
        assertThat(e.path("requestContext").path("requestId").asText()).isNotBlank();
        assertThat(e.path("body").asText()).isEqualTo("{\"token\":\"t\"}");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.header("etag")).hasValue("\"3\"");
        assertThat(a.body()).isEqualTo("{\"ok\":true}");
    }

    @Test
    void stackRoutesGoToTheStackApiWithTheirQuery() {
        gateway.handle(new LocalApiGateway.Request("GET", "/stacks", "limit=5&pageToken=a%2Fb", Map.of(), null));
        gateway.handle(LocalApiGateway.Request.of("DELETE", "/stacks/ci", null));
        assertThat(invoked).containsExactly("stack-api", "stack-api");
        assertThat(events.get(0).path("queryStringParameters").path("pageToken").asText()).isEqualTo("a/b");
        assertThat(events.get(0).path("pathParameters").isNull()).isTrue();
        assertThat(events.get(1).path("pathParameters").path("name").asText()).isEqualTo("ci");
        assertThat(events.get(1).path("body").isNull()).isTrue();
    }

    @Test
    void aRouteTheApiDoesNotHaveIsRefusedAsApiGatewayDoes() {
        LocalApiGateway.Answer a = gateway.handle(LocalApiGateway.Request.of("GET", "/nothing", null));
        assertThat(a.status()).isEqualTo(403);
        assertThat(invoked).isEmpty();
    }

    @Test
    void aFunctionErrorIsA502() {
        LocalLambdas failing = new LocalLambdas(clock, line -> { });
        failing.register("stack-api", event -> {
            throw new IllegalStateException("boom");
        });
        assertThat(new LocalApiGateway(failing, clock).handle(LocalApiGateway.Request.of("GET", "/stacks", null)).status())
                .isEqualTo(502);
        assertThat(failing.failures()).extracting(LocalLambdas.Failure::errorType).containsExactly("java.lang.IllegalStateException");
    }
}
