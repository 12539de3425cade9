package io.agentstacks.infra;

import io.agentstacks.imagerecipes.ComponentDocuments;
import io.agentstacks.imagerecipes.RecipeMatrix;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImagePipelinesStackTest {

    static final Path RECIPES = Path.of(System.getProperty("imageRecipes.dir", "../image-recipes")).toAbsolutePath().normalize();
    static final RecipeMatrix MATRIX = RecipeMatrix.load(RECIPES);
    static final String LICENSE = "arn:aws:license-manager:eu-west-1:123456789012:license-configuration:lic-0123456789abcdef0123456789abcdef";

    static ImagePipelinesStack stack;
    static Template template;

    @BeforeAll
    static void synthesize() {
        stack = synth(new ImagePipelinesProps(RECIPES, false, Optional.empty()));
        template = Template.fromStack(stack);
    }

    static ImagePipelinesStack synth(ImagePipelinesProps props) {
        App app = new App();
        ImagePipelinesStack s = new ImagePipelinesStack(app, "Images", StackProps.builder().build(), props);
        Aspects.of(app).add(new AwsSolutionsChecks());
        app.synth();
        return s;
    }

    @Test
    void thereIsOnePipelinePerMatrixRow() {
        template.resourceCountIs("AWS::ImageBuilder::ImagePipeline", MATRIX.images().size());
        template.resourceCountIs("AWS::ImageBuilder::ImageRecipe", MATRIX.images().size());
        template.resourceCountIs("AWS::ImageBuilder::DistributionConfiguration", MATRIX.images().size());
        assertThat(MATRIX.images()).hasSize(8);
    }

    @Test
    void everyPipelineRunsOnItsWeeklyScheduleAndOnDependencyUpdatesWithImageTests() {
        for (RecipeMatrix.Image image : MATRIX.images()) {
            template.hasResourceProperties("AWS::ImageBuilder::ImagePipeline", Match.objectLike(Map.of(
                    "Name", "semaphore-agent-" + image.os() + "-" + image.arch(),
                    "Schedule", Map.of(
                            "ScheduleExpression", image.schedule(),
                            "PipelineExecutionStartCondition", "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"),
                    "ImageTestsConfiguration", Match.objectLike(Map.of("ImageTestsEnabled", true)))));
            assertThat(image.schedule()).matches("cron\\(\\d+ \\d+ \\? \\* sun \\*\\)");
        }
    }

    @Test
    void everyDistributionWritesTheAmiIdToItsSsmParameterAndTagsTheAmi() {
        for (RecipeMatrix.Image image : MATRIX.images()) {
            template.hasResourceProperties("AWS::ImageBuilder::DistributionConfiguration", Match.objectLike(Map.of(
                    "Name", "semaphore-agent-" + image.os() + "-" + image.arch(),
                    "Distributions", List.of(Match.objectLike(Map.of(
                            "SsmParameterConfigurations", List.of(Map.of(
                                    "ParameterName", "/semaphore-agent/ami/" + image.os() + "/" + image.arch(),
                                    "DataType", "aws:ec2:image")),
                            "AmiDistributionConfiguration", Match.objectLike(Map.of("AmiTags", Map.of(
                                    "os", image.os(), "arch", image.arch(), "agent-version", MATRIX.agent().version(),
                                    "toolbox-version", MATRIX.toolbox().version(), "managed-by", "agent-stacks")))))))));
        }
    }

    @Test
    void theLifecyclePolicyKeepsTheLastThreeImagesOfEveryRecipeAndDeletesOlderAmisAndSnapshots() {
        template.resourceCountIs("AWS::ImageBuilder::LifecyclePolicy", 1);
        List<Object> recipes = new ArrayList<>();
        for (RecipeMatrix.Image image : MATRIX.images()) {
            recipes.add(Map.of("Name", "semaphore-agent-" + image.os() + "-" + image.arch(), "SemanticVersion", "1.0.x"));
        }
        template.hasResourceProperties("AWS::ImageBuilder::LifecyclePolicy", Match.objectLike(Map.of(
                "ResourceType", "AMI_IMAGE",
                "PolicyDetails", List.of(Map.of(
                        "Action", Map.of("Type", "DELETE", "IncludeResources", Map.of("Amis", true, "Snapshots", true)),
                        "Filter", Map.of("Type", "COUNT", "Value", 3))),
                "ResourceSelection", Map.of("Recipes", recipes))));
    }

    @Test
    void recipesStartFromAwsPublicParametersAndPassThePinnedAgentRelease() {
        RecipeMatrix.Image nobleArm = MATRIX.images().stream().filter(i -> i.id().equals("ubuntu-noble-arm64")).findFirst().orElseThrow();
        Object agentUrl = Map.of("Name", "AgentUrl", "Value", List.of(MATRIX.agent().url(nobleArm.assetKey())));
        Object agentComponent = Match.objectLike(Map.of("Parameters", Match.arrayWith(List.of(agentUrl))));
        template.hasResourceProperties("AWS::ImageBuilder::ImageRecipe", Match.objectLike(Map.of(
                "Name", "semaphore-agent-ubuntu-noble-arm64",
                "ParentImage", "ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id",
                "Components", Match.arrayWith(List.of(agentComponent)))));
    }

    @Test
    void componentsCarryTheRenderedDocumentsAndAreSharedByTheImagesOfOnePlatform() {
        ComponentDocuments documents = new ComponentDocuments(RECIPES);
        Set<String> references = new HashSet<>();
        MATRIX.images().forEach(i -> i.components().stream().filter(c -> !RecipeMatrix.isAwsManaged(c)).forEach(references::add));
        template.resourceCountIs("AWS::ImageBuilder::Component", references.size());
        for (String reference : references) {
            template.hasResourceProperties("AWS::ImageBuilder::Component", Match.objectLike(Map.of(
                    "Name", "semaphore-" + reference.replace('/', '-'),
                    "Data", documents.render(reference))));
        }
    }

    @Test
    void aComponentVersionChangesWithItsContent() {
        assertThat(ImagePipelinesStack.contentVersion("a")).matches("1\\.0\\.\\d+")
                .isEqualTo(ImagePipelinesStack.contentVersion("a"))
                .isNotEqualTo(ImagePipelinesStack.contentVersion("b"));
    }

    @Test
    void theMacosPipelineIsOffUnlessTheDeployerTurnsItOn() {
        template.hasResourceProperties("AWS::ImageBuilder::ImagePipeline", Match.objectLike(Map.of(
                "Name", "semaphore-agent-macos-arm64", "Status", "DISABLED")));
        template.resourceCountIs("AWS::ResourceGroups::Group", 0);

        Template on = Template.fromStack(synth(new ImagePipelinesProps(RECIPES, true, Optional.of(LICENSE))));
        on.hasResourceProperties("AWS::ImageBuilder::ImagePipeline", Match.objectLike(Map.of(
                "Name", "semaphore-agent-macos-arm64", "Status", "ENABLED")));
        Object hostManagement = Match.objectLike(Map.of("Type", "AWS::EC2::HostManagement",
                "Parameters", Match.arrayWith(List.of(
                        Map.of("Name", "allowed-host-based-license-configurations", "Values", List.of(LICENSE)),
                        Map.of("Name", "allowed-host-families", "Values", List.of("mac2"))))));
        on.hasResourceProperties("AWS::ResourceGroups::Group", Match.objectLike(Map.of(
                "Configuration", Match.arrayWith(List.of(hostManagement)))));
        on.hasResourceProperties("AWS::ImageBuilder::InfrastructureConfiguration", Match.objectLike(Map.of(
                "Name", "semaphore-agent-macos-arm64",
                "Placement", Map.of("Tenancy", "host", "HostResourceGroupArn", Match.anyValue()))));
    }

    @Test
    void turningMacosOnWithoutALicenseConfigurationIsRejectedNamingTheContextKey() {
        assertThatThrownBy(() -> new ImagePipelinesProps(RECIPES, true, Optional.empty()))
                .hasMessageContaining(ImagePipelinesProps.MACOS_LICENSE_CONTEXT);
        assertThatThrownBy(() -> new ImagePipelinesProps(RECIPES, true, Optional.of("lic-123")))
                .hasMessageContaining("not a License Manager license configuration ARN");
    }

    @Test
    void buildInstancesRequireImdsV2AndFailedBuildsNotifyTheEncryptedTopic() {
        template.allResourcesProperties("AWS::ImageBuilder::InfrastructureConfiguration", Match.objectLike(Map.of(
                "InstanceMetadataOptions", Map.of("HttpTokens", "required", "HttpPutResponseHopLimit", 2),
                "TerminateInstanceOnFailure", true)));
        template.hasResourceProperties("AWS::SNS::Topic", Match.objectLike(Map.of("KmsMasterKeyId", Match.anyValue())));
        template.hasResourceProperties("AWS::Events::Rule", Match.objectLike(Map.of(
                "EventPattern", Match.objectLike(Map.of(
                        "source", List.of("aws.imagebuilder"),
                        "detail-type", List.of("EC2 Image Builder Image State Change"),
                        "detail", Map.of("state", Map.of("status", List.of("FAILED"))))),
                "Targets", List.of(Match.objectLike(Map.of("Arn", Map.of("Ref", Match.stringLikeRegexp("BuildFailures.*"))))))));
    }

    @Test
    void cdkNagAwsSolutionsFindsNoUnsuppressedError() {
        assertThat(Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-.*"))).isEmpty();
        assertThat(Annotations.fromStack(stack).findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"))).isEmpty();
    }

    @Test
    void everyIamStatementNamesItsResourcesOrCarriesTheReasonItCannot() {
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> resources = (Map<String, Map<String, Object>>) (Map<?, ?>) template.toJSON().get("Resources");
        List<String> unexplained = new ArrayList<>();
        resources.forEach((logicalId, resource) -> {
            String json = String.valueOf(resource.get("Properties"));
            if (!String.valueOf(resource.get("Type")).startsWith("AWS::IAM::")) {
                return;
            }
            String suppressions = String.valueOf(resource.get("Metadata"));
            for (String statement : statements(resource)) {
                if (statement.contains("Resource=*") || statement.contains("Resource=[*")) {
                    unexplained.add(logicalId + ": " + statement);
                }
            }
            if (json.contains("*") && !suppressions.contains("AwsSolutions-IAM5")) {
                unexplained.add(logicalId + " has wildcard resources but no AwsSolutions-IAM5 reason");
            }
        });
        assertThat(unexplained).isEmpty();
        // The reasons are there, and say why.
        assertThat(String.valueOf(template.toJSON())).contains("AwsSolutions-IAM5", "AwsSolutions-IAM4");
    }

    @Test
    void missingChecksumsAreReportedAsSynthWarningsPerImage() {
        List<?> warnings = Annotations.fromStack(stack).findWarning("*", Match.stringLikeRegexp(".*has no SHA-256 yet.*"));
        long imagesMissing = MATRIX.images().stream().filter(i -> !MATRIX.missingChecksums(i).isEmpty()).count();
        assertThat(warnings).hasSize((int) imagesMissing);
    }

    @SuppressWarnings("unchecked")
    private static List<String> statements(Map<String, Object> resource) {
        List<String> found = new ArrayList<>();
        Object properties = resource.get("Properties");
        collectStatements(properties, found);
        return found;
    }

    @SuppressWarnings("unchecked")
    private static void collectStatements(Object node, List<String> found) {
        if (node instanceof Map<?, ?> map) {
            Object statement = map.get("Statement");
            if (statement instanceof List<?> list) {
                list.forEach(s -> found.add(String.valueOf(s)));
            }
            map.values().forEach(v -> collectStatements(v, found));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> collectStatements(v, found));
        }
    }
}
