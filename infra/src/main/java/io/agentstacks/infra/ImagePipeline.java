package io.agentstacks.infra;

import io.agentstacks.imagerecipes.ComponentDocuments;
import io.agentstacks.imagerecipes.RecipeMatrix;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.services.iam.CfnInstanceProfile;
import software.amazon.awscdk.services.imagebuilder.CfnComponent;
import software.amazon.awscdk.services.imagebuilder.CfnDistributionConfiguration;
import software.amazon.awscdk.services.imagebuilder.CfnImagePipeline;
import software.amazon.awscdk.services.imagebuilder.CfnImageRecipe;
import software.amazon.awscdk.services.imagebuilder.CfnInfrastructureConfiguration;
import software.amazon.awscdk.services.resourcegroups.CfnGroup;
import software.amazon.awscdk.services.sns.ITopic;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One row of the recipe matrix: its recipe, build infrastructure, distribution and pipeline. */
public final class ImagePipeline extends Construct {

    /** The recipe (and so the image) name; the roll-out reads (os, arch) back from it: keep the two in step. */
    public static final String RECIPE_PREFIX = "semaphore-agent-";

    /**
     * @param enabled                 false for a pipeline that must not run (macOS without a host)
     * @param hostLicenseConfiguration when present, builds run on Mac dedicated hosts of a host resource group
     */
    public record Props(RecipeMatrix.Image image, RecipeMatrix matrix, ComponentDocuments documents,
                        Map<String, CfnComponent> components, CfnInstanceProfile instanceProfile, ITopic notifications,
                        boolean enabled, Optional<String> hostLicenseConfiguration) {
    }

    private final String recipeName;
    private final CfnImagePipeline pipeline;

    public ImagePipeline(Construct scope, String id, Props props) {
        super(scope, id);
        RecipeMatrix.Image image = props.image();
        recipeName = RECIPE_PREFIX + image.os() + "-" + image.arch();
        String agentVersion = props.matrix().agent().version();

        List<CfnImageRecipe.ComponentConfigurationProperty> recipeComponents = new ArrayList<>();
        StringBuilder identity = new StringBuilder(image.parentImageSsmParameter()).append(image.rootVolumeGiB());
        for (String reference : image.components()) {
            if (RecipeMatrix.isAwsManaged(reference)) {
                recipeComponents.add(CfnImageRecipe.ComponentConfigurationProperty.builder()
                        .componentArn("arn:" + Aws.PARTITION + ":imagebuilder:" + Aws.REGION + ":aws:component/"
                                + RecipeMatrix.awsManagedName(reference) + "/x.x.x")
                        .build());
                identity.append(reference);
                continue;
            }
            CfnComponent component = props.components().get(reference);
            Map<String, String> values = props.matrix().componentParameters(image, props.documents().declaredParameters(reference));
            List<CfnImageRecipe.ComponentParameterProperty> parameters = new ArrayList<>();
            values.forEach((name, value) -> parameters.add(CfnImageRecipe.ComponentParameterProperty.builder()
                    .name(name).value(List.of(value)).build()));
            recipeComponents.add(CfnImageRecipe.ComponentConfigurationProperty.builder()
                    .componentArn(component.getAttrArn())
                    .parameters(parameters.isEmpty() ? null : parameters)
                    .build());
            identity.append(reference).append(component.getVersion()).append(values);
        }

        CfnImageRecipe recipe = CfnImageRecipe.Builder.create(this, "Recipe")
                .name(recipeName)
                .version(ImagePipelinesStack.contentVersion(identity.toString()))
                .description("Semaphore agent " + agentVersion + " on " + image.os() + " " + image.arch())
                .parentImage("ssm:" + image.parentImageSsmParameter())
                .components(recipeComponents)
                .blockDeviceMappings(List.of(CfnImageRecipe.InstanceBlockDeviceMappingProperty.builder()
                        .deviceName("/dev/sda1")
                        .ebs(CfnImageRecipe.EbsInstanceBlockDeviceSpecificationProperty.builder()
                                .volumeSize(image.rootVolumeGiB()).volumeType("gp3").encrypted(true).deleteOnTermination(true)
                                .build())
                        .build()))
                .build();

        CfnInfrastructureConfiguration.Builder infrastructure = CfnInfrastructureConfiguration.Builder.create(this, "Infrastructure")
                .name(recipeName)
                .description("Build and test instances of " + recipeName)
                .instanceProfileName(props.instanceProfile().getRef())
                .instanceTypes(List.of(image.buildInstanceType()))
                .snsTopicArn(props.notifications().getTopicArn())
                .terminateInstanceOnFailure(true)
                .instanceMetadataOptions(CfnInfrastructureConfiguration.InstanceMetadataOptionsProperty.builder()
                        .httpTokens("required").httpPutResponseHopLimit(2).build());
        if (image.os().equals("macos")) {
            CfnInfrastructureConfiguration.PlacementProperty.Builder placement =
                    CfnInfrastructureConfiguration.PlacementProperty.builder().tenancy("host");
            props.hostLicenseConfiguration().ifPresent(license -> placement.hostResourceGroupArn(macHostGroup(image, license).getAttrArn()));
            infrastructure.placement(placement.build());
        }
        CfnInfrastructureConfiguration infra = infrastructure.build();

        Map<String, String> amiTags = new LinkedHashMap<>();
        amiTags.put("os", image.os());
        amiTags.put("arch", image.arch());
        amiTags.put("agent-version", agentVersion);
        amiTags.put("toolbox-version", props.matrix().toolbox().version());
        amiTags.put("managed-by", "agent-stacks");
        CfnDistributionConfiguration distribution = CfnDistributionConfiguration.Builder.create(this, "Distribution")
                .name(recipeName)
                .description("Publishes the newest " + recipeName + " AMI to " + amiParameter(image))
                .distributions(List.of(CfnDistributionConfiguration.DistributionProperty.builder()
                        .region(Aws.REGION)
                        // Typed as JSON in the CloudFormation schema: CDK passes the keys through as written.
                        .amiDistributionConfiguration(Ordered.map(
                                "Name", recipeName + "-{{ imagebuilder:buildDate }}",
                                "Description", "Semaphore agent " + agentVersion + " on " + image.os() + " " + image.arch(),
                                "AmiTags", amiTags))
                        .ssmParameterConfigurations(List.of(CfnDistributionConfiguration.SsmParameterConfigurationProperty.builder()
                                .parameterName(amiParameter(image))
                                .dataType("aws:ec2:image")
                                .build()))
                        .build()))
                .build();

        pipeline = CfnImagePipeline.Builder.create(this, "Pipeline")
                .name(recipeName)
                .description("Builds " + recipeName + " weekly and when its parent image or components change")
                .imageRecipeArn(recipe.getAttrArn())
                .infrastructureConfigurationArn(infra.getAttrArn())
                .distributionConfigurationArn(distribution.getAttrArn())
                .schedule(CfnImagePipeline.ScheduleProperty.builder()
                        .scheduleExpression(image.schedule())
                        .pipelineExecutionStartCondition("EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE")
                        .build())
                .imageTestsConfiguration(CfnImagePipeline.ImageTestsConfigurationProperty.builder()
                        .imageTestsEnabled(true).timeoutMinutes(120).build())
                .enhancedImageMetadataEnabled(true)
                .status(props.enabled() ? "ENABLED" : "DISABLED")
                .build();
    }

    public static String amiParameter(RecipeMatrix.Image image) {
        return ImagePipelinesStack.AMI_PARAMETER_PREFIX + image.os() + "/" + image.arch();
    }

    public String recipeName() {
        return recipeName;
    }

    public CfnImagePipeline pipeline() {
        return pipeline;
    }

    /** Mac builds need a dedicated host: a host resource group allocates one for the build and releases it after. */
    private CfnGroup macHostGroup(RecipeMatrix.Image image, String licenseConfigurationArn) {
        String family = image.buildInstanceType().substring(0, image.buildInstanceType().indexOf('.'));
        return CfnGroup.Builder.create(this, "BuildHosts")
                .name(recipeName + "-build-hosts")
                .description("Mac dedicated hosts for " + recipeName + " builds")
                .configuration(List.of(
                        CfnGroup.ConfigurationItemProperty.builder().type("AWS::EC2::HostManagement").parameters(List.of(
                                parameter("allowed-host-based-license-configurations", licenseConfigurationArn),
                                parameter("allowed-host-families", family),
                                parameter("auto-allocate-host", "true"),
                                parameter("auto-release-host", "true"))).build(),
                        CfnGroup.ConfigurationItemProperty.builder().type("AWS::ResourceGroups::Generic").parameters(List.of(
                                parameter("allowed-resource-types", "AWS::EC2::Host"),
                                parameter("deletion-protection", "UNLESS_EMPTY"))).build()))
                .build();
    }

    private static CfnGroup.ConfigurationParameterProperty parameter(String name, String value) {
        return CfnGroup.ConfigurationParameterProperty.builder().name(name).values(List.of(value)).build();
    }
}
