package io.agentstacks.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import io.agentstacks.events.DomainEvent.DemandObserved;
import io.agentstacks.events.DomainEvent.MacHostReleased;
import io.agentstacks.events.DomainEvent.MacHostsAllocated;
import io.agentstacks.events.DomainEvent.ScalingDecision;
import io.agentstacks.events.DomainEvent.StackDeleted;
import io.agentstacks.events.DomainEvent.StackFailed;
import io.agentstacks.events.DomainEvent.StackReady;
import io.agentstacks.events.DomainEvent.StackRequested;
import io.agentstacks.events.DomainEvent.TokenRejected;
import io.agentstacks.events.DomainEvent.TokenRotated;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

class EventJsonTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Instant AT = Instant.parse("2030-01-01T12:00:00Z");
    static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    static final Pattern SECRET_LIKE = Pattern.compile("(?i).*(token|secret|password|credential|apikey|privatekey).*");

    /** Every event type as its producer builds it; a type added without a sample here fails {@link #everyDetailTypeHasASample}. */
    static List<DomainEvent> samples() {
        return List.of(
                new StackRequested("ci-agents", 3, "update", AT),
                new StackRequested("ci-agents", 3, "delete", AT),
                new StackReady("ci-agents", 3, "agent-stack-ci-agents-AutoScalingGroup-1A2B3C", AT),
                new StackFailed("ci-agents", 3, "AutoScalingGroup: You are not authorized to use launch template", AT),
                new StackDeleted("ci-agents", 3, AT),
                new DemandObserved("ci-agents", "agent-stack-ci-agents-AutoScalingGroup-1A2B3C", 4, 2, 1, 2, AT),
                new ScalingDecision("ci-agents", "agent-stack-ci-agents-AutoScalingGroup-1A2B3C", "scale", 3, 6,
                        "6 jobs queued or running", AT.minusSeconds(2), AT),
                new ScalingDecision("ci-agents", "g", "hold", 3, 3, "desired already covers demand", AT, AT),
                new TokenRejected("ci-agents", "/semaphore/ci-agents/token", 401, "poller", AT),
                new TokenRotated("ci-agents", "/semaphore/ci-agents/token", 7, AT),
                new MacHostsAllocated("mac-agents", List.of("h-0123456789abcdef0", "h-0fedcba9876543210"),
                        List.of("us-east-1a", "us-east-1b"), AT),
                new MacHostReleased("mac-agents", "h-0123456789abcdef0", "us-east-1a", "released", Optional.empty(), AT),
                new MacHostReleased("mac-agents", "h-0123456789abcdef0", "us-east-1a", "failed",
                        Optional.of("Client.InvalidHost.Occupied: host has instances"), AT));
    }

    static Schema schema(String detailType) {
        InputStream in = EventJson.class.getClassLoader().getResourceAsStream(EventJson.schemaResource(detailType));
        assertThat(in).as("schema of " + detailType).isNotNull();
        return REGISTRY.getSchema(in, InputFormat.JSON);
    }

    static List<Error> validate(String detailType, JsonNode detail) {
        return schema(detailType).validate(detail.toString(), InputFormat.JSON);
    }

    @Test
    void everyDetailTypeHasASample() {
        assertThat(samples().stream().map(DomainEvent::detailType).distinct().toList())
                .containsExactlyInAnyOrderElementsOf(EventJson.detailTypes());
        assertThat(EventJson.detailTypes()).hasSize(DomainEvent.class.getPermittedSubclasses().length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyEventMatchesTheSchemaOfItsDetailType(DomainEvent e) {
        assertThat(validate(e.detailType(), EventJson.detail(e))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyEventReadsBackAsItWasWritten(DomainEvent e) {
        assertThat(EventJson.read(e.detailType(), EventJson.detailString(e))).isEqualTo(e);
    }

    @Test
    void theDetailUsesComponentNamesIsoInstantsAndLeavesEmptyOptionalsOut() throws IOException {
        assertThat(MAPPER.readTree(EventJson.detailString(new MacHostReleased("m", "h-1", "us-east-1a", "released", Optional.empty(), AT))))
                .isEqualTo(MAPPER.readTree("{\"stack\":\"m\",\"hostId\":\"h-1\",\"availabilityZone\":\"us-east-1a\","
                        + "\"outcome\":\"released\",\"at\":\"2030-01-01T12:00:00Z\"}"));
        assertThat(EventJson.detail(new StackReady("ci", 2, "g", AT)).get("specVersion").isIntegralNumber()).isTrue();
    }

    @Test
    void everySchemaIsADraft202012ObjectThatAllowsNoOtherField() {
        for (String type : EventJson.detailTypes()) {
            JsonNode s = schemaJson(type);
            assertThat(s.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
            assertThat(s.get("title").asText()).isEqualTo(type);
            assertThat(s.get("additionalProperties").asBoolean(true)).as(type).isFalse();
        }
    }

    @Test
    void thereIsNoSchemaForAnEventThatDoesNotExist() throws IOException, URISyntaxException {
        URL dir = EventJson.class.getClassLoader().getResource("events");
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            assertThat(files.map(p -> p.getFileName().toString().replace(".schema.json", "")).toList())
                    .containsExactlyInAnyOrderElementsOf(EventJson.detailTypes());
        }
    }

    @Test
    void noSchemaHasAFieldNamedLikeATokenOrASecret() {
        for (String type : EventJson.detailTypes()) {
            List<String> names = new ArrayList<>();
            propertyNames(schemaJson(type), names);
            assertThat(names).as(type).isNotEmpty().noneMatch(n -> SECRET_LIKE.matcher(n).matches());
        }
        assertThat(SECRET_LIKE.matcher("agentToken").matches()).as("the check itself catches a token field").isTrue();
    }

    @Test
    void aDetailWithAnExtraFieldSuchAsATokenIsRejectedBySchema() {
        ObjectNode d = EventJson.detail(new TokenRotated("ci", "/p", 2, AT));
        d.put("token", "abc");
        assertThat(validate("TokenRotated", d)).extracting(Error::getMessage).anyMatch(m -> m.contains("token"));
    }

    @Test
    void theSchemasCheckValuesNotOnlyNames() {
        ObjectNode d = EventJson.detail(new ScalingDecision("ci", "g", "scale", 1, 2, "r", AT, AT));
        d.put("action", "panic");
        d.put("desired", -1);
        d.put("at", "yesterday");
        assertThat(validate("ScalingDecision", d)).hasSize(3);
    }

    @Test
    void readingNamesTheMissingOrMistypedField() {
        assertThatThrownBy(() -> EventJson.read("StackReady", "{\"stack\":\"ci\",\"specVersion\":1,\"at\":\"2030-01-01T00:00:00Z\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("StackReady.groupName is required");
        assertThatThrownBy(() -> EventJson.read("StackReady", "{\"stack\":\"ci\",\"specVersion\":\"1\",\"groupName\":\"g\",\"at\":\"2030-01-01T00:00:00Z\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("StackReady.specVersion must be a long");
        assertThatThrownBy(() -> EventJson.read("StackDeleted", "{\"stack\":\"ci\",\"specVersion\":1,\"at\":\"noon\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("StackDeleted.at must be an ISO-8601 instant");
        assertThatThrownBy(() -> EventJson.read("StackExploded", "{}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown detail-type StackExploded");
    }

    @Test
    void readingIgnoresFieldsItDoesNotKnow() {
        assertThat(EventJson.read("StackDeleted", "{\"stack\":\"ci\",\"specVersion\":1,\"at\":\"2030-01-01T12:00:00Z\",\"newField\":true}"))
                .isEqualTo(new StackDeleted("ci", 1, AT));
    }

    private static JsonNode schemaJson(String type) {
        try (InputStream in = EventJson.class.getClassLoader().getResourceAsStream(EventJson.schemaResource(type))) {
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void propertyNames(JsonNode node, List<String> out) {
        if (node.isObject()) {
            JsonNode props = node.get("properties");
            if (props != null && props.isObject()) {
                props.fieldNames().forEachRemaining(out::add);
            }
            node.elements().forEachRemaining(child -> propertyNames(child, out));
        } else if (node.isArray()) {
            node.elements().forEachRemaining(child -> propertyNames(child, out));
        }
    }
}
