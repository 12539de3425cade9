package io.agentstacks.hosts;

import static io.agentstacks.hosts.Hosts.STACK;
import static io.agentstacks.hosts.Hosts.T0;
import static io.agentstacks.hosts.Hosts.host;
import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

class ReleaseRulesTest {

    private final ReleaseRules rules = ReleaseRules.DEFAULT;
    private final Instant dayLater = T0.plus(Duration.ofHours(30));

    @Test
    void aHostWithAnInstanceIsNeverReleasedEvenLongAfterItsTwentyFourHours() {
        var decision = rules.decide(host("h-1", HostState.AVAILABLE, 1, T0), STACK, T0.plus(Duration.ofDays(6)));

        assertThat(decision).isInstanceOf(ReleaseDecision.Wait.class);
        assertThat(((ReleaseDecision.Wait) decision).until()).isEqualTo(T0.plus(Duration.ofDays(6)).plus(rules.occupiedPoll()));
        assertThat(decision.reason()).contains("1 instance");
    }

    @Test
    void aPendingHostWaitsAndIsLookedAtAgainAfterThePendingPoll() {
        var pending = host("h-1", HostState.PENDING, 0, T0).withStateSince(Optional.of(dayLater.minus(Duration.ofMinutes(10))));

        var decision = rules.decide(pending, STACK, dayLater);

        assertThat(decision).isEqualTo(new ReleaseDecision.Wait(dayLater.plus(Duration.ofMinutes(5)), decision.reason()));
        assertThat(decision.reason()).startsWith("pending (scrubbing since");
    }

    @Test
    void atTwentyThreeHoursFiftyNineMinutesAnEmptyHostWaitsUntilItsTwentyFourHours() {
        var decision = rules.decide(host("h-1", HostState.AVAILABLE, 0, T0), STACK,
                T0.plus(Duration.ofHours(23).plusMinutes(59)));

        assertThat(decision).isInstanceOf(ReleaseDecision.Wait.class);
        assertThat(((ReleaseDecision.Wait) decision).until()).isEqualTo(T0.plus(Duration.ofHours(24)));
    }

    @Test
    void atTwentyFourHoursAnEmptyAvailableHostIsReleased() {
        assertThat(rules.decide(host("h-1", HostState.AVAILABLE, 0, T0), STACK, T0.plus(Duration.ofHours(24))))
                .isInstanceOf(ReleaseDecision.Release.class);
    }

    @Test
    void aHostWithoutTheStacksTagIsNeverTouched() {
        var untagged = Hosts.untagged("h-1", T0);
        var otherStack = new DedicatedHost("h-2", "us-east-1a", "mac2.metal", HostState.AVAILABLE, List.of(), T0,
                Map.of(HostTags.STACK, "other-stack"), Optional.empty());
        var adoptedOnly = new DedicatedHost("h-3", "us-east-1a", "mac2.metal", HostState.AVAILABLE, List.of(), T0,
                Map.of(HostTags.ADOPTED, STACK), Optional.empty());

        assertThat(List.of(untagged, otherStack, adoptedOnly))
                .allSatisfy(h -> assertThat(rules.decide(h, STACK, dayLater)).isInstanceOf(ReleaseDecision.Skip.class));
    }

    @Test
    void aReleasedHostIsSkipped() {
        assertThat(rules.decide(host("h-1", HostState.RELEASED, 0, T0), STACK, dayLater))
                .isEqualTo(new ReleaseDecision.Skip("already released"));
    }

    @Test
    void aHostWhoseScrubIsSurelyOverBeforeItsTwentyFourHoursWaitsStraightUntilThen() {
        // x86 scrubs take up to 50 min: begun at 20 h, it is over long before 24 h.
        var pending = new DedicatedHost("h-1", "us-east-1a", "mac1.metal", HostState.PENDING, List.of(), T0,
                Map.of(HostTags.STACK, STACK), Optional.of(T0.plus(Duration.ofHours(20))));

        var decision = rules.decide(pending, STACK, T0.plus(Duration.ofHours(20).plusMinutes(5)));

        assertThat(decision).isInstanceOf(ReleaseDecision.Wait.class);
        assertThat(((ReleaseDecision.Wait) decision).until()).isEqualTo(T0.plus(Duration.ofHours(24)));
    }

    @Test
    void aScrubThatMayEndAfterTheTwentyFourHoursIsPolledFromTheTwentyFourthHourOn() {
        // Apple silicon scrubs take up to 4.5 h: begun at 22 h, it may last until 26.5 h.
        var pending = host("h-1", HostState.PENDING, 0, T0).withStateSince(Optional.of(T0.plus(Duration.ofHours(22))));

        var early = rules.decide(pending, STACK, T0.plus(Duration.ofHours(22)));
        var late = rules.decide(pending, STACK, T0.plus(Duration.ofHours(25)));

        assertThat(((ReleaseDecision.Wait) early).until()).isEqualTo(T0.plus(Duration.ofHours(24)));
        assertThat(((ReleaseDecision.Wait) late).until()).isEqualTo(T0.plus(Duration.ofHours(25)).plus(rules.pendingPoll()));
    }

    @Test
    void aScrubLongerThanItsFamilysMaximumIsPolledLessOften() {
        var pending = host("h-1", HostState.PENDING, 0, T0).withStateSince(Optional.of(dayLater.minus(Duration.ofHours(5))));

        var decision = rules.decide(pending, STACK, dayLater);

        assertThat(((ReleaseDecision.Wait) decision).until()).isEqualTo(dayLater.plus(rules.overduePoll()));
        assertThat(decision.reason()).contains("longer than expected");
    }

    @Test
    void aHostUnderAssessmentWaits() {
        assertThat(rules.decide(host("h-1", HostState.UNDER_ASSESSMENT, 0, T0), STACK, dayLater))
                .isEqualTo(new ReleaseDecision.Wait(dayLater.plus(rules.unsettledPoll()), "state under-assessment, not settled"));
    }

    @Property
    void onlyAnEmptyTaggedSettledHostPastItsTwentyFourHoursIsEverReleased(@ForAll("hosts") DedicatedHost host,
                                                                           @ForAll("offsets") Duration sinceAllocation) {
        Instant now = host.allocatedAt().plus(sinceAllocation);

        ReleaseDecision decision = rules.decide(host, STACK, now);

        if (decision instanceof ReleaseDecision.Release) {
            assertThat(host.taggedFor(STACK)).isTrue();
            assertThat(host.occupied()).isFalse();
            assertThat(host.state()).isIn(HostState.AVAILABLE, HostState.PERMANENT_FAILURE);
            assertThat(now).isAfterOrEqualTo(host.allocatedAt().plus(Duration.ofHours(24)));
        }
        if (decision instanceof ReleaseDecision.Wait w) {
            assertThat(w.until()).isAfter(now);
        }
    }

    @Provide
    Arbitrary<DedicatedHost> hosts() {
        Arbitrary<HostState> states = Arbitraries.of(HostState.class);
        Arbitrary<Integer> instances = Arbitraries.integers().between(0, 1);
        Arbitrary<Map<String, String>> tags = Arbitraries.of(
                Map.of(HostTags.STACK, STACK), Map.of(HostTags.STACK, "other"), Map.<String, String>of(),
                Map.of(HostTags.ADOPTED, STACK));
        Arbitrary<String> types = Arbitraries.of("mac1.metal", "mac2.metal", "mac2-m2pro.metal", "mac-m4.metal");
        Arbitrary<Optional<Instant>> since = Arbitraries.longs().between(-600, 3000)
                .map(m -> T0.plus(Duration.ofMinutes(m))).optional();
        return Combinators.combine(states, instances, tags, types, since).as((state, n, t, type, s) ->
                new DedicatedHost("h-0123", "us-east-1b", type, state, n == 0 ? List.of() : List.of("i-1"), T0, t, s));
    }

    @Provide
    Arbitrary<Duration> offsets() {
        return Arbitraries.longs().between(0, 10 * 24 * 60).map(Duration::ofMinutes);
    }
}
