package io.agentstacks.hosts;

import io.agentstacks.spec.Mac;
import io.agentstacks.spec.StackSpec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which hosts to allocate up front for a macOS stack: {@code mac.reservedHosts} hosts of one instance
 * type, spread evenly over the stack's availability zones, minus those the stack already has. Each
 * missing host is a slot with its preferred zone first and the other zones after it, to be tried in
 * that order when EC2 answers InsufficientHostCapacity.
 *
 * @param instanceType the type AllocateHosts is called with (Mac hosts take an instance type, not a family)
 * @param slots        the hosts to allocate, one AllocateHosts call (Quantity 1) each
 */
public record AllocationPlan(String instanceType, List<Slot> slots) {

    public AllocationPlan {
        Objects.requireNonNull(instanceType, "instanceType");
        slots = List.copyOf(slots);
    }

    /**
     * @param index the host's number among the stack's reserved hosts (stable across redeliveries)
     * @param zones where to try it, preferred zone first
     */
    public record Slot(int index, List<String> zones) {
        public Slot {
            zones = List.copyOf(zones);
            if (zones.isEmpty()) {
                throw new IllegalArgumentException("a slot needs at least one zone");
            }
        }

        /**
         * The AllocateHosts ClientToken of this slot in {@code zone}: derived from the stack, the spec version
         * and the slot, so a redelivered task gets the same hosts back from EC2 instead of new ones. The zone
         * is part of it because EC2 refuses a token reused with other parameters. At most 64 ASCII characters.
         */
        public String clientToken(String stack, long specVersion, String zone) {
            return "mh-" + sha256(stack + "/" + specVersion + "/" + index + "/" + zone).substring(0, 40);
        }
    }

    /**
     * The plan for {@code spec}: its zones are {@code spec.availabilityZones()}, or {@code resolvedZones}
     * (the zones of the stack's resolved subnets) when the spec names none.
     *
     * @param existing the stack's hosts now (released ones and other instance types are not counted)
     */
    public static AllocationPlan plan(StackSpec spec, List<String> resolvedZones, List<DedicatedHost> existing) {
        String instanceType = instanceTypeFor(spec);
        List<String> zones = spec.availabilityZones().isEmpty() ? resolvedZones : spec.availabilityZones();
        List<DedicatedHost> counted = existing.stream()
                .filter(h -> h.taggedFor(spec.stackName()) && !h.state().isReleased())
                .filter(h -> h.instanceType().equals(instanceType))
                .toList();
        int have = counted.size();
        if (have >= spec.mac().reservedHosts()) {
            return new AllocationPlan(instanceType, List.of());
        }
        if (zones.isEmpty()) {
            throw new IllegalArgumentException("availabilityZones: a macOS stack needs at least one availability zone"
                    + " (none in the spec and none resolved from its subnets)");
        }
        Map<String, Integer> perZone = new LinkedHashMap<>();
        zones.forEach(z -> perZone.put(z, 0));
        counted.forEach(h -> perZone.computeIfPresent(h.availabilityZone(), (z, n) -> n + 1));
        List<Slot> slots = new ArrayList<>();
        for (int index = have; index < spec.mac().reservedHosts(); index++) {
            String preferred = leastUsed(perZone);
            perZone.merge(preferred, 1, Integer::sum);
            slots.add(new Slot(index, rotateTo(zones, preferred)));
        }
        return new AllocationPlan(instanceType, slots);
    }

    /**
     * The instance type of the stack's hosts: the spec's {@code instanceType} when it is a {@code .metal}
     * type of one of {@code mac.families}, otherwise the first family's type ({@code mac2} → {@code mac2.metal}).
     */
    public static String instanceTypeFor(StackSpec spec) {
        Mac mac = spec.mac();
        if (mac.families().isEmpty()) {
            throw new IllegalArgumentException("mac.families: a macOS stack needs at least one Mac family");
        }
        var own = MacFamily.ofInstanceType(spec.instanceType());
        if (own.isPresent() && mac.families().contains(own.get().family())
                && spec.instanceType().equals(own.get().instanceType())) {
            return spec.instanceType();
        }
        String first = mac.families().get(0);
        return MacFamily.of(first)
                .orElseThrow(() -> new IllegalArgumentException("mac.families: '" + first + "' is not a Mac host family"))
                .instanceType();
    }

    private static String leastUsed(Map<String, Integer> perZone) {
        String best = null;
        int bestCount = Integer.MAX_VALUE;
        for (var e : perZone.entrySet()) {
            if (e.getValue() < bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }

    private static List<String> rotateTo(List<String> zones, String first) {
        int at = zones.indexOf(first);
        List<String> rotated = new ArrayList<>(zones.subList(at, zones.size()));
        rotated.addAll(zones.subList(0, at));
        return rotated;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
