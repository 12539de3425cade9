package io.agentstacks.spec;

import io.agentstacks.stacks.AgentStackParameters;
import io.agentstacks.stacks.Network.ResolvedNetwork;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitrary;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Valid" means "deployable": every spec the reader accepts — each valid case of the table, each example,
 * generated ones — gets the agent-stack template's parameters, instead of an API that answers 202 and a
 * stack that fails later. (infra's tests then resolve the template with them.)
 */
class DeployableSpecsTest {

    static final ResolvedNetwork NETWORK = new ResolvedNetwork("vpc-0def0000000000001",
            List.of("subnet-0def000000000000a", "subnet-0def000000000000b"), List.of("us-east-1a", "us-east-1b"));
    static final String HOST_GROUP = "arn:aws:resource-groups:us-east-1:123456789012:group/agents";

    static Map<String, String> parameters(StackSpec spec) {
        Optional<String> hostGroup = spec.os() == OperatingSystem.MACOS ? Optional.of(HOST_GROUP) : Optional.empty();
        Map<String, String> p = AgentStackParameters.of(spec, NETWORK, hostGroup);
        assertThat(List.copyOf(p.keySet())).isEqualTo(AgentStackParameters.NAMES);
        return p;
    }

    @TestFactory
    Stream<DynamicTest> everyValidCaseOfTheTableGetsTheTemplatesParameters() {
        List<SpecCase> valid = SpecCase.all().stream().filter(SpecCase::valid).toList();
        assertThat(valid).hasSizeGreaterThan(40);
        return valid.stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            SpecResult result = SpecReader.read(c.spec());
            assertThat(result.violations()).as("%s", c).isEmpty();
            parameters(result.spec().orElseThrow());
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyExampleGetsTheTemplatesParameters() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(SpecTestSupport.repoRoot().resolve("examples"))) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () ->
                parameters(SpecReader.read(SpecTestSupport.readJson(p)).spec().orElseThrow())));
    }

    @Provide
    Arbitrary<StackSpec> validSpecs() {
        return SpecGenerators.validSpecs();
    }

    @Property(tries = 300)
    void everyGeneratedValidSpecGetsTheTemplatesParameters(@ForAll("validSpecs") StackSpec spec) {
        assertThat(SpecValidator.validate(spec)).isEmpty();
        parameters(spec);
    }

    @TestFactory
    Stream<DynamicTest> instanceRequirementsReachTheirParametersMemberByMember() {
        SpecResult result = SpecReader.read(SpecTestSupport.merge(SpecTestSupport.base(), SpecTestSupport.json("""
                {"launchTemplateOverrides": [{"instanceRequirements": {
                  "VCpuCount": {"Min": 2, "Max": 8}, "MemoryMiB": {"Min": 4096},
                  "MemoryGiBPerVCpu": {"Min": 0.5, "Max": 4.0}, "TotalLocalStorageGB": {"Max": 1e3},
                  "CpuManufacturers": ["intel", "amd"], "InstanceGenerations": ["current"],
                  "ExcludedInstanceTypes": ["t2.*", "*.metal"], "BareMetal": "excluded", "BurstablePerformance": "included",
                  "LocalStorage": "required", "LocalStorageTypes": ["ssd"], "RequireHibernateSupport": true,
                  "MaxSpotPriceAsPercentageOfOptimalOnDemandPrice": 60, "OnDemandMaxPricePercentageOverLowestPrice": 25}}]}""")));
        assertThat(result.violations()).isEmpty();
        Map<String, String> p = parameters(result.spec().orElseThrow());
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("RequirementsVCpuCountMin", "2");
        expected.put("RequirementsVCpuCountMax", "8");
        expected.put("RequirementsMemoryMiBMin", "4096");
        expected.put("RequirementsMemoryMiBMax", "");
        expected.put("RequirementsMemoryGiBPerVCpuMin", "0.5");
        expected.put("RequirementsMemoryGiBPerVCpuMax", "4");
        expected.put("RequirementsTotalLocalStorageGBMin", "");
        expected.put("RequirementsTotalLocalStorageGBMax", "1000");
        expected.put("RequirementsCpuManufacturers", "intel,amd");
        expected.put("RequirementsInstanceGenerations", "current");
        expected.put("RequirementsAllowedInstanceTypes", "");
        expected.put("RequirementsExcludedInstanceTypes", "t2.*,*.metal");
        expected.put("RequirementsBareMetal", "excluded");
        expected.put("RequirementsBurstablePerformance", "included");
        expected.put("RequirementsLocalStorage", "required");
        expected.put("RequirementsLocalStorageTypes", "ssd");
        expected.put("RequirementsRequireHibernateSupport", "true");
        expected.put("RequirementsSpotMaxPricePercentageOverLowestPrice", "");
        expected.put("RequirementsMaxSpotPriceAsPercentageOfOptimalOnDemandPrice", "60");
        expected.put("RequirementsOnDemandMaxPricePercentageOverLowestPrice", "25");
        assertThat(AgentStackParameters.REQUIREMENT_PARAMETERS.keySet()).containsExactlyElementsOf(expected.keySet());
        return expected.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(),
                () -> assertThat(p).containsEntry(e.getKey(), e.getValue())));
    }
}
