package io.agentstacks.spec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpecParserTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aJsonDocumentIsParsed() throws Exception {
        assertThat(SpecParser.parse(utf8("\uFEFF{\"stackName\": \"agents\"}\n")).get("stackName").asText())
                .isEqualTo("agents");
        assertThat(SpecParser.parse(utf8("[1, 2]")).isArray()).isTrue();
    }

    @Test
    void aFileOverOneMebibyteIsRefusedUnread() {
        byte[] big = new byte[SpecParser.MAX_BYTES + 1];
        java.util.Arrays.fill(big, (byte) ' ');

        assertThatThrownBy(() -> SpecParser.parse(big)).hasMessageContaining("at most 1048576");
    }

    @Test
    void binaryContentIsRefused() {
        assertThatThrownBy(() -> SpecParser.parse(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1}))
                .hasMessage("is a binary file, not JSON");
        assertThatThrownBy(() -> SpecParser.parse(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}))
                .hasMessage("is not UTF-8 text, so not JSON");
    }

    @Test
    void syntaxErrorsSayWhere() {
        assertThatThrownBy(() -> SpecParser.parse(utf8("{\n  \"stackName\": \"agents\",\n}")))
                .hasMessageStartingWith("is not valid JSON: ").hasMessageContaining("line 3");
        assertThatThrownBy(() -> SpecParser.parse(utf8("{} {}"))).hasMessageContaining("more content after the value");
        assertThatThrownBy(() -> SpecParser.parse(utf8("  "))).hasMessage("is empty, not JSON");
    }

    @Test
    void aRepeatedKeyIsRefused() {
        assertThatThrownBy(() -> SpecParser.parse(utf8("{\"minSize\": 1, \"minSize\": 2}")))
                .hasMessageContaining("repeated key 'minSize'");
    }

    @Test
    void deepNestingIsRefused() {
        assertThatThrownBy(() -> SpecParser.parse(utf8("[".repeat(5000) + "]".repeat(5000))))
                .hasMessageContaining("nested too deeply");
    }

    @Test
    void aPastedSecretIsNotEchoedInTheMessage() {
        assertThatThrownBy(() -> SpecParser.parse(utf8("{\"token\": s3cr3tRegistrationTokenValue}")))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
        assertThatThrownBy(() -> SpecParser.parse(utf8("s3cr3tRegistrationTokenValue")))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
    }
}
