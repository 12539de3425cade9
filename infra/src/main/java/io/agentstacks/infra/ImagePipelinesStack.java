package io.agentstacks.infra;

import io.agentstacks.imagerecipes.ComponentDocuments;
import io.agentstacks.imagerecipes.RecipeMatrix;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Match;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.SnsTopic;
import software.amazon.awscdk.services.iam.CfnInstanceProfile;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.imagebuilder.CfnComponent;
import software.amazon.awscdk.services.imagebuilder.CfnLifecyclePolicy;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The agent AMIs: one EC2 Image Builder pipeline per row of {@code image-recipes/recipes.json}, each
 * writing its newest AMI id to SSM {@code /semaphore-agent/ami/<os>/<arch>}, where the agent stacks'
 * launch templates read it ({@code resolve:ssm:}). Failed builds notify an SNS topic; a lifecycle policy
 * keeps the last three images of each recipe and deletes older AMIs with their snapshots.
 */
public final class ImagePipelinesStack extends Stack {

    public static final String AMI_PARAMETER_PREFIX = "/semaphore-agent/ami/";
    public static final String IMAGES_TO_KEEP = "3";

    private final Topic buildFailures;
    private final Map<String, CfnComponent> components = new LinkedHashMap<>();

    public ImagePipelinesStack(Construct scope, String id, StackProps stackProps, ImagePipelinesProps props) {
        super(scope, id, stackProps);
        RecipeMatrix matrix = RecipeMatrix.load(props.recipesDir());
        ComponentDocuments documents = new ComponentDocuments(props.recipesDir());

        Key key = Key.Builder.create(this, "NotificationsKey")
                .description("Encrypts the image build failure notifications")
                .enableKeyRotation(true)
                .build();
        buildFailures = Topic.Builder.create(this, "BuildFailures")
                .displayName("Semaphore agent image build failures")
                .masterKey(key)
                .enforceSsl(true)
                .build();
        // EventBridge publishes to the encrypted topic: it needs the key.
        key.grant(new ServicePrincipal("events.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*");

        Role buildRole = buildInstanceRole();
        CfnInstanceProfile instanceProfile = CfnInstanceProfile.Builder.create(this, "BuildInstanceProfile")
                .roles(List.of(buildRole.getRoleName()))
                .build();

        for (RecipeMatrix.Image image : matrix.images()) {
            for (String reference : image.components()) {
                if (!RecipeMatrix.isAwsManaged(reference)) {
                    components.computeIfAbsent(reference, r -> component(r, image.platform(), documents));
                }
            }
        }

        List<String> recipeNames = new ArrayList<>();
        for (RecipeMatrix.Image image : matrix.images()) {
            boolean macos = image.os().equals("macos");
            ImagePipeline pipeline = new ImagePipeline(this, "Pipeline-" + image.id(), new ImagePipeline.Props(
                    image, matrix, documents, components, instanceProfile, buildFailures,
                    !macos || props.macosEnabled(),
                    macos && props.macosEnabled() ? props.macosLicenseConfigurationArn() : java.util.Optional.empty()));
            recipeNames.add(pipeline.recipeName());
            List<String> missing = matrix.missingChecksums(image);
            if (!missing.isEmpty()) {
                Annotations.of(pipeline).addWarningV2("agentstacks:missing-checksums",
                        image.id() + ": recipes.json has no SHA-256 yet for " + String.join(", ", missing)
                                + "; the build stops until they are filled in");
            }
        }

        lifecyclePolicy(recipeNames);
        failureAlarm(recipeNames);
    }

    public Topic buildFailures() {
        return buildFailures;
    }

    /** Build and test instances: SSM for Image Builder's commands, the components, and their logs. */
    private Role buildInstanceRole() {
        String partition = Aws.PARTITION;
        String region = Aws.REGION;
        String account = Aws.ACCOUNT_ID;
        PolicyDocument policy = PolicyDocument.Builder.create().statements(List.of(
                PolicyStatement.Builder.create()
                        .sid("ReadTheComponents")
                        .actions(List.of("imagebuilder:GetComponent"))
                        .resources(List.of(
                                "arn:" + partition + ":imagebuilder:" + region + ":" + account + ":component/semaphore-*",
                                "arn:" + partition + ":imagebuilder:" + region + ":aws:component/*"))
                        .build(),
                PolicyStatement.Builder.create()
                        .sid("DownloadAwstoe")
                        .actions(List.of("s3:GetObject"))
                        .resources(List.of("arn:" + partition + ":s3:::ec2imagebuilder*"))
                        .build(),
                PolicyStatement.Builder.create()
                        .sid("WriteBuildLogs")
                        .actions(List.of("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"))
                        .resources(List.of("arn:" + partition + ":logs:" + region + ":" + account + ":log-group:/aws/imagebuilder/*"))
                        .build()))
                .build();
        Role role = Role.Builder.create(this, "BuildInstanceRole")
                .description("Instances that build and test the Semaphore agent AMIs")
                .assumedBy(new ServicePrincipal("ec2.amazonaws.com"))
                .managedPolicies(List.of(ManagedPolicy.fromAwsManagedPolicyName("AmazonSSMManagedInstanceCore")))
                .inlinePolicies(Ordered.map("image-build", policy))
                .build();
        NagSuppressions.addResourceSuppressions(role, List.of(
                NagPackSuppression.builder().id("AwsSolutions-IAM4")
                        .reason("Image Builder drives its build and test instances through SSM: AWS keeps AmazonSSMManagedInstanceCore in step with the SSM agent's needs, whose actions take no resource.")
                        .appliesTo(List.of("Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore"))
                        .build(),
                NagPackSuppression.builder().id("AwsSolutions-IAM5")
                        .reason("Component versions are created on every change (semaphore-<name>/<version>), AWS-managed components live under the aws account, AWSTOE is downloaded from AWS's regional ec2imagebuilder-* buckets, and Image Builder names each build's log group under /aws/imagebuilder/.")
                        .appliesTo(List.of(
                                "Resource::arn:<AWS::Partition>:imagebuilder:<AWS::Region>:<AWS::AccountId>:component/semaphore-*",
                                "Resource::arn:<AWS::Partition>:imagebuilder:<AWS::Region>:aws:component/*",
                                "Resource::arn:<AWS::Partition>:s3:::ec2imagebuilder*",
                                "Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/imagebuilder/*"))
                        .build()), true);
        return role;
    }

    /**
     * A component's name and version must change together with its content (Image Builder versions are
     * immutable): the version's patch number is a checksum of the rendered document.
     */
    private CfnComponent component(String reference, String platform, ComponentDocuments documents) {
        String data = documents.render(reference);
        return CfnComponent.Builder.create(this, "Component-" + reference.replace('/', '-'))
                .name("semaphore-" + reference.replace('/', '-'))
                .platform(platform)
                .version(contentVersion(data))
                .description("image-recipes/components/" + reference + ".yml")
                .data(data)
                .build();
    }

    static String contentVersion(String content) {
        CRC32 crc = new CRC32();
        crc.update(content.getBytes(StandardCharsets.UTF_8));
        return "1.0." + (crc.getValue() & 0x3FFF_FFFFL);
    }

    /** Keeps the newest three AMIs of every recipe; older AMIs and their snapshots are deleted. */
    private void lifecyclePolicy(List<String> recipeNames) {
        Role role = Role.Builder.create(this, "LifecycleRole")
                .description("Image Builder lifecycle policy of the Semaphore agent AMIs")
                .assumedBy(new ServicePrincipal("imagebuilder.amazonaws.com"))
                .managedPolicies(List.of(ManagedPolicy.fromAwsManagedPolicyName("service-role/EC2ImageBuilderLifecycleExecutionPolicy")))
                .build();
        NagSuppressions.addResourceSuppressions(role, List.of(NagPackSuppression.builder().id("AwsSolutions-IAM4")
                .reason("EC2ImageBuilderLifecycleExecutionPolicy is the policy AWS documents for lifecycle policies; it is limited to images that Image Builder created.")
                .appliesTo(List.of("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy"))
                .build()), true);
        CfnLifecyclePolicy.Builder.create(this, "KeepLastImages")
                .name("semaphore-agent-images")
                .description("Keeps the last " + IMAGES_TO_KEEP + " agent images of each recipe; deletes older AMIs and snapshots")
                .executionRole(role.getRoleArn())
                .resourceType("AMI_IMAGE")
                .policyDetails(List.of(CfnLifecyclePolicy.PolicyDetailProperty.builder()
                        .action(CfnLifecyclePolicy.ActionProperty.builder()
                                .type("DELETE")
                                .includeResources(CfnLifecyclePolicy.IncludeResourcesProperty.builder()
                                        .amis(true).snapshots(true).build())
                                .build())
                        .filter(CfnLifecyclePolicy.FilterProperty.builder().type("COUNT").value(Integer.parseInt(IMAGES_TO_KEEP)).build())
                        .build()))
                .resourceSelection(CfnLifecyclePolicy.ResourceSelectionProperty.builder()
                        .recipes(recipeNames.stream().map(name -> CfnLifecyclePolicy.RecipeSelectionProperty.builder()
                                .name(name).semanticVersion("1.0.x").build()).toList())
                        .build())
                .build();
    }

    /** A failed build of any agent image notifies the topic. */
    private void failureAlarm(List<String> recipeNames) {
        List<String> images = recipeNames.stream()
                .flatMap(name -> Match.prefix("arn:" + Aws.PARTITION + ":imagebuilder:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":image/" + name + "/").stream())
                .toList();
        Rule.Builder.create(this, "BuildFailed")
                .description("A Semaphore agent image failed to build, test or distribute")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.imagebuilder"))
                        .detailType(List.of("EC2 Image Builder Image State Change"))
                        .resources(images)
                        .detail(Ordered.map("state", Ordered.map("status", List.of("FAILED"))))
                        .build())
                .targets(List.of(new SnsTopic(buildFailures)))
                .build();
    }
}
