package io.agentstacks.machostreleaser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.hosts.HostGroupConfiguration;
import io.agentstacks.hosts.HostReleaseService;
import io.agentstacks.hosts.HostTags;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryHostGroups;
import io.agentstacks.inmemory.InMemoryHostPool;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.spec.Arch;
import io.agentstacks.spec.Mac;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

class MacHostReleaserHandlerTest {

    private static final Instant T0 = Instant.parse("2025-03-01T08:00:00Z");
    private static final Mac MAC = new Mac(List.of("mac2"), List.of(), Optional.empty(), true, true, 0);

    private final ObjectMapper json = new ObjectMapper();
    private final TestClock clock = new TestClock(T0);
    private final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    private final InMemoryHostPool pool = new InMemoryHostPool(clock);
    private final InMemoryHostGroups groups = new InMemoryHostGroups(pool);
    private final InMemoryEventSink events = new InMemoryEventSink();
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final MacHostReleaserHandler handler = new MacHostReleaserHandler(
            new HostReleaseService(registry, pool, groups, events, clock),
            new PrintStream(logged, true, StandardCharsets.UTF_8));
    private String host;

    @BeforeEach
    void aDeletedMacStackWithOneHost() {
        StackSpec spec = StackSpec.builder("mac-agents", "/semaphore/mac-agents/token").semaphoreOrganization("acme")
                .os(OperatingSystem.MACOS).arch(Arch.ARM64).instanceType("mac2.metal").mac(MAC).build();
        registry.put(StackRecord.first(spec, T0).toBuilder().status(StackStatus.DELETED)
                .hostGroupName(Optional.of("agent-stack-mac-agents")).build());
        groups.create("agent-stack-mac-agents", HostGroupConfiguration.of(MAC), Map.of("semaphore-agent-stack", "mac-agents"));
        host = pool.allocateUntagged("us-east-1a", "mac2.metal");
        pool.tag(List.of(host), HostTags.STACK, "mac-agents");
    }

    /** The answer as Step Functions reads it: serialized, then parsed. */
    private JsonNode run(String input) throws Exception {
        return json.readTree(handler.handle(json.readTree(input)).toString());
    }

    @Test
    void aRoundBeforeTheTwentyFourHoursAnswersTheWaitUntilThen() throws Exception {
        clock.advance(Duration.ofHours(20));

        JsonNode out = run("{\"action\":\"releaseEligible\",\"stack\":\"mac-agents\",\"startedAt\":\"2025-03-02T04:00:00Z\"}");

        assertThat(out).isEqualTo(json.readTree("""
                {"remaining":1,"nextCheckSeconds":14400,"released":[],"failed":[],"giveUp":false,"handedBack":false}"""));
        assertThat(json.readTree(logged.toString(StandardCharsets.UTF_8)).get("event").asText()).isEqualTo("MacHostReleaseRound");
    }

    @Test
    void aRoundAfterTheTwentyFourHoursReleasesAndTheGroupIsThenDeleted() throws Exception {
        clock.advance(Duration.ofHours(24));

        JsonNode round = run("{\"action\":\"releaseEligible\",\"stack\":\"mac-agents\",\"startedAt\":\"" + T0 + "\"}");
        JsonNode deleted = run("{\"action\":\"deleteGroup\",\"stack\":\"mac-agents\"}");

        assertThat(round.get("remaining").asInt()).isZero();
        assertThat(round.get("released")).singleElement().extracting(JsonNode::asText).isEqualTo(host);
        assertThat(deleted).isEqualTo(json.readTree("{\"deleted\":true}"));
        assertThat(groups.groupNames()).isEmpty();
    }

    @Test
    void theScheduledSurplusReleaseAnswersPerLiveStack() throws Exception {
        registry.put(registry.get("mac-agents").orElseThrow().toBuilder().status(StackStatus.ACTIVE).build());
        clock.advance(Duration.ofHours(25));
        run("{\"action\":\"releaseSurplus\"}");
        clock.advance(Duration.ofHours(1));

        JsonNode out = run("{\"action\":\"releaseSurplus\"}");

        assertThat(out).isEqualTo(json.readTree("{\"stacks\":[{\"stack\":\"mac-agents\",\"released\":[\"" + host + "\"],\"failed\":[]}]}"));
    }

    @Test
    void badInputIsRefusedNamingEveryFieldBeforeAnythingChanges() {
        clock.advance(Duration.ofHours(25));

        assertThatThrownBy(() -> run("{\"action\":\"releaseEligible\",\"stack\":\"mac agents\",\"startedAt\":1740816000}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("stack: must be a stack name")
                .hasMessageContaining("startedAt: must be an ISO-8601 instant");
        assertThat(pool.releaseAttempts()).isEmpty();
    }
}
