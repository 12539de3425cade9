package io.agentstacks.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

class SnapshotJsonTest {

    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final Instant T1 = Instant.parse("2030-01-01T00:00:10.250Z");

    @Test
    void aDemandSnapshotReadsBackAsItWasWritten() {
        DemandSnapshot d = new DemandSnapshot(3, 1, 0, 2, T1);
        assertThat(SnapshotJson.demand(SnapshotJson.write(d).toString())).isEqualTo(d);
        assertThat(SnapshotJson.write(d).toString()).isEqualTo(
                "{\"queuedJobs\":3,\"runningJobs\":1,\"idleAgents\":0,\"occupiedAgents\":2,\"observedAt\":\"2030-01-01T00:00:10.250Z\"}");
    }

    @Test
    void aDecisionSnapshotReadsBackWithAndWithoutItsSurplusClock() {
        DecisionSnapshot withSurplus = new DecisionSnapshot("scale", 1, 3, "3 jobs", T0, T1, Optional.of(T0));
        DecisionSnapshot without = new DecisionSnapshot("hold", 2, 2, "enough", T0, T1, Optional.empty());
        assertThat(SnapshotJson.decision(SnapshotJson.write(withSurplus).toString())).isEqualTo(withSurplus);
        assertThat(SnapshotJson.decision(SnapshotJson.write(without).toString())).isEqualTo(without);
        assertThat(SnapshotJson.write(without).has("surplusSince")).isFalse();
    }

    @Test
    void aDecisionSnapshotKeepsTheGroupSizesItWasCappedBy() {
        DecisionSnapshot capped = new DecisionSnapshot("scale", 1, 2, "max 2", T0, T1, Optional.empty(),
                Optional.of(new DecisionSnapshot.GroupSizes(0, 2)));
        assertThat(SnapshotJson.decision(SnapshotJson.write(capped).toString())).isEqualTo(capped);
        assertThat(SnapshotJson.write(capped).path("groupMin").asInt(-1)).isEqualTo(0);
        assertThat(SnapshotJson.write(capped).path("groupMax").asInt(-1)).isEqualTo(2);
    }

    @Test
    void aDecisionStoredBeforeGroupSizesWereRecordedReadsWithoutThem() {
        String stored = "{\"action\":\"hold\",\"previousDesired\":2,\"desired\":2,\"reason\":\"enough\","
                + "\"observedAt\":\"2030-01-01T00:00:00Z\",\"decidedAt\":\"2030-01-01T00:00:10.250Z\"}";
        assertThat(SnapshotJson.decision(stored))
                .isEqualTo(new DecisionSnapshot("hold", 2, 2, "enough", T0, T1, Optional.empty(), Optional.empty()));
    }

    @Test
    void hostSnapshotsReadBackInOrderWithTheirOptionalFields() {
        List<HostSnapshot> hosts = List.of(
                new HostSnapshot("h-1", "us-east-1a", "available", 1, T0, Optional.of(T1), Optional.of("24h minimum"),
                        Optional.of(T0)),
                new HostSnapshot("h-2", "us-east-1b", "pending", 0, T0, Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(SnapshotJson.hosts(SnapshotJson.writeHosts(hosts).toString())).isEqualTo(hosts);
        assertThat(SnapshotJson.writeHosts(hosts).get(1).has("nextCheckAt")).isFalse();
    }

    @Test
    void anAttributeThatIsNotJsonIsAnErrorThatSaysSo() {
        assertThatThrownBy(() -> SnapshotJson.demand("{not json")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not JSON");
    }
}
