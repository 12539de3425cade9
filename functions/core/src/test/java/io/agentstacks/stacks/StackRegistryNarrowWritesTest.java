package io.agentstacks.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.inmemory.ForwardingStackRegistry;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.StackRegistry.Claim;
import io.agentstacks.stacks.StackRegistry.Recorded;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The narrow writes of the port, on the in-memory registry and on the port's defaults (through update()). */
class StackRegistryNarrowWritesTest {

    private static final Instant NOW = Instant.parse("2025-01-01T10:00:00Z");
    private static final Instant T1 = NOW.plusSeconds(10);
    private static final Instant T2 = NOW.plusSeconds(20);

    /** A registry with only get/list/put of its own, so that every narrow write is the port's default. */
    static StackRegistry defaultsOnly() {
        InMemoryStackRegistry inner = new InMemoryStackRegistry();
        return new ForwardingStackRegistry(inner) {
        };
    }

    static List<Supplier<StackRegistry>> registries() {
        return List.of(InMemoryStackRegistry::new, StackRegistryNarrowWritesTest::defaultsOnly);
    }

    private static StackRecord stored(StackRegistry registry) {
        StackSpec spec = StackSpec.builder("ci", "/semaphore/ci/token").semaphoreOrganization("acme").build();
        return ((StackRegistry.PutResult.Stored) registry.put(StackRecord.first(spec, NOW))).stored();
    }

    private static DecisionSnapshot decision(String action, int desired, Instant observedAt) {
        return new DecisionSnapshot(action, 1, desired, "because", observedAt, observedAt.plusMillis(5), Optional.empty());
    }

    @ParameterizedTest
    @MethodSource("registries")
    void aClaimOfANewerObservationIsStoredAndBumpsTheRevision(Supplier<StackRegistry> make) {
        StackRegistry registry = make.get();
        StackRecord before = stored(registry);

        Claim first = registry.claimDecision("ci", decision("scale", 3, T1));
        Claim newer = registry.claimDecision("ci", decision("hold", 3, T2));

        assertThat(first).isEqualTo(new Claim.Claimed(decision("scale", 3, T1)));
        assertThat(newer).isEqualTo(new Claim.Claimed(decision("hold", 3, T2)));
        StackRecord after = registry.get("ci").orElseThrow();
        assertThat(after.lastDecision()).contains(decision("hold", 3, T2));
        assertThat(after.revision()).isEqualTo(before.revision() + 2);
        assertThat(after.updatedAt()).isEqualTo(before.updatedAt());
    }

    @ParameterizedTest
    @MethodSource("registries")
    void aSecondClaimOfTheSameObservationOrAnOlderOneIsAlreadyDecidedAndWritesNothing(Supplier<StackRegistry> make) {
        StackRegistry registry = make.get();
        stored(registry);
        registry.claimDecision("ci", decision("scale", 3, T2));
        long revision = registry.get("ci").orElseThrow().revision();

        Claim same = registry.claimDecision("ci", decision("scale", 3, T2));
        Claim older = registry.claimDecision("ci", decision("scale", 5, T1));

        assertThat(same).isEqualTo(new Claim.AlreadyDecided(decision("scale", 3, T2)));
        assertThat(older).isEqualTo(new Claim.AlreadyDecided(decision("scale", 3, T2)));
        assertThat(registry.get("ci").orElseThrow().revision()).isEqualTo(revision);
    }

    @ParameterizedTest
    @MethodSource("registries")
    void ofTwoConcurrentClaimsOfOneObservationExactlyOneWins(Supplier<StackRegistry> make) throws Exception {
        StackRegistry registry = make.get();
        stored(registry);
        CyclicBarrier start = new CyclicBarrier(2);
        List<Claim> claims = new CopyOnWriteArrayList<>();
        Runnable claim = () -> {
            try {
                start.await(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            claims.add(registry.claimDecision("ci", decision("scale", 4, T1)));
        };
        Thread a = new Thread(claim);
        Thread b = new Thread(claim);
        a.start();
        b.start();
        a.join(10_000);
        b.join(10_000);

        assertThat(claims).hasSize(2);
        assertThat(claims).filteredOn(c -> c instanceof Claim.Claimed).hasSize(1);
        assertThat(claims).filteredOn(c -> c instanceof Claim.AlreadyDecided).hasSize(1);
    }

    @ParameterizedTest
    @MethodSource("registries")
    void aClaimOrDemandForAStackThatIsNotThereIsGone(Supplier<StackRegistry> make) {
        StackRegistry registry = make.get();

        assertThat(registry.claimDecision("ci", decision("scale", 3, T1))).isEqualTo(new Claim.Gone());
        assertThat(registry.reviseDecision("ci", decision("hold", 1, T1))).isEqualTo(new Claim.Gone());
        assertThat(registry.recordDemand("ci", new DemandSnapshot(1, 0, 0, 0, T1))).isEqualTo(Recorded.GONE);
        assertThat(registry.get("ci")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("registries")
    void aRevisionReplacesTheDecisionOfItsOwnObservationOnly(Supplier<StackRegistry> make) {
        StackRegistry registry = make.get();
        stored(registry);
        assertThat(registry.reviseDecision("ci", decision("hold", 1, T1))).isEqualTo(new Claim.Gone());
        registry.claimDecision("ci", decision("scale", 3, T1));

        Claim revised = registry.reviseDecision("ci", decision("hold", 1, T1));
        Claim again = registry.reviseDecision("ci", decision("hold", 1, T1));
        registry.claimDecision("ci", decision("scale", 6, T2));
        Claim late = registry.reviseDecision("ci", decision("hold", 1, T1));

        assertThat(revised).isEqualTo(new Claim.Claimed(decision("hold", 1, T1)));
        assertThat(again).isEqualTo(new Claim.Claimed(decision("hold", 1, T1)));
        assertThat(late).isEqualTo(new Claim.AlreadyDecided(decision("scale", 6, T2)));
        assertThat(registry.get("ci").orElseThrow().lastDecision()).contains(decision("scale", 6, T2));
    }

    @ParameterizedTest
    @MethodSource("registries")
    void demandIsRecordedOnlyWhenObservedAfterTheStoredOne(Supplier<StackRegistry> make) {
        StackRegistry registry = make.get();
        stored(registry);

        Recorded first = registry.recordDemand("ci", new DemandSnapshot(3, 1, 0, 1, T2));
        Recorded same = registry.recordDemand("ci", new DemandSnapshot(9, 9, 9, 9, T2));
        Recorded older = registry.recordDemand("ci", new DemandSnapshot(0, 0, 0, 0, T1));

        assertThat(List.of(first, same, older)).containsExactly(Recorded.STORED, Recorded.NOT_NEWER, Recorded.NOT_NEWER);
        assertThat(registry.get("ci").orElseThrow().lastDemand()).contains(new DemandSnapshot(3, 1, 0, 1, T2));
    }

    @ParameterizedTest
    @MethodSource("registries")
    void aSpecWriteReadBeforeAClaimIsReAppliedAndKeepsTheClaim(Supplier<StackRegistry> make) {
        StackRegistry registry = make.get();
        StackRecord read = stored(registry);
        registry.claimDecision("ci", decision("scale", 3, T1));
        registry.recordDemand("ci", new DemandSnapshot(3, 0, 0, 0, T1));

        StackRegistry.Update update = registry.update(read, r -> r.toBuilder().reason(Optional.of("spec writer")).build());

        assertThat(update).isInstanceOfSatisfying(StackRegistry.Update.Done.class, d -> assertThat(d.written()).isTrue());
        StackRecord now = registry.get("ci").orElseThrow();
        assertThat(now.reason()).contains("spec writer");
        assertThat(now.lastDecision()).contains(decision("scale", 3, T1));
        assertThat(now.lastDemand()).contains(new DemandSnapshot(3, 0, 0, 0, T1));
    }

    @Test
    void theInMemoryNarrowWritesNeverAnswerBusyWhileWholeRecordWritersRace() throws Exception {
        InMemoryStackRegistry registry = new InMemoryStackRegistry();
        stored(registry);
        Thread writer = new Thread(() -> {
            for (int i = 0; i < 200; i++) {
                registry.update("ci", r -> r.toBuilder().reason(Optional.of("r" + r.revision())).build());
            }
        });
        writer.start();
        List<Claim> claims = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 200; i++) {
            claims.add(registry.claimDecision("ci", decision("hold", 1, NOW.plusMillis(i + 1))));
        }
        writer.join(10_000);

        assertThat(claims).allSatisfy(c -> assertThat(c).isInstanceOf(Claim.Claimed.class));
        assertThat(registry.get("ci").orElseThrow().lastDecision().orElseThrow().observedAt()).isEqualTo(NOW.plusMillis(200));
    }
}
