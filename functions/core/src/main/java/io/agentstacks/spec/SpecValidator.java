package io.agentstacks.spec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The rules of a stack spec that look at more than one field, or at the instance catalogue: sizes in
 * order, OS and architecture, instance families, Mac hosts, warm pools, network, volume limits,
 * overprovisioning, overrides and schedules. Pure: a spec in, violations out.
 *
 * <p>{@link SpecSchema} states the same rules in JSON Schema wherever JSON Schema can say them; the
 * few it cannot (they compare two numbers) are listed in {@link #VALIDATOR_ONLY_RULES}.
 */
public final class SpecValidator {

    /**
     * A rule the JSON Schema cannot express, named so that tests can tell its violations apart.
     *
     * @param fields   regular expression of the field paths its violations name
     * @param messages regular expression its messages match
     */
    public record ValidatorOnlyRule(String name, String fields, String messages, String why) {

        public boolean produced(Violation v) {
            return Pattern.matches(fields, v.field()) && Pattern.compile(messages).matcher(v.message()).lookingAt();
        }
    }

    public static final List<ValidatorOnlyRule> VALIDATOR_ONLY_RULES = List.of(
            new ValidatorOnlyRule("sizesOrdered", "minSize|desiredCapacity",
                    "must not (exceed maxSize|be below minSize)",
                    "0 <= minSize <= desiredCapacity <= maxSize compares fields with each other"),
            new ValidatorOnlyRule("scheduleSizesOrdered", "schedules\\[[0-9]+]\\.(minSize|maxSize)",
                    "must not (exceed (schedules\\[[0-9]+]\\.)?maxSize|be below minSize)",
                    "a schedule's minimum may not exceed the maximum in force (its own or the group's)"),
            new ValidatorOnlyRule("warmPoolWithinMax", "warmPool\\.size", "must not exceed maxSize",
                    "warmPool.size <= maxSize compares two fields"),
            new ValidatorOnlyRule("volumeIopsPerGib", "volume\\.iops", "exceeds [0-9]+ IOPS per GiB",
                    "the IOPS limit is a multiple of the volume's size"),
            new ValidatorOnlyRule("volumeThroughputPerIops", "volume\\.throughputMibps",
                    "exceeds 0\\.25 MiB/s per IOPS", "the throughput limit is a fraction of the volume's IOPS"));

    /** EC2's limits per volume type: size in GiB, provisioned IOPS, IOPS per GiB (0: no IOPS setting). */
    record VolumeLimits(int minGib, int maxGib, int minIops, int maxIops, int iopsPerGib) {
    }

    /** From the EC2 user guide's "Amazon EBS volume types" (gp3 baseline 3000 IOPS holds at any size). */
    static final Map<String, VolumeLimits> VOLUME_LIMITS = Map.of(
            "standard", new VolumeLimits(1, 1_024, 0, 0, 0),
            "gp2", new VolumeLimits(1, 16_384, 0, 0, 0),
            "gp3", new VolumeLimits(1, 16_384, 3_000, 16_000, 500),
            "io1", new VolumeLimits(4, 16_384, 100, 64_000, 50),
            "io2", new VolumeLimits(4, 65_536, 100, 256_000, 1_000),
            "st1", new VolumeLimits(125, 16_384, 0, 0, 0),
            "sc1", new VolumeLimits(125, 16_384, 0, 0, 0));
    static final int GP3_BASELINE_IOPS = 3_000;
    static final double GP3_MIBPS_PER_IOPS = 0.25;

    private SpecValidator() {
    }

    /** Every violation of a spec built in code: the per-field checks of its JSON form and the rules between fields. */
    public static List<Violation> validate(StackSpec spec) {
        FieldChecks.Outcome fields = FieldChecks.check(SpecJson.write(spec));
        List<Violation> all = new ArrayList<>(fields.violations());
        all.addAll(crossCheck(spec, trustedExcept(fields.badPaths())));
        return List.copyOf(all);
    }

    /** Things that are allowed but probably not meant. */
    public static List<Violation> warnings(StackSpec s) {
        List<Violation> w = new ArrayList<>();
        if (s.os() == OperatingSystem.UBUNTU_FOCAL) {
            w.add(Violation.of("os", "ubuntu-focal (Ubuntu 20.04) is past its standard support, which ended in May 2025;"
                    + " consider ubuntu-noble", s.os().value()));
        }
        if (s.semaphoreEndpoint().isPresent() && s.semaphoreOrganization().isPresent()) {
            w.add(Violation.of("semaphoreOrganization", "is ignored because semaphoreEndpoint is set"));
        }
        if (s.desiredCapacity().isPresent() && s.dynamicScaling()) {
            w.add(Violation.of("desiredCapacity", "is re-applied on every update of the stack, resetting what the "
                    + "scaler set; leave it out when dynamicScaling is true"));
        }
        if (s.os() == OperatingSystem.MACOS && s.disconnectAfterIdleSeconds() > 0
                && s.disconnectAfterIdleSeconds() < 86_400) {
            w.add(Violation.of("disconnectAfterIdleSeconds", "is under a day: Mac dedicated hosts are allocated for at "
                    + "least 24 hours, so agents that end sooner leave paid hosts idle", s.disconnectAfterIdleSeconds()));
        }
        if (s.allowPublicSubnet()) {
            w.add(Violation.of("allowPublicSubnet", "has no effect: it applied to the older tool's per-stack scaler "
                    + "function in your VPC, and the control plane's functions do not run in your VPC"));
        }
        Overprovision o = s.scaling().overprovision();
        if (o.strategy() == OverprovisionStrategy.NONE && o.factor() != 0) {
            w.add(Violation.of("scaling.overprovision.factor", "is ignored with strategy none", o.factor()));
        }
        return List.copyOf(w);
    }

    /** The rules between fields; a rule is skipped when a field it reads failed its own checks. */
    static List<Violation> crossCheck(StackSpec s, Predicate<String> trusted) {
        return new Rules(s, trusted).run();
    }

    /** A path is trusted unless it, one of its parents or one of its members failed a check. */
    static Predicate<String> trustedExcept(Set<String> bad) {
        return p -> bad.stream().noneMatch(b -> b.equals(p) || within(p, b) || within(b, p));
    }

    private static boolean within(String path, String ancestor) {
        return path.startsWith(ancestor + ".") || path.startsWith(ancestor + "[");
    }

    private static final class Rules {
        private final StackSpec s;
        private final Predicate<String> trusted;
        private final List<Violation> out = new ArrayList<>();

        Rules(StackSpec s, Predicate<String> trusted) {
            this.s = s;
            this.trusted = trusted;
        }

        List<Violation> run() {
            sizes();
            windowsArch();
            instanceTypes();
            macHosts();
            warmPool();
            network();
            volume();
            overprovision();
            overrides();
            schedules();
            return out;
        }

        private boolean ok(String... paths) {
            for (String p : paths) {
                if (!trusted.test(p)) {
                    return false;
                }
            }
            return true;
        }

        private void add(String field, String message, Object rejected) {
            out.add(Violation.of(field, message, rejected));
        }

        private void sizes() {
            if (!ok("minSize", "maxSize")) {
                return;
            }
            if (s.minSize() > s.maxSize()) {
                add("minSize", "must not exceed maxSize (" + s.maxSize() + ")", s.minSize());
            }
            if (s.desiredCapacity().isPresent() && ok("desiredCapacity")) {
                int desired = s.desiredCapacity().getAsInt();
                if (desired < s.minSize()) {
                    add("desiredCapacity", "must not be below minSize (" + s.minSize() + ")", desired);
                } else if (desired > s.maxSize()) {
                    add("desiredCapacity", "must not exceed maxSize (" + s.maxSize() + ")", desired);
                }
            }
        }

        private void windowsArch() {
            if (ok("os", "arch") && s.os() == OperatingSystem.WINDOWS && s.arch() != Arch.X86_64) {
                add("arch", "must be x86_64 for windows: Windows agents run on x86_64 only", s.arch().value());
            }
        }

        /** Every instance type of the spec with its path: the group's and those of the overrides. */
        private List<Map.Entry<String, String>> typedPaths() {
            List<Map.Entry<String, String>> types = new ArrayList<>();
            types.add(Map.entry("instanceType", s.instanceType()));
            List<InstanceOverride> overrides = s.launchTemplateOverrides();
            for (int i = 0; i < overrides.size(); i++) {
                String path = "launchTemplateOverrides[" + i + "].instanceType";
                overrides.get(i).instanceType().ifPresent(t -> types.add(Map.entry(path, t)));
            }
            return types;
        }

        private void instanceTypes() {
            for (Map.Entry<String, String> e : typedPaths()) {
                String path = e.getKey();
                String type = e.getValue();
                if (!ok(path)) {
                    continue;
                }
                String family = InstanceCatalogue.familyOf(type);
                Optional<Arch> familyArch = InstanceCatalogue.archOf(family);
                if (familyArch.isEmpty()) {
                    add(path, "is of an instance family the catalogue does not know (" + family
                            + "); if AWS has it, add it to instance-families.txt", type);
                    continue;
                }
                boolean mac = InstanceCatalogue.isMac(family);
                if (ok("os") && s.os() == OperatingSystem.MACOS && !(mac && type.endsWith(".metal"))) {
                    add(path, "must be a Mac instance type (" + String.join(", ", InstanceCatalogue.macFamilies()
                            .stream().map(f -> f + ".metal").toList()) + ") for macos", type);
                    continue;
                }
                if (ok("os") && s.os() != OperatingSystem.MACOS && mac) {
                    add(path, "is a Mac instance type, which runs macos only", type);
                    continue;
                }
                if (ok("arch") && familyArch.get() != s.arch()) {
                    add(path, "is an " + familyArch.get().value() + " instance type (" + type + "), but arch is "
                            + s.arch().value(), type);
                }
            }
        }

        private void macHosts() {
            if (!ok("os") || s.os() != OperatingSystem.MACOS) {
                return;
            }
            if (ok("mac.families")) {
                Set<String> missing = new LinkedHashSet<>();
                for (Map.Entry<String, String> e : typedPaths()) {
                    String family = InstanceCatalogue.familyOf(e.getValue());
                    if (ok(e.getKey()) && InstanceCatalogue.isMac(family) && e.getValue().endsWith(".metal")
                            && !s.mac().families().contains(family)) {
                        missing.add(family);
                    }
                }
                if (!missing.isEmpty()) {
                    add("mac.families", "must include " + String.join(" and ", missing)
                            + ", the family of the stack's instance types", String.join(",", s.mac().families()));
                }
            }
            if (ok("mac.licenseConfigurationArn") && s.mac().licenseConfigurationArn().isEmpty()) {
                add("mac.licenseConfigurationArn", "is required for macos", null);
            }
            if (ok("purchase.onDemandPercentageAboveBase") && s.purchase().onDemandPercentageAboveBase() != 100) {
                add("purchase.onDemandPercentageAboveBase", "must be 100 for macos: Mac instances run on dedicated "
                        + "hosts and cannot be spot", s.purchase().onDemandPercentageAboveBase());
            }
        }

        private void warmPool() {
            if (s.warmPool().isEmpty()) {
                return;
            }
            if (ok("purchase.onDemandPercentageAboveBase") && s.purchase().usesSpot()) {
                add("warmPool", "cannot be used with spot instances (purchase.onDemandPercentageAboveBase below 100):"
                        + " Auto Scaling has no warm pool for a group that launches spot", null);
            }
            if (ok("os") && s.os() == OperatingSystem.MACOS) {
                add("warmPool", "is not available for macos", null);
            }
            if (ok("launchTemplateOverrides") && !s.launchTemplateOverrides().isEmpty()) {
                add("warmPool", "cannot be used with launchTemplateOverrides: Auto Scaling has no warm pool for a "
                        + "mixed instances policy", null);
            }
            int size = s.warmPool().get().size();
            if (ok("warmPool.size", "maxSize") && size > s.maxSize()) {
                add("warmPool.size", "must not exceed maxSize (" + s.maxSize() + ")", size);
            }
        }

        private void network() {
            if (ok("subnets", "vpcId") && !s.subnets().isEmpty() && s.vpcId().isEmpty()) {
                add("vpcId", "is required when subnets are given", null);
            }
            if (ok("vpcId", "subnets") && s.vpcId().isPresent() && s.subnets().isEmpty()) {
                add("subnets", "must list at least one subnet when vpcId is set", null);
            }
        }

        private void volume() {
            if (!ok("volume.type")) {
                return;
            }
            Volume v = s.volume();
            String type = v.type();
            VolumeLimits limits = VOLUME_LIMITS.get(type);
            boolean provisioned = limits.iopsPerGib() > 0;
            if (ok("volume.sizeGib") && (v.sizeGib() < limits.minGib() || v.sizeGib() > limits.maxGib())) {
                add("volume.sizeGib", "must be between " + limits.minGib() + " and " + limits.maxGib() + " GiB for "
                        + type, v.sizeGib());
            }
            if (ok("volume.iops")) {
                if (v.iops().isPresent() && !provisioned) {
                    add("volume.iops", "applies to gp3, io1 and io2 volumes only, not " + type, v.iops().getAsInt());
                } else if (v.iops().isEmpty() && provisioned && !type.equals("gp3")) {
                    add("volume.iops", "is required for " + type + " volumes", null);
                } else if (v.iops().isPresent()) {
                    int iops = v.iops().getAsInt();
                    if (iops < limits.minIops() || iops > limits.maxIops()) {
                        add("volume.iops", "must be between " + limits.minIops() + " and " + limits.maxIops()
                                + " for " + type, iops);
                    } else if (ok("volume.sizeGib") && iops > maxIops(type, limits, v.sizeGib())) {
                        add("volume.iops", "exceeds " + limits.iopsPerGib() + " IOPS per GiB of volume.sizeGib "
                                + v.sizeGib() + " (at most " + maxIops(type, limits, v.sizeGib()) + ")", iops);
                    }
                }
            }
            if (ok("volume.throughputMibps") && v.throughputMibps().isPresent()) {
                int throughput = v.throughputMibps().getAsInt();
                if (!type.equals("gp3")) {
                    add("volume.throughputMibps", "applies to gp3 volumes only, not " + type, throughput);
                } else if (ok("volume.iops")) {
                    int iops = v.iops().orElse(GP3_BASELINE_IOPS);
                    int max = (int) Math.floor(iops * GP3_MIBPS_PER_IOPS);
                    if (throughput > max) {
                        add("volume.throughputMibps", "exceeds 0.25 MiB/s per IOPS (at most " + max + " with " + iops
                                + " IOPS)", throughput);
                    }
                }
            }
        }

        private static long maxIops(String type, VolumeLimits limits, int sizeGib) {
            long bySize = (long) limits.iopsPerGib() * sizeGib;
            return type.equals("gp3") ? Math.max(GP3_BASELINE_IOPS, bySize) : bySize;
        }

        private void overprovision() {
            Overprovision o = s.scaling().overprovision();
            if (ok("scaling.overprovision.strategy", "scaling.overprovision.factor")
                    && o.strategy() != OverprovisionStrategy.NONE && o.factor() < 1) {
                add("scaling.overprovision.factor", "must be greater than zero when the strategy is "
                        + o.strategy().value(), o.factor());
            }
        }

        private void overrides() {
            List<InstanceOverride> list = s.launchTemplateOverrides();
            if (!ok("launchTemplateOverrides") || list.isEmpty()) {
                return;
            }
            boolean byType = list.stream().anyMatch(o -> o.instanceType().isPresent());
            boolean byRequirements = list.stream().anyMatch(o -> o.instanceRequirements().isPresent());
            if (byType && byRequirements) {
                add("launchTemplateOverrides", "must list instance types or instance requirements, not both", null);
            }
            long weighted = list.stream().filter(o -> o.weightedCapacity().isPresent()).count();
            if (weighted > 0 && weighted < list.size()) {
                add("launchTemplateOverrides", "must give weightedCapacity on every entry or on none", null);
            }
        }

        private void schedules() {
            List<Schedule> list = s.schedules();
            for (int i = 0; i < list.size(); i++) {
                String at = "schedules[" + i + "]";
                Schedule sch = list.get(i);
                if (!ok(at + ".minSize", at + ".maxSize")) {
                    continue;
                }
                OptionalInt min = sch.minSize();
                OptionalInt max = sch.maxSize();
                if (min.isPresent() && max.isPresent()) {
                    if (min.getAsInt() > max.getAsInt()) {
                        add(at + ".minSize", "must not exceed " + at + ".maxSize (" + max.getAsInt() + ")",
                                min.getAsInt());
                    }
                } else if (min.isPresent() && ok("maxSize") && min.getAsInt() > s.maxSize()) {
                    add(at + ".minSize", "must not exceed maxSize (" + s.maxSize() + "), which stays in force",
                            min.getAsInt());
                } else if (max.isPresent() && ok("minSize") && max.getAsInt() < s.minSize()) {
                    add(at + ".maxSize", "must not be below minSize (" + s.minSize() + "), which stays in force",
                            max.getAsInt());
                }
            }
        }
    }
}
