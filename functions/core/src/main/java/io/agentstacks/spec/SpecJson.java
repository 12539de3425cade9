package io.agentstacks.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The canonical JSON form of a {@link StackSpec}: every field written, absent optionals left out.
 *
 * <p>{@link #write} and {@link #readTrusted} are inverses. {@code readTrusted} is for JSON this system
 * wrote itself (the registry, events, task input); user input goes through {@link SpecReader}, which
 * checks every field and reports violations.
 */
public final class SpecJson {

    /** Shared, thread-safe once configured. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private SpecJson() {
    }

    public static ObjectNode write(StackSpec s) {
        ObjectNode o = F.objectNode();
        o.put("stackName", s.stackName());
        o.put("agentTokenParameterName", s.agentTokenParameterName());
        s.agentTokenKmsKey().ifPresent(v -> o.put("agentTokenKmsKey", v));
        s.semaphoreEndpoint().ifPresent(v -> o.put("semaphoreEndpoint", v));
        s.semaphoreOrganization().ifPresent(v -> o.put("semaphoreOrganization", v));
        o.put("instanceType", s.instanceType());
        o.put("minSize", s.minSize());
        o.put("maxSize", s.maxSize());
        s.desiredCapacity().ifPresent(v -> o.put("desiredCapacity", v));
        o.set("groupMetrics", strings(s.groupMetrics()));
        o.put("maxInstanceLifetimeSeconds", s.maxInstanceLifetimeSeconds());
        ArrayNode overrides = o.putArray("launchTemplateOverrides");
        for (InstanceOverride io : s.launchTemplateOverrides()) {
            ObjectNode e = overrides.addObject();
            io.instanceType().ifPresent(v -> e.put("instanceType", v));
            io.weightedCapacity().ifPresent(v -> e.put("weightedCapacity", v));
            io.instanceRequirements().ifPresent(v -> e.set("instanceRequirements", v));
        }
        o.put("newInstancesProtectedFromScaleIn", s.newInstancesProtectedFromScaleIn());
        o.put("disconnectAfterJob", s.disconnectAfterJob());
        o.put("disconnectAfterIdleSeconds", s.disconnectAfterIdleSeconds());
        o.put("interruptionGracePeriodSeconds", s.interruptionGracePeriodSeconds());
        o.put("usePreSignedUrl", s.usePreSignedUrl());
        o.put("dynamicScaling", s.dynamicScaling());
        o.put("os", s.os().value());
        o.put("arch", s.arch().value());
        s.ami().ifPresent(v -> o.put("ami", v));
        s.vpcId().ifPresent(v -> o.put("vpcId", v));
        o.set("subnets", strings(s.subnets()));
        o.set("availabilityZones", strings(s.availabilityZones()));
        s.securityGroupId().ifPresent(v -> o.put("securityGroupId", v));
        s.keyName().ifPresent(v -> o.put("keyName", v));
        o.put("useIpv6", s.useIpv6());
        o.put("allowPublicSubnet", s.allowPublicSubnet());
        s.cacheBucketName().ifPresent(v -> o.put("cacheBucketName", v));
        o.set("managedPolicyNames", strings(s.managedPolicyNames()));
        ObjectNode tags = o.putObject("tags");
        s.tags().forEach(tags::put);

        Volume v = s.volume();
        ObjectNode vol = o.putObject("volume");
        v.deviceName().ifPresent(x -> vol.put("deviceName", x));
        vol.put("type", v.type());
        vol.put("sizeGib", v.sizeGib());
        v.iops().ifPresent(x -> vol.put("iops", x));
        v.throughputMibps().ifPresent(x -> vol.put("throughputMibps", x));

        Purchase p = s.purchase();
        ObjectNode pur = o.putObject("purchase");
        pur.put("onDemandBaseCapacity", p.onDemandBaseCapacity());
        pur.put("onDemandPercentageAboveBase", p.onDemandPercentageAboveBase());
        p.onDemandAllocationStrategy().ifPresent(x -> pur.put("onDemandAllocationStrategy", x));
        p.spotAllocationStrategy().ifPresent(x -> pur.put("spotAllocationStrategy", x));
        pur.put("capacityRebalance", p.capacityRebalance());

        Mac m = s.mac();
        ObjectNode mac = o.putObject("mac");
        mac.set("families", strings(m.families()));
        mac.set("dedicatedHosts", strings(m.dedicatedHosts()));
        m.licenseConfigurationArn().ifPresent(x -> mac.put("licenseConfigurationArn", x));
        mac.put("autoAllocateHost", m.autoAllocateHost());
        mac.put("autoReleaseHost", m.autoReleaseHost());
        mac.put("reservedHosts", m.reservedHosts());

        Scaling sc = s.scaling();
        ObjectNode scaling = o.putObject("scaling");
        scaling.put("policy", sc.policy().value());
        scaling.put("scaleInIdleSeconds", sc.scaleInIdleSeconds());
        ObjectNode over = scaling.putObject("overprovision");
        over.put("strategy", sc.overprovision().strategy().value());
        over.put("factor", sc.overprovision().factor());

        o.put("pollIntervalSeconds", s.pollIntervalSeconds());
        s.warmPool().ifPresent(w -> {
            ObjectNode wp = o.putObject("warmPool");
            wp.put("size", w.size());
            wp.put("state", w.state().value());
        });
        ArrayNode schedules = o.putArray("schedules");
        for (Schedule sch : s.schedules()) {
            ObjectNode e = schedules.addObject();
            e.put("cron", sch.cron());
            sch.minSize().ifPresent(x -> e.put("minSize", x));
            sch.maxSize().ifPresent(x -> e.put("maxSize", x));
            e.put("timezone", sch.timezone());
        }
        o.put("imageRollout", s.imageRollout());
        return o;
    }

    public static String writeString(StackSpec spec) {
        return write(spec).toString();
    }

    /**
     * Reads JSON that {@link #write} produced (or any JSON already accepted by {@link SpecReader}).
     * Missing fields take their defaults. Throws {@link IllegalArgumentException} on JSON of the wrong
     * shape: for user input use {@link SpecReader}.
     */
    public static StackSpec readTrusted(JsonNode o) {
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("a stack spec must be a JSON object");
        }
        StackSpec.Builder b = StackSpec.builder(text(o, "stackName").orElseThrow(() -> missing("stackName")),
                text(o, "agentTokenParameterName").orElseThrow(() -> missing("agentTokenParameterName")));
        b.agentTokenKmsKey(text(o, "agentTokenKmsKey"));
        b.semaphoreEndpoint(text(o, "semaphoreEndpoint"));
        b.semaphoreOrganization(text(o, "semaphoreOrganization"));
        text(o, "instanceType").ifPresent(b::instanceType);
        integer(o, "minSize").ifPresent(b::minSize);
        integer(o, "maxSize").ifPresent(b::maxSize);
        b.desiredCapacity(integer(o, "desiredCapacity"));
        list(o, "groupMetrics").ifPresent(b::groupMetrics);
        integer(o, "maxInstanceLifetimeSeconds").ifPresent(b::maxInstanceLifetimeSeconds);
        objects(o, "launchTemplateOverrides", e -> {
            JsonNode req = e.get("instanceRequirements");
            Optional<ObjectNode> requirements = req != null && req.isObject()
                    ? Optional.of((ObjectNode) req) : Optional.empty();
            Optional<String> type = text(e, "instanceType");
            if (type.isEmpty() && requirements.isEmpty()) {
                throw missing("launchTemplateOverrides[].instanceType");
            }
            return new InstanceOverride(type, integer(e, "weightedCapacity"), requirements);
        }).ifPresent(b::launchTemplateOverrides);
        bool(o, "newInstancesProtectedFromScaleIn").ifPresent(b::newInstancesProtectedFromScaleIn);
        bool(o, "disconnectAfterJob").ifPresent(b::disconnectAfterJob);
        integer(o, "disconnectAfterIdleSeconds").ifPresent(b::disconnectAfterIdleSeconds);
        integer(o, "interruptionGracePeriodSeconds").ifPresent(b::interruptionGracePeriodSeconds);
        bool(o, "usePreSignedUrl").ifPresent(b::usePreSignedUrl);
        bool(o, "dynamicScaling").ifPresent(b::dynamicScaling);
        text(o, "os").ifPresent(v -> b.os(OperatingSystem.fromValue(v).orElseThrow(() -> bad("os", v))));
        text(o, "arch").ifPresent(v -> b.arch(Arch.fromValue(v).orElseThrow(() -> bad("arch", v))));
        b.ami(text(o, "ami"));
        b.vpcId(text(o, "vpcId"));
        list(o, "subnets").ifPresent(b::subnets);
        list(o, "availabilityZones").ifPresent(b::availabilityZones);
        b.securityGroupId(text(o, "securityGroupId"));
        b.keyName(text(o, "keyName"));
        bool(o, "useIpv6").ifPresent(b::useIpv6);
        bool(o, "allowPublicSubnet").ifPresent(b::allowPublicSubnet);
        b.cacheBucketName(text(o, "cacheBucketName"));
        list(o, "managedPolicyNames").ifPresent(b::managedPolicyNames);
        JsonNode tags = o.get("tags");
        if (tags != null && tags.isObject()) {
            Map<String, String> t = new LinkedHashMap<>();
            tags.properties().forEach(e -> t.put(e.getKey(), e.getValue().asText()));
            b.tags(t);
        }

        JsonNode vol = o.get("volume");
        if (vol != null && vol.isObject()) {
            Volume d = Volume.defaults();
            b.volume(new Volume(text(vol, "deviceName"), text(vol, "type").orElse(d.type()),
                    integer(vol, "sizeGib").orElse(d.sizeGib()), integer(vol, "iops"), integer(vol, "throughputMibps")));
        }
        JsonNode pur = o.get("purchase");
        if (pur != null && pur.isObject()) {
            Purchase d = Purchase.defaults();
            b.purchase(new Purchase(integer(pur, "onDemandBaseCapacity").orElse(d.onDemandBaseCapacity()),
                    integer(pur, "onDemandPercentageAboveBase").orElse(d.onDemandPercentageAboveBase()),
                    text(pur, "onDemandAllocationStrategy"), text(pur, "spotAllocationStrategy"),
                    bool(pur, "capacityRebalance").orElse(d.capacityRebalance())));
        }
        JsonNode mac = o.get("mac");
        if (mac != null && mac.isObject()) {
            Mac d = Mac.defaults();
            b.mac(new Mac(list(mac, "families").orElse(d.families()),
                    list(mac, "dedicatedHosts").orElse(d.dedicatedHosts()),
                    text(mac, "licenseConfigurationArn"),
                    bool(mac, "autoAllocateHost").orElse(d.autoAllocateHost()),
                    bool(mac, "autoReleaseHost").orElse(d.autoReleaseHost()),
                    integer(mac, "reservedHosts").orElse(d.reservedHosts())));
        }
        JsonNode sc = o.get("scaling");
        if (sc != null && sc.isObject()) {
            Scaling d = Scaling.defaults();
            Overprovision over = d.overprovision();
            JsonNode ov = sc.get("overprovision");
            if (ov != null && ov.isObject()) {
                over = new Overprovision(text(ov, "strategy")
                        .map(v -> OverprovisionStrategy.fromValue(v).orElseThrow(() -> bad("scaling.overprovision.strategy", v)))
                        .orElse(OverprovisionStrategy.NONE), integer(ov, "factor").orElse(0));
            }
            b.scaling(new Scaling(text(sc, "policy")
                    .map(v -> ScalingPolicyKind.fromValue(v).orElseThrow(() -> bad("scaling.policy", v)))
                    .orElse(d.policy()),
                    integer(sc, "scaleInIdleSeconds").orElse(d.scaleInIdleSeconds()), over));
        }
        integer(o, "pollIntervalSeconds").ifPresent(b::pollIntervalSeconds);
        JsonNode wp = o.get("warmPool");
        if (wp != null && wp.isObject()) {
            b.warmPool(Optional.of(new WarmPool(integer(wp, "size").orElse(0), text(wp, "state")
                    .map(v -> WarmPoolState.fromValue(v).orElseThrow(() -> bad("warmPool.state", v)))
                    .orElse(WarmPoolState.STOPPED))));
        }
        objects(o, "schedules", e -> new Schedule(
                text(e, "cron").orElseThrow(() -> missing("schedules[].cron")),
                integer(e, "minSize"), integer(e, "maxSize"),
                text(e, "timezone").orElse(Schedule.DEFAULT_TIMEZONE))).ifPresent(b::schedules);
        bool(o, "imageRollout").ifPresent(b::imageRollout);
        return b.build();
    }

    public static StackSpec readTrusted(String json) {
        try {
            return readTrusted(MAPPER.readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("stored spec is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode a = F.arrayNode();
        values.forEach(a::add);
        return a;
    }

    private static Optional<String> text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    private static OptionalInt integer(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? OptionalInt.empty() : OptionalInt.of(v.asInt());
    }

    private static Optional<Boolean> bool(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asBoolean());
    }

    private static Optional<List<String>> list(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isArray()) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        v.forEach(e -> out.add(e.asText()));
        return Optional.of(out);
    }

    private static <T> Optional<List<T>> objects(JsonNode o, String field, Function<JsonNode, T> read) {
        JsonNode v = o.get(field);
        if (v == null || !v.isArray()) {
            return Optional.empty();
        }
        List<T> out = new ArrayList<>();
        v.forEach(e -> out.add(read.apply(e)));
        return Optional.of(out);
    }

    private static IllegalArgumentException missing(String field) {
        return new IllegalArgumentException("stored spec has no " + field);
    }

    private static IllegalArgumentException bad(String field, String value) {
        return new IllegalArgumentException("stored spec has an unknown " + field + ": " + value);
    }
}
