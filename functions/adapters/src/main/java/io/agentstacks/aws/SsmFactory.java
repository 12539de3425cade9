package io.agentstacks.aws;

import io.agentstacks.token.TokenStore;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.time.Clock;

/**
 * Beans on SSM: {@link TokenStore}, agent tokens in SecureString parameters.
 * The client is built by {@link SdkClients}; the factory is only active when the service's SDK module is in the
 * jar, so a Lambda that leaves the module out never sees these beans. Plain entries (the cold-start
 * comparison) call the same methods by hand.
 */
@Factory
@Requires(classes = SsmClient.class)
public final class SsmFactory {

    @Singleton
    public SsmClient client() {
        return SdkClients.build(SsmClient.builder());
    }

    @Singleton
    public TokenStore tokenStore(SsmClient ssm) {
        return new SsmTokenStore(ssm, Clock.systemUTC());
    }
}
