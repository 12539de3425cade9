package io.agentstacks.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.token.AgentToken;
import io.agentstacks.token.StoredToken;
import io.agentstacks.token.TokenStore.TokenStoreException;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class InMemoryTokenStoreTest {

    final InMemoryTokenStore store = new InMemoryTokenStore();
    final AgentToken a = new AgentToken("token-a");
    final AgentToken b = new AgentToken("token-b");

    @Test
    void everyWriteMakesTheNextVersionAndAReadAnswersTheNewest() {
        assertThat(store.write("p", a, Optional.empty())).isEqualTo(1);
        assertThat(store.write("p", b, Optional.of("alias/agents"))).isEqualTo(2);
        assertThat(store.write("p", b, Optional.of("alias/agents"))).isEqualTo(3);

        assertThat(store.read("p")).isEqualTo(new StoredToken(b, 3));
        assertThat(store.versions("p")).extracting(InMemoryTokenStore.Version::kmsKeyId)
                .containsExactly("alias/aws/ssm", "alias/agents", "alias/agents");
    }

    @Test
    void readingAParameterThatDoesNotExistFailsAsNotFound() {
        assertThatThrownBy(() -> store.read("missing"))
                .isInstanceOfSatisfying(TokenStoreException.class, e -> assertThat(e.notFound()).isTrue())
                .hasMessageContaining("missing");
    }

    @Test
    void anOutageFailsReadsAndWritesWithoutNotFoundAndWithoutTheValue() {
        store.write("p", a, Optional.empty());
        store.outage("ThrottlingException");

        assertThatThrownBy(() -> store.read("p"))
                .isInstanceOfSatisfying(TokenStoreException.class, e -> assertThat(e.notFound()).isFalse());
        assertThatThrownBy(() -> store.write("p", b, Optional.empty()))
                .isInstanceOf(TokenStoreException.class)
                .message().doesNotContain("token-b");
        store.restore();
        assertThat(store.read("p")).isEqualTo(new StoredToken(a, 1));
    }

    @Test
    void parametersAreVersionedIndependently() {
        store.write("p", a, Optional.empty());
        store.write("p", b, Optional.empty());
        assertThat(store.write("q", a, Optional.empty())).isEqualTo(1);
    }
}
