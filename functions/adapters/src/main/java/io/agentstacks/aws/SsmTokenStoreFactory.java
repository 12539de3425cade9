package io.agentstacks.aws;

import io.agentstacks.token.TokenStore;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import software.amazon.awssdk.services.ssm.SsmClient;

import java.time.Clock;

/** The {@link TokenStore} bean: SSM SecureString parameters. */
@Factory
public final class SsmTokenStoreFactory {

    @Singleton
    SsmClient ssmClient() {
        return SsmClient.builder()
                .region(LambdaEnvironment.region())
                .credentialsProvider(LambdaEnvironment.credentials())
                .httpClient(AwsSdkClients.httpClient())
                .overrideConfiguration(AwsSdkClients.overrides())
                .build();
    }

    @Singleton
    TokenStore tokenStore(SsmClient ssm) {
        return new SsmTokenStore(ssm, Clock.systemUTC());
    }
}
