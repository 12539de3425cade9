package io.agentstacks.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.agentstacks.spec.SpecField.Type;

/**
 * Every field of the stack spec, declared once: path, type, default, per-field constraints,
 * description and older key. The reader's per-field checks, the JSON Schema and the README's spec
 * reference are all derived from this list. Rules between fields live in {@link SpecValidator}.
 */
public final class SpecFields {

    // --- AWS name and id syntaxes (each usable as a Java and an ECMA-262 regular expression) ---

    static final String STACK_NAME = StackNameRule.PATTERN;
    /** SSM: letters, digits, {@code _.-}, {@code /}-separated levels (at most 15) with a leading {@code /}; no aws/ssm prefix. */
    static final String SSM_PARAMETER_NAME =
            "^(?!/?([Aa][Ww][Ss]|[Ss][Ss][Mm]))([A-Za-z0-9_.-]+|(/[A-Za-z0-9_.-]+){1,15})$";
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    private static final String KMS_KEY_ID = "(" + UUID + "|mrk-[0-9a-f]{32})";
    private static final String KMS_ALIAS = "alias/[A-Za-z0-9/_-]+";
    static final String KMS_KEY = "^(" + KMS_KEY_ID + "|" + KMS_ALIAS + "|arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/"
            + KMS_KEY_ID + "|" + KMS_ALIAS + "))$";
    private static final String HOST_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    /**
     * Suffixes of names that resolve only inside a network (RFC 6761's localhost/invalid/test/example, RFC 6762's
     * local, RFC 8375's home.arpa and the rest of arpa, ICANN's internal, and names in common private use): the
     * registration token must not be sent to a host of the control plane's own network.
     */
    public static final List<String> PRIVATE_DNS_SUFFIXES = List.of("localhost", "localdomain", "local", "internal",
            "intranet", "lan", "home", "corp", "private", "arpa", "invalid", "test", "example", "onion");
    /**
     * A public DNS host name, with an optional {@code https://}: at most 253 characters, two labels or more, a
     * top-level label that starts with a letter (so no IPv4 literal; an IPv6 literal has no place in the
     * syntax), no port, no private suffix (any case).
     */
    static final String ENDPOINT = "^(https://)?(?=[^/]{1,253}$)(?!(.*\\.)?(" + PRIVATE_DNS_SUFFIXES.stream()
            .map(SpecFields::anyCase).collect(Collectors.joining("|")) + ")$)"
            + "(" + HOST_LABEL + "\\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$";
    static final String ORGANIZATION = "^" + HOST_LABEL + "$";
    static final String INSTANCE_TYPE = "^[a-z][a-z0-9]*(-[a-z0-9]+)*\\."
            + "(nano|micro|small|medium|large|xlarge|[1-9][0-9]{0,2}xlarge|metal(-[1-9][0-9]{0,2}xl)?)$";
    private static final String HEX_ID = "([0-9a-f]{8}|[0-9a-f]{17})";
    static final String AMI_ID = "^ami-" + HEX_ID + "$";
    static final String VPC_ID = "^vpc-" + HEX_ID + "$";
    static final String SUBNET_ID = "^subnet-" + HEX_ID + "$";
    static final String SECURITY_GROUP_ID = "^sg-" + HEX_ID + "$";
    static final String HOST_ID = "^h-" + HEX_ID + "$";
    /** us-east-1a, us-gov-west-1b, and Local Zones such as us-west-2-lax-1a. */
    static final String AVAILABILITY_ZONE = "^[a-z]{2}(-[a-z]+)+-[0-9]+((-[a-z0-9]+)*-[0-9]+)?[a-z]$";
    static final String KEY_PAIR_NAME = "^[\\x20-\\x7E]+$";
    static final String BUCKET_NAME = "^(?!xn--|sthree-|amzn-s3-demo-)(?!.*\\.\\.)(?!.*-s3alias$)(?!.*--ol-s3$)"
            + "(?!.*--x-s3$)(?![0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$";
    static final String POLICY_NAME = "^([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,128}$";
    static final String DEVICE_NAME = "^(/dev/(sd[a-z][0-9]{0,2}|xvd[a-z]{1,2}[0-9]{0,2})|xvd[a-z]{1,2})$";
    /** EC2's rule for tag keys of instances whose tags are in the instance metadata (the launch template's setting). */
    static final String TAG_KEY = "^(?!(\\.|\\.\\.|_index)$)[A-Za-z0-9+=.,_:@-]+$";
    static final String LICENSE_CONFIGURATION_ARN =
            "^arn:aws[a-z-]*:license-manager:[a-z0-9-]+:[0-9]{12}:license-configuration:lic-[0-9a-f]{32}$";

    /** The metric names Auto Scaling's {@code MetricsCollection} accepts. */
    public static final List<String> GROUP_METRICS = List.of(
            "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances",
            "GroupPendingInstances", "GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances",
            "GroupInServiceCapacity", "GroupPendingCapacity", "GroupStandbyCapacity", "GroupTerminatingCapacity",
            "GroupTotalCapacity", "WarmPoolDesiredCapacity", "WarmPoolWarmedCapacity", "WarmPoolPendingCapacity",
            "WarmPoolTerminatingCapacity", "WarmPoolTotalCapacity", "GroupAndWarmPoolDesiredCapacity",
            "GroupAndWarmPoolTotalCapacity");
    public static final List<String> VOLUME_TYPES = List.of("standard", "gp2", "gp3", "io1", "io2", "sc1", "st1");
    public static final List<String> ON_DEMAND_ALLOCATION_STRATEGIES = List.of("lowest-price", "prioritized");
    public static final List<String> SPOT_ALLOCATION_STRATEGIES = List.of(
            "price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "lowest-price");
    /** CloudFormation's {@code InstanceRequirements} members besides the two required ones (all of them, supported or not). */
    public static final List<String> INSTANCE_REQUIREMENTS_OPTIONAL = List.of(
            "AcceleratorCount", "AcceleratorManufacturers", "AcceleratorNames", "AcceleratorTotalMemoryMiB",
            "AcceleratorTypes", "AllowedInstanceTypes", "BareMetal", "BaselineEbsBandwidthMbps",
            "BaselinePerformanceFactors", "BurstablePerformance", "CpuManufacturers", "ExcludedInstanceTypes",
            "InstanceGenerations", "LocalStorage", "LocalStorageTypes",
            "MaxSpotPriceAsPercentageOfOptimalOnDemandPrice", "MemoryGiBPerVCpu", "NetworkBandwidthGbps",
            "NetworkInterfaceCount", "OnDemandMaxPricePercentageOverLowestPrice", "RequireHibernateSupport",
            "SpotMaxPricePercentageOverLowestPrice", "TotalLocalStorageGB");

    /**
     * The {@code InstanceRequirements} members the agent-stack template has parameters for (its one
     * instance-requirements slot), besides {@code VCpuCount} and {@code MemoryMiB}.
     */
    public static final List<String> INSTANCE_REQUIREMENTS_SUPPORTED = List.of(
            "MemoryGiBPerVCpu", "TotalLocalStorageGB", "CpuManufacturers", "InstanceGenerations", "AllowedInstanceTypes",
            "ExcludedInstanceTypes", "BareMetal", "BurstablePerformance", "LocalStorage", "LocalStorageTypes",
            "RequireHibernateSupport", "SpotMaxPricePercentageOverLowestPrice",
            "MaxSpotPriceAsPercentageOfOptimalOnDemandPrice", "OnDemandMaxPricePercentageOverLowestPrice");
    /** The {@code InstanceRequirements} members the spec refuses because the template cannot pass them. */
    public static final List<String> INSTANCE_REQUIREMENTS_UNSUPPORTED = INSTANCE_REQUIREMENTS_OPTIONAL.stream()
            .filter(k -> !INSTANCE_REQUIREMENTS_SUPPORTED.contains(k)).toList();
    private static final List<String> INCLUDED_EXCLUDED_REQUIRED = List.of("included", "excluded", "required");
    /** Instance type names with Auto Scaling's wildcards ({@code m5.*}, {@code *7i.large}). */
    static final String INSTANCE_TYPE_WILDCARD = "^[a-zA-Z0-9.*-]+$";

    /** The largest group size the spec accepts; far above any quota, it keeps numbers sane. */
    public static final int MAX_GROUP_SIZE = 10_000;

    private static final List<String> TIME_ZONES = ZoneId.getAvailableZoneIds().stream()
            .filter(z -> !z.startsWith("SystemV/")).sorted().toList();

    private static final SpecField ROOT = new SpecField("", Type.OBJECT)
            .anyOf("either semaphoreEndpoint or semaphoreOrganization is required",
                    "semaphoreEndpoint", "semaphoreOrganization");

    private static final List<SpecField> ALL = declare();
    private static final Map<String, SpecField> BY_PATH = ALL.stream()
            .collect(Collectors.toMap(SpecField::path, f -> f, (a, b) -> a, LinkedHashMap::new));

    private SpecFields() {
    }

    /** Every field, parents before their members, in the order of the README's reference. */
    public static List<SpecField> all() {
        return ALL;
    }

    /** The pseudo-field of the spec object itself (its members are the top-level fields). */
    public static SpecField root() {
        return ROOT;
    }

    /** The field at a registry path ({@code schedules[].cron}). */
    public static Optional<SpecField> get(String path) {
        return Optional.ofNullable(BY_PATH.get(path));
    }

    /** The field a violation path points into: {@code schedules[1].cron} → {@code schedules[].cron}, {@code subnets[2]} → {@code subnets}. */
    public static Optional<SpecField> forPath(String runtimePath) {
        String p = runtimePath.replaceAll("\\[[0-9]+]", "[]");
        while (!p.isEmpty()) {
            SpecField f = BY_PATH.get(p);
            if (f != null) {
                return Optional.of(f);
            }
            if (p.endsWith("[]")) {
                p = p.substring(0, p.length() - 2);
                continue;
            }
            int dot = p.lastIndexOf('.');
            p = dot < 0 ? "" : p.substring(0, dot);
        }
        return Optional.empty();
    }

    /** The members of an object field (or of the root, or of a list's elements). */
    public static List<SpecField> members(SpecField container) {
        String prefix = container == ROOT ? "" : container.childPrefix();
        return ALL.stream()
                .filter(f -> f.path().startsWith(prefix) && f.path().indexOf('.', prefix.length()) < 0
                        && !f.path().substring(prefix.length()).contains("[]"))
                .toList();
    }

    /** The field an older tool's key converts to. */
    public static Optional<SpecField> byLegacyKey(String key) {
        return ALL.stream().filter(f -> f.legacyKey().filter(key::equals).isPresent()).findFirst();
    }

    /** The IANA time zone names schedules accept (the JDK's tz database, without the obsolete SystemV zones). */
    public static List<String> timeZones() {
        return TIME_ZONES;
    }

    private static List<SpecField> declare() {
        List<SpecField> f = new ArrayList<>();
        String a = "SEMAPHORE_AGENT_";

        f.add(string("stackName").required().pattern(STACK_NAME, StackNameRule.SYNTAX_HINT)
                .maxLength(StackNameRule.MAX_LENGTH).legacy(a + "STACK_NAME")
                .doc("Name of the agent stack: the CloudFormation stack's name and the prefix of its resources. "
                        + "One stack per agent type. At most 64 characters, so that the provisioning execution "
                        + "`<stackName>-v<N>` fits Step Functions' 80. `validate` is reserved (the API's "
                        + "`POST /stacks/validate`)."));
        f.add(string("agentTokenParameterName").required().pattern(SSM_PARAMETER_NAME,
                        "must be an SSM parameter name: letters, digits and _.-, or a path like /semaphore/agent-token;"
                                + " not starting with aws or ssm")
                .maxLength(1011).secretLike().legacy(a + "TOKEN_PARAMETER_NAME")
                .doc("Name of the SSM SecureString parameter that holds the agent type's registration token "
                        + "(never the token itself)."));
        f.add(string("agentTokenKmsKey").pattern(KMS_KEY,
                        "must be a KMS key id, key ARN, alias name (alias/...) or alias ARN")
                .maxLength(2048).defaultText("`alias/aws/ssm`").legacy(a + "TOKEN_KMS_KEY")
                .doc("KMS key that encrypts the token parameter, if not the AWS managed `aws/ssm` key."));
        f.add(string("semaphoreEndpoint").pattern(ENDPOINT,
                        "must be a public DNS host name such as my-org.semaphoreci.com, optionally after https://; "
                                + "no http://, IP address, port, path, localhost or private suffix (.local, .internal, ...): "
                                + "the registration token is sent there")
                .maxLength(261).legacy("SEMAPHORE_ENDPOINT")
                .doc("Host of the Semaphore organization the agents register with. This or "
                        + "`semaphoreOrganization` is required; this one wins when both are set. The control plane "
                        + "sends the agent type's registration token there, over HTTPS only (port 443, certificate "
                        + "checked), so it must be a public DNS name, optionally written `https://<host>`: no "
                        + "`http://`, IP address, port, path, `localhost` or private suffix ("
                        + PRIVATE_DNS_SUFFIXES.stream().map(x -> "`." + x + "`").collect(Collectors.joining(", "))
                        + ")."));
        f.add(string("semaphoreOrganization").pattern(ORGANIZATION,
                        "must be an organization name: letters, digits and hyphens")
                .maxLength(63).legacy("SEMAPHORE_ORGANIZATION")
                .doc("Semaphore organization name; the endpoint becomes `<organization>.semaphoreci.com`."));

        f.add(string("instanceType").pattern(INSTANCE_TYPE,
                        "must be an EC2 instance type such as t3.micro or c7g.2xlarge")
                .maxLength(64).defaultValue(text(StackSpec.DEFAULT_INSTANCE_TYPE)).legacy(a + "INSTANCE_TYPE")
                .doc("EC2 instance type of the agents. Its family must be known (see `instance-families.txt`) and "
                        + "match `arch`; macOS needs a Mac `.metal` type."));
        f.add(integer("minSize").range(0, MAX_GROUP_SIZE).defaultValue(num(StackSpec.DEFAULT_MIN_SIZE))
                .legacy(a + "ASG_MIN_SIZE")
                .doc("Smallest number of agents. `0 <= minSize <= desiredCapacity <= maxSize`."));
        f.add(integer("maxSize").range(0, MAX_GROUP_SIZE).defaultValue(num(StackSpec.DEFAULT_MAX_SIZE))
                .legacy(a + "ASG_MAX_SIZE")
                .doc("Largest number of agents; the scaler never goes above it."));
        f.add(integer("desiredCapacity").range(0, MAX_GROUP_SIZE).defaultText("unset")
                .legacy(a + "ASG_DESIRED")
                .doc("Initial desired capacity. Leave it unset with dynamic scaling: CloudFormation re-applies it "
                        + "on every update."));
        f.add(stringList("groupMetrics").values(GROUP_METRICS).unique().maxItems(GROUP_METRICS.size())
                .defaultValue(emptyArray()).legacy(a + "ASG_METRICS")
                .doc("Auto Scaling group metrics to collect every minute."));
        f.add(integer("maxInstanceLifetimeSeconds").zeroOrRange(86_400, 31_536_000).defaultValue(num(0))
                .legacy(a + "ASG_MAX_INSTANCE_LIFETIME")
                .doc("Replace agents older than this; 0 means never, otherwise 86400 (1 day) to 31536000 (365 days)."));
        f.add(new SpecField("launchTemplateOverrides", Type.OBJECT_LIST)
                .maxItems(io.agentstacks.stacks.AgentStackParameters.MAX_OVERRIDES)
                .oneOf("instanceType", "instanceRequirements").defaultValue(emptyArray())
                .legacy(a + "ASG_LAUNCH_TEMPLATE_OVERRIDES_JSON")
                .doc("Further instance types the group may launch (a mixed instances policy's overrides): up to 10 "
                        + "entries by `instanceType` (the agent-stack template's slots), or one entry by "
                        + "`instanceRequirements` (its one attribute-based slot), not both. A list, see below. The older "
                        + "`" + a + "ASG_INSTANCE_REQUIREMENTS_JSON` converts to an `instanceRequirements` entry."));
        f.add(string("launchTemplateOverrides[].instanceType").pattern(INSTANCE_TYPE,
                        "must be an EC2 instance type such as t3.micro or c7g.2xlarge").maxLength(64)
                .doc("Instance type; same family rules as `instanceType`."));
        f.add(integer("launchTemplateOverrides[].weightedCapacity").range(1, 999).defaultText("unset")
                .doc("Capacity units one instance of this type counts for; set on every entry or on none; not with "
                        + "`instanceRequirements`."));
        String requirements = "launchTemplateOverrides[].instanceRequirements";
        f.add(new SpecField(requirements, Type.OBJECT)
                .unsupported(INSTANCE_REQUIREMENTS_UNSUPPORTED, "is not supported by the agent-stack template, whose "
                        + "instance-requirements slot takes VCpuCount, MemoryMiB, " + String.join(", ",
                        INSTANCE_REQUIREMENTS_SUPPORTED))
                .legacy(a + "ASG_INSTANCE_REQUIREMENTS_JSON")
                .doc("Attribute-based instance type selection, in CloudFormation's `InstanceRequirements` names: "
                        + "the group launches any instance type that has these attributes. Not for macOS, and without "
                        + "`weightedCapacity`. CloudFormation's other members ("
                        + String.join(", ", INSTANCE_REQUIREMENTS_UNSUPPORTED.stream().map(k -> "`" + k + "`").toList())
                        + ") are refused: the agent-stack template has no parameters for them."));
        for (String request : List.of("VCpuCount", "MemoryMiB")) {
            String p = requirements + "." + request;
            String unit = request.equals("VCpuCount") ? "vCPUs" : "MiB of memory";
            long max = request.equals("VCpuCount") ? 100_000 : 1_000_000_000;
            f.add(new SpecField(p, Type.OBJECT).required().doc("Range of " + unit + "."));
            f.add(integer(p + ".Min").required().range(0, max).doc("Fewest " + unit + "."));
            f.add(integer(p + ".Max").range(0, max).defaultText("no limit").doc("Most " + unit + "; at least `Min`."));
        }
        for (String request : List.of("MemoryGiBPerVCpu", "TotalLocalStorageGB")) {
            String p = requirements + "." + request;
            String unit = request.equals("MemoryGiBPerVCpu") ? "GiB of memory per vCPU" : "GB of local storage";
            long max = request.equals("MemoryGiBPerVCpu") ? 10_000 : 1_000_000;
            f.add(new SpecField(p, Type.OBJECT).anyOf("must set Min, Max or both", "Min", "Max")
                    .defaultText("no limit").doc("Range of " + unit + "."));
            f.add(new SpecField(p + ".Min", Type.NUMBER).range(0, max).defaultText("no limit")
                    .doc("Fewest " + unit + "."));
            f.add(new SpecField(p + ".Max", Type.NUMBER).range(0, max).defaultText("no limit")
                    .doc("Most " + unit + "; at least `Min`."));
        }
        f.add(stringList(requirements + ".CpuManufacturers")
                .values(List.of("intel", "amd", "amazon-web-services", "apple")).unique().items(1, 4)
                .defaultText("any").doc("CPU makers allowed."));
        f.add(stringList(requirements + ".InstanceGenerations").values(List.of("current", "previous")).unique()
                .items(1, 2).defaultText("any").doc("Instance generations allowed."));
        for (String list : List.of("AllowedInstanceTypes", "ExcludedInstanceTypes")) {
            f.add(stringList(requirements + "." + list).pattern(INSTANCE_TYPE_WILDCARD,
                            "must be an instance type, family or size, with * as a wildcard, such as m5.8xlarge, c5*.* or r*")
                    .maxLength(30).unique().items(1, 100).defaultText("none")
                    .doc(list.startsWith("Allowed")
                            ? "Only these instance types (`*` is a wildcard) are considered; not with `ExcludedInstanceTypes`."
                            : "These instance types (`*` is a wildcard) are never launched; not with `AllowedInstanceTypes`."));
        }
        f.add(string(requirements + ".BareMetal").values(INCLUDED_EXCLUDED_REQUIRED)
                .defaultText("Auto Scaling's (`excluded`)").doc("Bare metal instance types."));
        f.add(string(requirements + ".BurstablePerformance").values(INCLUDED_EXCLUDED_REQUIRED)
                .defaultText("Auto Scaling's (`excluded`)").doc("Burstable (T) instance types."));
        f.add(string(requirements + ".LocalStorage").values(INCLUDED_EXCLUDED_REQUIRED)
                .defaultText("Auto Scaling's (`included`)").doc("Instance types with local instance store volumes."));
        f.add(stringList(requirements + ".LocalStorageTypes").values(List.of("hdd", "ssd")).unique().items(1, 2)
                .defaultText("any").doc("Kinds of local storage allowed."));
        f.add(bool(requirements + ".RequireHibernateSupport").defaultText("Auto Scaling's (`false`)")
                .doc("Only instance types that can hibernate."));
        f.add(integer(requirements + ".SpotMaxPricePercentageOverLowestPrice").range(0, 1_000_000)
                .defaultText("Auto Scaling's (100)")
                .doc("Spot price protection: leave out spot types priced more than this percentage above the "
                        + "cheapest; not with `MaxSpotPriceAsPercentageOfOptimalOnDemandPrice`."));
        f.add(integer(requirements + ".MaxSpotPriceAsPercentageOfOptimalOnDemandPrice").range(0, 1_000_000)
                .defaultText("unset")
                .doc("Spot price protection relative to the on-demand price; not with "
                        + "`SpotMaxPricePercentageOverLowestPrice`."));
        f.add(integer(requirements + ".OnDemandMaxPricePercentageOverLowestPrice").range(0, 1_000_000)
                .defaultText("Auto Scaling's (20)")
                .doc("On-demand price protection: leave out types priced more than this percentage above the cheapest."));
        f.add(bool("newInstancesProtectedFromScaleIn").defaultValue(BooleanNode.FALSE)
                .legacy(a + "ASG_NEW_INSTANCES_PROTECTED_FROM_SCALE_IN")
                .doc("Launch agents protected from scale-in (agents also protect themselves while they run a job)."));

        f.add(bool("disconnectAfterJob").defaultValue(BooleanNode.TRUE).legacy(a + "DISCONNECT_AFTER_JOB")
                .doc("An agent shuts its instance down after one job."));
        f.add(integer("disconnectAfterIdleSeconds").range(0, 604_800)
                .defaultValue(num(StackSpec.DEFAULT_IDLE_SECONDS)).legacy(a + "DISCONNECT_AFTER_IDLE_TIMEOUT")
                .doc("An idle agent shuts its instance down after this many seconds; 0 disables it."));
        f.add(integer("interruptionGracePeriodSeconds")
                .range(0, io.agentstacks.stacks.AgentStackParameters.MAX_GRACE_PERIOD_SECONDS).defaultValue(num(0))
                .doc("How long a terminating instance may wait for its job to finish. The terminate lifecycle "
                        + "hook waits this plus " + io.agentstacks.stacks.AgentStackParameters.TERMINATE_HOOK_MARGIN_SECONDS
                        + " s for the agent to stop, and Auto Scaling's hooks wait at most "
                        + io.agentstacks.stacks.AgentStackParameters.MAX_HOOK_HEARTBEAT_SECONDS + " s."));
        f.add(bool("usePreSignedUrl").defaultValue(BooleanNode.FALSE).legacy(a + "USE_PRE_SIGNED_URL")
                .doc("Agents register with a pre-signed AWS STS GetCallerIdentity URL as their name."));
        f.add(bool("dynamicScaling").defaultValue(BooleanNode.TRUE).legacy(a + "USE_DYNAMIC_SCALING")
                .doc("Scale the group with the job queue; when false, capacity stays where the spec puts it."));

        f.add(string("os").values(OperatingSystem.allValues())
                .defaultValue(text(StackSpec.DEFAULT_OS.value()))
                .defaultText("`" + StackSpec.DEFAULT_OS.value() + "` (`" + StackSpec.LEGACY_DEFAULT_OS.value()
                        + "` for a converted older config)")
                .legacy(a + "OS")
                .doc("Agent operating system. `ubuntu-focal` is accepted with a warning: it is past standard "
                        + "support. Windows runs on x86_64 only."));
        f.add(string("arch").values(Arch.allValues()).defaultValue(text(Arch.X86_64.value())).legacy(a + "ARCH")
                .doc("CPU architecture; every instance type must be of this architecture."));
        f.add(string("ami").pattern(AMI_ID, "must be an AMI id: ami- and 8 or 17 hex digits")
                .maxLength(21).defaultText("the newest AMI built for `os`/`arch`").legacy(a + "AMI")
                .doc("A fixed AMI instead of the one the image pipelines publish."));

        f.add(string("vpcId").pattern(VPC_ID, "must be a VPC id: vpc- and 8 or 17 hex digits").maxLength(21)
                .defaultText("the default VPC").legacy(a + "VPC_ID")
                .doc("VPC of the agents; requires `subnets`."));
        f.add(stringList("subnets").pattern(SUBNET_ID, "must be a subnet id: subnet- and 8 or 17 hex digits")
                .maxLength(24).unique().maxItems(50).defaultValue(emptyArray()).legacy(a + "SUBNETS")
                .doc("Subnets of `vpcId` the agents run in (private or public, not isolated); requires `vpcId`."));
        f.add(stringList("availabilityZones").pattern(AVAILABILITY_ZONE,
                        "must be an availability zone name such as us-east-1a")
                .maxLength(64).unique().maxItems(32).defaultValue(emptyArray()).legacy(a + "AZS")
                .doc("Availability zones of the group (and of macOS dedicated hosts)."));
        f.add(string("securityGroupId").pattern(SECURITY_GROUP_ID,
                        "must be a security group id: sg- and 8 or 17 hex digits")
                .maxLength(20).defaultText("a new group: all egress, SSH in only with `keyName`")
                .legacy(a + "SECURITY_GROUP_ID")
                .doc("An existing security group for the agents."));
        f.add(string("keyName").pattern(KEY_PAIR_NAME, "must be an EC2 key pair name: printable ASCII characters")
                .maxLength(255).legacy(a + "KEY_NAME")
                .doc("EC2 key pair for SSH access; without it there is no inbound SSH."));
        f.add(bool("useIpv6").defaultValue(BooleanNode.FALSE).legacy(a + "USE_IPV6")
                .doc("Give each agent an IPv6 address (the subnets need IPv6 CIDRs)."));
        f.add(bool("allowPublicSubnet").defaultValue(BooleanNode.FALSE).legacy(a + "ALLOW_PUBLIC_SUBNET")
                .doc("Accepted for older configurations and ignored (with a warning): it let the older tool's "
                        + "per-stack scaler function use public subnets; the control plane's functions do not run in your VPC."));

        f.add(string("cacheBucketName").pattern(BUCKET_NAME, "must be an S3 bucket name")
                .maxLength(63).legacy(a + "CACHE_BUCKET_NAME")
                .doc("Existing S3 bucket for the Semaphore cache; without it, caching does not work."));
        f.add(stringList("managedPolicyNames").pattern(POLICY_NAME,
                        "must be an IAM policy name (letters, digits and +=,.@_-), optionally with a path")
                .maxLength(512).unique().maxItems(19).defaultValue(emptyArray()).legacy(a + "MANAGED_POLICY_NAMES")
                .doc("Customer managed IAM policies attached to the agents' role (a role holds at most 20; the "
                        + "stack attaches one)."));
        f.add(new SpecField("tags", Type.STRING_MAP).keys(128, "aws:", 256)
                .keyPattern(TAG_KEY, "must be letters, digits and + - = . , _ : @ only (no spaces or /), and not "
                        + "., .. or _index: the launch template puts instance tags in the instance metadata, and EC2 "
                        + "refuses to launch an instance with another tag key")
                .maxItems(50)
                .defaultValue(JsonNodeFactory.instance.objectNode()).legacy(a + "TAGS")
                .doc("Tags for every resource of the stack: at most 50, values up to 256 characters, keys up to 128 "
                        + "characters, not starting with `aws:`, of letters, digits and `+ - = . , _ : @` only (no "
                        + "spaces or `/`) and not `.`, `..` or `_index`, because instance tags are in the instance "
                        + "metadata and EC2 refuses to launch instances with other keys. The older key's `K:V,K2:V2` "
                        + "converts to this."));

        f.add(new SpecField("volume", Type.OBJECT).defaultText("see members")
                .doc("The agents' root volume."));
        f.add(string("volume.deviceName").pattern(DEVICE_NAME, "must be a device name such as /dev/sda1 or /dev/xvda")
                .maxLength(32).defaultText("the AMI's root device").legacy(a + "VOLUME_NAME")
                .doc("Device name of the volume."));
        f.add(string("volume.type").values(VOLUME_TYPES).defaultValue(text(Volume.DEFAULT_TYPE))
                .legacy(a + "VOLUME_TYPE").doc("EBS volume type."));
        f.add(integer("volume.sizeGib").range(1, 65_536).defaultValue(num(Volume.DEFAULT_SIZE_GIB))
                .legacy(a + "VOLUME_SIZE")
                .doc("Size in GiB, within the type's limits (gp2/gp3 1-16384, io1 4-16384, io2 4-65536, "
                        + "st1/sc1 125-16384, standard 1-1024)."));
        f.add(integer("volume.iops").range(100, 256_000).defaultText("the type's baseline").legacy(a + "VOLUME_IOPS")
                .doc("Provisioned IOPS: gp3 (3000-16000, at most 500 per GiB above 3000), io1 (100-64000, 50 per "
                        + "GiB), io2 (100-256000, 1000 per GiB); required for io1 and io2."));
        f.add(integer("volume.throughputMibps").range(125, 1_000).defaultText("125 for gp3")
                .legacy(a + "VOLUME_THROUGHPUT")
                .doc("Throughput in MiB/s, gp3 only: 125-1000, at most 0.25 per IOPS."));

        f.add(new SpecField("purchase", Type.OBJECT).defaultText("see members")
                .doc("On-demand and spot mix of the group."));
        f.add(integer("purchase.onDemandBaseCapacity").range(0, MAX_GROUP_SIZE).defaultValue(num(0))
                .legacy(a + "ON_DEMAND_BASE_CAPACITY")
                .doc("Agents that are always on-demand before any spot."));
        f.add(integer("purchase.onDemandPercentageAboveBase").range(0, 100).defaultValue(num(100))
                .legacy(a + "ON_DEMAND_PERCENTAGE_ABOVE_BASE")
                .doc("Percentage of on-demand agents above the base; 100 means no spot."));
        f.add(string("purchase.onDemandAllocationStrategy").values(ON_DEMAND_ALLOCATION_STRATEGIES)
                .defaultText("Auto Scaling's (`lowest-price`)").legacy(a + "ON_DEMAND_ALLOCATION_STRATEGY")
                .doc("How on-demand capacity is spread over the instance types."));
        f.add(string("purchase.spotAllocationStrategy").values(SPOT_ALLOCATION_STRATEGIES)
                .defaultText("Auto Scaling's (`lowest-price`)").legacy(a + "SPOT_ALLOCATION_STRATEGY")
                .doc("How spot capacity is spread over the instance types and pools."));
        f.add(bool("purchase.capacityRebalance").defaultValue(BooleanNode.FALSE)
                .legacy(a + "ASG_CAPACITY_REBALANCE")
                .doc("Replace spot agents at elevated risk of interruption ahead of time."));

        f.add(new SpecField("mac", Type.OBJECT).defaultText("see members")
                .doc("Dedicated hosts of a macOS stack; ignored for other systems."));
        f.add(stringList("mac.families").values(InstanceCatalogue.macFamilies()).unique().items(1, 20)
                .defaultValue(JsonNodeFactory.instance.arrayNode().add("mac2")).legacy(a + "MAC_FAMILY")
                .doc("Mac host families the host group allows; must include the family of every instance type."));
        f.add(stringList("mac.dedicatedHosts").pattern(HOST_ID, "must be a dedicated host id: h- and 8 or 17 hex digits")
                .maxLength(19).unique().maxItems(100).defaultValue(emptyArray()).legacy(a + "MAC_DEDICATED_HOSTS")
                .doc("Existing dedicated hosts of your own to add to the stack's host group; they are tagged "
                        + "`semaphore-agent-stack-adopted=<stack>`, taken out of the group when the stack no longer lists "
                        + "them or is deleted, and never released by the control plane. Refused: a host tagged "
                        + "`semaphore-agent-stack` (one the control plane allocated and releases), a host in another host "
                        + "resource group, a host adopted by another stack that still lists it."));
        f.add(string("mac.licenseConfigurationArn").pattern(LICENSE_CONFIGURATION_ARN,
                        "must be a License Manager configuration ARN (arn:aws:license-manager:<region>:<account>:"
                                + "license-configuration:lic-<32 hex digits>)")
                .maxLength(2048).legacy(a + "LICENSE_CONFIGURATION_ARN")
                .doc("License configuration of the macOS AMI; required for macOS."));
        f.add(bool("mac.autoAllocateHost").defaultValue(BooleanNode.TRUE).legacy(a + "AUTO_ALLOCATE_HOST")
                .doc("The host group allocates hosts as instances need them."));
        f.add(bool("mac.autoReleaseHost").defaultValue(BooleanNode.TRUE).legacy(a + "AUTO_RELEASE_HOST")
                .doc("Hosts are released once empty and past AWS's 24-hour minimum, also after the stack is deleted. "
                        + "With `mac.reservedHosts` above 0 the host group's own `auto-release-host` is off (it would "
                        + "release reserved hosts too) and the control plane releases only the hosts above them."));
        f.add(integer("mac.reservedHosts").range(0, 100).defaultValue(num(0))
                .doc("Hosts kept allocated even when no agent runs, for a fast start."));

        f.add(new SpecField("scaling", Type.OBJECT).defaultText("see members")
                .doc("How the scaler sets the group's desired capacity."));
        f.add(string("scaling.policy").values(ScalingPolicyKind.allValues())
                .defaultValue(text(ScalingPolicyKind.UP_ONLY.value()))
                .doc("`up-only` raises capacity to the queue and lets agents end themselves (the older tool); "
                        + "`up-down` also lowers it after `scaleInIdleSeconds` of idle agents."));
        f.add(integer("scaling.scaleInIdleSeconds").range(60, 86_400)
                .defaultValue(num(Scaling.DEFAULT_SCALE_IN_IDLE_SECONDS))
                .doc("With `up-down`: how long agents must be idle before capacity is lowered."));
        f.add(new SpecField("scaling.overprovision", Type.OBJECT).defaultText("see members")
                .doc("Agents kept above what the queue needs."));
        f.add(string("scaling.overprovision.strategy").values(OverprovisionStrategy.allValues())
                .defaultValue(text(OverprovisionStrategy.NONE.value())).legacy(a + "OVERPROVISION_STRATEGY")
                .doc("`none`, `number` (add `factor` agents) or `percentage` (add `factor` percent, rounded up)."));
        f.add(integer("scaling.overprovision.factor").range(0, 1_000).defaultValue(num(0))
                .legacy(a + "OVERPROVISION_FACTOR")
                .doc("Agents or percent to add; greater than zero unless the strategy is `none`."));

        f.add(integer("pollIntervalSeconds").range(5, 60).defaultValue(num(StackSpec.DEFAULT_POLL_INTERVAL_SECONDS))
                .doc("How often the job queue is read for this stack."));
        f.add(new SpecField("warmPool", Type.OBJECT).defaultText("none")
                .doc("Pre-initialised stopped (or hibernated) instances for a fast scale-out. Not with spot or "
                        + "`launchTemplateOverrides` (Auto Scaling has no warm pool for a group with a mixed instances "
                        + "policy or spot) and not for macOS (dedicated hosts)."));
        f.add(integer("warmPool.size").required().range(0, MAX_GROUP_SIZE)
                .doc("Instances kept warm; at most `maxSize`."));
        f.add(string("warmPool.state").values(WarmPoolState.allValues())
                .defaultValue(text(WarmPoolState.STOPPED.value()))
                .doc("State the warm instances wait in."));
        f.add(new SpecField("schedules", Type.OBJECT_LIST)
                .maxItems(io.agentstacks.stacks.AgentStackParameters.MAX_SCHEDULES)
                .anyOf("must set minSize, maxSize or both", "minSize", "maxSize").defaultValue(emptyArray())
                .doc("Scheduled changes of the group's sizes (Auto Scaling scheduled actions); at most 10."));
        f.add(string("schedules[].cron").required().pattern(Cron.PATTERN,
                        "must be a 5-field cron expression (minute hour day-of-month month day-of-week)")
                .maxLength(256)
                .doc("When: `minute hour day-of-month month day-of-week`, e.g. `0 8 * * MON-FRI`."));
        f.add(integer("schedules[].minSize").range(0, MAX_GROUP_SIZE).defaultText("unchanged")
                .doc("Group minimum from then on."));
        f.add(integer("schedules[].maxSize").range(0, MAX_GROUP_SIZE).defaultText("unchanged")
                .doc("Group maximum from then on; at least the minimum in force."));
        f.add(string("schedules[].timezone").values(TIME_ZONES).valuesNotListedInDocs()
                .defaultValue(text(Schedule.DEFAULT_TIMEZONE))
                .doc("IANA time zone of `cron`, such as `Europe/Berlin`."));
        f.add(bool("imageRollout").defaultValue(BooleanNode.TRUE)
                .doc("Roll new AMIs out to the running group (instance refresh) as the pipelines publish them."));
        return Collections.unmodifiableList(f);
    }

    /** {@code abc} → {@code [Aa][Bb][Cc]}: JSON Schema patterns have no case-insensitive flag. */
    private static String anyCase(String word) {
        StringBuilder b = new StringBuilder();
        for (char c : word.toCharArray()) {
            b.append(Character.isLetter(c) ? "[" + Character.toUpperCase(c) + c + "]" : "\\" + c);
        }
        return b.toString();
    }

    private static SpecField string(String path) {
        return new SpecField(path, Type.STRING);
    }

    private static SpecField integer(String path) {
        return new SpecField(path, Type.INTEGER);
    }

    private static SpecField bool(String path) {
        return new SpecField(path, Type.BOOLEAN);
    }

    private static SpecField stringList(String path) {
        return new SpecField(path, Type.STRING_LIST);
    }

    private static JsonNode text(String value) {
        return TextNode.valueOf(value);
    }

    private static JsonNode num(int value) {
        return IntNode.valueOf(value);
    }

    private static JsonNode emptyArray() {
        return JsonNodeFactory.instance.arrayNode();
    }
}
