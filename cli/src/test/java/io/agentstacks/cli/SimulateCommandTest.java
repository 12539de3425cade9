package io.agentstacks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

class SimulateCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path spec() throws Exception {
        Path spec = dir.resolve("linux.json");
        Files.writeString(spec, "{\"stackName\":\"linux-sim\",\"agentTokenParameterName\":\"/semaphore/linux-sim/token\","
                + "\"semaphoreOrganization\":\"my-org\",\"instanceType\":\"t3.small\",\"maxSize\":20}");
        return spec;
    }

    private Path trace() throws Exception {
        Path csv = dir.resolve("jobs.csv");
        Files.writeString(csv, "submit_s,duration_s,pipeline\n5,120,1\n5,120,1\n5,60,1\n400,30,2\n");
        return csv;
    }

    @Test
    void comparesEveryPolicyOnACsvTraceAsJson() throws Exception {
        CliRun r = CliRun.run("simulate", "--spec", spec().toString(), "--trace", trace().toString(), "--format", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode results = JSON.readTree(r.out()).get("results");
        assertThat(results).extracting(n -> n.get("policy").asText()).containsExactly("legacy", "up-only", "up-down");
        for (JsonNode n : results) {
            assertThat(List.of("policy", "jobs", "waitP50", "waitP95", "waitMax", "instanceSeconds", "warmPoolSeconds",
                    "costUsd", "scalingCalls", "reactionP99")).allSatisfy(f -> assertThat(n.has(f)).as(f).isTrue());
            assertThat(n.size()).isEqualTo(10);
            assertThat(n.get("jobs").asInt()).isEqualTo(4);
            assertThat(n.get("waitP95").asDouble()).isBetween(45.0, 70.0);
            assertThat(n.get("costUsd").asDouble()).isPositive();
        }
    }

    @Test
    void printsATableAndDrawsTheChart() throws Exception {
        Path svg = dir.resolve("chart.svg");
        CliRun r = CliRun.run("simulate", "--spec", spec().toString(), "--trace", "steady", "--policy", "up-only",
                "--chart", svg.toString(), "--seed", "3");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.outLines()).hasSize(2);
        assertThat(r.outLines().get(0)).startsWith("policy").contains("waitP95").contains("reactionP99");
        assertThat(r.outLines().get(1)).startsWith("up-only");
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertThat(doc.getDocumentElement().getNodeName()).isEqualTo("svg");
        assertThat(doc.getElementsByTagName("polyline").getLength()).as("queue, desired, agents").isEqualTo(3);
        assertThat(Files.readString(svg)).contains("queued jobs").contains("desired capacity").contains("agents");
    }

    @Test
    void theSameSeedGivesTheSameFigures() throws Exception {
        CliRun a = CliRun.run("simulate", "--spec", spec().toString(), "--trace", "bursty", "--seed", "9", "--format", "json");
        CliRun b = CliRun.run("simulate", "--spec", spec().toString(), "--trace", "bursty", "--seed", "9", "--format", "json");
        assertThat(a.out()).isEqualTo(b.out());
    }

    @Test
    void badInputIsRefusedWithAMessageAndNoRun() throws Exception {
        CliRun policy = CliRun.run("simulate", "--spec", spec().toString(), "--trace", "steady", "--policy", "down-only");
        assertThat(policy.exit()).isEqualTo(2);
        assertThat(policy.err()).contains("--policy").contains("down-only");

        CliRun trace = CliRun.run("simulate", "--spec", spec().toString(), "--trace", dir.resolve("none.csv").toString());
        assertThat(trace.exit()).isEqualTo(2);
        assertThat(trace.err()).contains("--trace").contains("none.csv");

        Path badCsv = dir.resolve("bad.csv");
        Files.writeString(badCsv, "submit_s,duration_s\n1,abc\n");
        CliRun csv = CliRun.run("simulate", "--spec", spec().toString(), "--trace", badCsv.toString());
        assertThat(csv.exit()).isEqualTo(1);
        assertThat(csv.err()).contains("bad.csv line 2");

        Path badSpec = dir.resolve("bad.json");
        Files.writeString(badSpec, "{\"stackName\":\"x\"}");
        CliRun spec = CliRun.run("simulate", "--spec", badSpec.toString(), "--trace", "steady");
        assertThat(spec.exit()).isEqualTo(1);
        assertThat(spec.err()).contains("agentTokenParameterName");

        CliRun format = CliRun.run("simulate", "--spec", spec().toString(), "--trace", "steady", "--format", "xml");
        assertThat(format.exit()).isEqualTo(2);
        assertThat(format.err()).contains("--format");
        assertThat(format.out()).isEmpty();
    }
}
