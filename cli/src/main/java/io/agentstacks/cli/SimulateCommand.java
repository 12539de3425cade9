package io.agentstacks.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.agentstacks.local.sim.FleetSimulation;
import io.agentstacks.local.sim.SimulationReport;
import io.agentstacks.local.sim.SimulationResult;
import io.agentstacks.local.sim.SvgChart;
import io.agentstacks.local.sim.Trace;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.SpecReader;
import io.agentstacks.spec.SpecResult;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.spec.Violation;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code agent-stacks simulate}: replays a job trace against a simulated Semaphore queue and Auto
 * Scaling group, with the real poller and scaler, for each policy asked, and prints the figures.
 */
@Command(name = "simulate",
        mixinStandardHelpOptions = true,
        description = {"Replay a job trace against a simulated fleet and compare scaling policies.",
                "legacy models the older tool; up-only and up-down run this control plane's poller and scaler.",
                "Times are seconds; cost is on-demand USD (see README, 'Scaling policies, measured')."})
public final class SimulateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Option(names = "--spec", required = true, paramLabel = "FILE", description = "The stack spec (JSON, or the older tool's config).")
    Path specFile;

    @Option(names = "--trace", required = true, paramLabel = "FILE|steady|bursty|workday",
            description = "A CSV file (submit_s,duration_s[,pipeline]) or a built-in trace.")
    String trace;

    @Option(names = "--policy", defaultValue = "all", paramLabel = "legacy|up-only|up-down|all",
            description = "Policy to run (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|json", description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--chart", paramLabel = "FILE.svg", description = "Also write an SVG chart of queue, desired capacity and agents.")
    Path chart;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of built-in traces and boot-time jitter (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (!format.equals("table") && !format.equals("json")) {
            err.println("agent-stacks simulate: --format must be table or json, got '" + format + "'");
            return 2;
        }
        List<FleetSimulation.Policy> policies;
        try {
            policies = policy.equals("all") ? List.of(FleetSimulation.Policy.values())
                    : List.of(FleetSimulation.Policy.fromValue(policy));
        } catch (IllegalArgumentException e) {
            err.println("agent-stacks simulate: --policy: " + e.getMessage());
            return 2;
        }
        StackSpec spec;
        try {
            JsonNode json = SpecJson.MAPPER.readTree(Files.readString(specFile, StandardCharsets.UTF_8));
            SpecResult read = SpecReader.read(json);
            if (!read.isValid()) {
                for (Violation v : read.violations()) {
                    err.println(specFile + ": " + v.field() + ": " + v.message());
                }
                return 1;
            }
            spec = read.spec().orElseThrow();
        } catch (NoSuchFileException e) {
            err.println("agent-stacks simulate: --spec: no such file: " + specFile);
            return 2;
        } catch (JsonProcessingException e) {
            err.println(specFile + ": not JSON: " + e.getOriginalMessage());
            return 1;
        } catch (IOException e) {
            err.println("agent-stacks simulate: cannot read " + specFile + ": " + e.getMessage());
            return 2;
        }
        Trace jobs;
        try {
            jobs = readTrace();
        } catch (NoSuchFileException e) {
            err.println("agent-stacks simulate: --trace: neither a built-in trace " + Trace.BUILT_IN
                    + " nor an existing file: " + trace);
            return 2;
        } catch (IOException e) {
            err.println("agent-stacks simulate: cannot read " + trace + ": " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 1;
        }
        List<SimulationResult> results = new ArrayList<>();
        try {
            for (FleetSimulation.Policy p : policies) {
                results.add(FleetSimulation.run(FleetSimulation.Options.of(spec, jobs, p, seed)));
            }
        } catch (IllegalArgumentException e) {
            err.println("agent-stacks simulate: " + e.getMessage());
            return 1;
        }
        if (format.equals("json")) {
            out.println(SimulationReport.json(results).toPrettyString());
        } else {
            out.print(SimulationReport.table(results));
        }
        out.flush();
        if (chart != null) {
            try {
                Files.writeString(chart, SvgChart.render(results), StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("agent-stacks simulate: cannot write " + chart + ": " + e.getMessage());
                return 2;
            }
        }
        return 0;
    }

    private Trace readTrace() throws IOException {
        if (Trace.BUILT_IN.contains(trace)) {
            return Trace.builtIn(trace, seed);
        }
        Path file = Path.of(trace);
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return Trace.readCsv(file.getFileName().toString(), r);
        }
    }
}
