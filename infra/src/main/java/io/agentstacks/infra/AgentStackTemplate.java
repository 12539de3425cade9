package io.agentstacks.infra;

import io.agentstacks.spec.SpecFields;
import io.agentstacks.stacks.AgentStackNames;
import io.agentstacks.stacks.AgentStackParameters;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnCondition;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.CfnParameter;
import software.amazon.awscdk.DefaultStackSynthesizer;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.ICfnConditionExpression;
import software.amazon.awscdk.ICfnRuleConditionExpression;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.cxapi.CloudFormationStackArtifact;
import software.amazon.awscdk.services.autoscaling.CfnAutoScalingGroup;
import software.amazon.awscdk.services.autoscaling.CfnScheduledAction;
import software.amazon.awscdk.services.autoscaling.CfnWarmPool;
import software.amazon.awscdk.services.ec2.CfnLaunchTemplate;
import software.amazon.awscdk.services.ec2.CfnSecurityGroup;
import software.amazon.awscdk.services.ec2.CfnSecurityGroupEgress;
import software.amazon.awscdk.services.ec2.CfnSecurityGroupIngress;
import software.amazon.awscdk.services.iam.CfnInstanceProfile;
import software.amazon.awscdk.services.iam.CfnRole;
import software.amazon.awscdk.services.logs.CfnLogGroup;
import software.constructs.Construct;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one CloudFormation template of every agent stack: what the older tool created for one config,
 * driven by parameters and conditions instead of synth-time code, so that the control plane deploys it
 * for any spec without running CDK. The deployer passes exactly {@link AgentStackParameters#NAMES}
 * (computed by {@link AgentStackParameters#of}); statemachines/README.md describes each.
 *
 * <p>Resources: the agent config parameter ({@code <stack>-config}) and GitHub's SSH host keys
 * ({@code <stack>-ssh-public-keys}); the instance role and profile; a security group unless one is given;
 * the launch template; the Auto Scaling group (mixed instances policy, or a plain launch template when
 * there is a warm pool, which Auto Scaling allows only then); its terminate lifecycle hook, warm pool and
 * scheduled actions; the instances' log groups. Output: {@value AgentStackNames#OUTPUT_AUTO_SCALING_GROUP_NAME}.
 *
 * <p>No synth-time lookup: the VPC and subnets come resolved from the deployer, the AMI is resolved by
 * EC2 at launch ({@code resolve:ssm:/semaphore-agent/ami/<os>/<arch>}).
 */
public final class AgentStackTemplate extends Stack {

    /** The file the template is written to, also the asset the control plane publishes. */
    public static final String TEMPLATE_FILE = "AgentStack.template.json";

    /** Parameters that are lists (CommaDelimitedList); every other one is a String. */
    public static final Set<String> LIST_PARAMETERS = Set.of("Subnets", "ManagedPolicyNames", "GroupMetrics");

    /** One slot per customer-managed policy the spec may name (a role holds 20; the stack attaches one). */
    public static final int MANAGED_POLICY_SLOTS = SpecFields.get("managedPolicyNames")
            .orElseThrow().maxItems().orElseThrow();

    public static final String TAG_OS = "agent-stacks:os";
    public static final String TAG_ARCH = "agent-stacks:arch";

    public static final String SSM_MANAGED_POLICY = "AmazonSSMManagedInstanceCore";
    public static final int LOG_RETENTION_DAYS = 30;
    /** Seconds between scaling activities, as the older tool set. */
    public static final String COOLDOWN = "60";

    /**
     * The instances' log groups, as the AMIs' CloudWatch agent names them under the stack's
     * {@code LogGroupPrefix}, and the OS families that write each.
     */
    public static final Map<String, List<String>> LOG_GROUPS = logGroupTable();

    private final Map<String, CfnParameter> parameters = new LinkedHashMap<>();
    private final Map<String, CfnCondition> conditions = new LinkedHashMap<>();

    public AgentStackTemplate(Construct scope, String id) {
        super(scope, id, StackProps.builder()
                .description("Semaphore agent stack: an Auto Scaling group of agents, deployed by the agent stacks control plane")
                .analyticsReporting(false)
                // Deployed by the control plane, not by cdk deploy: no bootstrap version parameter or rule.
                .synthesizer(DefaultStackSynthesizer.Builder.create().generateBootstrapVersionRule(false).build())
                .build());
        for (String name : AgentStackParameters.NAMES) {
            parameters.put(name, parameter(name));
        }
        conditions();

        software.amazon.awscdk.services.ssm.CfnParameter config = software.amazon.awscdk.services.ssm.CfnParameter.Builder
                .create(this, "AgentConfig")
                .name(ref("AgentConfigParameterName"))
                .type("String")
                .tier("Standard")
                .description("Parameters required by the semaphore agent")
                .value(ref("AgentConfigJson"))
                .build();
        software.amazon.awscdk.services.ssm.CfnParameter sshKeys = software.amazon.awscdk.services.ssm.CfnParameter.Builder
                .create(this, "SshKeys")
                .name(ref("SshKeysParameterName"))
                .type("String")
                .tier("Standard")
                .description("GitHub SSH public keys.")
                .value(GitHubHostKeys.json())
                .build();

        Map<String, CfnLogGroup> logGroups = logGroups();
        CfnRole role = instanceRole(logGroups);
        CfnInstanceProfile profile = CfnInstanceProfile.Builder.create(this, "InstanceProfile")
                .roles(List.of(role.getRef()))
                .build();
        String securityGroupId = securityGroup();
        CfnLaunchTemplate launchTemplate = launchTemplate(profile, securityGroupId);
        CfnAutoScalingGroup group = autoScalingGroup(launchTemplate);
        group.addResourceDependency(config);
        group.addResourceDependency(sshKeys);
        group.addResourceDependency(role);
        warmPool(group);
        schedules(group);

        CfnOutput.Builder.create(this, AgentStackNames.OUTPUT_AUTO_SCALING_GROUP_NAME)
                .description("The agent stack's Auto Scaling group")
                .value(group.getRef())
                .build();
        CfnOutput.Builder.create(this, "AgentTokenParameter")
                .description("The SecureString parameter the agents read their registration token from")
                .value(ref("AgentTokenParameterName"))
                .build();
    }

    /**
     * Synthesizes the template alone (its own App, cdk-nag's AwsSolutions checks on) into {@code outDir}.
     *
     * @return the template file
     * @throws IllegalStateException when cdk-nag reports an error without a suppression
     */
    public static Path synthesize(Path outDir) {
        App app = new App(AppProps.builder().outdir(outDir.toString()).analyticsReporting(false).build());
        new AgentStackTemplate(app, "AgentStack");
        Aspects.of(app).add(new AwsSolutionsChecks());
        CloudAssembly assembly = app.synth();
        CloudFormationStackArtifact artifact = assembly.getStackByName("AgentStack");
        List<String> errors = new ArrayList<>();
        artifact.getMessages().forEach(m -> {
            if (String.valueOf(m.getLevel()).toLowerCase().contains("error")) {
                errors.add(m.getId() + ": " + m.getEntry().getData());
            }
        });
        if (!errors.isEmpty()) {
            throw new IllegalStateException("the agent-stack template has errors: " + String.join("; ", errors));
        }
        return Path.of(artifact.getTemplateFullPath());
    }

    private CfnParameter parameter(String name) {
        CfnParameter.Builder p = CfnParameter.Builder.create(this, name)
                .type(LIST_PARAMETERS.contains(name) ? "CommaDelimitedList" : "String")
                .description("AgentStackParameters: " + name);
        if (Set.of("UseIpv6", "NewInstancesProtectedFromScaleIn", "CapacityRebalance").contains(name)) {
            p.allowedValues(List.of("true", "false"));
        } else if (name.equals("OsFamily")) {
            p.allowedValues(List.of("linux", "windows", "macos"));
        } else if (name.equals("WarmPoolState")) {
            p.allowedValues(List.of("", "Stopped", "Hibernated"));
        } else if (Set.of("MinSize", "MaxSize", "RootVolumeSize", "OnDemandBaseCapacity", "OnDemandPercentageAboveBaseCapacity").contains(name)) {
            p.allowedPattern("[0-9]+").constraintDescription("a whole number");
        } else if (name.matches("DesiredCapacity|MaxInstanceLifetime|RootVolume(Iops|Throughput)|WarmPoolSize|Override\\d+WeightedCapacity"
                + "|Schedule\\d+(Min|Max)Size|TerminationGracePeriodSeconds|TerminateHookHeartbeatSeconds")) {
            p.allowedPattern("[0-9]*").constraintDescription("a whole number, or empty");
        }
        return p.build();
    }

    private String ref(String name) {
        return param(name).getValueAsString();
    }

    private CfnParameter param(String name) {
        CfnParameter p = parameters.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return p;
    }

    private void condition(String name, ICfnConditionExpression expression) {
        conditions.put(name, CfnCondition.Builder.create(this, name).expression(expression).build());
    }

    private CfnCondition cfnCondition(String name) {
        CfnCondition c = conditions.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no condition " + name);
        }
        return c;
    }

    private ICfnConditionExpression set(String parameter) {
        return Fn.conditionNot(Fn.conditionEquals(ref(parameter), ""));
    }

    private void conditions() {
        condition("CreateSecurityGroup", Fn.conditionEquals(ref("SecurityGroupId"), ""));
        condition("IsWindows", Fn.conditionEquals(ref("OsFamily"), "windows"));
        condition("HasKeyName", set("KeyName"));
        // The older tool's rule: SSH from anywhere only with a key pair, never for Windows (SSM instead).
        condition("OpenSsh", Fn.conditionAnd(cfnCondition("CreateSecurityGroup"), cfnCondition("HasKeyName"),
                Fn.conditionNot(cfnCondition("IsWindows"))));
        condition("WithIpv6", Fn.conditionEquals(ref("UseIpv6"), "true"));
        condition("CreateIpv6Egress", Fn.conditionAnd(cfnCondition("CreateSecurityGroup"), cfnCondition("WithIpv6")));
        condition("HasCacheBucket", set("CacheBucketName"));
        condition("HasTokenKmsKey", set("AgentTokenKmsKeyId"));
        condition("HasRootVolumeIops", set("RootVolumeIops"));
        condition("HasRootVolumeThroughput", set("RootVolumeThroughput"));
        condition("HasLicenseConfiguration", set("LicenseConfigurationArn"));
        condition("HasHostResourceGroup", set("HostResourceGroupArn"));
        condition("HasDesiredCapacity", set("DesiredCapacity"));
        condition("HasGroupMetrics", Fn.conditionNot(Fn.conditionEquals(Fn.join("", param("GroupMetrics").getValueAsList()), "")));
        condition("HasMaxInstanceLifetime", set("MaxInstanceLifetime"));
        condition("HasOnDemandAllocationStrategy", set("OnDemandAllocationStrategy"));
        condition("HasSpotAllocationStrategy", set("SpotAllocationStrategy"));
        for (int i = 1; i <= AgentStackParameters.MAX_OVERRIDES; i++) {
            condition("HasOverride" + i, set("Override" + i + "InstanceType"));
            condition("HasOverride" + i + "Weight", set("Override" + i + "WeightedCapacity"));
        }
        condition("HasWarmPool", set("WarmPoolSize"));
        for (int i = 1; i <= AgentStackParameters.MAX_SCHEDULES; i++) {
            condition("HasSchedule" + i, set("Schedule" + i + "Recurrence"));
            condition("HasSchedule" + i + "MinSize", set("Schedule" + i + "MinSize"));
            condition("HasSchedule" + i + "MaxSize", set("Schedule" + i + "MaxSize"));
        }
        condition("HasTerminateHook", set("TerminationGracePeriodSeconds"));
        for (int i = 1; i <= MANAGED_POLICY_SLOTS; i++) {
            condition("HasManagedPolicy" + i, Fn.conditionNot(Fn.conditionEquals(managedPolicyName(i), "")));
        }
        for (Map.Entry<String, List<String>> g : LOG_GROUPS.entrySet()) {
            List<ICfnConditionExpression> families = g.getValue().stream()
                    .map(f -> (ICfnConditionExpression) Fn.conditionEquals(ref("OsFamily"), f)).toList();
            condition(logGroupCondition(g.getKey()), families.size() == 1 ? families.get(0)
                    : Fn.conditionOr(families.toArray(ICfnConditionExpression[]::new)));
        }
    }

    /**
     * Slot {@code i}'s policy name: the list padded with empty names so that Fn::Select never runs past
     * its end (CloudFormation has no length function).
     */
    private String managedPolicyName(int slot) {
        String padded = Fn.join("", List.of(Fn.join(",", param("ManagedPolicyNames").getValueAsList()),
                ",".repeat(MANAGED_POLICY_SLOTS)));
        return Fn.select(slot - 1, Fn.split(",", padded));
    }

    private static ICfnRuleConditionExpression ifThen(String condition, Object then) {
        return Fn.conditionIf(condition, then, Aws.NO_VALUE);
    }

    private CfnRole instanceRole(Map<String, CfnLogGroup> logGroups) {
        String arnPrefix = "arn:${AWS::Partition}:";
        String tokenParameterArn = arnPrefix + "ssm:${AWS::Region}:${AWS::AccountId}:parameter/${AgentTokenParameterPath}";
        List<Object> statements = new ArrayList<>();
        statements.add(statement("OwnGroup",
                List.of("autoscaling:SetInstanceHealth", "autoscaling:TerminateInstanceInAutoScalingGroup",
                        "autoscaling:SetInstanceProtection", "autoscaling:CompleteLifecycleAction",
                        "autoscaling:RecordLifecycleActionHeartbeat"),
                List.of(Fn.sub(arnPrefix + "autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/*")),
                // The group's name is CloudFormation's, and naming the group here would make a cycle
                // (group -> launch template -> profile -> role): the stack-name tag CloudFormation puts on
                // the group (aws: tags cannot be changed by anyone) says it is this stack's own.
                Ordered.map("StringEquals", Ordered.map("autoscaling:ResourceTag/aws:cloudformation:stack-name", Aws.STACK_NAME))));
        statements.add(statement("FindOwnGroup", List.of("autoscaling:DescribeAutoScalingInstances"), List.of("*"), null));
        statements.add(statement("ReadOwnParameters", List.of("ssm:GetParameter"), List.of(
                Fn.sub(arnPrefix + "ssm:${AWS::Region}:${AWS::AccountId}:parameter/${AgentConfigParameterName}"),
                Fn.sub(arnPrefix + "ssm:${AWS::Region}:${AWS::AccountId}:parameter/${SshKeysParameterName}"),
                Fn.sub(tokenParameterArn)), null));
        // The spec names its key as an id, ARN, alias or alias ARN, which IAM cannot match to a key: any key
        // of the region, but only through SSM and only for this stack's token parameter (SSM's encryption
        // context). The AWS managed aws/ssm key's own policy allows this without a statement.
        statements.add(ifThen("HasTokenKmsKey", statement("DecryptOwnToken", List.of("kms:Decrypt"),
                List.of(Fn.sub(arnPrefix + "kms:${AWS::Region}:*:key/*")),
                Ordered.map("StringEquals", Ordered.map(
                        "kms:ViaService", Fn.sub("ssm.${AWS::Region}.${AWS::URLSuffix}"),
                        "kms:EncryptionContext:PARAMETER_ARN", Fn.sub(tokenParameterArn))))));
        // Each log group the stack made for this OS (its ARN ends in :*, which covers its streams). Naming
        // them also makes the role, and so the instances, wait for the groups.
        List<String> logGroupArns = new ArrayList<>();
        logGroups.forEach((suffix, logGroup) -> logGroupArns.add(Token.asString(
                ifThen(logGroupCondition(suffix), logGroup.getAttrArn()))));
        statements.add(statement("WriteOwnLogs",
                List.of("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"), logGroupArns, null));
        statements.add(ifThen("HasCacheBucket", statement("ListCacheBucket", List.of("s3:ListBucket"),
                List.of(Fn.sub(arnPrefix + "s3:::${CacheBucketName}")), null)));
        statements.add(ifThen("HasCacheBucket", statement("UseCacheBucket",
                List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
                List.of(Fn.sub(arnPrefix + "s3:::${CacheBucketName}/*")), null)));

        List<String> managedPolicies = new ArrayList<>();
        managedPolicies.add(Fn.sub(arnPrefix + "iam::aws:policy/" + SSM_MANAGED_POLICY));
        for (int i = 1; i <= MANAGED_POLICY_SLOTS; i++) {
            managedPolicies.add(Token.asString(ifThen("HasManagedPolicy" + i,
                    Fn.sub(arnPrefix + "iam::${AWS::AccountId}:policy/${Name}", Ordered.map("Name", managedPolicyName(i))))));
        }
        CfnRole role = CfnRole.Builder.create(this, "InstanceRole")
                .description(Fn.sub("Semaphore agents of agent stack ${AgentStackName}"))
                .assumeRolePolicyDocument(Ordered.map("Version", "2012-10-17", "Statement", List.of(Ordered.map(
                        "Effect", "Allow", "Principal", Ordered.map("Service", "ec2.amazonaws.com"), "Action", "sts:AssumeRole"))))
                .managedPolicyArns(managedPolicies)
                .policies(List.of(CfnRole.PolicyProperty.builder()
                        .policyName(Fn.sub("${AgentStackName}-instance-profile-policy"))
                        .policyDocument(Ordered.map("Version", "2012-10-17", "Statement", statements))
                        .build()))
                .build();
        NagSuppressions.addResourceSuppressions(role, List.of(
                NagPackSuppression.builder().id("AwsSolutions-IAM4")
                        .reason("Agents are reachable through SSM Session Manager, as with the older tool: AWS keeps "
                                + "AmazonSSMManagedInstanceCore in step with the SSM agent; the spec's own managedPolicyNames are the user's choice.")
                        .build(),
                NagPackSuppression.builder().id("AwsSolutions-IAM5")
                        .reason("Group actions: any group name, but only the group tagged with this CloudFormation stack's name (its "
                                + "name is generated, and naming it would be a dependency cycle). DescribeAutoScalingInstances has no "
                                + "resource-level permission. KMS: the token's key may be named by alias, so any key of the region, but "
                                + "only via SSM for this stack's token parameter (encryption context). Logs: the streams of the stack's own "
                                + "log groups. Cache: the objects of the spec's cache bucket.")
                        .build()));
        return role;
    }

    private static Map<String, Object> statement(String sid, List<String> actions, List<String> resources, Map<String, Object> condition) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("Sid", sid);
        s.put("Effect", "Allow");
        s.put("Action", actions);
        s.put("Resource", resources);
        if (condition != null) {
            s.put("Condition", condition);
        }
        return s;
    }

    /** @return the id of the agents' security group: the created one, or the spec's */
    private String securityGroup() {
        CfnSecurityGroup sg = CfnSecurityGroup.Builder.create(this, "SecurityGroup")
                .groupDescription("Semaphore agents: all outbound traffic, SSH in only with a key pair")
                .vpcId(ref("VpcId"))
                .securityGroupEgress(List.of(CfnSecurityGroup.EgressProperty.builder()
                        .ipProtocol("-1").cidrIp("0.0.0.0/0").description("Allow all outbound traffic by default").build()))
                .build();
        sg.getCfnOptions().setCondition(cfnCondition("CreateSecurityGroup"));

        CfnSecurityGroupEgress ipv6 = CfnSecurityGroupEgress.Builder.create(this, "SecurityGroupIpv6Egress")
                .groupId(sg.getAttrGroupId())
                .ipProtocol("-1").cidrIpv6("::/0").description("Allow all outbound IPv6 traffic")
                .build();
        ipv6.getCfnOptions().setCondition(cfnCondition("CreateIpv6Egress"));

        CfnSecurityGroupIngress ssh = CfnSecurityGroupIngress.Builder.create(this, "SecurityGroupSshIngress")
                .groupId(sg.getAttrGroupId())
                .ipProtocol("tcp").fromPort(22).toPort(22).cidrIp("0.0.0.0/0")
                .description("allow ssh access from anywhere")
                .build();
        ssh.getCfnOptions().setCondition(cfnCondition("OpenSsh"));
        NagSuppressions.addResourceSuppressions(ssh, List.of(NagPackSuppression.builder().id("AwsSolutions-EC23")
                .reason("The older tool's behaviour, kept for its users: SSH from anywhere is opened only when the spec names "
                        + "a key pair (and never for Windows); a spec that wants less gives its own securityGroupId.")
                .build()));
        return Token.asString(Fn.conditionIf("CreateSecurityGroup", sg.getAttrGroupId(), ref("SecurityGroupId")));
    }

    private CfnLaunchTemplate launchTemplate(CfnInstanceProfile profile, String securityGroupId) {
        Object linuxUserData = Fn.sub("#!/bin/bash\n/opt/semaphore/agent/start.sh ${AgentConfigParameterName}");
        Object windowsUserData = Fn.sub("<powershell>C:\\semaphore-agent\\start.ps1 ${AgentConfigParameterName}</powershell>");
        CfnLaunchTemplate.LaunchTemplateDataProperty data = CfnLaunchTemplate.LaunchTemplateDataProperty.builder()
                .imageId(ref("ImageId"))
                .instanceType(ref("InstanceType"))
                .iamInstanceProfile(CfnLaunchTemplate.IamInstanceProfileProperty.builder().arn(profile.getAttrArn()).build())
                .keyName(Token.asString(ifThen("HasKeyName", ref("KeyName"))))
                // With IPv6 the group goes on the network interface (EC2 takes one or the other).
                .securityGroupIds(Token.asList(Fn.conditionIf("WithIpv6", Aws.NO_VALUE, List.of(securityGroupId))))
                .networkInterfaces(Fn.conditionIf("WithIpv6", List.of(Ordered.map(
                        "DeviceIndex", 0, "Groups", List.of(securityGroupId), "Ipv6AddressCount", 1)), Aws.NO_VALUE))
                .blockDeviceMappings(List.of(CfnLaunchTemplate.BlockDeviceMappingProperty.builder()
                        .deviceName(ref("RootDeviceName"))
                        .ebs(CfnLaunchTemplate.EbsProperty.builder()
                                .volumeType(ref("RootVolumeType"))
                                .volumeSize(Token.asNumber(param("RootVolumeSize")))
                                .iops(Token.asNumber(ifThen("HasRootVolumeIops", ref("RootVolumeIops"))))
                                .throughput(Token.asNumber(ifThen("HasRootVolumeThroughput", ref("RootVolumeThroughput"))))
                                .encrypted(true)
                                .deleteOnTermination(true)
                                .build())
                        .build()))
                .metadataOptions(CfnLaunchTemplate.MetadataOptionsProperty.builder()
                        .httpEndpoint("enabled")
                        .httpTokens("required")
                        // 2: containers of a job (docker) reach the instance's credentials as the job itself does.
                        .httpPutResponseHopLimit(2)
                        .instanceMetadataTags("enabled")
                        .build())
                .userData(Fn.base64(Token.asString(Fn.conditionIf("IsWindows", windowsUserData, linuxUserData))))
                // A power-off ends the instance: the Linux health check relies on it, as with the older tool.
                .instanceInitiatedShutdownBehavior("terminate")
                .placement(ifThen("HasHostResourceGroup", Ordered.map("HostResourceGroupArn", ref("HostResourceGroupArn"))))
                .licenseSpecifications(ifThen("HasLicenseConfiguration",
                        List.of(Ordered.map("LicenseConfigurationArn", ref("LicenseConfigurationArn")))))
                .build();
        return CfnLaunchTemplate.Builder.create(this, "LaunchTemplate")
                .launchTemplateData(data)
                .build();
    }

    private CfnAutoScalingGroup autoScalingGroup(CfnLaunchTemplate launchTemplate) {
        Map<String, Object> templateSpecification = Ordered.map(
                "LaunchTemplateId", launchTemplate.getRef(),
                "Version", launchTemplate.getAttrLatestVersionNumber());
        List<Object> overrides = new ArrayList<>();
        for (int i = 1; i <= AgentStackParameters.MAX_OVERRIDES; i++) {
            overrides.add(ifThen("HasOverride" + i, Ordered.map(
                    "InstanceType", ref("Override" + i + "InstanceType"),
                    "WeightedCapacity", ifThen("HasOverride" + i + "Weight", ref("Override" + i + "WeightedCapacity")))));
        }
        Map<String, Object> distribution = new LinkedHashMap<>();
        distribution.put("OnDemandBaseCapacity", ref("OnDemandBaseCapacity"));
        distribution.put("OnDemandPercentageAboveBaseCapacity", ref("OnDemandPercentageAboveBaseCapacity"));
        distribution.put("OnDemandAllocationStrategy", ifThen("HasOnDemandAllocationStrategy", ref("OnDemandAllocationStrategy")));
        distribution.put("SpotAllocationStrategy", ifThen("HasSpotAllocationStrategy", ref("SpotAllocationStrategy")));
        Map<String, Object> mixed = Ordered.map(
                "InstancesDistribution", distribution,
                "LaunchTemplate", Ordered.map(
                        "LaunchTemplateSpecification", templateSpecification,
                        "Overrides", ifThen("HasOverride1", overrides)));
        ICfnRuleConditionExpression terminateHook = Fn.conditionIf("HasTerminateHook", List.of(Ordered.map(
                "LifecycleHookName", AgentStackNames.TERMINATE_LIFECYCLE_HOOK_NAME,
                "LifecycleTransition", "autoscaling:EC2_INSTANCE_TERMINATING",
                "HeartbeatTimeout", ref("TerminateHookHeartbeatSeconds"),
                // When the agent cannot complete the action in time, the instance goes anyway.
                "DefaultResult", "CONTINUE")), Aws.NO_VALUE);

        CfnAutoScalingGroup group = CfnAutoScalingGroup.Builder.create(this, "AutoScalingGroup")
                .minSize(ref("MinSize"))
                .maxSize(ref("MaxSize"))
                // Left out unless the spec sets it: an update would otherwise reset what the scaler set.
                .desiredCapacity(Token.asString(ifThen("HasDesiredCapacity", ref("DesiredCapacity"))))
                .cooldown(COOLDOWN)
                .vpcZoneIdentifier(param("Subnets").getValueAsList())
                // Auto Scaling has no warm pool for a group with a mixed instances policy: then the launch template alone.
                .mixedInstancesPolicy(Fn.conditionIf("HasWarmPool", Aws.NO_VALUE, mixed))
                .launchTemplate(ifThen("HasWarmPool", templateSpecification))
                .capacityRebalance(Token.asAny(param("CapacityRebalance")))
                .newInstancesProtectedFromScaleIn(Token.asAny(param("NewInstancesProtectedFromScaleIn")))
                .maxInstanceLifetime(Token.asNumber(ifThen("HasMaxInstanceLifetime", ref("MaxInstanceLifetime"))))
                .metricsCollection(ifThen("HasGroupMetrics", List.of(Ordered.map(
                        "Granularity", "1Minute", "Metrics", param("GroupMetrics").getValueAsList()))))
                .lifecycleHookSpecificationList(terminateHook)
                .tags(List.of(
                        CfnAutoScalingGroup.TagPropertyProperty.builder()
                                .key("application").value("semaphore-agent").propagateAtLaunch(true).build(),
                        // What the instances run, for cost reports and for the image roll-out's operators.
                        CfnAutoScalingGroup.TagPropertyProperty.builder()
                                .key(TAG_OS).value(ref("AgentOs")).propagateAtLaunch(true).build(),
                        CfnAutoScalingGroup.TagPropertyProperty.builder()
                                .key(TAG_ARCH).value(ref("AgentArch")).propagateAtLaunch(true).build()))
                .build();
        NagSuppressions.addResourceSuppressions(group, List.of(
                NagPackSuppression.builder().id("AwsSolutions-AS3")
                        .reason("Scaling is the control plane's job: its scaler emits a ScalingDecision event for every change, "
                                + "and its alarms watch failed scaling calls; per-group SNS notifications would repeat them.")
                        .build()));
        return group;
    }

    private void warmPool(CfnAutoScalingGroup group) {
        CfnWarmPool pool = CfnWarmPool.Builder.create(this, "WarmPool")
                .autoScalingGroupName(group.getRef())
                // MinSize and the prepared capacity cap both at the size: exactly that many instances wait warm.
                .minSize(Token.asNumber(param("WarmPoolSize")))
                .maxGroupPreparedCapacity(Token.asNumber(param("WarmPoolSize")))
                .poolState(ref("WarmPoolState"))
                .build();
        pool.getCfnOptions().setCondition(cfnCondition("HasWarmPool"));
    }

    private void schedules(CfnAutoScalingGroup group) {
        for (int i = 1; i <= AgentStackParameters.MAX_SCHEDULES; i++) {
            String n = "Schedule" + i;
            CfnScheduledAction action = CfnScheduledAction.Builder.create(this, n)
                    .autoScalingGroupName(group.getRef())
                    .recurrence(ref(n + "Recurrence"))
                    .minSize(Token.asNumber(ifThen("Has" + n + "MinSize", ref(n + "MinSize"))))
                    .maxSize(Token.asNumber(ifThen("Has" + n + "MaxSize", ref(n + "MaxSize"))))
                    .timeZone(ref(n + "TimeZone"))
                    .build();
            action.getCfnOptions().setCondition(cfnCondition("Has" + n));
        }
    }

    private Map<String, CfnLogGroup> logGroups() {
        Map<String, CfnLogGroup> made = new LinkedHashMap<>();
        for (String suffix : LOG_GROUPS.keySet()) {
            CfnLogGroup logGroup = CfnLogGroup.Builder.create(this, "LogGroup" + suffix.replaceAll("[^A-Za-z0-9]", ""))
                    .logGroupName(Fn.sub("${LogGroupPrefix}/" + suffix))
                    .retentionInDays(LOG_RETENTION_DAYS)
                    .build();
            logGroup.getCfnOptions().setCondition(cfnCondition(logGroupCondition(suffix)));
            made.put(suffix, logGroup);
        }
        return made;
    }

    private static String logGroupCondition(String suffix) {
        return "WritesLogGroup" + suffix.replaceAll("[^A-Za-z0-9]", "");
    }

    private static Map<String, List<String>> logGroupTable() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        groups.put("agent", List.of("linux", "macos", "windows"));
        groups.put("system", List.of("linux", "macos", "windows"));
        groups.put("cloud-init", List.of("linux", "macos"));
        groups.put("cloud-init/output", List.of("linux"));
        groups.put("cfn-init", List.of("linux", "windows"));
        groups.put("agent/health", List.of("macos"));
        groups.put("EC2Launch/UserdataExecution", List.of("windows"));
        return java.util.Collections.unmodifiableMap(groups);
    }

    /** GitHub's published SSH host keys, as the older tool stored them: a JSON array of {@code <type> <key>}. */
    static final class GitHubHostKeys {
        private GitHubHostKeys() {
        }

        static String json() {
            try (InputStream in = AgentStackTemplate.class.getResourceAsStream("github-ssh-host-keys.json")) {
                if (in == null) {
                    throw new IllegalStateException("github-ssh-host-keys.json is missing from the infra jar");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
