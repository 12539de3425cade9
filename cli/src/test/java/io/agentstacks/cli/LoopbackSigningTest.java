package io.agentstacks.cli;

import io.agentstacks.cli.api.ApiClient;
import io.agentstacks.cli.api.ApiException;
import io.agentstacks.cli.api.Loopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Without AWS credentials, requests go unsigned to this machine only (agent-stacks local), never elsewhere. */
class LoopbackSigningTest {

    private static final AwsCredentialsProvider NONE = () -> {
        throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
    };

    private final SignedApiServer api;

    LoopbackSigningTest() throws IOException {
        api = new SignedApiServer("execute-api");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void withoutCredentialsALoopbackEndpointGetsAnUnsignedRequest() throws Exception {
        new ApiClient(api.base(), Region.US_EAST_1, NONE, ApiClient.defaultHttpClient()).get("linux-small");
        assertThat(api.received()).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo("/stacks/linux-small");
            assertThat(r.header("authorization")).isNull();
        });
    }

    @Test
    void withoutCredentialsAnyOtherEndpointIsRefusedBeforeAnythingIsSent() {
        ApiClient remote = new ApiClient(URI.create("https://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod/"),
                Region.EU_WEST_1, NONE, ApiClient.defaultHttpClient());
        assertThatThrownBy(() -> remote.get("linux-small")).isInstanceOf(ApiException.class)
                .hasMessageContaining("no usable AWS credentials");
        assertThat(Loopback.is(URI.create("http://127.0.0.2:8080/"))).isTrue();
        assertThat(Loopback.is(URI.create("http://localhost:8080/"))).isTrue();
        assertThat(Loopback.is(URI.create("http://[::1]:8080/"))).isTrue();
        assertThat(Loopback.is(URI.create("http://127.example.com/"))).isFalse();
        assertThat(Loopback.is(URI.create("http://10.0.0.1/"))).isFalse();
    }

    @Test
    void setTokenWithoutCredentialsGoesUnsignedToLoopbackOnly() {
        StringWriter out = new StringWriter();
        int local = new CommandLine(new SetTokenCommand(new ByteArrayInputStream("tok-123\n".getBytes(StandardCharsets.UTF_8)),
                () -> null, () -> NONE, Map.of())).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
                .execute("linux-small", "--endpoint", api.base().toString(), "--region", "us-east-1");
        assertThat(api.received()).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("PUT");
            assertThat(r.header("authorization")).isNull();
        });
        assertThat(local).isEqualTo(1); // the stand-in refuses unsigned requests with 403, as API Gateway would

        StringWriter remoteOut = new StringWriter();
        int remote = new CommandLine(new SetTokenCommand(new ByteArrayInputStream("tok-123\n".getBytes(StandardCharsets.UTF_8)),
                () -> null, () -> NONE, Map.of())).setOut(new PrintWriter(remoteOut, true)).setErr(new PrintWriter(remoteOut, true))
                .execute("linux-small", "--endpoint", "https://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod");
        assertThat(remote).isEqualTo(2);
        assertThat(remoteOut.toString()).contains("no usable AWS credentials").doesNotContain("tok-123");
        assertThat(api.received()).hasSize(1);
    }

    @Test
    void aLoopbackEndpointNeedsNoRegionAnywhereElseItDoes() throws Exception {
        String saved = System.getProperty("aws.region");
        System.clearProperty("aws.region");
        try {
            ApiOptions local = new ApiOptions();
            local.endpoint = Optional.of(URI.create("http://127.0.0.1:8080"));
            assertThat(local.resolveRegion()).isEqualTo(Region.of(Loopback.LOCAL_REGION));
            ApiOptions custom = new ApiOptions();
            custom.endpoint = Optional.of(URI.create("https://agents.example.com/"));
            if (System.getenv("AWS_REGION") == null && System.getenv("AWS_DEFAULT_REGION") == null) {
                assertThatThrownBy(custom::resolveRegion).hasMessageContaining("no AWS region");
            }
        } finally {
            if (saved != null) {
                System.setProperty("aws.region", saved);
            }
        }
    }
}
