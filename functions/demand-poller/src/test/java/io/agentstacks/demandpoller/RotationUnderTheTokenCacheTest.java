package io.agentstacks.demandpoller;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.agentstacks.demandpoller.Fixtures.MINUTE;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.agentstacks.aws.SsmTokenStore;
import io.agentstacks.demand.Demand;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.inmemory.ProgrammableSemaphore;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.token.AgentToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.net.URI;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The poller over the real {@link SsmTokenStore} (and its 60 s cache), SSM answered by a loopback WireMock in
 * SSM's JSON wire format, while the token-rotator (another process, so another cache) puts a new token version.
 */
class RotationUnderTheTokenCacheTest {

    @RegisterExtension
    static WireMockExtension ssm = WireMockExtension.newInstance()
            .options(wireMockConfig().bindAddress("127.0.0.1").dynamicPort())
            .build();

    private static final String ENDPOINT = "https://acme.semaphoreci.com";
    private static final String PARAMETER = "/semaphore/linux/token";
    private static final AgentToken OLD = new AgentToken("old-registration-token-0123456789");
    private static final AgentToken NEW = new AgentToken("new-registration-token-9876543210");

    private final ManualClock clock = new ManualClock(MINUTE);
    private final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    private final InMemoryEventSink sink = new InMemoryEventSink();
    private final ProgrammableSemaphore semaphore = new ProgrammableSemaphore(clock);
    private final List<String> log = new CopyOnWriteArrayList<>();
    private SsmClient client;
    private DemandPoller poller;

    @BeforeEach
    void start() {
        client = SsmClient.builder()
                .endpointOverride(URI.create(ssm.baseUrl()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "fake-secret-for-tests")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        poller = new DemandPoller(registry, new SsmTokenStore(client, clock), semaphore, sink, clock, log::add,
                DemandPoller.Settings.defaults());
        StackRecord active = Fixtures.active(registry, Fixtures.spec("linux", ENDPOINT, 10), MINUTE.minusSeconds(3600));
        registry.put(active.toBuilder().tokenParameterVersion(OptionalLong.of(1)).build());
        parameterHolds(OLD, 1);
        semaphore.demand(ENDPOINT, OLD, new Demand(2, 0, 0, 0));
    }

    @AfterEach
    void stop() {
        poller.close();
        client.close();
    }

    /** What SSM's GetParameter answers from now on, as SSM sends it. */
    private static void parameterHolds(AgentToken token, long version) {
        ssm.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.GetParameter"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"Parameter\":{\"ARN\":\"arn:aws:ssm:us-east-1:123456789012:parameter" + PARAMETER
                                + "\",\"DataType\":\"text\",\"LastModifiedDate\":1.740830400123E9,\"Name\":\"" + PARAMETER
                                + "\",\"Type\":\"SecureString\",\"Value\":\"" + token.reveal()
                                + "\",\"Version\":" + version + "}}")));
    }

    private static int getParameterCalls() {
        return ssm.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.GetParameter"))).size();
    }

    private PollResult poll(int offset) {
        clock.set(MINUTE.plusSeconds(offset).plusMillis(120));
        return poller.poll(new PollRequest(MINUTE, offset, false));
    }

    /** The user reset the token in Semaphore's UI, and the rotator put the new one as version 2. */
    private void tokenResetAndParameterRotated() {
        semaphore.reset(ENDPOINT, OLD, NEW);
        parameterHolds(NEW, 2);
    }

    private void rotationRecorded() {
        registry.update("linux", r -> r.toBuilder().tokenParameterVersion(OptionalLong.of(2)).build());
    }

    @Test
    void aRotationRecordedInTheRegistryIsUsedAtTheNextPollThoughTheOldTokenIsStillCached() {
        poll(0);
        assertThat(getParameterCalls()).isEqualTo(1);
        tokenResetAndParameterRotated();
        rotationRecorded();

        PollResult r = poll(10);

        assertThat(r.failed()).isZero();
        assertThat(semaphore.calls()).last().satisfies(c -> assertThat(c.token()).isEqualTo(NEW));
        assertThat(semaphore.calls()).filteredOn(c -> c.token().equals(OLD)).hasSize(1);
        assertThat(registry.get("linux").orElseThrow().status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(sink.published(DomainEvent.TokenRejected.class)).isEmpty();
    }

    @Test
    void aRefusedCachedTokenIsReadAgainAndTheRotatedOneUsedBeforeTheRegistryKnowsOfTheRotation() {
        poll(0);
        tokenResetAndParameterRotated(); // the rotator has not recorded version 2 yet

        PollResult r = poll(10);

        assertThat(r.failed()).isZero();
        assertThat(getParameterCalls()).as("one read past the cache after the 401").isEqualTo(2);
        assertThat(semaphore.calls()).extracting(ProgrammableSemaphore.Call::token).containsExactly(OLD, OLD, NEW);
        assertThat(registry.get("linux").orElseThrow().status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(sink.published(DomainEvent.TokenRejected.class)).isEmpty();

        poll(20);
        assertThat(semaphore.calls()).last().satisfies(c -> assertThat(c.token()).isEqualTo(NEW));
        assertThat(getParameterCalls()).as("the new version is cached now").isEqualTo(2);
    }

    @Test
    void aStackIsNeverDegradedOnAParameterVersionOlderThanTheRotatedOne() {
        poll(0);
        semaphore.reset(ENDPOINT, OLD, NEW);
        rotationRecorded(); // recorded as version 2, yet SSM still answers version 1

        PollResult r = poll(10);

        assertThat(r.failed()).isEqualTo(1);
        assertThat(registry.get("linux").orElseThrow().status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(sink.published(DomainEvent.TokenRejected.class)).isEmpty();
        assertThat(log).anySatisfy(l -> assertThat(l).contains("\"Reason\":\"token-outdated\""));
        assertThat(String.join("\n", log)).doesNotContain(OLD.reveal(), NEW.reveal());
    }

    @Test
    void aTokenResetWithoutARotationStillDegradesTheStackOnce() {
        poll(0);
        semaphore.reset(ENDPOINT, OLD, NEW); // reset in the UI; nobody set the new token yet

        poll(10);
        poll(20);

        assertThat(registry.get("linux").orElseThrow().status()).isEqualTo(StackStatus.DEGRADED);
        assertThat(sink.published(DomainEvent.TokenRejected.class)).hasSize(1);
    }
}
