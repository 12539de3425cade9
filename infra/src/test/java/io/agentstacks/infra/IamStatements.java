package io.agentstacks.infra;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks every synthesized template's IAM statements and cdk-nag suppressions the same way. */
final class IamStatements {

    private IamStatements() {
    }

    /**
     * Every statement names its actions, and names its resources unless its resource carries an
     * AwsSolutions-IAM5 suppression whose reason says why; no statement allows everything.
     */
    static void assertWildcardsAreExplained(JsonNode template) {
        List<String> unexplained = new ArrayList<>();
        template.path("Resources").properties().forEach(e -> {
            String type = e.getValue().path("Type").asText();
            if (!type.startsWith("AWS::IAM::")) {
                return;
            }
            boolean explained = suppressions(e.getValue()).contains("AwsSolutions-IAM5");
            for (JsonNode statement : statements(e.getValue().path("Properties"))) {
                String actions = statement.path("Action").toString();
                if (actions.contains("\"*\"")) {
                    unexplained.add(e.getKey() + " allows every action: " + statement);
                }
                String resources = statement.path("Resource").toString();
                if (resources.contains("*") && !explained && !isAssumeRole(statement)) {
                    unexplained.add(e.getKey() + " has a wildcard resource without an AwsSolutions-IAM5 reason: " + statement);
                }
                if (statement.has("NotAction") || statement.has("NotResource")) {
                    unexplained.add(e.getKey() + " uses NotAction/NotResource: " + statement);
                }
            }
        });
        assertThat(unexplained).isEmpty();
    }

    /** Every cdk-nag suppression in the template gives a reason a reader can act on. */
    static void assertEverySuppressionHasAReason(JsonNode template) {
        List<String> weak = new ArrayList<>();
        template.path("Resources").properties().forEach(e -> {
            for (JsonNode rule : e.getValue().path("Metadata").path("cdk_nag").path("rules_to_suppress")) {
                String reason = rule.path("reason").asText();
                if (reason.length() < 40) {
                    weak.add(e.getKey() + " " + rule.path("id").asText() + ": '" + reason + "'");
                }
            }
        });
        assertThat(weak).isEmpty();
    }

    static List<String> suppressions(JsonNode resource) {
        List<String> ids = new ArrayList<>();
        for (JsonNode rule : resource.path("Metadata").path("cdk_nag").path("rules_to_suppress")) {
            if (rule.path("reason").asText().length() >= 40) {
                ids.add(rule.path("id").asText());
            }
        }
        return ids;
    }

    static List<JsonNode> statements(JsonNode node) {
        List<JsonNode> found = new ArrayList<>();
        collect(node, found);
        return found;
    }

    private static void collect(JsonNode node, List<JsonNode> found) {
        if (node.isObject()) {
            JsonNode statement = node.get("Statement");
            if (statement != null && statement.isArray()) {
                for (JsonNode s : statement) {
                    // A statement behind Fn::If is the If's second argument.
                    JsonNode fnIf = s.get("Fn::If");
                    if (fnIf != null) {
                        collectConditional(fnIf, found);
                    } else {
                        found.add(s);
                    }
                }
            }
            node.properties().forEach(e -> {
                if (!e.getKey().equals("Statement")) {
                    collect(e.getValue(), found);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, found));
        }
    }

    private static void collectConditional(JsonNode fnIf, List<JsonNode> found) {
        for (int i = 1; i < fnIf.size(); i++) {
            JsonNode branch = fnIf.get(i);
            if (branch.has("Fn::If")) {
                collectConditional(branch.get("Fn::If"), found);
            } else if (branch.has("Effect")) {
                found.add(branch);
            }
        }
    }

    private static boolean isAssumeRole(JsonNode statement) {
        return statement.has("Principal") && !statement.has("Resource");
    }
}
