package io.agentstacks.token;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AgentTokenTest {

    final AgentToken token = new AgentToken("Zq8Rt2Lm5Vx9Kp3Wn7Hb1Jc4Gd6Fs0Ya");

    @Test
    void itsTextNeverShowsTheValue() {
        assertThat(token.toString()).doesNotContain("Zq8Rt2").isEqualTo("AgentToken[****]");
        assertThat(new StoredToken(token, 3).toString()).doesNotContain("Zq8Rt2");
    }

    @Test
    void textThatQuotesTheTokenIsMaskedWhereverItDoes() {
        assertThat(token.maskedIn("401 for Token Zq8Rt2Lm5Vx9Kp3Wn7Hb1Jc4Gd6Fs0Ya, retry Zq8Rt2Lm5Vx9Kp3Wn7Hb1Jc4Gd6Fs0Ya"))
                .isEqualTo("401 for Token ****, retry ****");
        assertThat(token.maskedIn("connection refused")).isEqualTo("connection refused");
        assertThat(token.maskedIn(null)).isEmpty();
    }
}
