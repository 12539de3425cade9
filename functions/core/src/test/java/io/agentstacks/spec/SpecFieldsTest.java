package io.agentstacks.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The registry agrees with the model, and its own contents are sound. */
class SpecFieldsTest {

    @Test
    void everyDefaultOfTheRegistryIsTheModelsDefault() {
        ObjectNode defaults = SpecJson.write(StackSpec.builder("a", "b").build());
        for (SpecField f : SpecFields.all()) {
            if (f.path().contains("[]") || f.defaultValue().isEmpty()) {
                continue;
            }
            JsonNode actual = at(defaults, f.path());
            if (actual == null) {
                // Inside an object that is absent by default (warmPool): its members' defaults apply when it is given.
                assertThat(SpecFields.get(f.parentPath()).flatMap(SpecField::defaultText)).as(f.path()).contains("none");
                continue;
            }
            assertThat(actual).as(f.path()).isEqualTo(f.defaultValue().get());
        }
    }

    @Test
    void theCanonicalJsonOfAFullSpecHasExactlyTheRegistrysFields() {
        StackSpec full = SpecGenerators.fullSpec();
        Set<String> written = new LinkedHashSet<>();
        collect(SpecJson.write(full), "", written);

        List<String> declared = SpecFields.all().stream().map(SpecField::path).toList();
        assertThat(written).containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    void everyFieldIsDescribedAndEveryNumberBounded() {
        assertThat(SpecFields.all()).allSatisfy(f -> {
            assertThat(f.description()).as(f.path()).isNotBlank();
            if (f.type() == SpecField.Type.INTEGER || f.type() == SpecField.Type.NUMBER) {
                assertThat(f.minimum()).as(f.path()).isPresent();
                assertThat(f.maximum().orElseThrow()).as(f.path()).isLessThanOrEqualTo(Integer.MAX_VALUE);
            }
        });
    }

    @Test
    void patternsCompileAndDefaultsMeetTheirOwnConstraints() {
        assertThat(SpecFields.all()).allSatisfy(f -> f.pattern().ifPresent(Pattern::compile));
        assertThat(SpecValidator.validate(StackSpec.builder("agents", "agent-token").semaphoreOrganization("acme")
                .build())).isEmpty();
    }

    @Test
    void fieldsAreFoundFromTheirViolationPaths() {
        assertThat(SpecFields.forPath("schedules[3].cron")).map(SpecField::path).contains("schedules[].cron");
        assertThat(SpecFields.forPath("subnets[2]")).map(SpecField::path).contains("subnets");
        assertThat(SpecFields.forPath("tags.Team")).map(SpecField::path).contains("tags");
        assertThat(SpecFields.forPath("nothing")).isEmpty();
    }

    @Test
    void theCatalogueKnowsFamiliesAndTheirArchitectures() {
        assertThat(InstanceCatalogue.archOf("t2")).contains(Arch.X86_64);
        assertThat(InstanceCatalogue.archOf("c7g")).contains(Arch.ARM64);
        assertThat(InstanceCatalogue.archOf("mac1")).contains(Arch.X86_64);
        assertThat(InstanceCatalogue.archOf("mac2-m2pro")).contains(Arch.ARM64);
        assertThat(InstanceCatalogue.archOf("zz9")).isEmpty();
        assertThat(InstanceCatalogue.familyOf("u7i-12tb.224xlarge")).isEqualTo("u7i-12tb");
        assertThat(InstanceCatalogue.macFamilies()).contains("mac1", "mac2", "mac2-m2", "mac-m4pro")
                .allSatisfy(f -> assertThat(f).startsWith("mac"));
        assertThat(InstanceCatalogue.families()).doesNotHaveDuplicates().hasSizeGreaterThan(150);
    }

    @Test
    void theCronPatternAndTheCronMessagesAgree() {
        Pattern pattern = Pattern.compile(Cron.PATTERN);
        for (String cron : List.of("0 8 * * MON-FRI", "*/5 * * * *", "0 0 1,15 * *", "30 2 * jan-Mar sun",
                "0-59/10 0-23 1-31 1-12 0-6", "0 8 * *", "60 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 * 13 *",
                "0 0 * * 7", "@daily", " 0 0 * * *", "0 0 * * * *", "0  0 * * *", "a b c d e", "0 0 * * MON/2")) {
            assertThat(pattern.matcher(cron).find()).as(cron).isEqualTo(Cron.problem(cron).isEmpty());
        }
    }

    private static JsonNode at(JsonNode root, String path) {
        JsonNode node = root;
        for (String part : path.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node;
    }

    /** Every path the JSON holds, list elements as []; a map's keys are not paths. */
    private static void collect(JsonNode node, String path, Set<String> out) {
        Optional<SpecField> field = SpecFields.get(path);
        if (!path.isEmpty()) {
            out.add(path);
        }
        if (field.map(f -> f.type() == SpecField.Type.STRING_MAP).orElse(false)) {
            return;
        }
        if (node.isObject()) {
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                collect(node.get(name), path.isEmpty() ? name : path + "." + name, out);
            }
        } else if (node.isArray() && field.map(f -> f.type() == SpecField.Type.OBJECT_LIST).orElse(false)) {
            for (JsonNode element : node) {
                element.fieldNames().forEachRemaining(name -> collect(element.get(name), path + "[]." + name, out));
            }
        }
    }
}
