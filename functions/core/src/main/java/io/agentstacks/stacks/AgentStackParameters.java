package io.agentstacks.stacks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.Schedule;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.spec.Volume;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The CloudFormation parameters of the one agent-stack template, computed from a spec: a pure function
 * of (spec, resolved network, Mac host resource group ARN).
 *
 * <p>The template is fixed, so every parameter is always passed (a CloudFormation update must name them
 * all), every value is a string, and the template declares every one as {@code Type: String} (lists as
 * {@code CommaDelimitedList}). Conventions:
 * <ul>
 *   <li>an optional value that is not set is the empty string {@code ""}; the template tests it with a
 *       Condition ({@code !Not [!Equals [!Ref X, ""]]}) and uses {@code AWS::NoValue} when it is empty;</li>
 *   <li>booleans are {@code "true"} or {@code "false"};</li>
 *   <li>plain lists are comma-separated ({@code CommaDelimitedList}); an empty list is {@code ""};</li>
 *   <li>lists of objects have numbered slots 1..10 ({@link #MAX_OVERRIDES}, {@link #MAX_SCHEDULES}), filled
 *       from slot 1, unused slots empty;</li>
 *   <li>the spec's {@code tags} are not parameters but CloudFormation stack tags ({@link #stackTags}), which
 *       CloudFormation puts on every resource, and the group propagates to its instances.</li>
 * </ul>
 *
 * <h2>Parameters</h2>
 * <table>
 * <caption>Every parameter of the agent-stack template</caption>
 * <tr><th>Name</th><th>Meaning</th><th>Format (example)</th></tr>
 * <tr><td>AgentStackName</td><td>the spec's stackName (resource names, tags)</td><td>{@code my-agents}</td></tr>
 * <tr><td>AgentConfigParameterName</td><td>name of the SSM String parameter the template creates with
 *     AgentConfigJson; the instance's user data passes it to the agent's start script</td><td>{@code my-agents-config}</td></tr>
 * <tr><td>AgentConfigJson</td><td>the agent configuration read at boot (see {@link #agentConfigJson})</td><td>JSON text</td></tr>
 * <tr><td>SshKeysParameterName</td><td>SSM String parameter with GitHub's SSH host keys (JSON array), named in AgentConfigJson</td><td>{@code my-agents-ssh-public-keys}</td></tr>
 * <tr><td>LogGroupPrefix</td><td>prefix of the instances' CloudWatch log groups; the instance role may write
 *     under it only</td><td>{@code /semaphore-agent-stacks/my-agents}</td></tr>
 * <tr><td>AgentTokenParameterName</td><td>the SecureString parameter holding the registration token, as the
 *     spec names it</td><td>{@code /semaphore/my-agents/token}</td></tr>
 * <tr><td>AgentTokenParameterPath</td><td>the same name without a leading {@code /}, as it follows
 *     {@code parameter/} in the parameter's ARN (instance role's ssm:GetParameter)</td><td>{@code semaphore/my-agents/token}</td></tr>
 * <tr><td>AgentTokenKmsKeyId</td><td>KMS key of the token parameter (kms:Decrypt); "" means the
 *     {@code alias/aws/ssm} key</td><td>key id, ARN or ""</td></tr>
 * <tr><td>OsFamily</td><td>{@code linux}, {@code windows} or {@code macos}: user data and Conditions</td><td>{@code linux}</td></tr>
 * <tr><td>AgentOs</td><td>the spec's os</td><td>{@code ubuntu-noble}</td></tr>
 * <tr><td>AgentArch</td><td>the spec's arch</td><td>{@code x86_64}</td></tr>
 * <tr><td>ImageId</td><td>launch template ImageId: the spec's ami, else the newest AMI of the OS and arch
 *     through EC2's SSM resolution</td><td>{@code ami-0abc...} or {@code resolve:ssm:/semaphore-agent/ami/ubuntu-noble/x86_64}</td></tr>
 * <tr><td>InstanceType</td><td>launch template instance type</td><td>{@code t3.large}</td></tr>
 * <tr><td>KeyName</td><td>EC2 key pair; "" for none (no SSH ingress is opened then)</td><td>name or ""</td></tr>
 * <tr><td>SecurityGroupId</td><td>an existing security group; "" makes the template create one</td><td>{@code sg-...} or ""</td></tr>
 * <tr><td>UseIpv6</td><td>one IPv6 address on the primary network interface</td><td>{@code true}/{@code false}</td></tr>
 * <tr><td>CacheBucketName</td><td>S3 bucket of the Semaphore cache (instance role access); "" for none</td><td>name or ""</td></tr>
 * <tr><td>ManagedPolicyNames</td><td>customer-managed IAM policies attached to the instance role</td><td>CommaDelimitedList, "" for none</td></tr>
 * <tr><td>RootDeviceName</td><td>root volume device: the spec's volume.deviceName, else the OS's ({@code /dev/sda1} for Ubuntu, Windows and macOS AMIs)</td><td>{@code /dev/sda1}</td></tr>
 * <tr><td>RootVolumeType</td><td>EBS type</td><td>{@code gp3}</td></tr>
 * <tr><td>RootVolumeSize</td><td>GiB</td><td>{@code 64}</td></tr>
 * <tr><td>RootVolumeIops</td><td>provisioned IOPS; "" for the type's default</td><td>{@code 3000} or ""</td></tr>
 * <tr><td>RootVolumeThroughput</td><td>MiB/s (gp3 only); "" for the default</td><td>{@code 125} or ""</td></tr>
 * <tr><td>LicenseConfigurationArn</td><td>macOS: license configuration of the launch template; "" for none</td><td>ARN or ""</td></tr>
 * <tr><td>HostResourceGroupArn</td><td>macOS: launch template placement on the stack's host resource group
 *     (made by mac-host-allocator); "" on other OSes</td><td>ARN or ""</td></tr>
 * <tr><td>VpcId</td><td>the VPC (spec's, or the default VPC); the created security group lives there</td><td>{@code vpc-...}</td></tr>
 * <tr><td>Subnets</td><td>group's VPCZoneIdentifier (spec's subnets, or the default subnets of the spec's zones)</td><td>CommaDelimitedList</td></tr>
 * <tr><td>MinSize</td><td>group MinSize</td><td>{@code 0}</td></tr>
 * <tr><td>MaxSize</td><td>group MaxSize</td><td>{@code 1}</td></tr>
 * <tr><td>DesiredCapacity</td><td>group DesiredCapacity; "" leaves it out, so that an update does not
 *     reset what the scaler set</td><td>{@code 2} or ""</td></tr>
 * <tr><td>GroupMetrics</td><td>MetricsCollection metrics (granularity 1Minute); "" for none</td><td>CommaDelimitedList</td></tr>
 * <tr><td>MaxInstanceLifetime</td><td>seconds; "" for no limit</td><td>{@code 86400} or ""</td></tr>
 * <tr><td>NewInstancesProtectedFromScaleIn</td><td>group NewInstancesProtectedFromScaleIn</td><td>{@code true}/{@code false}</td></tr>
 * <tr><td>CapacityRebalance</td><td>group CapacityRebalance</td><td>{@code true}/{@code false}</td></tr>
 * <tr><td>OnDemandBaseCapacity</td><td>InstancesDistribution</td><td>{@code 0}</td></tr>
 * <tr><td>OnDemandPercentageAboveBaseCapacity</td><td>InstancesDistribution</td><td>{@code 100}</td></tr>
 * <tr><td>OnDemandAllocationStrategy</td><td>InstancesDistribution; "" for the default</td><td>{@code lowest-price} or ""</td></tr>
 * <tr><td>SpotAllocationStrategy</td><td>InstancesDistribution; "" for the default</td><td>{@code price-capacity-optimized} or ""</td></tr>
 * <tr><td>Override<i>n</i>InstanceType (n = 1..10)</td><td>mixed instances policy override n; "" leaves slot n out</td><td>{@code m5.large} or ""</td></tr>
 * <tr><td>Override<i>n</i>WeightedCapacity (n = 1..10)</td><td>its WeightedCapacity; "" for none</td><td>{@code 2} or ""</td></tr>
 * <tr><td>WarmPoolSize</td><td>WarmPool MinSize; "" means no warm pool</td><td>{@code 2} or ""</td></tr>
 * <tr><td>WarmPoolState</td><td>WarmPool PoolState; "" when there is no warm pool</td><td>{@code Stopped}/{@code Hibernated}/""</td></tr>
 * <tr><td>Schedule<i>n</i>Recurrence (n = 1..10)</td><td>scheduled action n's cron; "" leaves slot n out</td><td>{@code 0 7 * * MON-FRI} or ""</td></tr>
 * <tr><td>Schedule<i>n</i>MinSize</td><td>its MinSize; "" leaves it unchanged</td><td>{@code 3} or ""</td></tr>
 * <tr><td>Schedule<i>n</i>MaxSize</td><td>its MaxSize; "" leaves it unchanged</td><td>{@code 10} or ""</td></tr>
 * <tr><td>Schedule<i>n</i>TimeZone</td><td>its TimeZone</td><td>{@code Etc/UTC} or "" in an unused slot</td></tr>
 * <tr><td>TerminationGracePeriodSeconds</td><td>spec's interruptionGracePeriodSeconds: heartbeat timeout of the
 *     terminate lifecycle hook that lets an agent finish its job; "" means no hook</td><td>{@code 900} or ""</td></tr>
 * <tr><td>TerminateHookHeartbeatSeconds</td><td>the hook's HeartbeatTimeout: the grace period plus
 *     {@value #TERMINATE_HOOK_MARGIN_SECONDS} s for the agent to stop and complete the action, at most
 *     {@value #MAX_HOOK_HEARTBEAT_SECONDS} (CloudFormation cannot add); "" means no hook</td><td>{@code 960} or ""</td></tr>
 * </table>
 *
 * <p>Not parameters, because the control plane applies them itself: scaling policy, overprovisioning,
 * dynamicScaling and pollIntervalSeconds (scaler and poller read the registry), imageRollout (deployer),
 * Mac host families, dedicated hosts and reserved hosts (mac-host-allocator owns the host resource group),
 * allowPublicSubnet (the older tool's per-stack scaler Lambda no longer exists).
 */
public final class AgentStackParameters {

    public static final int MAX_OVERRIDES = 10;
    public static final int MAX_SCHEDULES = 10;

    /** Seconds the terminate hook waits beyond the grace period: the agent stops, then completes the action. */
    public static final int TERMINATE_HOOK_MARGIN_SECONDS = 60;

    /** Auto Scaling's largest lifecycle hook HeartbeatTimeout. */
    public static final int MAX_HOOK_HEARTBEAT_SECONDS = 7200;

    /** The root device of every AMI the control plane builds (Ubuntu, Windows, macOS). */
    public static final String DEFAULT_ROOT_DEVICE = "/dev/sda1";

    /** Every parameter name, in the order of the table above. */
    public static final List<String> NAMES = names();

    private AgentStackParameters() {
    }

    /**
     * @param hostGroupArn the host resource group of a macOS stack (from mac-host-allocator); empty otherwise
     * @throws IllegalArgumentException when the spec has something the template cannot take (more than 10
     *                                  overrides or schedules, an override by instance requirements)
     */
    public static Map<String, String> of(StackSpec spec, Network.ResolvedNetwork network, Optional<String> hostGroupArn) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(hostGroupArn, "hostGroupArn");
        String name = spec.stackName();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("AgentStackName", name);
        p.put("AgentConfigParameterName", AgentStackNames.agentConfigParameterName(name));
        p.put("AgentConfigJson", agentConfigJson(spec));
        p.put("SshKeysParameterName", AgentStackNames.sshKeysParameterName(name));
        p.put("LogGroupPrefix", AgentStackNames.logGroupPrefix(name));
        p.put("AgentTokenParameterName", spec.agentTokenParameterName());
        p.put("AgentTokenParameterPath", stripLeadingSlash(spec.agentTokenParameterName()));
        p.put("AgentTokenKmsKeyId", spec.agentTokenKmsKey().orElse(""));

        p.put("OsFamily", family(spec.os()));
        p.put("AgentOs", spec.os().value());
        p.put("AgentArch", spec.arch().value());
        p.put("ImageId", spec.ami().orElseGet(() -> "resolve:ssm:" + AgentStackNames.amiParameterName(spec.os(), spec.arch())));
        p.put("InstanceType", spec.instanceType());
        p.put("KeyName", spec.keyName().orElse(""));
        p.put("SecurityGroupId", spec.securityGroupId().orElse(""));
        p.put("UseIpv6", bool(spec.useIpv6()));
        p.put("CacheBucketName", spec.cacheBucketName().orElse(""));
        p.put("ManagedPolicyNames", String.join(",", spec.managedPolicyNames()));
        Volume v = spec.volume();
        p.put("RootDeviceName", v.deviceName().orElse(DEFAULT_ROOT_DEVICE));
        p.put("RootVolumeType", v.type());
        p.put("RootVolumeSize", Integer.toString(v.sizeGib()));
        p.put("RootVolumeIops", v.iops().isPresent() ? Integer.toString(v.iops().getAsInt()) : "");
        p.put("RootVolumeThroughput", v.throughputMibps().isPresent() ? Integer.toString(v.throughputMibps().getAsInt()) : "");
        p.put("LicenseConfigurationArn", spec.os() == OperatingSystem.MACOS ? spec.mac().licenseConfigurationArn().orElse("") : "");
        p.put("HostResourceGroupArn", spec.os() == OperatingSystem.MACOS ? hostGroupArn.orElse("") : "");

        p.put("VpcId", network.vpcId());
        if (network.subnetIds().isEmpty()) {
            throw new IllegalArgumentException("stack " + name + ": the resolved network has no subnets");
        }
        p.put("Subnets", String.join(",", network.subnetIds()));
        p.put("MinSize", Integer.toString(spec.minSize()));
        p.put("MaxSize", Integer.toString(spec.maxSize()));
        p.put("DesiredCapacity", spec.desiredCapacity().isPresent() ? Integer.toString(spec.desiredCapacity().getAsInt()) : "");
        p.put("GroupMetrics", String.join(",", spec.groupMetrics()));
        p.put("MaxInstanceLifetime", spec.maxInstanceLifetimeSeconds() > 0 ? Integer.toString(spec.maxInstanceLifetimeSeconds()) : "");
        p.put("NewInstancesProtectedFromScaleIn", bool(spec.newInstancesProtectedFromScaleIn()));
        p.put("CapacityRebalance", bool(spec.purchase().capacityRebalance()));
        p.put("OnDemandBaseCapacity", Integer.toString(spec.purchase().onDemandBaseCapacity()));
        p.put("OnDemandPercentageAboveBaseCapacity", Integer.toString(spec.purchase().onDemandPercentageAboveBase()));
        p.put("OnDemandAllocationStrategy", spec.purchase().onDemandAllocationStrategy().orElse(""));
        p.put("SpotAllocationStrategy", spec.purchase().spotAllocationStrategy().orElse(""));
        putOverrides(p, spec);
        p.put("WarmPoolSize", spec.warmPool().map(w -> Integer.toString(w.size())).orElse(""));
        p.put("WarmPoolState", spec.warmPool().map(w -> w.state().value()).orElse(""));
        putSchedules(p, spec);
        p.put("TerminationGracePeriodSeconds", spec.interruptionGracePeriodSeconds() > 0
                ? Integer.toString(spec.interruptionGracePeriodSeconds()) : "");
        p.put("TerminateHookHeartbeatSeconds", spec.interruptionGracePeriodSeconds() > 0
                ? Integer.toString(Math.min(spec.interruptionGracePeriodSeconds() + TERMINATE_HOOK_MARGIN_SECONDS,
                MAX_HOOK_HEARTBEAT_SECONDS)) : "");
        return Collections.unmodifiableMap(p);
    }

    /**
     * The CloudFormation stack tags: the spec's tags, plus {@link AgentStackNames#TAG_STACK_NAME} and
     * {@link AgentStackNames#TAG_MANAGED_BY}, which the control plane's IAM conditions and cost reports use.
     */
    public static Map<String, String> stackTags(StackSpec spec) {
        Map<String, String> tags = new LinkedHashMap<>(spec.tags());
        tags.put(AgentStackNames.TAG_STACK_NAME, spec.stackName());
        tags.put(AgentStackNames.TAG_MANAGED_BY, AgentStackNames.MANAGED_BY_VALUE);
        return Collections.unmodifiableMap(tags);
    }

    /**
     * The agent configuration an instance reads at boot (SSM parameter {@code <stackName>-config}). The
     * older tool's keys, in its order, so that its start scripts work unchanged ({@code endpoint} is a
     * bare host name; {@code disconnectAfterJob} and {@code disconnectAfterIdleTimeout} are strings), then
     * {@code stackName}, {@code logGroupPrefix}, and what the instance scripts need for a graceful shutdown:
     * {@code interruptionGracePeriodSeconds} (a number) and {@code lifecycleHookName} (the terminate hook's
     * name, "" when the stack has none). It names the token's parameter; it never holds the token.
     */
    public static String agentConfigJson(StackSpec spec) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("endpoint", spec.endpointHost().replaceFirst("^https?://", ""));
        o.put("agentTokenParameterName", spec.agentTokenParameterName());
        o.put("sshKeysParameterName", AgentStackNames.sshKeysParameterName(spec.stackName()));
        o.put("disconnectAfterJob", bool(spec.disconnectAfterJob()));
        o.put("disconnectAfterIdleTimeout", Integer.toString(spec.disconnectAfterIdleSeconds()));
        ArrayNode env = o.putArray("envVars");
        spec.cacheBucketName().ifPresent(bucket -> {
            env.add("SEMAPHORE_CACHE_BACKEND=s3");
            env.add("SEMAPHORE_CACHE_S3_BUCKET=" + bucket);
            env.add("SEMAPHORE_CACHE_USE_EC2_INSTANCE_PROFILE=true");
        });
        o.put("usePreSignedURL", spec.usePreSignedUrl());
        o.put("stackName", spec.stackName());
        o.put("logGroupPrefix", AgentStackNames.logGroupPrefix(spec.stackName()));
        o.put("interruptionGracePeriodSeconds", spec.interruptionGracePeriodSeconds());
        o.put("lifecycleHookName", spec.interruptionGracePeriodSeconds() > 0 ? AgentStackNames.TERMINATE_LIFECYCLE_HOOK_NAME : "");
        return o.toString();
    }

    private static void putOverrides(Map<String, String> p, StackSpec spec) {
        // Read from the canonical JSON form: it names both kinds of override the same way in every version of the model.
        JsonNode overrides = SpecJson.write(spec).path("launchTemplateOverrides");
        if (overrides.size() > MAX_OVERRIDES) {
            throw new IllegalArgumentException("stack " + spec.stackName() + ": launchTemplateOverrides has "
                    + overrides.size() + " entries; the agent-stack template takes at most " + MAX_OVERRIDES);
        }
        for (int i = 0; i < MAX_OVERRIDES; i++) {
            JsonNode o = overrides.path(i);
            if (o.has("instanceRequirements")) {
                throw new IllegalArgumentException("stack " + spec.stackName() + ": launchTemplateOverrides[" + i
                        + "].instanceRequirements cannot be expressed by the agent-stack template; name an instanceType");
            }
            p.put("Override" + (i + 1) + "InstanceType", o.path("instanceType").asText(""));
            p.put("Override" + (i + 1) + "WeightedCapacity", o.has("weightedCapacity") ? o.get("weightedCapacity").asText() : "");
        }
    }

    private static void putSchedules(Map<String, String> p, StackSpec spec) {
        List<Schedule> schedules = spec.schedules();
        if (schedules.size() > MAX_SCHEDULES) {
            throw new IllegalArgumentException("stack " + spec.stackName() + ": schedules has " + schedules.size()
                    + " entries; the agent-stack template takes at most " + MAX_SCHEDULES);
        }
        for (int i = 0; i < MAX_SCHEDULES; i++) {
            String n = "Schedule" + (i + 1);
            Optional<Schedule> s = i < schedules.size() ? Optional.of(schedules.get(i)) : Optional.empty();
            p.put(n + "Recurrence", s.map(Schedule::cron).orElse(""));
            p.put(n + "MinSize", s.filter(x -> x.minSize().isPresent()).map(x -> Integer.toString(x.minSize().getAsInt())).orElse(""));
            p.put(n + "MaxSize", s.filter(x -> x.maxSize().isPresent()).map(x -> Integer.toString(x.maxSize().getAsInt())).orElse(""));
            p.put(n + "TimeZone", s.map(Schedule::timezone).orElse(""));
        }
    }

    private static String family(OperatingSystem os) {
        return switch (os.family()) {
            case LINUX -> "linux";
            case WINDOWS -> "windows";
            case MACOS -> "macos";
        };
    }

    private static String bool(boolean b) {
        return b ? "true" : "false";
    }

    private static String stripLeadingSlash(String s) {
        return s.startsWith("/") ? s.substring(1) : s;
    }

    private static List<String> names() {
        List<String> n = new ArrayList<>(List.of("AgentStackName", "AgentConfigParameterName", "AgentConfigJson",
                "SshKeysParameterName", "LogGroupPrefix", "AgentTokenParameterName", "AgentTokenParameterPath",
                "AgentTokenKmsKeyId", "OsFamily", "AgentOs", "AgentArch", "ImageId", "InstanceType", "KeyName",
                "SecurityGroupId", "UseIpv6", "CacheBucketName", "ManagedPolicyNames", "RootDeviceName",
                "RootVolumeType", "RootVolumeSize", "RootVolumeIops", "RootVolumeThroughput",
                "LicenseConfigurationArn", "HostResourceGroupArn", "VpcId", "Subnets", "MinSize", "MaxSize",
                "DesiredCapacity", "GroupMetrics", "MaxInstanceLifetime", "NewInstancesProtectedFromScaleIn",
                "CapacityRebalance", "OnDemandBaseCapacity", "OnDemandPercentageAboveBaseCapacity",
                "OnDemandAllocationStrategy", "SpotAllocationStrategy"));
        for (int i = 1; i <= MAX_OVERRIDES; i++) {
            n.add("Override" + i + "InstanceType");
            n.add("Override" + i + "WeightedCapacity");
        }
        n.add("WarmPoolSize");
        n.add("WarmPoolState");
        for (int i = 1; i <= MAX_SCHEDULES; i++) {
            n.add("Schedule" + i + "Recurrence");
            n.add("Schedule" + i + "MinSize");
            n.add("Schedule" + i + "MaxSize");
            n.add("Schedule" + i + "TimeZone");
        }
        n.add("TerminationGracePeriodSeconds");
        n.add("TerminateHookHeartbeatSeconds");
        return List.copyOf(n);
    }
}
