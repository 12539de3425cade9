package io.agentstacks.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.spec.Arch;
import io.agentstacks.spec.OperatingSystem;
import org.junit.jupiter.api.Test;

class AgentStackNamesTest {

    @Test
    void namesFollowTheStackName() {
        assertThat(AgentStackNames.cloudFormationStackName("ci")).isEqualTo("agent-stack-ci");
        assertThat(AgentStackNames.agentConfigParameterName("ci")).isEqualTo("ci-config");
        assertThat(AgentStackNames.sshKeysParameterName("ci")).isEqualTo("ci-ssh-public-keys");
        assertThat(AgentStackNames.logGroupPrefix("ci")).isEqualTo("/semaphore-agent-stacks/ci");
        assertThat(AgentStackNames.amiParameterName(OperatingSystem.UBUNTU_NOBLE, Arch.ARM64))
                .isEqualTo("/semaphore-agent/ami/ubuntu-noble/arm64");
    }

    @Test
    void theLongestAllowedStackNameStillMakesAValidCloudFormationName() {
        String name = "a".repeat(AgentStackNames.MAX_STACK_NAME_LENGTH);
        assertThat(AgentStackNames.cloudFormationStackName(name)).hasSize(128);
    }

    @Test
    void clientRequestTokensNameTheVersionAndTheOperation() {
        assertThat(AgentStackNames.clientRequestToken("ci", 3, "create")).isEqualTo("ci-v3-create");
    }

    @Test
    void longTokensAreShortenedToCloudFormationsLimitAndStayDistinct() {
        String a = "a".repeat(116);
        String b = "a".repeat(115) + "b";
        String ta = AgentStackNames.clientRequestToken(a, 12345, "recreate");
        String tb = AgentStackNames.clientRequestToken(b, 12345, "recreate");
        assertThat(ta).hasSizeLessThanOrEqualTo(128).endsWith("-v12345-recreate").matches("[a-zA-Z0-9][-a-zA-Z0-9]*");
        assertThat(tb).hasSizeLessThanOrEqualTo(128);
        assertThat(ta).isNotEqualTo(tb);
    }

    @Test
    void aBlankStackNameIsABug() {
        assertThatThrownBy(() -> AgentStackNames.cloudFormationStackName(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
