package io.agentstacks.spec;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every rule, valid and invalid, from the case table in src/test/resources/spec-cases. */
class SpecRulesTest {

    @TestFactory
    Stream<DynamicTest> eachCaseIsReportedWithExactlyItsFields() {
        return SpecCase.all().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            SpecResult result = SpecReader.read(c.spec());
            List<String> fields = result.violations().stream().map(Violation::field).toList();
            assertThat(fields).as("violations of %s: %s", c, result.violations())
                    .containsExactlyInAnyOrderElementsOf(c.violations());
            for (String words : c.messages()) {
                assertThat(result.violations()).as("messages of %s", c)
                        .anySatisfy(v -> assertThat(v.message()).contains(words));
            }
            assertThat(result.warnings().stream().map(Violation::field).toList()).as("warnings of %s", c)
                    .containsAll(c.warnings());
        }));
    }

    @Test
    void theTableCoversManyCasesOfEveryKind() {
        List<SpecCase> cases = SpecCase.all();
        assertThat(cases).hasSizeGreaterThan(150);
        assertThat(cases.stream().filter(SpecCase::valid)).hasSizeGreaterThan(40);
        assertThat(cases.stream().map(c -> c.validatorOnly().orElse("")).distinct())
                .containsAll(SpecValidator.VALIDATOR_ONLY_RULES.stream().map(SpecValidator.ValidatorOnlyRule::name)
                        .toList());
    }
}
