package io.agentstacks.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.regions.Region;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

class ApiOptionsTest {

    @Test
    void theRegionOfAnExecuteApiEndpointIsTheOneSignedFor() throws Exception {
        ApiOptions options = new ApiOptions();
        options.endpoint = Optional.of(URI.create("https://a1b2c3d4e5.execute-api.ap-southeast-2.amazonaws.com/prod/"));

        assertThat(options.resolveRegion()).isEqualTo(Region.AP_SOUTHEAST_2);
    }

    @Test
    void regionGivenOnTheCommandLineWins() throws Exception {
        ApiOptions options = new ApiOptions();
        options.endpoint = Optional.of(URI.create("https://a1b2c3d4e5.execute-api.ap-southeast-2.amazonaws.com/prod/"));
        options.region = Optional.of("us-west-2");

        assertThat(options.resolveRegion()).isEqualTo(Region.US_WEST_2);
    }

    @Test
    void aCustomDomainTakesTheRegionFromTheDefaultChain() throws Exception {
        ApiOptions options = new ApiOptions();
        options.endpoint = Optional.of(URI.create("https://agents.example.com/"));

        // aws.region is set for the tests (see the surefire configuration)
        assertThat(options.resolveRegion()).isEqualTo(Region.EU_WEST_1);
    }

    @Test
    void anEndpointThatIsNotAnHttpUrlIsRefusedBeforeAnyCall() {
        ApiOptions options = new ApiOptions();
        options.endpoint = Optional.of(URI.create("ftp://example.com/"));
        options.region = Optional.of("eu-west-1");

        assertThatThrownBy(() -> options.connect(new java.io.PrintWriter(java.io.Writer.nullWriter()))).hasMessageContaining("--endpoint must be an http(s) URL");
    }

    @Test
    void durationsReadAsSecondsMinutesHoursOrIso() {
        WaitOptions.DurationConverter converter = new WaitOptions.DurationConverter();

        assertThat(converter.convert("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(converter.convert("45m")).isEqualTo(Duration.ofMinutes(45));
        assertThat(converter.convert("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(converter.convert("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
        assertThatThrownBy(() -> converter.convert("soon")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("not a duration");
    }
}
