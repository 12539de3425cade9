package io.agentstacks.spec;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;

/**
 * Valid stack specs of every shape, for property tests: each generated spec respects every rule of
 * SpecFields and SpecValidator by construction (sizes in order, types of the right family, volume
 * limits, Mac hosts, warm pool conditions, schedules).
 */
final class SpecGenerators {

    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String ALNUM = LOWER + LOWER.toUpperCase() + "0123456789";
    private static final String HEX = "0123456789abcdef";
    private static final List<String> SIZES = List.of("medium", "large", "xlarge", "2xlarge", "16xlarge", "metal");
    private static final List<String> ZONES = List.of("us-east-1a", "us-east-1b", "eu-central-1c", "us-west-2-lax-1a");
    private static final List<String> TIME_ZONES = List.of("Etc/UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo");
    private static final String LICENSE =
            "arn:aws:license-manager:us-east-1:123456789012:license-configuration:lic-0123456789abcdef0123456789abcdef";

    private SpecGenerators() {
    }

    static Arbitrary<StackSpec> validSpecs() {
        return Arbitraries.randomValue(SpecGenerators::validSpec);
    }

    static StackSpec validSpec(Random r) {
        OperatingSystem os = pick(r, List.of(OperatingSystem.values()));
        Arch arch = os == OperatingSystem.WINDOWS ? Arch.X86_64 : pick(r, List.of(Arch.values()));
        boolean mac = os == OperatingSystem.MACOS;
        List<String> macFamilies = InstanceCatalogue.macFamilies().stream()
                .filter(f -> InstanceCatalogue.archOf(f).orElseThrow() == arch).toList();
        List<String> otherFamilies = InstanceCatalogue.families(arch).stream()
                .filter(f -> !InstanceCatalogue.isMac(f)).toList();

        StackSpec.Builder b = StackSpec.builder(stackName(r), tokenName(r));
        b.os(os).arch(arch);
        Set<String> hostFamilies = new LinkedHashSet<>();
        String type = mac ? pick(r, macFamilies) + ".metal" : pick(r, otherFamilies) + "." + pick(r, SIZES);
        b.instanceType(type);
        if (mac) {
            hostFamilies.add(InstanceCatalogue.familyOf(type));
        }
        maybe(r, () -> b.agentTokenKmsKey(Optional.of(pick(r, List.of("alias/agents-" + word(r, 5),
                "1234abcd-12ab-34cd-56ef-1234567890ab",
                "arn:aws:kms:eu-west-1:123456789012:key/mrk-" + hex(r, 32))))));
        switch (r.nextInt(3)) {
            case 0 -> b.semaphoreOrganization(word(r, 1 + r.nextInt(20)));
            case 1 -> b.semaphoreEndpoint(word(r, 5) + ".semaphoreci.com");
            default -> b.semaphoreOrganization(word(r, 6)).semaphoreEndpoint("https://" + word(r, 6) + ".example.com");
        }
        int max = r.nextInt(50);
        int min = r.nextInt(max + 1);
        b.minSize(min).maxSize(max);
        maybe(r, () -> b.desiredCapacity(OptionalInt.of(min + r.nextInt(max - min + 1))));
        b.groupMetrics(subset(r, SpecFields.GROUP_METRICS, 4));
        b.maxInstanceLifetimeSeconds(r.nextBoolean() ? 0 : 86_400 + r.nextInt(31_536_000 - 86_400 + 1));

        List<InstanceOverride> overrides = new ArrayList<>();
        int kind = r.nextInt(3);
        if (kind == 1) {
            boolean weighted = r.nextBoolean();
            for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                String family = mac ? pick(r, macFamilies) : pick(r, otherFamilies);
                String overrideType = family + "." + (mac ? "metal" : pick(r, SIZES));
                if (mac) {
                    hostFamilies.add(family);
                }
                overrides.add(new InstanceOverride(overrideType, weighted ? OptionalInt.of(1 + r.nextInt(999))
                        : OptionalInt.empty()));
            }
        } else if (kind == 2 && !mac) {
            overrides.add(InstanceOverride.ofRequirements(requirements(r), OptionalInt.empty()));
        }
        b.launchTemplateOverrides(overrides);

        b.newInstancesProtectedFromScaleIn(r.nextBoolean()).disconnectAfterJob(r.nextBoolean())
                .disconnectAfterIdleSeconds(r.nextInt(604_801)).interruptionGracePeriodSeconds(r.nextInt(7_141))
                .usePreSignedUrl(r.nextBoolean()).dynamicScaling(r.nextBoolean())
                .useIpv6(r.nextBoolean()).allowPublicSubnet(r.nextBoolean()).imageRollout(r.nextBoolean())
                .pollIntervalSeconds(5 + r.nextInt(56));
        maybe(r, () -> b.ami(Optional.of("ami-" + hex(r, r.nextBoolean() ? 8 : 17))));
        if (r.nextBoolean()) {
            b.vpcId(Optional.of("vpc-" + hex(r, 17)));
            List<String> subnets = new ArrayList<>();
            for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                subnets.add("subnet-" + hex(r, 17));
            }
            b.subnets(subnets.stream().distinct().toList());
        }
        b.availabilityZones(subset(r, ZONES, 3));
        maybe(r, () -> b.securityGroupId(Optional.of("sg-" + hex(r, 8))));
        maybe(r, () -> b.keyName(Optional.of("key " + word(r, 1 + r.nextInt(10)))));
        maybe(r, () -> b.cacheBucketName(Optional.of(word(r, 3 + r.nextInt(20)).toLowerCase() + "-cache")));
        b.managedPolicyNames(subset(r, List.of("SemaphoreCache", "team/CI+Policy", "Ecr.Read@x"), 3));
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 0, n = r.nextInt(5); i < n; i++) {
            tags.put("Key" + i + word(r, r.nextInt(5)), word(r, r.nextInt(10)) + (r.nextBoolean() ? ":x:y" : ""));
        }
        b.tags(tags);

        b.volume(volume(r));
        int percentage = mac ? 100 : (r.nextBoolean() ? 100 : r.nextInt(101));
        b.purchase(new Purchase(r.nextInt(5), percentage,
                r.nextBoolean() ? Optional.of(pick(r, SpecFields.ON_DEMAND_ALLOCATION_STRATEGIES)) : Optional.empty(),
                r.nextBoolean() ? Optional.of(pick(r, SpecFields.SPOT_ALLOCATION_STRATEGIES)) : Optional.empty(),
                r.nextBoolean()));
        if (mac) {
            hostFamilies.addAll(subset(r, macFamilies, 2));
            b.mac(new Mac(List.copyOf(hostFamilies), List.of("h-" + hex(r, 17)), Optional.of(LICENSE),
                    r.nextBoolean(), r.nextBoolean(), r.nextInt(101)));
        } else if (r.nextBoolean()) {
            List<String> families = subset(r, InstanceCatalogue.macFamilies(), 2);
            b.mac(new Mac(families.isEmpty() ? List.of("mac2") : families, List.of(), Optional.empty(), true, true, 0));
        }
        OverprovisionStrategy strategy = pick(r, List.of(OverprovisionStrategy.values()));
        int factor = strategy == OverprovisionStrategy.NONE ? 0 : 1 + r.nextInt(1_000);
        b.scaling(new Scaling(pick(r, List.of(ScalingPolicyKind.values())), 60 + r.nextInt(86_341),
                new Overprovision(strategy, factor)));
        if (!mac && percentage == 100 && overrides.isEmpty() && r.nextBoolean()) {
            b.warmPool(Optional.of(new WarmPool(r.nextInt(max + 1), pick(r, List.of(WarmPoolState.values())))));
        }
        List<Schedule> schedules = new ArrayList<>();
        for (int i = 0, n = r.nextInt(3); i < n; i++) {
            schedules.add(schedule(r, min, max));
        }
        b.schedules(schedules);
        return b.build();
    }

    /** A spec with every optional field set and every list non-empty: structurally full, not valid. */
    static StackSpec fullSpec() {
        ObjectNode requirements = JsonNodeFactory.instance.objectNode();
        requirements.putObject("VCpuCount").put("Min", 2).put("Max", 4);
        requirements.putObject("MemoryMiB").put("Min", 1024).put("Max", 8192);
        requirements.putObject("MemoryGiBPerVCpu").put("Min", 0.5).put("Max", 8);
        requirements.putObject("TotalLocalStorageGB").put("Min", 10).put("Max", 100.5);
        requirements.putArray("CpuManufacturers").add("intel");
        requirements.putArray("InstanceGenerations").add("current");
        requirements.putArray("AllowedInstanceTypes").add("m5.*");
        requirements.putArray("ExcludedInstanceTypes").add("m5.24xlarge");
        requirements.put("BareMetal", "excluded").put("BurstablePerformance", "excluded").put("LocalStorage", "included");
        requirements.putArray("LocalStorageTypes").add("ssd");
        requirements.put("RequireHibernateSupport", false).put("SpotMaxPricePercentageOverLowestPrice", 100)
                .put("MaxSpotPriceAsPercentageOfOptimalOnDemandPrice", 50).put("OnDemandMaxPricePercentageOverLowestPrice", 20);
        return StackSpec.builder("full", "full-token").agentTokenKmsKey(Optional.of("alias/full"))
                .semaphoreEndpoint("acme.semaphoreci.com").semaphoreOrganization("acme")
                .desiredCapacity(OptionalInt.of(1)).groupMetrics(List.of("GroupMinSize"))
                .launchTemplateOverrides(List.of(new InstanceOverride("t3.large", OptionalInt.of(1)),
                        InstanceOverride.ofRequirements(requirements, OptionalInt.empty())))
                .ami(Optional.of("ami-12345678")).vpcId(Optional.of("vpc-12345678"))
                .subnets(List.of("subnet-12345678")).availabilityZones(List.of("us-east-1a"))
                .securityGroupId(Optional.of("sg-12345678")).keyName(Optional.of("key"))
                .cacheBucketName(Optional.of("cache")).managedPolicyNames(List.of("Policy"))
                .tags(Map.of("Team", "ci"))
                .volume(new Volume(Optional.of("/dev/sda1"), "gp3", 64, OptionalInt.of(3000), OptionalInt.of(125)))
                .purchase(new Purchase(0, 100, Optional.of("lowest-price"), Optional.of("lowest-price"), false))
                .mac(new Mac(List.of("mac2"), List.of("h-12345678"), Optional.of(LICENSE), true, true, 0))
                .warmPool(Optional.of(new WarmPool(1, WarmPoolState.STOPPED)))
                .schedules(List.of(new Schedule("0 8 * * *", OptionalInt.of(0), OptionalInt.of(1), "Etc/UTC")))
                .build();
    }

    private static Volume volume(Random r) {
        String type = pick(r, SpecFields.VOLUME_TYPES);
        SpecValidator.VolumeLimits limits = SpecValidator.VOLUME_LIMITS.get(type);
        int size = limits.minGib() + r.nextInt(Math.min(limits.maxGib(), limits.minGib() + 2_000) - limits.minGib() + 1);
        OptionalInt iops = OptionalInt.empty();
        OptionalInt throughput = OptionalInt.empty();
        if (limits.iopsPerGib() > 0 && (!type.equals("gp3") || r.nextBoolean())) {
            long bySize = (long) limits.iopsPerGib() * size;
            long most = Math.min(limits.maxIops(), type.equals("gp3") ? Math.max(3_000, bySize) : bySize);
            iops = OptionalInt.of(limits.minIops() + r.nextInt((int) (most - limits.minIops() + 1)));
        }
        if (type.equals("gp3") && r.nextBoolean()) {
            int most = Math.min(1_000, (int) Math.floor(iops.orElse(3_000) * 0.25));
            throughput = OptionalInt.of(125 + r.nextInt(most - 125 + 1));
        }
        Optional<String> device = r.nextBoolean() ? Optional.of(pick(r, List.of("/dev/sda1", "/dev/xvda", "xvdf")))
                : Optional.empty();
        return new Volume(device, type, size, iops, throughput);
    }

    private static ObjectNode requirements(Random r) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        int vcpus = 1 + r.nextInt(8);
        ObjectNode cpu = o.putObject("VCpuCount").put("Min", vcpus);
        if (r.nextBoolean()) {
            cpu.put("Max", vcpus + r.nextInt(8));
        }
        o.putObject("MemoryMiB").put("Min", 1024 * (1 + r.nextInt(16)));
        if (r.nextBoolean()) {
            o.putArray("CpuManufacturers").add("intel").add("amd");
        }
        if (r.nextBoolean()) {
            double min = r.nextInt(9) / 2.0;
            ObjectNode perVcpu = o.putObject("MemoryGiBPerVCpu").put("Min", min);
            if (r.nextBoolean()) {
                perVcpu.put("Max", min + r.nextInt(8));
            }
        }
        if (r.nextBoolean()) {
            o.putObject("TotalLocalStorageGB").put("Max", 50.5 + r.nextInt(1000));
        }
        if (r.nextBoolean()) {
            o.putArray("InstanceGenerations").add("current");
        }
        switch (r.nextInt(3)) {
            case 0 -> o.putArray("AllowedInstanceTypes").add("m5.*").add("c6i.large");
            case 1 -> o.putArray("ExcludedInstanceTypes").add("*.metal");
            default -> {
            }
        }
        for (String member : List.of("BareMetal", "BurstablePerformance", "LocalStorage")) {
            if (r.nextBoolean()) {
                o.put(member, pick(r, List.of("included", "excluded", "required")));
            }
        }
        if (r.nextBoolean()) {
            o.putArray("LocalStorageTypes").add(pick(r, List.of("hdd", "ssd")));
        }
        if (r.nextBoolean()) {
            o.put("RequireHibernateSupport", r.nextBoolean());
        }
        if (r.nextBoolean()) {
            o.put(r.nextBoolean() ? "SpotMaxPricePercentageOverLowestPrice" : "MaxSpotPriceAsPercentageOfOptimalOnDemandPrice",
                    r.nextInt(200));
        }
        if (r.nextBoolean()) {
            o.put("OnDemandMaxPricePercentageOverLowestPrice", r.nextInt(200));
        }
        return o;
    }

    private static Schedule schedule(Random r, int groupMin, int groupMax) {
        String cron = String.join(" ", pick(r, List.of("*", "0", "*/15", "5,35", "0-30/10")),
                pick(r, List.of("*", "8", "0-6", "9-17")), pick(r, List.of("*", "1", "1,15", "10-20")),
                pick(r, List.of("*", "JAN-JUN", "1-12/3", "dec")), pick(r, List.of("*", "MON-FRI", "0", "sun")));
        OptionalInt min = OptionalInt.empty();
        OptionalInt max = OptionalInt.empty();
        switch (r.nextInt(3)) {
            case 0 -> min = OptionalInt.of(r.nextInt(groupMax + 1));
            case 1 -> max = OptionalInt.of(groupMin + r.nextInt(100));
            default -> {
                int lower = r.nextInt(100);
                min = OptionalInt.of(lower);
                max = OptionalInt.of(lower + r.nextInt(100));
            }
        }
        return new Schedule(cron, min, max, pick(r, TIME_ZONES));
    }

    private static String stackName(Random r) {
        StringBuilder sb = new StringBuilder().append(LOWER.charAt(r.nextInt(LOWER.length())));
        for (int i = 0, n = r.nextInt(64); i < n; i++) {
            sb.append((ALNUM + "-").charAt(r.nextInt(ALNUM.length() + 1)));
        }
        return sb.toString();
    }

    private static String tokenName(Random r) {
        return r.nextBoolean() ? "agent-token_" + word(r, r.nextInt(20))
                : "/semaphore/" + word(r, 1 + r.nextInt(10)) + "/token.v" + r.nextInt(10);
    }

    private static String word(Random r, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(ALNUM.charAt(r.nextInt(ALNUM.length())));
        }
        return sb.toString();
    }

    private static String hex(Random r, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(HEX.charAt(r.nextInt(HEX.length())));
        }
        return sb.toString();
    }

    private static <T> T pick(Random r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    private static <T> List<T> subset(Random r, List<T> values, int most) {
        Set<T> out = new LinkedHashSet<>();
        for (int i = 0, n = r.nextInt(most + 1); i < n; i++) {
            out.add(pick(r, values));
        }
        return List.copyOf(out);
    }

    private static void maybe(Random r, Runnable action) {
        if (r.nextBoolean()) {
            action.run();
        }
    }
}
