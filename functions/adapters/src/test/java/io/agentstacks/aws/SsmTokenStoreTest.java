package io.agentstacks.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.token.AgentToken;
import io.agentstacks.token.StoredToken;
import io.agentstacks.token.TokenStore.TokenStoreException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

class SsmTokenStoreTest {

    @RegisterExtension
    static WireMockExtension ssm = AwsStandIn.server();

    private static final String PARAM = "/semaphore/ci-linux/token";
    private static final String SECRET_V3 = "s3cr3t-token-version-3";
    private static final String SECRET_V4 = "s3cr3t-token-version-4";

    private final ManualClock clock = new ManualClock(Instant.parse("2025-03-01T12:00:00Z"));
    private SsmTokenStore store;

    @BeforeEach
    void client() {
        store = new SsmTokenStore(AwsStandIn.client(SsmClient.builder(), ssm.baseUrl()), clock);
    }

    private static void getParameterAnswers(String value, long version) {
        ssm.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.GetParameter"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"Parameter\":{\"ARN\":\"arn:aws:ssm:us-east-1:123456789012:parameter" + PARAM
                                + "\",\"DataType\":\"text\",\"LastModifiedDate\":1.740830400123E9,\"Name\":\"" + PARAM
                                + "\",\"Selector\":null,\"SourceResult\":null,\"Type\":\"SecureString\",\"Value\":\"" + value
                                + "\",\"Version\":" + version + "}}")));
    }

    private static void ssmError(String target, String type, String message) {
        ssm.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}")));
    }

    private int getParameterCalls() {
        return ssm.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.GetParameter"))).size();
    }

    @Test
    void readsTheDecryptedTokenAndItsVersion() {
        getParameterAnswers(SECRET_V3, 3);
        StoredToken t = store.read(PARAM);
        assertThat(t.token()).isEqualTo(new AgentToken(SECRET_V3));
        assertThat(t.version()).isEqualTo(3);
        ssm.verify(postRequestedFor(urlEqualTo("/"))
                .withHeader("Content-Type", equalTo("application/x-amz-json-1.1"))
                .withHeader("X-Amz-Target", equalTo("AmazonSSM.GetParameter"))
                .withRequestBody(equalToJson("{\"Name\":\"" + PARAM + "\",\"WithDecryption\":true}")));
    }

    @Test
    void answersFromTheCacheForSixtySecondsThenReadsTheNewVersion() {
        getParameterAnswers(SECRET_V3, 3);
        store.read(PARAM);
        getParameterAnswers(SECRET_V4, 4);
        clock.advance(Duration.ofSeconds(59));
        assertThat(store.read(PARAM).version()).isEqualTo(3);
        assertThat(getParameterCalls()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        StoredToken fresh = store.read(PARAM);
        assertThat(fresh.version()).isEqualTo(4);
        assertThat(fresh.token()).isEqualTo(new AgentToken(SECRET_V4));
        assertThat(getParameterCalls()).isEqualTo(2);
    }

    @Test
    void readCurrentGoesPastTheCacheAndLaterReadsUseWhatItRead() {
        getParameterAnswers(SECRET_V3, 3);
        store.read(PARAM);
        getParameterAnswers(SECRET_V4, 4);
        clock.advance(Duration.ofSeconds(5));

        StoredToken current = store.readCurrent(PARAM);

        assertThat(current.version()).isEqualTo(4);
        assertThat(current.token()).isEqualTo(new AgentToken(SECRET_V4));
        assertThat(getParameterCalls()).isEqualTo(2);
        assertThat(store.read(PARAM).version()).as("the cache holds version 4 now").isEqualTo(4);
        assertThat(getParameterCalls()).isEqualTo(2);
    }

    @Test
    void writesASecureStringVersionWithTheKeyAndUsesItAtOnce() {
        getParameterAnswers(SECRET_V3, 3);
        store.read(PARAM);
        ssm.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.PutParameter"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"Tier\":\"Standard\",\"Version\":4}")));

        long version = store.write(PARAM, new AgentToken(SECRET_V4), Optional.of("alias/agent-tokens"));

        assertThat(version).isEqualTo(4);
        ssm.verify(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.PutParameter"))
                .withRequestBody(equalToJson("{\"Name\":\"" + PARAM + "\",\"Value\":\"" + SECRET_V4
                        + "\",\"Type\":\"SecureString\",\"KeyId\":\"alias/agent-tokens\",\"Overwrite\":true}")));
        assertThat(store.read(PARAM)).isEqualTo(new StoredToken(new AgentToken(SECRET_V4), 4));
        assertThat(getParameterCalls()).isEqualTo(1);
    }

    @Test
    void writesWithTheAccountsDefaultKeyWhenNoneIsGiven() {
        ssm.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.PutParameter"))
                .willReturn(aResponse().withStatus(200).withBody("{\"Tier\":\"Standard\",\"Version\":1}")));
        store.write(PARAM, new AgentToken(SECRET_V3), Optional.empty());
        ssm.verify(postRequestedFor(urlEqualTo("/")).withRequestBody(equalToJson("{\"Name\":\"" + PARAM + "\",\"Value\":\""
                + SECRET_V3 + "\",\"Type\":\"SecureString\",\"Overwrite\":true}")));
    }

    @Test
    void aMissingParameterIsNotFoundAndNamesTheParameterOnly() {
        ssmError("AmazonSSM.GetParameter", "ParameterNotFound", "");
        assertThatThrownBy(() -> store.read(PARAM))
                .isInstanceOf(TokenStoreException.class)
                .hasMessageContaining(PARAM)
                .satisfies(e -> assertThat(((TokenStoreException) e).notFound()).isTrue());
    }

    @Test
    void throttlingIsRetriedThenReportedWithoutTheValue() {
        ssmError("AmazonSSM.GetParameter", "ThrottlingException", "Rate exceeded");
        assertThatThrownBy(() -> store.read(PARAM))
                .isInstanceOf(TokenStoreException.class)
                .hasMessageContaining("ThrottlingException")
                .satisfies(e -> assertThat(((TokenStoreException) e).notFound()).isFalse());
        assertThat(getParameterCalls()).isEqualTo(AwsStandIn.MAX_ATTEMPTS);
    }

    @Test
    void aFailedWriteNeverQuotesTheToken() {
        ssmError("AmazonSSM.PutParameter", "ValidationException",
                "1 validation error detected: Value '" + SECRET_V4 + "' at 'value' failed to satisfy constraint");
        assertThatThrownBy(() -> store.write(PARAM, new AgentToken(SECRET_V4), Optional.empty()))
                .isInstanceOf(TokenStoreException.class)
                .hasMessageContaining("PutParameter on SSM parameter " + PARAM)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET_V4))
                .satisfies(e -> assertThat(e.getCause()).isNull());
    }
}
