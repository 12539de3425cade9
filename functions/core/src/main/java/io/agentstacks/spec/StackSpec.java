package io.agentstacks.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One agent stack, as a user posts it: an immutable, already-defaulted model of the JSON spec.
 *
 * <p>Field names and defaults are those of DESIGN.md section 4 and README's spec reference; a spec is
 * read by {@link SpecReader} and checked by {@link SpecValidator}. It holds no secret: the agent
 * registration token lives in the SSM parameter named by {@link #agentTokenParameterName()}.
 */
public record StackSpec(
        String stackName,
        String agentTokenParameterName,
        Optional<String> agentTokenKmsKey,
        Optional<String> semaphoreEndpoint,
        Optional<String> semaphoreOrganization,
        String instanceType,
        int minSize,
        int maxSize,
        OptionalInt desiredCapacity,
        List<String> groupMetrics,
        int maxInstanceLifetimeSeconds,
        List<InstanceOverride> launchTemplateOverrides,
        boolean newInstancesProtectedFromScaleIn,
        boolean disconnectAfterJob,
        int disconnectAfterIdleSeconds,
        int interruptionGracePeriodSeconds,
        boolean usePreSignedUrl,
        boolean dynamicScaling,
        OperatingSystem os,
        Arch arch,
        Optional<String> ami,
        Optional<String> vpcId,
        List<String> subnets,
        List<String> availabilityZones,
        Optional<String> securityGroupId,
        Optional<String> keyName,
        boolean useIpv6,
        boolean allowPublicSubnet,
        Optional<String> cacheBucketName,
        List<String> managedPolicyNames,
        Map<String, String> tags,
        Volume volume,
        Purchase purchase,
        Mac mac,
        Scaling scaling,
        int pollIntervalSeconds,
        Optional<WarmPool> warmPool,
        List<Schedule> schedules,
        boolean imageRollout) {

    public static final String DEFAULT_INSTANCE_TYPE = "t2.micro";
    public static final int DEFAULT_MIN_SIZE = 0;
    public static final int DEFAULT_MAX_SIZE = 1;
    public static final int DEFAULT_IDLE_SECONDS = 300;
    public static final int DEFAULT_POLL_INTERVAL_SECONDS = 10;
    public static final OperatingSystem DEFAULT_OS = OperatingSystem.UBUNTU_NOBLE;
    /** The older tool's default OS, kept by converted configurations. */
    public static final OperatingSystem LEGACY_DEFAULT_OS = OperatingSystem.UBUNTU_FOCAL;

    public StackSpec {
        Objects.requireNonNull(stackName, "stackName");
        Objects.requireNonNull(agentTokenParameterName, "agentTokenParameterName");
        Objects.requireNonNull(agentTokenKmsKey, "agentTokenKmsKey");
        Objects.requireNonNull(semaphoreEndpoint, "semaphoreEndpoint");
        Objects.requireNonNull(semaphoreOrganization, "semaphoreOrganization");
        Objects.requireNonNull(instanceType, "instanceType");
        Objects.requireNonNull(desiredCapacity, "desiredCapacity");
        groupMetrics = List.copyOf(groupMetrics);
        launchTemplateOverrides = List.copyOf(launchTemplateOverrides);
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(ami, "ami");
        Objects.requireNonNull(vpcId, "vpcId");
        subnets = List.copyOf(subnets);
        availabilityZones = List.copyOf(availabilityZones);
        Objects.requireNonNull(securityGroupId, "securityGroupId");
        Objects.requireNonNull(keyName, "keyName");
        Objects.requireNonNull(cacheBucketName, "cacheBucketName");
        managedPolicyNames = List.copyOf(managedPolicyNames);
        tags = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(purchase, "purchase");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(scaling, "scaling");
        Objects.requireNonNull(warmPool, "warmPool");
        schedules = List.copyOf(schedules);
    }

    /**
     * The Semaphore organization's base URL host: {@code semaphoreEndpoint}, or
     * {@code <semaphoreOrganization>.semaphoreci.com}. A valid spec always has one.
     */
    public String endpointHost() {
        return semaphoreEndpoint.or(() -> semaphoreOrganization.map(org -> org + ".semaphoreci.com"))
                .orElseThrow(() -> new IllegalStateException("spec has neither semaphoreEndpoint nor semaphoreOrganization"));
    }

    /**
     * The metrics endpoint base URL: {@code https://<endpointHost>}, unless the endpoint already names a scheme. A
     * valid spec names none or {@code https}; a built one (tests) may name another, which Semaphore's adapter refuses.
     */
    public String endpointUrl() {
        String host = endpointHost();
        return host.startsWith("http://") || host.startsWith("https://") ? host : "https://" + host;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A builder with every default of the spec reference; only the two required names must be set. */
    public static Builder builder(String stackName, String agentTokenParameterName) {
        return new Builder(stackName, agentTokenParameterName);
    }

    /** Mutable builder, used by the reader, the legacy converter and tests. */
    public static final class Builder {
        private String stackName;
        private String agentTokenParameterName;
        private Optional<String> agentTokenKmsKey = Optional.empty();
        private Optional<String> semaphoreEndpoint = Optional.empty();
        private Optional<String> semaphoreOrganization = Optional.empty();
        private String instanceType = DEFAULT_INSTANCE_TYPE;
        private int minSize = DEFAULT_MIN_SIZE;
        private int maxSize = DEFAULT_MAX_SIZE;
        private OptionalInt desiredCapacity = OptionalInt.empty();
        private List<String> groupMetrics = new ArrayList<>();
        private int maxInstanceLifetimeSeconds = 0;
        private List<InstanceOverride> launchTemplateOverrides = new ArrayList<>();
        private boolean newInstancesProtectedFromScaleIn = false;
        private boolean disconnectAfterJob = true;
        private int disconnectAfterIdleSeconds = DEFAULT_IDLE_SECONDS;
        private int interruptionGracePeriodSeconds = 0;
        private boolean usePreSignedUrl = false;
        private boolean dynamicScaling = true;
        private OperatingSystem os = DEFAULT_OS;
        private Arch arch = Arch.X86_64;
        private Optional<String> ami = Optional.empty();
        private Optional<String> vpcId = Optional.empty();
        private List<String> subnets = new ArrayList<>();
        private List<String> availabilityZones = new ArrayList<>();
        private Optional<String> securityGroupId = Optional.empty();
        private Optional<String> keyName = Optional.empty();
        private boolean useIpv6 = false;
        private boolean allowPublicSubnet = false;
        private Optional<String> cacheBucketName = Optional.empty();
        private List<String> managedPolicyNames = new ArrayList<>();
        private Map<String, String> tags = new LinkedHashMap<>();
        private Volume volume = Volume.defaults();
        private Purchase purchase = Purchase.defaults();
        private Mac mac = Mac.defaults();
        private Scaling scaling = Scaling.defaults();
        private int pollIntervalSeconds = DEFAULT_POLL_INTERVAL_SECONDS;
        private Optional<WarmPool> warmPool = Optional.empty();
        private List<Schedule> schedules = new ArrayList<>();
        private boolean imageRollout = true;

        private Builder(String stackName, String agentTokenParameterName) {
            this.stackName = stackName;
            this.agentTokenParameterName = agentTokenParameterName;
        }

        private Builder(StackSpec s) {
            stackName = s.stackName;
            agentTokenParameterName = s.agentTokenParameterName;
            agentTokenKmsKey = s.agentTokenKmsKey;
            semaphoreEndpoint = s.semaphoreEndpoint;
            semaphoreOrganization = s.semaphoreOrganization;
            instanceType = s.instanceType;
            minSize = s.minSize;
            maxSize = s.maxSize;
            desiredCapacity = s.desiredCapacity;
            groupMetrics = new ArrayList<>(s.groupMetrics);
            maxInstanceLifetimeSeconds = s.maxInstanceLifetimeSeconds;
            launchTemplateOverrides = new ArrayList<>(s.launchTemplateOverrides);
            newInstancesProtectedFromScaleIn = s.newInstancesProtectedFromScaleIn;
            disconnectAfterJob = s.disconnectAfterJob;
            disconnectAfterIdleSeconds = s.disconnectAfterIdleSeconds;
            interruptionGracePeriodSeconds = s.interruptionGracePeriodSeconds;
            usePreSignedUrl = s.usePreSignedUrl;
            dynamicScaling = s.dynamicScaling;
            os = s.os;
            arch = s.arch;
            ami = s.ami;
            vpcId = s.vpcId;
            subnets = new ArrayList<>(s.subnets);
            availabilityZones = new ArrayList<>(s.availabilityZones);
            securityGroupId = s.securityGroupId;
            keyName = s.keyName;
            useIpv6 = s.useIpv6;
            allowPublicSubnet = s.allowPublicSubnet;
            cacheBucketName = s.cacheBucketName;
            managedPolicyNames = new ArrayList<>(s.managedPolicyNames);
            tags = new LinkedHashMap<>(s.tags);
            volume = s.volume;
            purchase = s.purchase;
            mac = s.mac;
            scaling = s.scaling;
            pollIntervalSeconds = s.pollIntervalSeconds;
            warmPool = s.warmPool;
            schedules = new ArrayList<>(s.schedules);
            imageRollout = s.imageRollout;
        }

        public Builder stackName(String v) { stackName = v; return this; }
        public Builder agentTokenParameterName(String v) { agentTokenParameterName = v; return this; }
        public Builder agentTokenKmsKey(Optional<String> v) { agentTokenKmsKey = v; return this; }
        public Builder semaphoreEndpoint(Optional<String> v) { semaphoreEndpoint = v; return this; }
        public Builder semaphoreOrganization(Optional<String> v) { semaphoreOrganization = v; return this; }
        public Builder semaphoreEndpoint(String v) { return semaphoreEndpoint(Optional.of(v)); }
        public Builder semaphoreOrganization(String v) { return semaphoreOrganization(Optional.of(v)); }
        public Builder instanceType(String v) { instanceType = v; return this; }
        public Builder minSize(int v) { minSize = v; return this; }
        public Builder maxSize(int v) { maxSize = v; return this; }
        public Builder desiredCapacity(OptionalInt v) { desiredCapacity = v; return this; }
        public Builder groupMetrics(List<String> v) { groupMetrics = new ArrayList<>(v); return this; }
        public Builder maxInstanceLifetimeSeconds(int v) { maxInstanceLifetimeSeconds = v; return this; }
        public Builder launchTemplateOverrides(List<InstanceOverride> v) { launchTemplateOverrides = new ArrayList<>(v); return this; }
        public Builder newInstancesProtectedFromScaleIn(boolean v) { newInstancesProtectedFromScaleIn = v; return this; }
        public Builder disconnectAfterJob(boolean v) { disconnectAfterJob = v; return this; }
        public Builder disconnectAfterIdleSeconds(int v) { disconnectAfterIdleSeconds = v; return this; }
        public Builder interruptionGracePeriodSeconds(int v) { interruptionGracePeriodSeconds = v; return this; }
        public Builder usePreSignedUrl(boolean v) { usePreSignedUrl = v; return this; }
        public Builder dynamicScaling(boolean v) { dynamicScaling = v; return this; }
        public Builder os(OperatingSystem v) { os = v; return this; }
        public Builder arch(Arch v) { arch = v; return this; }
        public Builder ami(Optional<String> v) { ami = v; return this; }
        public Builder vpcId(Optional<String> v) { vpcId = v; return this; }
        public Builder subnets(List<String> v) { subnets = new ArrayList<>(v); return this; }
        public Builder availabilityZones(List<String> v) { availabilityZones = new ArrayList<>(v); return this; }
        public Builder securityGroupId(Optional<String> v) { securityGroupId = v; return this; }
        public Builder keyName(Optional<String> v) { keyName = v; return this; }
        public Builder useIpv6(boolean v) { useIpv6 = v; return this; }
        public Builder allowPublicSubnet(boolean v) { allowPublicSubnet = v; return this; }
        public Builder cacheBucketName(Optional<String> v) { cacheBucketName = v; return this; }
        public Builder managedPolicyNames(List<String> v) { managedPolicyNames = new ArrayList<>(v); return this; }
        public Builder tags(Map<String, String> v) { tags = new LinkedHashMap<>(v); return this; }
        public Builder volume(Volume v) { volume = v; return this; }
        public Builder purchase(Purchase v) { purchase = v; return this; }
        public Builder mac(Mac v) { mac = v; return this; }
        public Builder scaling(Scaling v) { scaling = v; return this; }
        public Builder pollIntervalSeconds(int v) { pollIntervalSeconds = v; return this; }
        public Builder warmPool(Optional<WarmPool> v) { warmPool = v; return this; }
        public Builder schedules(List<Schedule> v) { schedules = new ArrayList<>(v); return this; }
        public Builder imageRollout(boolean v) { imageRollout = v; return this; }

        public StackSpec build() {
            return new StackSpec(stackName, agentTokenParameterName, agentTokenKmsKey, semaphoreEndpoint,
                    semaphoreOrganization, instanceType, minSize, maxSize, desiredCapacity, groupMetrics,
                    maxInstanceLifetimeSeconds, launchTemplateOverrides, newInstancesProtectedFromScaleIn,
                    disconnectAfterJob, disconnectAfterIdleSeconds, interruptionGracePeriodSeconds, usePreSignedUrl,
                    dynamicScaling, os, arch, ami, vpcId, subnets, availabilityZones, securityGroupId, keyName,
                    useIpv6, allowPublicSubnet, cacheBucketName, managedPolicyNames, tags, volume, purchase, mac,
                    scaling, pollIntervalSeconds, warmPool, schedules, imageRollout);
        }
    }
}
