package io.agentstacks.token;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenFormatTest {

    @Test
    void aTypicalRegistrationTokenIsAccepted() {
        assertThat(TokenFormat.problem("sQ4x9m2Lk_Vb-7rT0pZ.yWc3nE8uHf6J")).isEmpty();
    }

    @Test
    void anEmptyTokenIsRefused() {
        assertThat(TokenFormat.problem("")).contains("must not be empty");
        assertThat(TokenFormat.problem(null)).contains("must not be empty");
    }

    @Test
    void whitespaceAndLineBreaksAreRefusedWithTheirPositionButNotTheValue() {
        assertThat(TokenFormat.problem("abc def")).contains(
                "must be printable ASCII without spaces or line breaks; character 4 is not");
        assertThat(TokenFormat.problem("abcdef\n")).get().asString().contains("character 7").doesNotContain("abcdef");
        assertThat(TokenFormat.problem("tökén")).isPresent();
    }

    @Test
    void aTokenLongerThanTheLimitIsRefused() {
        assertThat(TokenFormat.problem("a".repeat(TokenFormat.MAX_LENGTH))).isEmpty();
        assertThat(TokenFormat.problem("a".repeat(TokenFormat.MAX_LENGTH + 1)))
                .contains("must be at most 1024 characters long, got 1025");
    }
}
