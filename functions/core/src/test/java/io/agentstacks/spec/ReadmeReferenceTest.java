package io.agentstacks.spec;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's spec reference lists every field, exactly as the registry declares it. */
class ReadmeReferenceTest {

    private static final String START = "<!-- spec-reference:start";
    private static final String END = "<!-- spec-reference:end -->";

    private static String referenceTable() throws IOException {
        String readme = Files.readString(SpecTestSupport.repoRoot().resolve("README.md"));
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        assertThat(start).as("README.md has the spec reference markers").isNotNegative();
        assertThat(end).isGreaterThan(start);
        return readme.substring(readme.indexOf('\n', start) + 1, end);
    }

    @Test
    void everyFieldPathIsInTheReadmesSpecReference() throws IOException {
        Matcher row = Pattern.compile("(?m)^\\| `([^`]+)` \\|").matcher(referenceTable());
        List<String> documented = row.results().map(m -> m.group(1)).toList();

        assertThat(documented).as("field paths in README.md's spec reference")
                .containsAll(SpecFields.all().stream().map(SpecField::path).toList());
    }

    @Test
    void theReadmesTableIsTheGeneratedOne() throws IOException {
        assertThat(referenceTable()).as("README.md's table; paste SpecReference.markdownTable() between the markers")
                .isEqualTo(SpecReference.markdownTable());
    }

    @Test
    void theReadmeNamesEveryValidatorOnlyRule() throws IOException {
        String readme = Files.readString(SpecTestSupport.repoRoot().resolve("README.md"));

        assertThat(SpecValidator.VALIDATOR_ONLY_RULES).allSatisfy(r -> assertThat(readme).contains("`" + r.name() + "`"));
    }
}
