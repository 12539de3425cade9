package io.agentstacks.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.stacks.AgentStackNames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Template;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * execution-policy.json (the policy of CDK's CloudFormation execution role, with which CloudFormation deploys
 * the control plane, the image pipelines and, passed by the deployer, every agent stack) against what
 * deploying every resource of every synthesized template needs, per resource-type-permissions.json.
 */
class ExecutionPolicyTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Path POLICY = ControlPlaneFixture.ROOT.resolve("execution-policy.json");
    /** What CloudFormation handles itself, with no service call. */
    static final Set<String> NOT_PROVISIONED = Set.of("AWS::CDK::Metadata");
    static final int MANAGED_POLICY_MAX_CHARS = 6144;

    static Map<String, JsonNode> templates = new TreeMap<>();
    static JsonNode permissions;
    static JsonNode policy;

    @BeforeAll
    static void synthesize() throws Exception {
        Path dir = Files.createTempDirectory("execution-policy");
        App app = new App();
        // Every optional resource on: the alarm e-mail subscription, the macOS build host group.
        ControlPlaneStack controlPlane = new ControlPlaneStack(app, ControlPlaneStack.NAME, StackProps.builder().build(),
                ControlPlaneFixture.props(dir, Optional.of("ops@example.com"), true));
        ImagePipelinesStack images = new ImagePipelinesStack(app, InfraApp.IMAGE_PIPELINES_STACK, StackProps.builder().build(),
                new ImagePipelinesProps(ControlPlaneFixture.ROOT.resolve("image-recipes"), true, Optional.of(ImagePipelinesStackTest.LICENSE)));
        templates.put(ControlPlaneStack.NAME, MAPPER.valueToTree(Template.fromStack(controlPlane).toJSON()));
        templates.put(InfraApp.IMAGE_PIPELINES_STACK, MAPPER.valueToTree(Template.fromStack(images).toJSON()));
        templates.put("agent-stack", MAPPER.readTree(AgentStackTemplate.synthesize(dir.resolve("agent")).toFile()));
        try (InputStream in = ExecutionPolicyTest.class.getResourceAsStream("resource-type-permissions.json")) {
            permissions = MAPPER.readTree(in);
        }
        policy = MAPPER.readTree(POLICY.toFile());
    }

    static Set<String> types() {
        Set<String> types = new TreeSet<>();
        templates.values().forEach(t -> t.get("Resources").forEach(r -> types.add(r.get("Type").asText())));
        types.removeAll(NOT_PROVISIONED);
        return types;
    }

    static List<JsonNode> statements() {
        List<JsonNode> out = new ArrayList<>();
        policy.get("Statement").forEach(out::add);
        return out;
    }

    static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node == null) {
            return out;
        }
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else {
            out.add(node.asText());
        }
        return out;
    }

    /** IAM's matching: case-insensitive for actions, {@code *} any run of characters, {@code ?} one. */
    static boolean matches(String pattern, String value, boolean ignoreCase) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE : 0).matcher(value).matches();
    }

    @Test
    void everyResourceTypeOfEveryTemplateHasItsPermissionsWrittenDown() {
        List<String> unmapped = types().stream().filter(t -> !permissions.has(t)).toList();
        assertThat(unmapped).as("resource types without an entry in resource-type-permissions.json").isEmpty();
        assertThat(types()).contains("AWS::Lambda::Function", "AWS::AutoScaling::AutoScalingGroup", "AWS::ImageBuilder::ImagePipeline",
                "AWS::ResourceGroups::Group", "AWS::SNS::Subscription", "AWS::EC2::LaunchTemplate");
    }

    @Test
    void thePolicyAllowsEveryActionThatDeployingUpdatingAndDeletingEveryResourceNeeds() {
        List<String> actions = new ArrayList<>();
        statements().forEach(s -> {
            if (s.path("Effect").asText().equals("Allow")) {
                actions.addAll(strings(s.get("Action")));
            }
        });
        List<String> missing = new ArrayList<>();
        for (String type : types()) {
            JsonNode entry = permissions.get(type);
            for (String handler : List.of("create", "read", "update", "delete")) {
                for (String needed : strings(entry.get(handler))) {
                    if (actions.stream().noneMatch(a -> matches(a, needed, true))) {
                        missing.add(type + " " + handler + ": " + needed);
                    }
                }
            }
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void thePolicyNeverGrantsEverythingOnEverythingNorAWholeService() {
        for (JsonNode s : statements()) {
            List<String> actions = strings(s.get("Action"));
            List<String> resources = strings(s.get("Resource"));
            assertThat(s.path("Effect").asText()).isEqualTo("Allow");
            assertThat(s.has("NotAction") || s.has("NotResource")).as(s.path("Sid").asText()).isFalse();
            assertThat(actions).as(s.path("Sid").asText()).noneMatch(a -> a.equals("*") || a.endsWith(":*"));
            assertThat(actions.contains("*") && resources.contains("*")).isFalse();
        }
    }

    @Test
    void thePolicyFitsInOneManagedPolicy() throws Exception {
        String minified = MAPPER.writeValueAsString(policy);
        assertThat(minified.length()).isLessThanOrEqualTo(MANAGED_POLICY_MAX_CHARS);
    }

    @Test
    void theNamesTheStacksGiveAreTheNamesThePolicyScopesTo() {
        // Generated names start with the stack's name; explicit names are written here.
        assertThat(POLICY).content().contains(":role/" + ControlPlaneStack.NAME + "-*", ":role/" + InfraApp.IMAGE_PIPELINES_STACK + "-*",
                ":role/" + AgentStackNames.CLOUDFORMATION_PREFIX + "*", "autoScalingGroupName/" + AgentStackNames.CLOUDFORMATION_PREFIX + "*");
        Map<String, String> explicit = Map.of(
                "AWS::StepFunctions::StateMachine", "StateMachineName",
                "AWS::Scheduler::Schedule", "Name",
                "AWS::Events::EventBus", "Name",
                "AWS::CloudWatch::Dashboard", "DashboardName",
                "AWS::ImageBuilder::ImagePipeline", "Name",
                "AWS::ImageBuilder::ImageRecipe", "Name",
                "AWS::ImageBuilder::Component", "Name",
                "AWS::ResourceGroups::Group", "Name");
        List<String> resources = new ArrayList<>();
        statements().forEach(s -> resources.addAll(strings(s.get("Resource"))));
        List<String> uncovered = new ArrayList<>();
        templates.values().forEach(t -> t.get("Resources").forEach(r -> {
            String property = explicit.get(r.get("Type").asText());
            if (property != null) {
                String name = r.at("/Properties/" + property).asText();
                if (resources.stream().noneMatch(p -> p.contains("/") && matches(p.substring(p.lastIndexOf('/') + 1), name, false)
                        || p.contains(":") && matches(p.substring(p.lastIndexOf(':') + 1), name, false))) {
                    uncovered.add(r.get("Type").asText() + " " + name);
                }
            }
        }));
        assertThat(uncovered).isEmpty();
    }

    @Test
    void theWildcardMatchingOfTheCheckIsIamsOwn() {
        assertThat(matches("lambda:*Function*", "lambda:UpdateFunctionConfiguration", true)).isTrue();
        assertThat(matches("lambda:*Function*", "lambda:PublishVersion", true)).isFalse();
        assertThat(matches("ec2:Describe*", "EC2:DescribeVpcs", true)).isTrue();
        assertThat(matches("SemaphoreAgentStacks-*", "semaphoreagentstacks-x", false)).isFalse();
    }
}
