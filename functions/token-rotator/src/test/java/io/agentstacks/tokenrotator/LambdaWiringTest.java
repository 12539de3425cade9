package io.agentstacks.tokenrotator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import io.agentstacks.demand.DemandSource;
import io.agentstacks.inmemory.InMemoryTokenStore;
import io.agentstacks.inmemory.ProgrammableSemaphore;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.token.AgentToken;
import io.agentstacks.token.StoredToken;
import io.agentstacks.token.TokenStore;
import io.micronaut.context.env.PropertySource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class LambdaWiringTest {

    @Test
    void theLambdaEntryStartsTheLeanContextOfTheRecipeWithNoPropertySources() {
        try (TokenRotatorFunction lambda = new TokenRotatorFunction()) {
            var environment = lambda.context().getEnvironment();

            assertThat(environment.getPropertySources()).extracting(PropertySource::getName)
                    .as("no environment-variable, system-property or application-file sources").isEmpty();
            assertThat(environment.getActiveNames()).as("no deduced environments").isEmpty();
        }
    }

    @Test
    void theLambdaEntryServesAPutOverThePortBeans() throws Exception {
        AgentToken token = new AgentToken("wiring-test-token-0123456789");
        try (TokenRotatorFunction lambda = new TokenRotatorFunction()) {
            var context = lambda.context();
            Fixture seed = new Fixture();
            var record = seed.liveStack("linux-small", new AgentToken("old-token-for-wiring"));
            StackRegistry registry = context.getBean(StackRegistry.class);
            registry.put(record.toBuilder().revision(0).build());
            ((ProgrammableSemaphore) context.getBean(DemandSource.class)).accept(Fixture.ENDPOINT, token);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            lambda.handleRequest(new ByteArrayInputStream(
                    Fixture.JSON.writeValueAsBytes(Fixture.putToken("linux-small", token))), out, null);

            JsonNode answer = Fixture.JSON.readTree(out.toByteArray());
            assertThat(answer.path("statusCode").asInt()).isEqualTo(200);
            InMemoryTokenStore tokens = (InMemoryTokenStore) context.getBean(TokenStore.class);
            assertThat(tokens.read("linux-small-token")).isEqualTo(new StoredToken(token, 1));
            assertThat(registry.get("linux-small").flatMap(r -> Optional.of(r.tokenParameterVersion().getAsLong())))
                    .contains(1L);
        }
    }
}
