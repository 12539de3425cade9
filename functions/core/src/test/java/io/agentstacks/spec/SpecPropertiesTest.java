package io.agentstacks.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/** Generated valid specs: the reader, the validator, the canonical JSON and the schema all agree on them. */
class SpecPropertiesTest {

    @Provide
    Arbitrary<StackSpec> validSpecs() {
        return SpecGenerators.validSpecs();
    }

    @Property
    void validSpecsSurviveJsonToModelToJsonUnchanged(@ForAll("validSpecs") StackSpec spec) {
        ObjectNode json = SpecJson.write(spec);

        SpecResult result = SpecReader.read(json);

        assertThat(result.violations()).as("violations of %s", json).isEmpty();
        assertThat(result.spec()).contains(spec);
        assertThat(SpecJson.write(result.spec().orElseThrow())).isEqualTo(json);
    }

    @Property
    void validSpecsPassTheValidator(@ForAll("validSpecs") StackSpec spec) {
        assertThat(SpecValidator.validate(spec)).as("violations of %s", SpecJson.write(spec)).isEmpty();
    }

    @Property
    void readTrustedInvertsWrite(@ForAll("validSpecs") StackSpec spec) {
        assertThat(SpecJson.readTrusted(SpecJson.write(spec))).isEqualTo(spec);
        assertThat(SpecJson.readTrusted(SpecJson.writeString(spec))).isEqualTo(spec);
    }

    @Property(tries = 300)
    void validSpecsPassTheJsonSchema(@ForAll("validSpecs") StackSpec spec) {
        ObjectNode json = SpecJson.write(spec);

        assertThat(SpecTestSupport.schemaErrors(json)).as("schema errors of %s", json).isEmpty();
    }

    @Property(tries = 300)
    void removingARequiredNameIsExactlyOneViolation(@ForAll("validSpecs") StackSpec spec) {
        ObjectNode json = SpecJson.write(spec);
        json.remove("stackName");

        assertThat(SpecReader.read(json).violations()).extracting(Violation::field).containsExactly("stackName");
        assertThat(SpecTestSupport.schemaErrors(json)).isNotEmpty();
    }
}
