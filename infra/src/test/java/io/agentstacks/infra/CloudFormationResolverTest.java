package io.agentstacks.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.infra.CloudFormationResolver.ResolutionError;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CloudFormationResolverTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static final JsonNode TEMPLATE = json("""
            {'Parameters': {
               'Name': {'Type': 'String'},
               'Flag': {'Type': 'String', 'AllowedValues': ['true', 'false']},
               'Size': {'Type': 'String', 'AllowedPattern': '[0-9]*'},
               'Items': {'Type': 'CommaDelimitedList'},
               'Optional': {'Type': 'String', 'Default': 'fallback'}},
             'Conditions': {
               'IsOn': {'Fn::Equals': [{'Ref': 'Flag'}, 'true']},
               'HasSize': {'Fn::Not': [{'Fn::Equals': [{'Ref': 'Size'}, '']}]},
               'Both': {'Fn::And': [{'Condition': 'IsOn'}, {'Condition': 'HasSize'}]},
               'Either': {'Fn::Or': [{'Condition': 'IsOn'}, {'Condition': 'HasSize'}]},
               'HasItems': {'Fn::Not': [{'Fn::Equals': [{'Fn::Join': ['', {'Ref': 'Items'}]}, '']}]}},
             'Resources': {
               'Always': {'Type': 'AWS::X::Y', 'Properties': {
                 'Name': {'Ref': 'Name'},
                 'Size': {'Fn::If': ['HasSize', {'Ref': 'Size'}, {'Ref': 'AWS::NoValue'}]},
                 'List': ['a', {'Fn::If': ['IsOn', 'b', {'Ref': 'AWS::NoValue'}]}, 'c'],
                 'Joined': {'Fn::Join': ['-', {'Ref': 'Items'}]},
                 'Second': {'Fn::Select': [1, {'Fn::Split': [',', {'Fn::Join': ['', [{'Fn::Join': [',', {'Ref': 'Items'}]}, ',,']]}]}]},
                 'Sub': {'Fn::Sub': 'arn:${AWS::Partition}:x:${AWS::Region}:${Name}/${Other}/${Other.Arn}/${!Literal}'},
                 'SubMap': {'Fn::Sub': ['${A}-${Name}', {'A': {'Fn::Select': [0, {'Ref': 'Items'}]}}]},
                 'Encoded': {'Fn::Base64': {'Fn::Sub': '#!/bin/bash\\n${Name}'}},
                 'Optional': {'Ref': 'Optional'}}},
               'Other': {'Type': 'AWS::X::Z', 'Properties': {'Att': {'Fn::GetAtt': ['Always', 'Arn']}}},
               'OnlyWhenOn': {'Type': 'AWS::X::Z', 'Condition': 'IsOn', 'DependsOn': 'Other'}},
             'Outputs': {
               'Out': {'Value': {'Ref': 'Always'}},
               'OutWhenBoth': {'Condition': 'Both', 'Value': 'both'}}}
            """);

    static Map<String, String> params(String flag, String size, String items) {
        return Map.of("Name", "n", "Flag", flag, "Size", size, "Items", items);
    }

    @Test
    void conditionsFollowTheParameters() {
        CloudFormationResolver on = new CloudFormationResolver(TEMPLATE, params("true", "5", "a,b"));
        assertThat(on.condition("IsOn")).isTrue();
        assertThat(on.condition("HasSize")).isTrue();
        assertThat(on.condition("Both")).isTrue();
        assertThat(on.condition("Either")).isTrue();
        assertThat(on.condition("HasItems")).isTrue();
        CloudFormationResolver off = new CloudFormationResolver(TEMPLATE, params("false", "", ""));
        assertThat(off.condition("IsOn")).isFalse();
        assertThat(off.condition("HasSize")).isFalse();
        assertThat(off.condition("Both")).isFalse();
        assertThat(off.condition("Either")).isFalse();
        assertThat(off.condition("HasItems")).isFalse();
        assertThat(new CloudFormationResolver(TEMPLATE, params("false", "5", "")).condition("Either")).isTrue();
    }

    @Test
    void noValueRemovesTheKeyOrTheListItemAndIfPicksABranch() {
        JsonNode p = new CloudFormationResolver(TEMPLATE, params("false", "", "x")).resources().get("Always").get("Properties");
        assertThat(p.has("Size")).isFalse();
        assertThat(p.get("List")).isEqualTo(json("['a', 'c']"));
        JsonNode q = new CloudFormationResolver(TEMPLATE, params("true", "7", "x")).resources().get("Always").get("Properties");
        assertThat(q.get("Size").asText()).isEqualTo("7");
        assertThat(q.get("List")).isEqualTo(json("['a', 'b', 'c']"));
    }

    @Test
    void listsJoinSplitAndSelectAsCloudFormationDoes() {
        JsonNode p = new CloudFormationResolver(TEMPLATE, params("true", "", "a,b,c")).resources().get("Always").get("Properties");
        assertThat(p.get("Joined").asText()).isEqualTo("a-b-c");
        assertThat(p.get("Second").asText()).isEqualTo("b");
        assertThat(p.get("SubMap").asText()).isEqualTo("a-n");
        // An empty CommaDelimitedList is one empty item; padding keeps Select in range.
        JsonNode empty = new CloudFormationResolver(TEMPLATE, params("true", "", "")).resources().get("Always").get("Properties");
        assertThat(empty.get("Joined").asText()).isEmpty();
        assertThat(empty.get("Second").asText()).isEmpty();
    }

    @Test
    void subReplacesPseudoParametersParametersResourcesAttributesAndKeepsEscapedLiterals() {
        JsonNode p = new CloudFormationResolver(TEMPLATE, params("true", "", "a")).resources().get("Always").get("Properties");
        assertThat(p.get("Sub").asText()).isEqualTo("arn:aws:x:us-east-1:n/<Ref Other>/<GetAtt Other.Arn>/${Literal}");
        assertThat(new String(Base64.getDecoder().decode(p.get("Encoded").asText()))).isEqualTo("#!/bin/bash\nn");
        assertThat(p.get("Optional").asText()).isEqualTo("fallback");
    }

    @Test
    void resourcesAndOutputsAreLeftOutByTheirCondition() {
        CloudFormationResolver off = new CloudFormationResolver(TEMPLATE, params("false", "", "a"));
        assertThat(off.resources()).containsOnlyKeys("Always", "Other");
        assertThat(off.outputs()).containsOnlyKeys("Out");
        assertThat(off.outputs().get("Out").asText()).isEqualTo("<Ref Always>");
        CloudFormationResolver on = new CloudFormationResolver(TEMPLATE, params("true", "3", "a"));
        assertThat(on.resources()).containsOnlyKeys("Always", "Other", "OnlyWhenOn");
        assertThat(on.resources().get("Other").get("Properties").get("Att").asText()).isEqualTo("<GetAtt Always.Arn>");
        assertThat(on.outputs()).containsKeys("Out", "OutWhenBoth");
    }

    @Test
    void badParametersAreRefusedAsCloudFormationRefusesThem() {
        assertThatThrownBy(() -> new CloudFormationResolver(TEMPLATE, Map.of("Name", "n")))
                .isInstanceOf(ResolutionError.class).hasMessageContaining("must have values");
        assertThatThrownBy(() -> new CloudFormationResolver(TEMPLATE, Map.of("Name", "n", "Flag", "yes", "Size", "", "Items", "")))
                .hasMessageContaining("AllowedValues");
        assertThatThrownBy(() -> new CloudFormationResolver(TEMPLATE, Map.of("Name", "n", "Flag", "true", "Size", "x", "Items", "")))
                .hasMessageContaining("pattern");
        assertThatThrownBy(() -> new CloudFormationResolver(TEMPLATE, Map.of("Name", "n", "Flag", "true", "Size", "", "Items", "", "Extra", "1")))
                .hasMessageContaining("do not exist in the template");
    }

    @Test
    void aReferenceToAResourceItsConditionLeftOutFails() {
        JsonNode t = json("""
                {'Parameters': {'On': {'Type': 'String'}},
                 'Conditions': {'IsOn': {'Fn::Equals': [{'Ref': 'On'}, 'yes']}},
                 'Resources': {
                   'Maybe': {'Type': 'AWS::X::Y', 'Condition': 'IsOn'},
                   'User': {'Type': 'AWS::X::Y', 'Properties': {'P': {'Ref': 'Maybe'}}},
                   'Waiter': {'Type': 'AWS::X::Y', 'DependsOn': ['Maybe']}}}
                """);
        CloudFormationResolver r = new CloudFormationResolver(t, Map.of("On", "no"));
        assertThatThrownBy(r::resources).isInstanceOf(ResolutionError.class).hasMessageContaining("Maybe is not created");
        assertThat(new CloudFormationResolver(t, Map.of("On", "yes")).resources()).containsOnlyKeys("Maybe", "User", "Waiter");
    }

    @Test
    void unknownFunctionsOutOfRangeSelectsAndSelfReferringConditionsFail() {
        JsonNode t = json("""
                {'Conditions': {'Loop': {'Fn::Not': [{'Condition': 'Loop'}]}},
                 'Resources': {
                   'A': {'Type': 'AWS::X::Y', 'Properties': {'P': {'Fn::GetAZs': ''}}},
                   'B': {'Type': 'AWS::X::Y', 'Properties': {'P': {'Fn::Select': [3, ['a']]}}}}}
                """);
        CloudFormationResolver r = new CloudFormationResolver(t, Map.of());
        assertThatThrownBy(() -> r.resolve(t.at("/Resources/A/Properties"))).hasMessageContaining("Fn::GetAZs is not supported");
        assertThatThrownBy(() -> r.resolve(t.at("/Resources/B/Properties"))).hasMessageContaining("out of range");
        assertThatThrownBy(() -> r.condition("Loop")).hasMessageContaining("refers to itself");
        assertThatThrownBy(() -> r.condition("Missing")).hasMessageContaining("not defined");
    }
}
