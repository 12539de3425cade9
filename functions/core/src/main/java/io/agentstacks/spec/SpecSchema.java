package io.agentstacks.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

/**
 * The JSON Schema (draft 2020-12) of the stack spec, generated from {@link SpecFields} (one schema per
 * field) and from the rules of {@link SpecValidator} that JSON Schema can state ({@code if}/{@code then}).
 * Where a rule depends on a default, the schema spells the default out: a field left out takes its
 * default, so a rule that the default breaks makes the field required.
 *
 * <p>Rules that compare two numbers cannot be said in JSON Schema; they are listed in
 * {@link SpecValidator#VALIDATOR_ONLY_RULES}, and a document can pass this schema and still be refused.
 */
public final class SpecSchema {

    public static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";
    public static final String ID = "urn:io.agentstacks:stack-spec";

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private SpecSchema() {
    }

    public static ObjectNode generate() {
        ObjectNode schema = F.objectNode();
        schema.put("$schema", DIALECT);
        schema.put("$id", ID);
        schema.put("title", "Agent stack spec");
        schema.put("description", "One Semaphore agent stack on AWS: an Auto Scaling group of agents of one agent "
                + "type. Fields left out take their defaults. Some rules compare fields and are checked by "
                + "`agent-stacks validate` only: " + String.join(", ",
                SpecValidator.VALIDATOR_ONLY_RULES.stream().map(SpecValidator.ValidatorOnlyRule::why).toList()) + ".");
        schema.setAll(objectSchema(SpecFields.root()));
        schema.set("allOf", rootRules());
        return schema;
    }

    private static ObjectNode objectSchema(SpecField container) {
        ObjectNode o = F.objectNode();
        o.put("type", "object");
        ObjectNode properties = o.putObject("properties");
        ArrayNode required = F.arrayNode();
        for (SpecField m : SpecFields.members(container)) {
            properties.set(m.name(), fieldSchema(m));
            if (m.isRequired()) {
                required.add(m.name());
            }
        }
        if (!required.isEmpty()) {
            o.set("required", required);
        }
        o.put("additionalProperties", false);
        if (!container.anyOfRequired().isEmpty()) {
            o.set("anyOf", requiredAlternatives(container.anyOfRequired()));
        }
        if (!container.oneOfRequired().isEmpty()) {
            o.set("oneOf", requiredAlternatives(container.oneOfRequired()));
        }
        ArrayNode rules = objectRules(container.path());
        if (!rules.isEmpty()) {
            o.set("allOf", rules);
        }
        return o;
    }

    private static ObjectNode fieldSchema(SpecField f) {
        ObjectNode s = F.objectNode();
        if (!f.description().isEmpty()) {
            s.put("description", f.description().replace("`", ""));
        }
        switch (f.type()) {
            case STRING -> {
                s.put("type", "string");
                strings(s, f);
            }
            case INTEGER -> {
                s.put("type", "integer");
                if (f.zeroAllowed()) {
                    s.put("maximum", f.maximum().orElseThrow());
                    s.putArray("anyOf").add(F.objectNode().put("const", 0))
                            .add(F.objectNode().put("minimum", f.minimum().orElseThrow()));
                } else {
                    s.put("minimum", f.minimum().orElseThrow());
                    s.put("maximum", f.maximum().orElseThrow());
                }
            }
            case NUMBER -> {
                s.put("type", "number");
                s.put("minimum", f.minimum().orElseThrow());
                s.put("maximum", f.maximum().orElseThrow());
            }
            case BOOLEAN -> s.put("type", "boolean");
            case STRING_LIST -> {
                s.put("type", "array");
                ObjectNode items = s.putObject("items");
                items.put("type", "string");
                strings(items, f);
                items(s, f);
            }
            case STRING_MAP -> {
                s.put("type", "object");
                f.maxItems().ifPresent(n -> s.put("maxProperties", n));
                ObjectNode names = s.putObject("propertyNames");
                names.put("minLength", 1);
                f.keyMaxLength().ifPresent(n -> names.put("maxLength", n));
                f.keyReservedPrefix().ifPresent(prefix ->
                        names.putObject("not").put("pattern", "^" + anyCase(prefix)));
                f.keyPattern().ifPresent(p -> names.put("pattern", p));
                ObjectNode values = s.putObject("additionalProperties");
                values.put("type", "string");
                f.valueMaxLength().ifPresent(n -> values.put("maxLength", n));
            }
            case OBJECT -> s.setAll(objectSchema(f));
            case OBJECT_LIST -> {
                s.put("type", "array");
                items(s, f);
                s.set("items", objectSchema(f));
                ArrayNode rules = arrayRules(f.path());
                if (!rules.isEmpty()) {
                    s.set("allOf", rules);
                }
            }
        }
        f.defaultValue().ifPresent(d -> s.set("default", d));
        return s;
    }

    private static void strings(ObjectNode s, SpecField f) {
        s.put("minLength", 1);
        f.maxLength().ifPresent(n -> s.put("maxLength", n));
        if (!f.allowedValues().isEmpty()) {
            ArrayNode values = s.putArray("enum");
            f.allowedValues().forEach(values::add);
        }
        f.pattern().ifPresent(p -> s.put("pattern", p));
    }

    private static void items(ObjectNode s, SpecField f) {
        if (f.uniqueItems()) {
            s.put("uniqueItems", true);
        }
        f.minItems().ifPresent(n -> s.put("minItems", n));
        f.maxItems().ifPresent(n -> s.put("maxItems", n));
    }

    private static ArrayNode requiredAlternatives(List<String> members) {
        ArrayNode alternatives = F.arrayNode();
        members.forEach(m -> alternatives.add(required(m)));
        return alternatives;
    }

    // --- rules between fields (the schema form of SpecValidator's) ---

    private static ArrayNode rootRules() {
        ArrayNode rules = F.arrayNode();
        ObjectNode isMacos = is("os", OperatingSystem.MACOS.value(), StackSpec.DEFAULT_OS.value());

        // Windows runs on x86_64 only.
        rules.add(ifThen(is("os", OperatingSystem.WINDOWS.value(), StackSpec.DEFAULT_OS.value()),
                properties(Map.of("arch", constant(Arch.X86_64.value())))));

        // Every instance type is of a known family of the spec's architecture.
        ObjectNode arm = is("arch", Arch.ARM64.value(), Arch.X86_64.value());
        rules.add(ifThenElse(arm, instanceTypes(familyPattern(Arch.ARM64), Arch.ARM64),
                instanceTypes(familyPattern(Arch.X86_64), Arch.X86_64)));

        // macOS needs Mac .metal types; other systems cannot use them.
        String macFamilies = String.join("|", InstanceCatalogue.macFamilies());
        ObjectNode macType = F.objectNode().put("pattern", "^(" + macFamilies + ")\\.metal$");
        ObjectNode notMacType = F.objectNode();
        notMacType.putObject("not").put("pattern", "^(" + macFamilies + ")\\.");
        ObjectNode macThen = typeRule(macType);
        macThen.set("required", F.arrayNode().add("instanceType"));
        rules.add(ifThenElse(isMacos, macThen, typeRule(notMacType)));

        // The host group must allow the family of every Mac instance type.
        for (String family : InstanceCatalogue.macFamilies()) {
            ObjectNode notThisType = F.objectNode();
            notThisType.putObject("not").put("const", family + ".metal");
            ObjectNode condition = F.objectNode();
            condition.putArray("allOf").add(isMacos.deepCopy()).add(familiesLack(family));
            rules.add(ifThen(condition, typeRule(notThisType)));
        }

        // macOS: a license configuration, and no spot.
        ObjectNode license = required("mac");
        license.putObject("properties").set("mac", required("licenseConfigurationArn"));
        rules.add(ifThen(isMacos.deepCopy(), license));
        rules.add(ifThen(isMacos.deepCopy(), noSpot()));
        // macOS: overrides name Mac instance types, never instance requirements.
        ObjectNode byType = F.objectNode();
        byType.set("not", required("instanceRequirements"));
        ObjectNode macOverrides = F.objectNode();
        macOverrides.putObject("properties").putObject("launchTemplateOverrides").set("items", byType);
        rules.add(ifThen(isMacos.deepCopy(), macOverrides));

        // A warm pool: not with spot, not on macOS, not with a mixed instances policy.
        ObjectNode warmPoolThen = noSpot();
        ObjectNode notMacos = F.objectNode();
        notMacos.putObject("not").put("const", OperatingSystem.MACOS.value());
        ((ObjectNode) warmPoolThen.get("properties")).set("os", notMacos);
        ((ObjectNode) warmPoolThen.get("properties")).set("launchTemplateOverrides",
                F.objectNode().put("maxItems", 0));
        rules.add(ifThen(required("warmPool"), warmPoolThen));

        // Subnets need a VPC, and a VPC needs subnets.
        ObjectNode someSubnets = required("subnets");
        someSubnets.putObject("properties").set("subnets", F.objectNode().put("minItems", 1));
        rules.add(ifThen(someSubnets.deepCopy(), required("vpcId")));
        rules.add(ifThen(required("vpcId"), someSubnets));
        return rules;
    }

    private static ArrayNode objectRules(String path) {
        ArrayNode rules = F.arrayNode();
        switch (path) {
            case "volume" -> volumeRules(rules);
            case "launchTemplateOverrides" -> {
                // An entry by instance requirements carries no weight.
                ObjectNode unweighted = F.objectNode();
                unweighted.set("not", required("weightedCapacity"));
                rules.add(ifThen(required("instanceRequirements"), unweighted));
            }
            case "launchTemplateOverrides[].instanceRequirements" -> {
                for (List<String> pair : SpecValidator.REQUIREMENT_ALTERNATIVES) {
                    rules.add(notBoth(required(pair.get(0)), required(pair.get(1))));
                }
            }
            case "scaling.overprovision" -> {
                ObjectNode adds = required("strategy");
                ObjectNode strategy = adds.putObject("properties").putObject("strategy");
                strategy.putArray("enum").add(OverprovisionStrategy.NUMBER.value())
                        .add(OverprovisionStrategy.PERCENTAGE.value());
                ObjectNode positive = required("factor");
                positive.putObject("properties").set("factor", F.objectNode().put("minimum", 1));
                rules.add(ifThen(adds, positive));
            }
            default -> {
            }
        }
        return rules;
    }

    private static void volumeRules(ArrayNode rules) {
        String defaultType = Volume.DEFAULT_TYPE;
        List<String> provisioned = SpecValidator.VOLUME_LIMITS.entrySet().stream()
                .filter(e -> e.getValue().iopsPerGib() > 0).map(Map.Entry::getKey).sorted().toList();
        List<String> iopsRequired = provisioned.stream().filter(t -> !t.equals("gp3")).toList();

        ObjectNode provisionedType = required("type");
        ArrayNode types = provisionedType.putObject("properties").putObject("type").putArray("enum");
        provisioned.forEach(types::add);
        rules.add(ifThen(required("iops"), provisionedType));

        ObjectNode needsIops = required("type");
        ArrayNode needing = needsIops.putObject("properties").putObject("type").putArray("enum");
        iopsRequired.forEach(needing::add);
        rules.add(ifThen(needsIops, required("iops")));

        rules.add(ifThen(required("throughputMibps"), is("type", "gp3", defaultType).deepCopy()));

        SpecValidator.VOLUME_LIMITS.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String type = e.getKey();
            SpecValidator.VolumeLimits limits = e.getValue();
            ObjectNode then = F.objectNode();
            ObjectNode props = then.putObject("properties");
            props.set("sizeGib", F.objectNode().put("minimum", limits.minGib()).put("maximum", limits.maxGib()));
            if (limits.iopsPerGib() > 0) {
                props.set("iops", F.objectNode().put("minimum", limits.minIops()).put("maximum", limits.maxIops()));
            }
            if (Volume.DEFAULT_SIZE_GIB < limits.minGib() || Volume.DEFAULT_SIZE_GIB > limits.maxGib()) {
                then.putArray("required").add("sizeGib");
            }
            rules.add(ifThen(is("type", type, defaultType), then));
        });
    }

    private static ArrayNode arrayRules(String path) {
        ArrayNode rules = F.arrayNode();
        if (path.equals("launchTemplateOverrides")) {
            rules.add(notBoth(contains(required("instanceType")), contains(required("instanceRequirements"))));
            ObjectNode unweighted = F.objectNode();
            unweighted.set("not", required("weightedCapacity"));
            rules.add(notBoth(contains(required("weightedCapacity")), contains(unweighted)));
            // The agent-stack template has one instance-requirements slot.
            rules.add(ifThen(contains(required("instanceRequirements")), F.objectNode().put("maxItems", 1)));
        }
        return rules;
    }

    // --- building blocks ---

    /** The field is {@code value}; when the field's default is {@code value}, leaving it out counts too. */
    private static ObjectNode is(String field, String value, String defaultValue) {
        ObjectNode condition = value.equals(defaultValue) ? F.objectNode() : required(field);
        condition.putObject("properties").set(field, constant(value));
        return condition;
    }

    /** mac.families, defaults applied, does not contain {@code family}. */
    private static ObjectNode familiesLack(String family) {
        boolean inDefault = SpecFields.get("mac.families").flatMap(SpecField::defaultValue)
                .map(d -> d.toString().contains("\"" + family + "\"")).orElse(false);
        ObjectNode contains = F.objectNode();
        contains.putObject("contains").put("const", family);
        ObjectNode given = required("mac");
        ObjectNode mac = given.putObject("properties").putObject("mac");
        mac.putArray("required").add("families");
        if (inDefault) {
            mac.putObject("properties").putObject("families").set("not", contains);
            return given;
        }
        mac.putObject("properties").set("families", contains);
        ObjectNode lacks = F.objectNode();
        lacks.set("not", given);
        return lacks;
    }

    private static String familyPattern(Arch arch) {
        List<String> families = InstanceCatalogue.families(arch);
        families.forEach(f -> {
            if (!f.matches("[a-z0-9-]+")) {
                throw new IllegalStateException("family name needs escaping in a pattern: " + f);
            }
        });
        return "^(" + String.join("|", families) + ")\\.";
    }

    /** instanceType and every override's instanceType match {@code pattern}; required if the default does not. */
    private static ObjectNode instanceTypes(String pattern, Arch arch) {
        ObjectNode rule = typeRule(F.objectNode().put("pattern", pattern));
        boolean defaultFits = InstanceCatalogue.archOf(InstanceCatalogue.familyOf(StackSpec.DEFAULT_INSTANCE_TYPE))
                .map(a -> a == arch).orElse(false);
        if (!defaultFits) {
            rule.putArray("required").add("instanceType");
        }
        return rule;
    }

    /** {@code typeSchema} for instanceType and for each launchTemplateOverrides[].instanceType. */
    private static ObjectNode typeRule(ObjectNode typeSchema) {
        ObjectNode rule = F.objectNode();
        ObjectNode props = rule.putObject("properties");
        props.set("instanceType", typeSchema.deepCopy());
        props.putObject("launchTemplateOverrides").putObject("items").putObject("properties")
                .set("instanceType", typeSchema.deepCopy());
        return rule;
    }

    private static ObjectNode noSpot() {
        ObjectNode rule = F.objectNode();
        rule.putObject("properties").putObject("purchase").putObject("properties")
                .set("onDemandPercentageAboveBase", F.objectNode().put("const", 100));
        return rule;
    }

    private static ObjectNode notBoth(ObjectNode a, ObjectNode b) {
        ObjectNode rule = F.objectNode();
        rule.putObject("not").putArray("allOf").add(a).add(b);
        return rule;
    }

    private static ObjectNode contains(ObjectNode schema) {
        ObjectNode rule = F.objectNode();
        rule.set("contains", schema);
        return rule;
    }

    private static ObjectNode required(String... fields) {
        ObjectNode o = F.objectNode();
        ArrayNode names = o.putArray("required");
        for (String f : fields) {
            names.add(f);
        }
        return o;
    }

    private static ObjectNode properties(Map<String, JsonNode> schemas) {
        ObjectNode o = F.objectNode();
        o.putObject("properties").setAll(schemas);
        return o;
    }

    private static ObjectNode constant(String value) {
        return F.objectNode().put("const", value);
    }

    private static ObjectNode ifThen(ObjectNode condition, ObjectNode then) {
        ObjectNode rule = F.objectNode();
        rule.set("if", condition);
        rule.set("then", then);
        return rule;
    }

    private static ObjectNode ifThenElse(ObjectNode condition, ObjectNode then, ObjectNode otherwise) {
        ObjectNode rule = ifThen(condition, then);
        rule.set("else", otherwise);
        return rule;
    }

    private static String anyCase(String text) {
        StringBuilder sb = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (Character.isLetter(c)) {
                sb.append('[').append(Character.toUpperCase(c)).append(Character.toLowerCase(c)).append(']');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
