package io.agentstacks.imagerecipes;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The awstoe component documents: valid YAML, valid against the awstoe schema, within Image Builder's limits. */
class ComponentDocumentsTest {

    private static final Path DIR = ScriptSandbox.RECIPES_DIR;
    private static final ComponentDocuments DOCUMENTS = new ComponentDocuments(DIR);
    private static final Schema SCHEMA = schema();

    private static Schema schema() {
        try {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(Files.readString(DIR.resolve("schema/awstoe-component.schema.json")));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<String> components() throws IOException {
        try (Stream<Path> files = Files.walk(DIR.resolve("components"))) {
            return files.filter(p -> p.toString().endsWith(".yml")).sorted()
                    .map(p -> DIR.resolve("components").relativize(p).toString().replaceFirst("\\.yml$", ""))
                    .toList().stream();
        }
    }

    @Test
    void thereAreComponentsForEveryOperatingSystem() throws IOException {
        assertThat(components().map(c -> c.substring(0, c.indexOf('/'))).distinct()).containsExactlyInAnyOrder("linux", "macos", "windows");
    }

    @ParameterizedTest
    @MethodSource("components")
    void theSourceDocumentIsValidYamlMatchingTheAwstoeSchema(String component) throws IOException {
        List<Error> errors = SCHEMA.validate(Files.readString(DOCUMENTS.source(component)), InputFormat.YAML);
        assertThat(errors).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("components")
    void theRenderedDocumentMatchesTheSchemaAndFitsImageBuildersInlineLimit(String component) {
        String rendered = DOCUMENTS.render(component);
        assertThat(SCHEMA.validate(rendered, InputFormat.YAML)).isEmpty();
        assertThat(rendered).doesNotContain(ComponentDocuments.FILE_MARKER);
        assertThat(rendered.length()).isLessThanOrEqualTo(ComponentDocuments.MAX_INLINE_DOCUMENT_CHARS);
    }

    @ParameterizedTest
    @MethodSource("components")
    void everyComponentHasBuildValidateAndTestPhases(String component) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> phases = (List<Map<String, Object>>) DOCUMENTS.parse(component).get("phases");
        assertThat(phases).extracting(p -> p.get("name")).containsExactly("build", "validate", "test");
    }

    @ParameterizedTest
    @MethodSource("components")
    void renderingInlinesTheScriptFilesVerbatim(String component) throws IOException {
        String rendered = DOCUMENTS.render(component);
        @SuppressWarnings("unchecked")
        Map<String, Object> document = (Map<String, Object>) new org.yaml.snakeyaml.Yaml().load(rendered);
        Set<String> contents = new HashSet<>();
        collectContents(document, contents);
        for (String file : DOCUMENTS.referencedFiles(component)) {
            assertThat(contents).as(file).contains(Files.readString(DIR.resolve(file)));
        }
    }

    @Test
    void everyScriptFileIsInstalledBySomeComponent() throws IOException {
        Set<String> referenced = new HashSet<>();
        for (String component : components().toList()) {
            referenced.addAll(DOCUMENTS.referencedFiles(component));
        }
        try (Stream<Path> files = Files.walk(DIR.resolve("scripts"))) {
            List<String> scripts = files.filter(Files::isRegularFile).map(p -> DIR.relativize(p).toString()).toList();
            assertThat(referenced).containsAll(scripts);
        }
    }

    @Test
    void theSchemaRejectsWhatAwstoeRejects() {
        String noPhases = "name: x\nschemaVersion: 1.0\n";
        String unknownAction = """
                schemaVersion: 1.0
                phases:
                  - name: build
                    steps:
                      - name: Run
                        action: RunScript
                        inputs: {commands: [echo]}
                """;
        String badOnFailure = """
                schemaVersion: 1.0
                phases:
                  - name: build
                    steps:
                      - name: Run
                        action: ExecuteBash
                        onFailure: Retry
                        inputs: {commands: [echo]}
                """;
        String bashWithoutCommands = """
                schemaVersion: 1.0
                phases:
                  - name: build
                    steps:
                      - name: Run
                        action: ExecuteBash
                        inputs: {}
                """;
        String unknownPhase = """
                schemaVersion: 1.0
                phases:
                  - name: deploy
                    steps:
                      - name: Run
                        action: ExecuteBash
                        inputs: {commands: [echo]}
                """;
        for (String document : List.of(noPhases, unknownAction, badOnFailure, bashWithoutCommands, unknownPhase)) {
            assertThat(SCHEMA.validate(document, InputFormat.YAML)).as(document).isNotEmpty();
        }
    }

    @Test
    void aMarkerNamingAFileOutsideImageRecipesIsRejected() throws IOException {
        Path dir = Files.createTempDirectory("recipes");
        Files.createDirectories(dir.resolve("components/linux"));
        Files.writeString(dir.resolve("components/linux/evil.yml"), """
                schemaVersion: 1.0
                phases:
                  - name: build
                    steps:
                      - name: Write
                        action: CreateFile
                        inputs:
                          - path: /tmp/x
                            content: "@file:../../etc/passwd"
                """);
        assertThatThrownBy(() -> new ComponentDocuments(dir).render("linux/evil"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("@file:../../etc/passwd");
    }

    private static void collectContents(Object node, Set<String> contents) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if ("content".equals(k) && v instanceof String s) {
                    contents.add(s);
                } else {
                    collectContents(v, contents);
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(v -> collectContents(v, contents));
        }
    }
}
