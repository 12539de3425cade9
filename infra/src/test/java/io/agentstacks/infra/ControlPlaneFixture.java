package io.agentstacks.infra;

import io.agentstacks.events.EventRoutesFile;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Inputs of the control plane for tests: small stand-in jars, and each definition from statemachines/ when it is there. */
final class ControlPlaneFixture {

    static final Path ROOT = Path.of(System.getProperty("imageRecipes.dir", "../image-recipes")).toAbsolutePath().normalize().getParent();
    static final Path STAND_INS = Path.of(System.getProperty("testResources.dir", "src/test/resources")).toAbsolutePath().normalize()
            .resolve("statemachines");

    private ControlPlaneFixture() {
    }

    static ControlPlaneProps props(Path dir, Optional<String> alarmEmail, boolean tracing) {
        try {
            Map<ControlPlaneFunction, Path> jars = new EnumMap<>(ControlPlaneFunction.class);
            for (ControlPlaneFunction f : ControlPlaneFunction.values()) {
                Path jar = dir.resolve(f.module() + ".jar");
                if (!Files.exists(jar)) {
                    try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
                        zip.putNextEntry(new ZipEntry(f.handlerClass().replace('.', '/') + ".class"));
                        zip.write(f.module().getBytes(StandardCharsets.UTF_8));
                        zip.closeEntry();
                    }
                }
                jars.put(f, jar);
            }
            return new ControlPlaneProps(jars, definitions(), eventRules(), template(dir), alarmEmail, tracing);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Path> definitions() {
        Map<String, Path> definitions = new HashMap<>();
        for (String w : ControlPlaneProps.WORKFLOWS) {
            Path real = ROOT.resolve("statemachines").resolve(w + ".asl.json");
            definitions.put(w, Files.isRegularFile(real) ? real : STAND_INS.resolve(w + ".asl.json"));
        }
        return definitions;
    }

    /** The real statemachines/event-rules.json: the rules and schedules under test are the deployed ones. */
    static Path eventRules() {
        return ROOT.resolve("statemachines").resolve(EventRoutesFile.FILE_NAME);
    }

    private static Path template(Path dir) throws IOException {
        Path file = dir.resolve("agent-stack").resolve(AgentStackTemplate.TEMPLATE_FILE);
        if (!Files.exists(file)) {
            return AgentStackTemplate.synthesize(dir.resolve("agent-stack"));
        }
        return file;
    }
}
