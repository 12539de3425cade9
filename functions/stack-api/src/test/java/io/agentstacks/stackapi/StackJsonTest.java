package io.agentstacks.stackapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.spec.Violation;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;

import java.util.List;

class StackJsonTest {

    @Test
    void anAcceptedSpecWithWarningsListsThemLikeViolations() throws Exception {
        var body = StackJson.accepted("ci", 2, StackStatus.UPDATING,
                List.of(Violation.of("volume.type", "gp2 costs more than gp3 for the same size", "gp2")
                        .withLegacyKey("SEMAPHORE_AGENT_VOLUME_TYPE")));

        assertThat(new ObjectMapper().readTree(body.toString())).isEqualTo(new ObjectMapper().readTree("""
                {"name":"ci","version":2,"status":"UPDATING","warnings":[
                  {"field":"volume.type","message":"gp2 costs more than gp3 for the same size","rejectedValue":"gp2",
                   "legacyKey":"SEMAPHORE_AGENT_VOLUME_TYPE"}]}
                """));
    }

    @Test
    void anAcceptedSpecWithoutWarningsIsJustNameVersionAndStatus() throws Exception {
        assertThat(new ObjectMapper().readTree(StackJson.accepted("ci", 1, StackStatus.PENDING, List.of()).toString()))
                .isEqualTo(new ObjectMapper().readTree("{\"name\":\"ci\",\"version\":1,\"status\":\"PENDING\"}"));
    }
}
