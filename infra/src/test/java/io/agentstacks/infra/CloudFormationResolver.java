package io.agentstacks.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What CloudFormation makes of a template for given parameter values, as far as the agent-stack template
 * needs: parameters (String, CommaDelimitedList; AllowedValues, AllowedPattern; none missing, none
 * unknown), pseudo parameters, Conditions (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition), resources and
 * outputs left out by their Condition, Fn::If, AWS::NoValue (the key or list item goes), Ref, Fn::GetAtt,
 * Fn::Join, Fn::Split, Fn::Select, Fn::Sub (both forms, {@code ${!Literal}}), Fn::Base64.
 *
 * <p>A resource's Ref resolves to {@code <Ref Id>} and an attribute to {@code <GetAtt Id.Attr>}: their values
 * exist only once CloudFormation has made them. Anything else (an unknown function, a reference to a
 * resource that its condition left out, an index past a list's end) fails as CloudFormation would fail the
 * stack operation.
 */
final class CloudFormationResolver {

    static final Map<String, String> PSEUDO = Map.of(
            "AWS::Region", "us-east-1",
            "AWS::AccountId", "123456789012",
            "AWS::Partition", "aws",
            "AWS::URLSuffix", "amazonaws.com",
            "AWS::StackName", "agent-stack-test",
            "AWS::StackId", "arn:aws:cloudformation:us-east-1:123456789012:stack/agent-stack-test/1");

    /** Thrown where CloudFormation would refuse the template or the parameters. */
    static final class ResolutionError extends RuntimeException {
        ResolutionError(String message) {
            super(message);
        }
    }

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final JsonNode NO_VALUE = new TextNode("\u0000AWS::NoValue");
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    private final JsonNode template;
    private final Map<String, JsonNode> parameters = new HashMap<>();
    private final Map<String, String> pseudo;
    private final Map<String, Boolean> conditions = new HashMap<>();
    private final Set<String> evaluating = new HashSet<>();
    private final Set<String> included = new HashSet<>();

    CloudFormationResolver(JsonNode template, Map<String, String> parameterValues) {
        this(template, parameterValues, PSEUDO);
    }

    CloudFormationResolver(JsonNode template, Map<String, String> parameterValues, Map<String, String> pseudo) {
        this.template = template;
        this.pseudo = pseudo;
        JsonNode declared = template.path("Parameters");
        for (String given : parameterValues.keySet()) {
            if (!declared.has(given)) {
                throw new ResolutionError("Parameters: [" + given + "] do not exist in the template");
            }
        }
        declared.properties().forEach(e -> {
            String name = e.getKey();
            JsonNode spec = e.getValue();
            String value = parameterValues.get(name);
            if (value == null) {
                if (!spec.has("Default")) {
                    throw new ResolutionError("Parameters: [" + name + "] must have values");
                }
                value = spec.get("Default").asText();
            }
            if (spec.has("AllowedValues")) {
                boolean allowed = false;
                for (JsonNode v : spec.get("AllowedValues")) {
                    allowed |= v.asText().equals(value);
                }
                if (!allowed) {
                    throw new ResolutionError("Parameter '" + name + "' must be one of AllowedValues, not '" + value + "'");
                }
            }
            if (spec.has("AllowedPattern") && !value.matches(spec.get("AllowedPattern").asText())) {
                throw new ResolutionError("Parameter '" + name + "' must match pattern " + spec.get("AllowedPattern").asText());
            }
            String type = spec.path("Type").asText();
            switch (type) {
                case "String" -> parameters.put(name, new TextNode(value));
                case "CommaDelimitedList" -> {
                    ArrayNode list = F.arrayNode();
                    for (String item : value.split(",", -1)) {
                        list.add(item);
                    }
                    parameters.put(name, list);
                }
                default -> throw new ResolutionError("parameter type " + type + " of " + name + " is not supported here");
            }
        });
        template.path("Resources").properties().forEach(e -> {
            JsonNode condition = e.getValue().get("Condition");
            if (condition == null || condition(condition.asText())) {
                included.add(e.getKey());
            }
        });
    }

    /** The resources CloudFormation would create, each with its Type and its resolved Properties. */
    Map<String, JsonNode> resources() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        template.path("Resources").properties().forEach(e -> {
            if (!included.contains(e.getKey())) {
                return;
            }
            ObjectNode r = F.objectNode();
            r.put("Type", e.getValue().path("Type").asText());
            JsonNode properties = e.getValue().get("Properties");
            r.set("Properties", properties == null ? F.objectNode() : resolve(properties));
            JsonNode dependsOn = e.getValue().get("DependsOn");
            if (dependsOn != null) {
                List<JsonNode> names = dependsOn.isArray() ? list(dependsOn) : List.of(dependsOn);
                for (JsonNode d : names) {
                    requireIncluded(d.asText(), "DependsOn of " + e.getKey());
                }
                r.set("DependsOn", dependsOn);
            }
            out.put(e.getKey(), r);
        });
        return out;
    }

    /** The outputs CloudFormation would report, by name. */
    Map<String, JsonNode> outputs() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        template.path("Outputs").properties().forEach(e -> {
            JsonNode condition = e.getValue().get("Condition");
            if (condition == null || condition(condition.asText())) {
                out.put(e.getKey(), resolve(e.getValue().get("Value")));
            }
        });
        return out;
    }

    boolean condition(String name) {
        Boolean known = conditions.get(name);
        if (known != null) {
            return known;
        }
        JsonNode expression = template.path("Conditions").get(name);
        if (expression == null) {
            throw new ResolutionError("Condition " + name + " is not defined");
        }
        if (!evaluating.add(name)) {
            throw new ResolutionError("Condition " + name + " refers to itself");
        }
        boolean value = evaluateCondition(expression);
        evaluating.remove(name);
        conditions.put(name, value);
        return value;
    }

    private boolean evaluateCondition(JsonNode expression) {
        if (!expression.isObject() || expression.size() != 1) {
            throw new ResolutionError("a condition must be one condition function: " + expression);
        }
        Map.Entry<String, JsonNode> fn = expression.properties().iterator().next();
        JsonNode args = fn.getValue();
        return switch (fn.getKey()) {
            case "Fn::Equals" -> {
                requireArgs(fn.getKey(), args, 2);
                yield resolve(args.get(0)).equals(resolve(args.get(1)));
            }
            case "Fn::Not" -> {
                requireArgs(fn.getKey(), args, 1);
                yield !evaluateCondition(args.get(0));
            }
            case "Fn::And", "Fn::Or" -> {
                if (!args.isArray() || args.size() < 2 || args.size() > 10) {
                    throw new ResolutionError(fn.getKey() + " takes 2 to 10 conditions: " + args);
                }
                boolean and = fn.getKey().equals("Fn::And");
                boolean result = and;
                for (JsonNode a : args) {
                    boolean v = evaluateCondition(a);
                    result = and ? result && v : result || v;
                }
                yield result;
            }
            case "Condition" -> condition(args.asText());
            default -> throw new ResolutionError(fn.getKey() + " is not a condition function");
        };
    }

    JsonNode resolve(JsonNode node) {
        if (node.isObject()) {
            if (node.size() == 1) {
                String key = node.fieldNames().next();
                if (key.equals("Ref") || key.startsWith("Fn::")) {
                    return function(key, node.get(key));
                }
            }
            ObjectNode out = F.objectNode();
            node.properties().forEach(e -> {
                JsonNode v = resolve(e.getValue());
                if (v != NO_VALUE) {
                    out.set(e.getKey(), v);
                }
            });
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = F.arrayNode();
            for (JsonNode item : node) {
                JsonNode v = resolve(item);
                if (v != NO_VALUE) {
                    out.add(v);
                }
            }
            return out;
        }
        return node;
    }

    private JsonNode function(String name, JsonNode args) {
        switch (name) {
            case "Ref" -> {
                return ref(args.asText());
            }
            case "Fn::GetAtt" -> {
                String[] parts = args.isArray() ? new String[]{args.get(0).asText(), args.get(1).asText()}
                        : args.asText().split("\\.", 2);
                requireIncluded(parts[0], "Fn::GetAtt");
                return new TextNode("<GetAtt " + parts[0] + "." + parts[1] + ">");
            }
            case "Fn::If" -> {
                requireArgs(name, args, 3);
                return condition(args.get(0).asText()) ? resolve(args.get(1)) : resolve(args.get(2));
            }
            case "Fn::Join" -> {
                requireArgs(name, args, 2);
                if (!args.get(0).isTextual()) {
                    throw new ResolutionError("Fn::Join's delimiter must be a string: " + args.get(0));
                }
                JsonNode items = resolve(args.get(1));
                if (!items.isArray()) {
                    throw new ResolutionError("Fn::Join needs a list: " + items);
                }
                List<String> parts = new ArrayList<>();
                for (JsonNode item : items) {
                    parts.add(text(item, "Fn::Join"));
                }
                return new TextNode(String.join(args.get(0).asText(), parts));
            }
            case "Fn::Split" -> {
                requireArgs(name, args, 2);
                String source = text(resolve(args.get(1)), "Fn::Split");
                ArrayNode out = F.arrayNode();
                for (String part : source.split(Pattern.quote(args.get(0).asText()), -1)) {
                    out.add(part);
                }
                return out;
            }
            case "Fn::Select" -> {
                requireArgs(name, args, 2);
                int index = Integer.parseInt(text(resolve(args.get(0)), "Fn::Select"));
                JsonNode list = resolve(args.get(1));
                if (!list.isArray() || index < 0 || index >= list.size()) {
                    throw new ResolutionError("Fn::Select index " + index + " is out of range of " + list);
                }
                return list.get(index);
            }
            case "Fn::Sub" -> {
                String body;
                Map<String, JsonNode> variables = new HashMap<>();
                if (args.isTextual()) {
                    body = args.asText();
                } else {
                    requireArgs(name, args, 2);
                    body = args.get(0).asText();
                    args.get(1).properties().forEach(e -> variables.put(e.getKey(), resolve(e.getValue())));
                }
                return new TextNode(substitute(body, variables));
            }
            case "Fn::Base64" -> {
                return new TextNode(Base64.getEncoder().encodeToString(
                        text(resolve(args), "Fn::Base64").getBytes(StandardCharsets.UTF_8)));
            }
            default -> throw new ResolutionError(name + " is not supported by this resolver");
        }
    }

    private JsonNode ref(String target) {
        if (target.equals("AWS::NoValue")) {
            return NO_VALUE;
        }
        if (pseudo.containsKey(target)) {
            return new TextNode(pseudo.get(target));
        }
        if (parameters.containsKey(target)) {
            return parameters.get(target);
        }
        requireIncluded(target, "Ref");
        return new TextNode("<Ref " + target + ">");
    }

    private String substitute(String body, Map<String, JsonNode> variables) {
        Matcher m = SUB_VARIABLE.matcher(body);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value;
            if (name.startsWith("!")) {
                value = "${" + name.substring(1) + "}";
            } else if (variables.containsKey(name)) {
                value = text(variables.get(name), "Fn::Sub variable " + name);
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                String[] parts = name.split("\\.", 2);
                requireIncluded(parts[0], "Fn::Sub");
                value = "<GetAtt " + parts[0] + "." + parts[1] + ">";
            } else {
                JsonNode v = ref(name);
                if (v.isArray()) {
                    throw new ResolutionError("Fn::Sub cannot put the list " + name + " into a string");
                }
                value = text(v, "Fn::Sub ${" + name + "}");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private void requireIncluded(String logicalId, String where) {
        if (!template.path("Resources").has(logicalId)) {
            throw new ResolutionError(where + ": no resource or parameter " + logicalId);
        }
        if (!included.contains(logicalId)) {
            throw new ResolutionError(where + ": resource " + logicalId + " is not created under these parameters");
        }
    }

    private static String text(JsonNode v, String where) {
        if (v == NO_VALUE || !v.isValueNode()) {
            throw new ResolutionError(where + " needs a string, not " + (v == NO_VALUE ? "AWS::NoValue" : v));
        }
        return v.asText();
    }

    private static void requireArgs(String fn, JsonNode args, int n) {
        if (!args.isArray() || args.size() != n) {
            throw new ResolutionError(fn + " takes " + n + " arguments: " + args);
        }
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
