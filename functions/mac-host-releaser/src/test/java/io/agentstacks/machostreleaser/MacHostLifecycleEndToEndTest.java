package io.agentstacks.machostreleaser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.hosts.HostAllocationService;
import io.agentstacks.hosts.HostReleaseService;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryHostGroups;
import io.agentstacks.inmemory.InMemoryHostPool;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.machostallocator.MacHostAllocatorHandler;
import io.agentstacks.spec.Arch;
import io.agentstacks.spec.Mac;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.HostSnapshot;
import io.agentstacks.stacks.Network;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A macOS stack's hosts from creation to release, on the in-memory ports and a simulated clock: the releaser
 * is driven exactly as release-mac-hosts drives it (call, wait nextCheckSeconds, call again, delete the group
 * when none remains).
 */
class MacHostLifecycleEndToEndTest {

    private static final Instant T0 = Instant.parse("2025-03-03T06:00:00Z");
    private static final String STACK = "ios-builds";
    private static final String TYPE = "mac2.metal";
    /** How long EC2 scrubs a host here: under Apple silicon's 4.5 h maximum, so the rule cannot know the end. */
    private static final Duration SCRUB = Duration.ofHours(3).plusMinutes(30);

    private final ObjectMapper json = new ObjectMapper();
    private final TestClock clock = new TestClock(T0);
    private final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    private final InMemoryHostPool pool = new InMemoryHostPool(clock);
    private final InMemoryHostGroups groups = new InMemoryHostGroups(pool);
    private final InMemoryEventSink events = new InMemoryEventSink();
    private final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    private final Network network = spec -> new Network.ResolvedNetwork("vpc-0abc", List.of("subnet-a", "subnet-b"),
            List.of("us-east-1a", "us-east-1b"));
    private final MacHostAllocatorHandler allocator = new MacHostAllocatorHandler(
            new HostAllocationService(registry, pool, groups, network, events, clock), quiet);
    private final MacHostReleaserHandler releaser = new MacHostReleaserHandler(
            new HostReleaseService(registry, pool, groups, events, clock), quiet);

    private JsonNode task(MacHostAllocatorHandler handler, String input) throws Exception {
        return json.readTree(handler.handle(json.readTree(input)).toString());
    }

    private JsonNode task(MacHostReleaserHandler handler, String input) throws Exception {
        return json.readTree(handler.handle(json.readTree(input)).toString());
    }

    private void status(StackStatus status) {
        registry.put(registry.get(STACK).orElseThrow().toBuilder().status(status).build());
    }

    @Test
    void aDeletedMacStackEndsWithNoHostAndNoGroupReleasingEachHostAsSoonAsItMayGo() throws Exception {
        pool.scrubTime(type -> SCRUB);

        // Create: two reserved hosts over the subnets' zones, the rest left to the group's auto-allocation.
        StackSpec spec = StackSpec.builder(STACK, "/semaphore/ios-builds/token").semaphoreOrganization("acme")
                .os(OperatingSystem.MACOS).arch(Arch.ARM64).instanceType(TYPE)
                .mac(new Mac(List.of("mac2"), List.of(), Optional.empty(), true, true, 2)).build();
        registry.put(StackRecord.first(spec, T0).toBuilder().status(StackStatus.PROVISIONING).build());
        JsonNode ensured = task(allocator, "{\"action\":\"ensureHosts\",\"stack\":\"" + STACK + "\",\"specVersion\":1}");
        String group = ensured.get("hostGroupName").asText();
        status(StackStatus.ACTIVE);
        assertThat(ensured.get("hostIds")).hasSize(2);

        // Run instances: onto both reserved hosts, then onto a host the group allocates itself.
        clock.advance(Duration.ofHours(1));
        String a = groups.launchInstance(group, "us-east-1a", TYPE);
        String b = groups.launchInstance(group, "us-east-1b", TYPE);
        String c = groups.launchInstance(group, "us-east-1a", TYPE);
        assertThat(List.of(a, b)).containsExactlyInAnyOrderElementsOf(
                ensured.get("hostIds").valueStream().map(JsonNode::asText).toList());
        Map<String, Instant> scrubbedAt = new HashMap<>();
        clock.advance(Duration.ofHours(2));          // T0+3h: a's job is done, its agent goes away
        pool.endInstance(a);
        scrubbedAt.put(a, pool.scrubEnd(a).orElseThrow());

        // Delete at T0+22h: scale to zero, instances gone, hosts out of the group, CloudFormation delete.
        clock.advance(Duration.ofHours(19));
        status(StackStatus.DELETING);
        for (String h : List.of(b, c)) {
            pool.endInstance(h);
            scrubbedAt.put(h, pool.scrubEnd(h).orElseThrow());
        }
        clock.advance(Duration.ofMinutes(5));
        JsonNode detached = task(allocator, "{\"action\":\"detachHosts\",\"stack\":\"" + STACK + "\",\"specVersion\":1}");
        assertThat(detached.get("hostIds").valueStream().map(JsonNode::asText)).containsExactlyInAnyOrder(a, b, c);
        assertThat(groups.hostIds(group)).isEmpty();

        // release-mac-hosts, as its definition runs it; destroy-stack starts it before marking the stack DELETED.
        Instant startedAt = clock.instant();
        Map<String, Instant> releasedAt = new LinkedHashMap<>();
        Map<String, Long> stepBefore = new HashMap<>();
        List<List<String>> shownStates = new ArrayList<>();
        long lastWait = 0;
        JsonNode deleted = null;
        for (int round = 0; round < 10_000; round++) {
            JsonNode out = task(releaser, "{\"action\":\"releaseEligible\",\"stack\":\"" + STACK
                    + "\",\"specVersion\":1,\"startedAt\":\"" + startedAt + "\"}");
            if (round == 0) {
                status(StackStatus.DELETED);
            }
            for (JsonNode id : out.get("released")) {
                releasedAt.put(id.asText(), clock.instant());
                stepBefore.put(id.asText(), lastWait);
            }
            assertThat(out.get("failed")).isEmpty();
            shownStates.add(registry.get(STACK).orElseThrow().hosts().stream().map(HostSnapshot::state).toList());
            if (out.get("remaining").asInt() == 0) {
                deleted = task(releaser, "{\"action\":\"deleteGroup\",\"stack\":\"" + STACK + "\",\"specVersion\":1}");
                break;
            }
            assertThat(out.get("giveUp").asBoolean()).isFalse();
            lastWait = out.get("nextCheckSeconds").asLong();
            assertThat(lastWait).isPositive();
            clock.advance(Duration.ofSeconds(lastWait));
        }

        // The end state: no host, no group, and the registry shows neither.
        assertThat(deleted).isEqualTo(json.readTree("{\"deleted\":true}"));
        assertThat(pool.allocated()).isEmpty();
        assertThat(groups.groupNames()).isEmpty();
        StackRecord record = registry.get(STACK).orElseThrow();
        assertThat(record.hosts()).isEmpty();
        assertThat(record.hostGroupName()).isEmpty();

        // No host was ever asked to go while occupied, scrubbing or before its 24 h: EC2 refused nothing.
        assertThat(pool.releaseAttempts()).hasSize(3).allSatisfy(attempt -> {
            assertThat(attempt.released()).isTrue();
            assertThat(attempt.instances()).isZero();
            assertThat(attempt.at()).isAfterOrEqualTo(attempt.allocatedAt().plus(Duration.ofHours(24)));
        });

        // Each host went within one wait step of the earliest moment it was allowed to; the first one right then.
        Map<String, Instant> allocatedAt = new HashMap<>();
        pool.releaseAttempts().forEach(attempt -> allocatedAt.put(attempt.hostId(), attempt.allocatedAt()));
        Map<String, Instant> earliest = new HashMap<>();
        for (String h : List.of(a, b, c)) {
            Instant minimum = allocatedAt.get(h).plus(Duration.ofHours(24));
            earliest.put(h, scrubbedAt.get(h).isAfter(minimum) ? scrubbedAt.get(h) : minimum);
            assertThat(releasedAt.get(h)).isAfterOrEqualTo(earliest.get(h))
                    .isBeforeOrEqualTo(earliest.get(h).plusSeconds(stepBefore.get(h)));
        }
        Instant firstRelease = releasedAt.values().stream().min(Instant::compareTo).orElseThrow();
        Instant firstAllowed = earliest.values().stream().min(Instant::compareTo).orElseThrow();
        assertThat(firstRelease).isEqualTo(firstAllowed);      // a: empty since T0+6h30, its 24 h end at T0+24h
        assertThat(releasedAt.get(a)).isEqualTo(T0.plus(Duration.ofHours(24)));

        // Events: one allocation, one release per host, no failure.
        assertThat(events.published(DomainEvent.MacHostsAllocated.class)).singleElement()
                .satisfies(e -> assertThat(e.hostIds()).containsExactlyInAnyOrder(a, b));
        assertThat(events.published(DomainEvent.MacHostReleased.class))
                .extracting(DomainEvent.MacHostReleased::hostId, DomainEvent.MacHostReleased::outcome)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(a, "released"),
                        org.assertj.core.groups.Tuple.tuple(b, "released"),
                        org.assertj.core.groups.Tuple.tuple(c, "released"));

        // Until they were gone, GET /stacks/{name} showed the hosts and their state; after the last round only the
        // hosts it had just released (EC2 may still list them as available), and after deleteGroup none (above).
        assertThat(shownStates.get(0)).containsExactlyInAnyOrder("available", "pending", "pending");
        assertThat(shownStates.get(shownStates.size() - 1)).isNotEmpty().containsOnly("released");
    }
}
