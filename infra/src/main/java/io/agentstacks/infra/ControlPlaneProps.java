package io.agentstacks.infra;

import io.agentstacks.events.EventRoutesFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of {@link ControlPlaneStack}.
 *
 * @param jars               every function's jar
 * @param definitions        every workflow's definition file, by name ({@link #WORKFLOWS})
 * @param eventRules         statemachines/event-rules.json: the rules and schedules ({@link EventRoutes})
 * @param agentStackTemplate the synthesized agent-stack template ({@link AgentStackTemplate#synthesize})
 * @param alarmEmail         an address subscribed to the alarm topic (context {@value #ALARM_EMAIL_CONTEXT})
 * @param tracing            X-Ray tracing of the functions, state machines and API (context {@value #XRAY_CONTEXT})
 */
public record ControlPlaneProps(Map<ControlPlaneFunction, Path> jars, Map<String, Path> definitions, Path eventRules, Path agentStackTemplate,
                                Optional<String> alarmEmail, boolean tracing) {

    public static final String ALARM_EMAIL_CONTEXT = "alarmEmail";
    public static final String XRAY_CONTEXT = "xray";
    public static final List<String> WORKFLOWS = List.of("provision-stack", "destroy-stack", "poll-demand", "release-mac-hosts");

    public ControlPlaneProps {
        jars = Map.copyOf(jars);
        definitions = Map.copyOf(definitions);
        Objects.requireNonNull(eventRules, "eventRules");
        Objects.requireNonNull(agentStackTemplate, "agentStackTemplate");
        Objects.requireNonNull(alarmEmail, "alarmEmail");
        for (ControlPlaneFunction f : ControlPlaneFunction.values()) {
            if (!jars.containsKey(f)) {
                throw new IllegalArgumentException("no jar given for " + f.module());
            }
        }
        for (String w : WORKFLOWS) {
            if (!definitions.containsKey(w)) {
                throw new IllegalArgumentException("no definition given for " + w);
            }
        }
        alarmEmail.ifPresent(address -> {
            if (!address.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
                throw new IllegalArgumentException(ALARM_EMAIL_CONTEXT + ": not an email address: " + address);
            }
        });
    }

    /**
     * The real build outputs under the project root: {@code functions/<module>/target/<module>.jar} and
     * {@code statemachines/<name>.asl.json}, {@code statemachines/event-rules.json}.
     *
     * @throws IllegalStateException naming every missing file and how to make it
     */
    public static ControlPlaneProps fromProject(Path root, Path agentStackTemplate, Optional<String> alarmEmail, boolean tracing) {
        Map<ControlPlaneFunction, Path> jars = new EnumMap<>(ControlPlaneFunction.class);
        List<String> missing = new ArrayList<>();
        for (ControlPlaneFunction f : ControlPlaneFunction.values()) {
            Path jar = f.jar(root);
            if (!Files.isRegularFile(jar)) {
                missing.add(root.relativize(jar).toString());
            }
            jars.put(f, jar);
        }
        Map<String, Path> definitions = new java.util.HashMap<>();
        for (String w : WORKFLOWS) {
            Path file = root.resolve("statemachines").resolve(w + ".asl.json");
            if (!Files.isRegularFile(file)) {
                missing.add(root.relativize(file).toString());
            }
            definitions.put(w, file);
        }
        Path eventRules = root.resolve("statemachines").resolve(EventRoutesFile.FILE_NAME);
        if (!Files.isRegularFile(eventRules)) {
            missing.add(root.relativize(eventRules).toString());
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the control plane needs files that are not there: " + String.join(", ", missing)
                    + ". Build the functions first: run `mvn -B verify` from the project root (" + root + "), then synth again.");
        }
        return new ControlPlaneProps(jars, definitions, eventRules, agentStackTemplate, alarmEmail, tracing);
    }
}
