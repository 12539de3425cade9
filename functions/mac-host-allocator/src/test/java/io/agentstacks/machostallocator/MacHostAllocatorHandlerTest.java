package io.agentstacks.machostallocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.hosts.HostAllocationService;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryHostGroups;
import io.agentstacks.inmemory.InMemoryHostPool;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.spec.Arch;
import io.agentstacks.spec.Mac;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.Network;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

class MacHostAllocatorHandlerTest {

    private static final Instant NOW = Instant.parse("2025-03-01T08:00:00Z");
    private static final String LICENSE = "arn:aws:license-manager:us-east-1:123456789012:license-configuration:lic-0123456789abcdef";

    private final ObjectMapper json = new ObjectMapper();
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    private final InMemoryHostPool pool = new InMemoryHostPool(clock);
    private final InMemoryHostGroups groups = new InMemoryHostGroups(pool);
    private final InMemoryEventSink events = new InMemoryEventSink();
    private final Network network = spec -> new Network.ResolvedNetwork("vpc-0abc", List.of("subnet-1"), List.of("us-east-1a"));
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final MacHostAllocatorHandler handler = new MacHostAllocatorHandler(
            new HostAllocationService(registry, pool, groups, network, events, clock),
            new PrintStream(logged, true, StandardCharsets.UTF_8));

    @BeforeEach
    void aMacStackBeingProvisioned() {
        StackSpec spec = StackSpec.builder("mac-agents", "/semaphore/mac-agents/token")
                .semaphoreOrganization("acme")
                .os(OperatingSystem.MACOS).arch(Arch.ARM64).instanceType("mac2-m2pro.metal")
                .availabilityZones(List.of("us-east-1a", "us-east-1b"))
                .mac(new Mac(List.of("mac2-m2pro"), List.of(), Optional.of(LICENSE), true, true, 2))
                .build();
        registry.put(StackRecord.first(spec, NOW).toBuilder().status(StackStatus.PROVISIONING).build());
    }

    private JsonNode run(String input) throws Exception {
        return handler.handle(json.readTree(input));
    }

    @Test
    void ensureHostsAnswersTheGroupAndItsHostsAsProvisionStackExpects() throws Exception {
        JsonNode out = run("{\"action\":\"ensureHosts\",\"stack\":\"mac-agents\",\"specVersion\":1}");

        assertThat(out.get("hostGroupName").asText()).isEqualTo("agent-stack-mac-agents");
        assertThat(out.get("hostGroupArn").asText()).isEqualTo("arn:aws:resource-groups:us-east-1:123456789012:group/agent-stack-mac-agents");
        assertThat(out.get("hostIds")).hasSize(2);
        assertThat(pool.describeByStack("mac-agents")).extracting(h -> h.instanceType()).containsOnly("mac2-m2pro.metal");
        assertThat(events.published(DomainEvent.MacHostsAllocated.class)).hasSize(1);
        assertThat(json.readTree(logged.toString(StandardCharsets.UTF_8)))
                .isEqualTo(json.readTree("{\"stack\":\"mac-agents\",\"event\":\"MacHostsEnsured\",\"specVersion\":1,\"hosts\":2}"));
    }

    @Test
    void aRedeliveredEnsureHostsAnswersTheSameAndAllocatesNothingMore() throws Exception {
        JsonNode first = run("{\"action\":\"ensureHosts\",\"stack\":\"mac-agents\",\"specVersion\":1}");
        JsonNode again = run("{\"action\":\"ensureHosts\",\"stack\":\"mac-agents\",\"specVersion\":1}");

        assertThat(again).isEqualTo(first);
        assertThat(pool.allocated()).hasSize(2);
    }

    @Test
    void detachHostsTakesTheHostsOutOfTheGroupAndAnswersThem() throws Exception {
        JsonNode ensured = run("{\"action\":\"ensureHosts\",\"stack\":\"mac-agents\",\"specVersion\":1}");

        JsonNode out = run("{\"action\":\"detachHosts\",\"stack\":\"mac-agents\",\"specVersion\":1}");

        assertThat(out.get("hostIds")).containsExactlyInAnyOrderElementsOf(ensured.get("hostIds"));
        assertThat(groups.hostIds("agent-stack-mac-agents")).isEmpty();
    }

    @Test
    void badInputIsRefusedNamingEveryFieldBeforeAnythingChanges() {
        assertThatThrownBy(() -> run("{\"action\":\"ensure\",\"specVersion\":-1}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("action: must be one of ensureHosts, detachHosts; stack: is required; "
                        + "specVersion: must be a whole number, 1 or more");
        assertThat(groups.groupNames()).isEmpty();
        assertThat(pool.allocated()).isEmpty();
        assertThat(logged.size()).isZero();
    }
}
