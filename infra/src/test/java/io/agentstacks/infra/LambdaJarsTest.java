package io.agentstacks.infra;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real Lambda jars, when the build has made them (the parent POM builds infra after every Lambda module):
 * each under 20 MB, each holding the handler class the control plane names for it and none of core's in-memory
 * stand-ins (io.agentstacks.inmemory: tests and the local control plane only; each module's shade filter leaves them out).
 */
class LambdaJarsTest {

    static final long MAX_BYTES = 20L * 1024 * 1024;

    @Test
    void everyBuiltLambdaJarIsUnderTwentyMegabytesHoldsTheHandlerInfraNamesAndNoInMemoryStandIn() throws IOException {
        List<String> problems = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        for (ControlPlaneFunction f : ControlPlaneFunction.values()) {
            Path jar = f.jar(ControlPlaneFixture.ROOT);
            if (!Files.isRegularFile(jar)) {
                continue;
            }
            checked.add(f.module());
            long size = Files.size(jar);
            if (size >= MAX_BYTES) {
                problems.add(f.module() + ".jar is " + size / 1024 / 1024 + " MB");
            }
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                if (zip.getEntry(f.handlerClass().replace('.', '/') + ".class") == null) {
                    problems.add(f.module() + ".jar has no " + f.handlerClass());
                }
                zip.stream().map(java.util.zip.ZipEntry::getName).filter(n -> n.startsWith("io/agentstacks/inmemory/")).findFirst()
                        .ifPresent(n -> problems.add(f.module() + ".jar holds the in-memory stand-in " + n));
            }
        }
        System.out.println("Lambda jars checked: " + checked);
        assertThat(problems).isEmpty();
    }

    @Test
    void infraIsBuiltAfterEveryLambdaModuleSoThatItsChecksSeeTheJars() throws IOException {
        String pom = Files.readString(ControlPlaneFixture.ROOT.resolve("pom.xml"));
        int infra = pom.indexOf("<module>infra</module>");
        assertThat(infra).isPositive();
        for (ControlPlaneFunction f : ControlPlaneFunction.values()) {
            int module = pom.indexOf("<module>functions/" + f.module() + "</module>");
            if (module >= 0) {
                assertThat(module).as(f.module() + " comes before infra in <modules>").isLessThan(infra);
            }
        }
    }
}
