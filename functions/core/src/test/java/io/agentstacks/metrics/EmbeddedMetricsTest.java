package io.agentstacks.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

class EmbeddedMetricsTest {

    @Test
    void writesALineCloudWatchReadsAsMetricsWithDimensions() throws Exception {
        String line = EmbeddedMetrics.line(Instant.ofEpochMilli(1_740_830_400_123L),
                EmbeddedMetrics.dims("Stack", "ci-linux", "JobState", "queued"),
                List.of(EmbeddedMetrics.Metric.count("JobCount", 4)), Map.of("event", "demand.polled"));
        JsonNode n = new ObjectMapper().readTree(line);
        assertThat(n.at("/_aws/Timestamp").asLong()).isEqualTo(1_740_830_400_123L);
        assertThat(n.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo("SemaphoreAgentStacks");
        assertThat(n.at("/_aws/CloudWatchMetrics/0/Dimensions/0").toString()).isEqualTo("[\"Stack\",\"JobState\"]");
        assertThat(n.at("/_aws/CloudWatchMetrics/0/Metrics/0").toString()).isEqualTo("{\"Name\":\"JobCount\",\"Unit\":\"Count\"}");
        assertThat(n.get("Stack").asText()).isEqualTo("ci-linux");
        assertThat(n.get("JobState").asText()).isEqualTo("queued");
        assertThat(n.get("JobCount").isIntegralNumber()).isTrue();
        assertThat(n.get("JobCount").asInt()).isEqualTo(4);
        assertThat(n.get("event").asText()).isEqualTo("demand.polled");
        assertThat(line).doesNotContain("\n");
    }

    @Test
    void keepsFractionsAsFractions() throws Exception {
        String line = EmbeddedMetrics.line(Instant.EPOCH, EmbeddedMetrics.dims("Stack", "s"),
                new EmbeddedMetrics.Metric("ReactionSeconds", 1.5, "Seconds"));
        assertThat(new ObjectMapper().readTree(line).get("ReactionSeconds").asDouble()).isEqualTo(1.5);
    }
}
