package io.agentstacks.local.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.StringReader;
import java.util.Map;
import java.util.stream.Collectors;

class TraceTest {

    @ParameterizedTest
    @ValueSource(strings = {"steady", "bursty", "workday"})
    void builtInTracesAreReproducibleFromTheirSeed(String name) {
        assertThat(Trace.builtIn(name, 42)).isEqualTo(Trace.builtIn(name, 42));
        assertThat(Trace.builtIn(name, 42)).isNotEqualTo(Trace.builtIn(name, 43));
    }

    @Test
    void steadyIsAboutOneJobAMinuteForEightHours() {
        Trace t = Trace.builtIn("steady", 1);
        assertThat(t.jobs().size()).isBetween(400, 560);
        assertThat(t.lastSubmitSeconds()).isLessThan(8 * 3600).isGreaterThan(7.5 * 3600);
        assertThat(t.jobs()).allSatisfy(j -> assertThat(j.durationSeconds()).isBetween(30.0, 7200.0));
    }

    @Test
    void burstyComesInPipelinesOfOneToFortyParallelJobs() {
        Trace t = Trace.builtIn("bursty", 1);
        Map<Long, Long> sizes = t.jobs().stream().collect(Collectors.groupingBy(Job::pipeline, Collectors.counting()));
        assertThat(sizes.values()).allSatisfy(n -> assertThat(n).isBetween(1L, 40L));
        assertThat(sizes.values().stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThan(30);
        assertThat(sizes).hasSizeBetween(20, 45);
        // The jobs of a pipeline are queued together.
        Map<Long, Double> spread = t.jobs().stream().collect(Collectors.groupingBy(Job::pipeline, Collectors.collectingAndThen(
                Collectors.toList(), js -> js.stream().mapToDouble(Job::submitSeconds).max().orElseThrow()
                        - js.stream().mapToDouble(Job::submitSeconds).min().orElseThrow())));
        assertThat(spread.values()).allSatisfy(s -> assertThat(s).isLessThanOrEqualTo(2.0));
    }

    @Test
    void workdayRampsUpInTheMorningAndIsQuietAtNight() {
        Trace t = Trace.builtIn("workday", 1);
        long night = t.jobs().stream().filter(j -> j.submitSeconds() < 6 * 3600).count();
        long day = t.jobs().stream().filter(j -> j.submitSeconds() >= 11 * 3600 && j.submitSeconds() < 17 * 3600).count();
        long morning = t.jobs().stream().filter(j -> j.submitSeconds() >= 7 * 3600 && j.submitSeconds() < 8 * 3600).count();
        assertThat(day / 6.0).as("jobs per day hour").isGreaterThan(10 * night / 6.0);
        assertThat(morning).isLessThan(day / 6);
        assertThat(t.lastSubmitSeconds()).isLessThan(24 * 3600);
    }

    @Test
    void readsACsvWithAndWithoutPipelines() throws Exception {
        Trace a = Trace.readCsv("a.csv", new StringReader("submit_s,duration_s\n0,60\n30.5,120\n\n10,5\n"));
        assertThat(a.jobs()).extracting(Job::submitSeconds).containsExactly(0.0, 10.0, 30.5);
        assertThat(a.jobs()).extracting(Job::pipeline).containsOnly(-1L);
        Trace b = Trace.readCsv("b.csv", new StringReader("submit_s,duration_s,pipeline\n0,60,7\n0,90,7\n"));
        assertThat(b.jobs()).extracting(Job::pipeline).containsOnly(7L);
        assertThat(b.lastEndSeconds()).isEqualTo(90.0);
    }

    @Test
    void aBadCsvIsRefusedNamingItsLine() {
        assertThatThrownBy(() -> Trace.readCsv("t.csv", new StringReader("when,how_long\n0,1\n")))
                .hasMessageContaining("t.csv line 1").hasMessageContaining("submit_s,duration_s");
        assertThatThrownBy(() -> Trace.readCsv("t.csv", new StringReader("submit_s,duration_s\n0,60\nsoon,60\n")))
                .hasMessageContaining("t.csv line 3").hasMessageContaining("not a number");
        assertThatThrownBy(() -> Trace.readCsv("t.csv", new StringReader("submit_s,duration_s\n0,0\n")))
                .hasMessageContaining("t.csv line 2").hasMessageContaining("duration_s");
        assertThatThrownBy(() -> Trace.readCsv("t.csv", new StringReader("submit_s,duration_s\n-5,10\n")))
                .hasMessageContaining("t.csv line 2").hasMessageContaining("submit_s");
        assertThatThrownBy(() -> Trace.readCsv("t.csv", new StringReader("submit_s,duration_s\n0,10,3\n")))
                .hasMessageContaining("t.csv line 2").hasMessageContaining("2 comma-separated fields");
        assertThatThrownBy(() -> Trace.readCsv("t.csv", new StringReader("submit_s,duration_s\n")))
                .hasMessageContaining("no jobs");
        assertThatThrownBy(() -> Trace.builtIn("spiky", 1)).hasMessageContaining("unknown trace 'spiky'");
    }
}
