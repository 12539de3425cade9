package io.agentstacks.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.hosts.HostGroupConfiguration;
import io.agentstacks.hosts.HostGroups.DeleteResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

class InMemoryHostGroupsTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2025-03-01T08:00:00Z"));
    private final InMemoryHostPool pool = new InMemoryHostPool(clock);
    private final InMemoryHostGroups groups = new InMemoryHostGroups(pool);
    private final HostGroupConfiguration config = new HostGroupConfiguration(List.of("mac2"), List.of(), true, true);

    @Test
    void aGroupThatHoldsHostsCannotBeDeletedUntilTheyAreOut() {
        groups.create("mac-agents", config, Map.of());
        String host = pool.allocateUntagged("us-east-1a", "mac2.metal");
        groups.group("mac-agents", List.of(host));

        assertThat(groups.delete("mac-agents")).isEqualTo(new DeleteResult.NotEmpty(List.of(host)));
        groups.ungroup("mac-agents", List.of(host));
        assertThat(groups.delete("mac-agents")).isEqualTo(new DeleteResult.Deleted());
        assertThat(groups.delete("mac-agents")).isEqualTo(new DeleteResult.NotFound());
    }

    @Test
    void releasedHostsLeaveTheirGroup() {
        groups.create("mac-agents", config, Map.of());
        String host = pool.allocateUntagged("us-east-1a", "mac2.metal");
        groups.group("mac-agents", List.of(host));
        clock.advance(Duration.ofHours(24));
        pool.release(List.of(host));

        assertThat(groups.hostIds("mac-agents")).isEmpty();
        assertThat(groups.delete("mac-agents")).isEqualTo(new DeleteResult.Deleted());
    }

    @Test
    void aLaunchIntoTheGroupUsesAFreeMemberOrAllocatesAHostWhenAllowed() {
        groups.create("mac-agents", config, Map.of());
        String member = pool.allocateUntagged("us-east-1a", "mac2.metal");
        groups.group("mac-agents", List.of(member));

        String first = groups.launchInstance("mac-agents", "us-east-1a", "mac2.metal");
        String second = groups.launchInstance("mac-agents", "us-east-1a", "mac2.metal");

        assertThat(first).isEqualTo(member);
        assertThat(second).isNotEqualTo(member);
        assertThat(groups.hostIds("mac-agents")).containsExactly(member, second);
        assertThat(pool.describe(List.of(second)).get(0).tags()).isEmpty();
    }

    @Test
    void withoutAutoAllocationALaunchNeedsAFreeMember() {
        groups.create("mac-agents", new HostGroupConfiguration(List.of("mac2"), List.of(), false, true), Map.of());

        assertThatThrownBy(() -> groups.launchInstance("mac-agents", "us-east-1a", "mac2.metal"))
                .hasMessageContaining("no free host");
    }

    @Test
    void aHostBelongsToOneGroupAtMostAndTheNameIsTakenOnce() {
        groups.create("a", config, Map.of());
        groups.create("b", config, Map.of());
        String host = pool.allocateUntagged("us-east-1a", "mac2.metal");
        groups.group("a", List.of(host));

        assertThat(groups.group("b", List.of(host)).failed()).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("belongs to group a"));
        assertThatThrownBy(() -> groups.create("a", config, Map.of())).hasMessageContaining("exists");
    }
}
