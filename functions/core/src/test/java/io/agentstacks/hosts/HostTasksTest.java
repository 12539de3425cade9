package io.agentstacks.hosts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

class HostTasksTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void allocatorTasksAreReadFromTheirContractJson() throws Exception {
        assertThat(HostTasks.allocatorTask(json.readTree("{\"action\":\"ensureHosts\",\"stack\":\"mac-agents\",\"specVersion\":3}")))
                .isEqualTo(new HostTasks.AllocatorTask.EnsureHosts("mac-agents", 3));
        assertThat(HostTasks.allocatorTask(json.readTree("{\"action\":\"detachHosts\",\"stack\":\"mac-agents\",\"specVersion\":3}")))
                .isEqualTo(new HostTasks.AllocatorTask.DetachHosts("mac-agents", 3));
    }

    @Test
    void releaserTasksAreReadFromTheirContractJson() throws Exception {
        assertThat(HostTasks.releaserTask(json.readTree(
                "{\"action\":\"releaseEligible\",\"stack\":\"mac-agents\",\"startedAt\":\"2025-03-01T08:00:00.123Z\"}")))
                .isEqualTo(new HostTasks.ReleaserTask.ReleaseEligible("mac-agents", Instant.parse("2025-03-01T08:00:00.123Z"),
                        OptionalLong.empty()));
        assertThat(HostTasks.releaserTask(json.readTree(
                "{\"action\":\"releaseEligible\",\"stack\":\"mac-agents\",\"specVersion\":4,\"startedAt\":\"2025-03-01T08:00:00Z\"}")))
                .isEqualTo(new HostTasks.ReleaserTask.ReleaseEligible("mac-agents", Instant.parse("2025-03-01T08:00:00Z"),
                        OptionalLong.of(4)));
        assertThat(HostTasks.releaserTask(json.readTree("{\"action\":\"deleteGroup\",\"stack\":\"mac-agents\",\"specVersion\":4}")))
                .isEqualTo(new HostTasks.ReleaserTask.DeleteGroup("mac-agents", OptionalLong.of(4)));
        assertThatThrownBy(() -> HostTasks.releaserTask(json.readTree("{\"action\":\"deleteGroup\",\"stack\":\"a\",\"specVersion\":\"4\"}")))
                .hasMessage("specVersion: must be a whole number, 1 or more");
        assertThat(HostTasks.releaserTask(json.readTree("{\"action\":\"releaseSurplus\"}")))
                .isEqualTo(new HostTasks.ReleaserTask.ReleaseSurplus(Optional.empty()));
    }

    @Test
    void everyBadFieldIsNamedAtOnce() throws Exception {
        assertThatThrownBy(() -> HostTasks.allocatorTask(json.readTree("{\"action\":\"allocate\",\"stack\":\"1bad\",\"specVersion\":\"2\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("action: must be one of ensureHosts, detachHosts", "stack: must be a stack name",
                        "specVersion: must be a whole number");
        assertThatThrownBy(() -> HostTasks.releaserTask(json.readTree("{\"action\":\"releaseEligible\",\"startedAt\":\"yesterday\"}")))
                .hasMessage("stack: is required; startedAt: must be an ISO-8601 instant, e.g. 2025-03-01T08:00:00Z");
        assertThatThrownBy(() -> HostTasks.releaserTask(json.readTree("[]"))).hasMessageStartingWith("input: must be a JSON object");
        assertThatThrownBy(() -> HostTasks.allocatorTask(json.readTree("{\"action\":\"ensureHosts\",\"stack\":\"a\",\"specVersion\":0}")))
                .hasMessage("specVersion: must be a whole number, 1 or more");
    }

    @Test
    void answersAreWrittenInTheContractShape() {
        var round = new HostReleaseService.Round(1, 300, List.of("h-1"),
                List.of(new HostReleaseService.Failure("h-2", "Client.InvalidHostState", "The host is pending")), false, false);

        assertThat(HostTasks.round(round).toString()).isEqualTo("{\"remaining\":1,\"nextCheckSeconds\":300,\"released\":[\"h-1\"],"
                + "\"failed\":[{\"hostId\":\"h-2\",\"code\":\"Client.InvalidHostState\",\"message\":\"The host is pending\"}],"
                + "\"giveUp\":false,\"handedBack\":false}");
        assertThat(HostTasks.ensured(new HostAllocationService.Ensured("g", "arn:aws:resource-groups:us-east-1:1:group/g", List.of("h-1"))).toString())
                .isEqualTo("{\"hostGroupName\":\"g\",\"hostGroupArn\":\"arn:aws:resource-groups:us-east-1:1:group/g\",\"hostIds\":[\"h-1\"]}");
        assertThat(HostTasks.detached(new HostAllocationService.Detached(List.of())).toString()).isEqualTo("{\"hostIds\":[]}");
        assertThat(HostTasks.groupDeleted(true).toString()).isEqualTo("{\"deleted\":true}");
    }
}
