package io.agentstacks.hosts;

import static io.agentstacks.hosts.Hosts.STACK;
import static io.agentstacks.hosts.Hosts.T0;
import static io.agentstacks.hosts.Hosts.mac;
import static io.agentstacks.hosts.Hosts.macSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.spec.Mac;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

class AllocationPlanTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "mac1, mac1.metal",
            "mac2, mac2.metal",
            "mac2-m2, mac2-m2.metal",
            "mac2-m2pro, mac2-m2pro.metal",
            "mac-m4, mac-m4.metal",
            "mac-m4pro, mac-m4pro.metal",
            "mac-m4max, mac-m4max.metal",
            "mac-m3ultra, mac-m3ultra.metal",
            "mac2-m1ultra, mac2-m1ultra.metal"})
    void eachMacFamilyIsAllocatedByItsMetalInstanceType(String family, String instanceType) {
        var spec = macSpec(new Mac(List.of(family), List.of(), Optional.empty(), true, true, 1), List.of("us-east-1a"))
                .toBuilder().instanceType("t3.micro").build();

        assertThat(AllocationPlan.plan(spec, List.of(), List.of()).instanceType()).isEqualTo(instanceType);
    }

    @Test
    void onlyMac1HostsAreIntelAndScrubUpToFiftyMinutesTheOthersUpToFourAndAHalfHours() {
        assertThat(MacFamily.KNOWN).filteredOn(f -> !f.appleSilicon()).extracting(MacFamily::family).containsExactly("mac1");
        assertThat(MacFamily.scrubMaxOf("mac1.metal")).isEqualTo(java.time.Duration.ofMinutes(50));
        assertThat(MacFamily.scrubMaxOf("mac2-m2pro.metal")).isEqualTo(java.time.Duration.ofMinutes(270));
        assertThat(MacFamily.scrubMaxOf("t3.micro")).isEqualTo(java.time.Duration.ofMinutes(270));
    }

    @Test
    void theSpecsOwnMacInstanceTypeWinsWhenItIsOfAnAllowedFamily() {
        var spec = macSpec(new Mac(List.of("mac2", "mac2-m2pro"), List.of(), Optional.empty(), true, true, 1),
                List.of("us-east-1a")).toBuilder().instanceType("mac2-m2pro.metal").build();

        assertThat(AllocationPlan.instanceTypeFor(spec)).isEqualTo("mac2-m2pro.metal");
    }

    @Test
    void anUnknownFamilyIsRefusedNamingTheField() {
        var spec = macSpec(new Mac(List.of("mac9"), List.of(), Optional.empty(), true, true, 1), List.of("us-east-1a"));

        assertThatThrownBy(() -> AllocationPlan.plan(spec, List.of(), List.of()))
                .hasMessageStartingWith("mac.families: 'mac9'");
    }

    @Test
    void reservedHostsAreSpreadEvenlyOverTheSpecsZonesEachWithTheOtherZonesAsFallback() {
        var plan = AllocationPlan.plan(macSpec(mac(5, List.of()), List.of("a", "b", "c")), List.of("x"), List.of());

        assertThat(plan.slots()).extracting(AllocationPlan.Slot::zones).containsExactly(
                List.of("a", "b", "c"), List.of("b", "c", "a"), List.of("c", "a", "b"),
                List.of("a", "b", "c"), List.of("b", "c", "a"));
    }

    @Test
    void theResolvedSubnetsZonesAreUsedWhenTheSpecNamesNone() {
        var plan = AllocationPlan.plan(macSpec(mac(2, List.of()), List.of()), List.of("us-east-1d", "us-east-1f"), List.of());

        assertThat(plan.slots()).extracting(s -> s.zones().get(0)).containsExactly("us-east-1d", "us-east-1f");
    }

    @Test
    void withoutAnyZoneThePlanIsRefusedNamingTheField() {
        assertThatThrownBy(() -> AllocationPlan.plan(macSpec(mac(1, List.of()), List.of()), List.of(), List.of()))
                .hasMessageStartingWith("availabilityZones:");
    }

    @Test
    void hostsTheStackHasAlreadyCountAndFillTheirZoneFirst() {
        var existing = List.of(
                Hosts.host("h-1", HostState.AVAILABLE, 1, T0),                       // us-east-1a, counts
                Hosts.host("h-2", HostState.RELEASED, 0, T0),                        // released: does not count
                Hosts.untagged("h-3", T0),                                           // not the stack's
                new DedicatedHost("h-4", "us-east-1b", "mac1.metal", HostState.AVAILABLE, List.of(), T0,
                        Map.of(HostTags.STACK, STACK), Optional.empty()));           // another type
        var plan = AllocationPlan.plan(macSpec(mac(3, List.of()), List.of("us-east-1a", "us-east-1b")), List.of(), existing);

        assertThat(plan.slots()).extracting(AllocationPlan.Slot::index).containsExactly(1, 2);
        assertThat(plan.slots()).extracting(s -> s.zones().get(0)).containsExactly("us-east-1b", "us-east-1a");
    }

    @Test
    void noHostIsPlannedWhenTheStackHasItsReservedHostsOrReservesNone() {
        var spec = macSpec(mac(1, List.of()), List.of("us-east-1a"));

        assertThat(AllocationPlan.plan(spec, List.of(), List.of(Hosts.host("h-1", HostState.PENDING, 0, T0))).slots()).isEmpty();
        assertThat(AllocationPlan.plan(macSpec(mac(0, List.of()), List.of("us-east-1a")), List.of(), List.of()).slots()).isEmpty();
    }

    @Test
    void clientTokensAreStablePerStackVersionSlotAndZoneAndFitEc2sLimit() {
        var slot = new AllocationPlan.Slot(0, List.of("a", "b"));

        String token = slot.clientToken(STACK, 3, "a");

        assertThat(token).isEqualTo(new AllocationPlan.Slot(0, List.of("a")).clientToken(STACK, 3, "a"));
        assertThat(List.of(slot.clientToken(STACK, 4, "a"), slot.clientToken(STACK, 3, "b"),
                new AllocationPlan.Slot(1, List.of("a")).clientToken(STACK, 3, "a"), slot.clientToken("other", 3, "a")))
                .doesNotContain(token).doesNotHaveDuplicates();
        assertThat(token).hasSizeLessThanOrEqualTo(64).matches("[ -~]+");
    }
}
