package io.agentstacks.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.stepfunctions.StateMachine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.agentstacks.infra.CloudFormationResolverTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControlPlaneStackTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static Path dir;
    static ControlPlaneStack stack;
    static Template template;
    static JsonNode json;

    @BeforeAll
    static void synthesize() throws Exception {
        dir = Files.createTempDirectory("control-plane");
        App app = new App();
        stack = new ControlPlaneStack(app, ControlPlaneStack.NAME, StackProps.builder().build(),
                ControlPlaneFixture.props(dir, Optional.empty(), false));
        Aspects.of(app).add(new AwsSolutionsChecks());
        app.synth();
        template = Template.fromStack(stack);
        json = MAPPER.valueToTree(template.toJSON());
    }

    static Map<String, JsonNode> resources(String type) {
        Map<String, JsonNode> found = new HashMap<>();
        json.get("Resources").properties().forEach(e -> {
            if (e.getValue().path("Type").asText().equals(type)) {
                found.put(e.getKey(), e.getValue());
            }
        });
        return found;
    }

    static String logicalId(software.constructs.IConstruct construct) {
        return stack.getLogicalId((software.amazon.awscdk.CfnElement) construct.getNode().getDefaultChild());
    }

    static JsonNode policyOf(AgentFunction f) {
        String role = stack.getLogicalId((software.amazon.awscdk.CfnElement) f.role().getNode().getDefaultChild());
        List<JsonNode> statements = new ArrayList<>();
        json.at("/Resources/" + role + "/Properties/Policies").forEach(p -> p.at("/PolicyDocument/Statement").forEach(statements::add));
        resources("AWS::IAM::Policy").values().forEach(p -> {
            if (p.at("/Properties/Roles").toString().contains("\"" + role + "\"")) {
                p.at("/Properties/PolicyDocument/Statement").forEach(statements::add);
            }
        });
        return MAPPER.valueToTree(statements);
    }

    static JsonNode statement(AgentFunction f, String sid) {
        for (JsonNode s : policyOf(f)) {
            if (s.path("Sid").asText().equals(sid)) {
                return s;
            }
        }
        return null;
    }

    // ---- API ----

    @Test
    void everyApiMethodIsIamAuthorizedAndValidated() {
        Map<String, JsonNode> methods = resources("AWS::ApiGateway::Method");
        assertThat(methods).hasSize(6);
        methods.values().forEach(m -> {
            assertThat(m.at("/Properties/AuthorizationType").asText()).isEqualTo("AWS_IAM");
            assertThat(m.at("/Properties/RequestValidatorId").isMissingNode()).isFalse();
        });
        template.hasResourceProperties("AWS::ApiGateway::RequestValidator", Map.of("ValidateRequestBody", true, "ValidateRequestParameters", true));
    }

    @Test
    void theRoutesGoToStackApiAndTheTokenRouteToTheTokenRotatorAliases() {
        Map<String, String> paths = new HashMap<>();
        resources("AWS::ApiGateway::Resource").forEach((id, r) -> paths.put(id, r.at("/Properties/PathPart").asText()));
        assertThat(paths.values()).containsExactlyInAnyOrder("stacks", "validate", "{name}", "token");
        String apiAlias = logicalId(stack.functions().get(ControlPlaneFunction.STACK_API).alias());
        String tokenAlias = logicalId(stack.functions().get(ControlPlaneFunction.TOKEN_ROTATOR).alias());
        Set<String> routes = new HashSet<>();
        resources("AWS::ApiGateway::Method").values().forEach(m -> {
            String path = paths.get(m.at("/Properties/ResourceId/Ref").asText());
            String method = m.at("/Properties/HttpMethod").asText();
            String uri = m.at("/Properties/Integration/Uri").toString();
            routes.add(method + " " + path);
            assertThat(m.at("/Properties/Integration/Type").asText()).isEqualTo("AWS_PROXY");
            assertThat(uri).contains(path.equals("token") ? tokenAlias : apiAlias);
        });
        assertThat(routes).containsExactlyInAnyOrder("GET stacks", "POST stacks", "POST validate", "GET {name}", "DELETE {name}", "PUT token");
    }

    @Test
    void theStageIsThrottledAndLogsAccessButNeverBodies() {
        template.hasResourceProperties("AWS::ApiGateway::Stage", Match.objectLike(Map.of(
                "StageName", "prod",
                "AccessLogSetting", Match.objectLike(Map.of("DestinationArn", Match.anyValue())),
                "MethodSettings", List.of(Match.objectLike(Map.of(
                        "DataTraceEnabled", false, "LoggingLevel", "ERROR",
                        "ThrottlingRateLimit", StackApi.RATE_LIMIT, "ThrottlingBurstLimit", StackApi.BURST_LIMIT))))));
        String format = resources("AWS::ApiGateway::Stage").values().iterator().next().at("/Properties/AccessLogSetting/Format").asText();
        assertThat(format).contains("$context.identity.caller").doesNotContain("requestBody", "$input");
        template.hasResourceProperties("AWS::ApiGateway::GatewayResponse", Match.objectLike(Map.of(
                "ResponseType", "BAD_REQUEST_BODY",
                "ResponseParameters", Map.of("gatewayresponse.header.Content-Type", "'application/problem+json'"))));
    }

    // ---- registry and bus ----

    @Test
    void theRegistryIsOnDemandRecoverableEncryptedAndRetained() {
        template.hasResource("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "DeletionPolicy", "Retain",
                "UpdateReplacePolicy", "Retain",
                "Properties", Match.objectLike(Map.of(
                        "BillingMode", "PAY_PER_REQUEST",
                        "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                        "SSESpecification", Map.of("SSEEnabled", true),
                        "KeySchema", List.of(Map.of("AttributeName", "name", "KeyType", "HASH")),
                        "GlobalSecondaryIndexes", List.of(Match.objectLike(Map.of("IndexName", "byName"))))))));
    }

    // ---- functions ----

    @Test
    void everyFunctionIsJava21OnArm64WithSnapStartItsMemoryTimeoutHandlerAndOwnRole() {
        Map<String, JsonNode> functions = resources("AWS::Lambda::Function");
        assertThat(functions).hasSize(ControlPlaneFunction.values().length);
        Set<String> roles = new HashSet<>();
        for (ControlPlaneFunction f : ControlPlaneFunction.values()) {
            AgentFunction af = stack.functions().get(f);
            JsonNode p = json.at("/Resources/" + logicalId(af.function()) + "/Properties");
            assertThat(p.get("Runtime").asText()).isEqualTo("java21");
            assertThat(p.get("Architectures")).isEqualTo(json("['arm64']"));
            assertThat(p.get("SnapStart")).isEqualTo(json("{'ApplyOn': 'PublishedVersions'}"));
            assertThat(p.get("Handler").asText()).isEqualTo(f.handler());
            assertThat(p.get("MemorySize").asInt()).isEqualTo(f.memoryMb());
            assertThat(p.get("Timeout").asInt()).isEqualTo(f.timeoutSeconds());
            roles.add(p.at("/Role").toString());
            assertThat(p.at("/LoggingConfig/LogGroup").isMissingNode()).isFalse();
        }
        assertThat(roles).as("one role per function").hasSize(ControlPlaneFunction.values().length);
        resources("AWS::Logs::LogGroup").values().forEach(g -> assertThat(g.at("/Properties/RetentionInDays").asInt()).isEqualTo(30));
    }

    @Test
    void everyCallerInvokesTheLiveAliasOfAPublishedVersion() {
        Map<String, JsonNode> aliases = resources("AWS::Lambda::Alias");
        assertThat(aliases).hasSize(ControlPlaneFunction.values().length);
        aliases.values().forEach(a -> {
            assertThat(a.at("/Properties/Name").asText()).isEqualTo(AgentFunction.ALIAS);
            assertThat(a.at("/Properties/FunctionVersion/Fn::GetAtt/1").asText()).isEqualTo("Version");
        });
        // Permissions, rules, schedules and state machines name aliases, never the unqualified functions.
        Set<String> functionIds = resources("AWS::Lambda::Function").keySet();
        resources("AWS::Lambda::Permission").values().forEach(p ->
                assertThat(functionIds).doesNotContain(p.at("/Properties/FunctionName/Fn::GetAtt/0").asText()));
        String body = json.get("Resources").toString();
        for (String id : functionIds) {
            assertThat(body).doesNotContain("{\"Fn::GetAtt\":[\"" + id + "\",\"Arn\"]}");
        }
    }

    /**
     * What each function's code reads (LambdaEnvironment.required/optional in the adapters' factories of the SDK
     * modules its jar holds, and in its own factory; README "Lambda jars"), as the references it must be.
     * stack-api's optional RELEASE_MAC_HOSTS_ARN is left unset: nothing in stack-api starts release-mac-hosts
     * (destroy-stack does), so it gets neither the variable nor the right to start it.
     */
    @Test
    void eachFunctionGetsExactlyTheEnvironmentItsCodeReadsNamingTheRightResources() {
        String table = "{\"Ref\":\"" + logicalId(stack.registry().table()) + "\"}";
        String bus = "{\"Ref\":\"" + logicalId(stack.events().bus()) + "\"}";
        Map<String, String> common = Map.of("REGISTRY_TABLE", table, "EVENT_BUS_NAME", bus);
        Map<String, String> api = new HashMap<>(common);
        api.put("PROVISION_STACK_ARN", "{\"Ref\":\"" + logicalId(stack.workflows().provision()) + "\"}");
        api.put("DESTROY_STACK_ARN", "{\"Ref\":\"" + logicalId(stack.workflows().destroy()) + "\"}");
        Map<ControlPlaneFunction, Map<String, String>> expected = new java.util.EnumMap<>(ControlPlaneFunction.class);
        expected.put(ControlPlaneFunction.STACK_API, api);
        for (ControlPlaneFunction f : List.of(ControlPlaneFunction.DEMAND_POLLER, ControlPlaneFunction.SCALER, ControlPlaneFunction.TOKEN_ROTATOR,
                ControlPlaneFunction.MAC_HOST_ALLOCATOR, ControlPlaneFunction.MAC_HOST_RELEASER)) {
            expected.put(f, common);
        }
        expected.forEach((f, variables) -> {
            JsonNode vars = json.at("/Resources/" + logicalId(stack.functions().get(f).function()) + "/Properties/Environment/Variables");
            Map<String, String> actual = new HashMap<>();
            vars.properties().forEach(v -> actual.put(v.getKey(), v.getValue().toString()));
            assertThat(actual).as(f.module()).isEqualTo(variables);
        });
        JsonNode deployerVars = json.at("/Resources/" + logicalId(stack.functions().get(ControlPlaneFunction.STACK_DEPLOYER).function())
                + "/Properties/Environment/Variables");
        Set<String> names = new HashSet<>();
        deployerVars.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("REGISTRY_TABLE", "EVENT_BUS_NAME", "AGENT_STACK_TEMPLATE_URL", "CLOUDFORMATION_ROLE_ARN");
        assertThat(deployerVars.get("REGISTRY_TABLE").toString()).isEqualTo(table);
        assertThat(deployerVars.get("EVENT_BUS_NAME").toString()).isEqualTo(bus);
        JsonNode deployer = json.at("/Resources/" + logicalId(stack.functions().get(ControlPlaneFunction.STACK_DEPLOYER).function())
                + "/Properties/Environment/Variables");
        assertThat(deployer.at("/AGENT_STACK_TEMPLATE_URL/Fn::Sub").asText())
                .matches("https://s3\\.\\$\\{AWS::Region}\\.\\$\\{AWS::URLSuffix}/cdk-[a-z0-9]+-assets-\\$\\{AWS::AccountId}-\\$\\{AWS::Region}/[0-9a-f]{64}\\.json");
        assertThat(deployer.at("/CLOUDFORMATION_ROLE_ARN/Fn::Sub").asText()).endsWith(":role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}");
    }

    // ---- least privilege ----

    @Test
    void theDeployerCreatesOnlyAgentStacksFromThePublishedTemplateWithTheExecutionRole() {
        AgentFunction deployer = stack.functions().get(ControlPlaneFunction.STACK_DEPLOYER);
        JsonNode deploy = statement(deployer, "DeployAgentStacks");
        assertThat(deploy.get("Action")).isEqualTo(json("['cloudformation:CreateStack', 'cloudformation:UpdateStack']"));
        assertThat(deploy.get("Resource").toString()).contains(":stack/agent-stack-*/*");
        assertThat(deploy.at("/Condition/StringEquals/cloudformation:TemplateUrl/Fn::Sub").asText()).endsWith(".json");
        assertThat(deploy.at("/Condition/StringEquals/cloudformation:RoleArn/Fn::Sub").asText()).contains("cfn-exec-role");
        JsonNode pass = statement(deployer, "PassTheDeploymentRole");
        assertThat(pass.at("/Condition/StringEquals/iam:PassedToService").asText()).isEqualTo("cloudformation.amazonaws.com");
        assertThat(statement(deployer, "DrainAndRollOutAgentStackGroups").at("/Condition/StringLike")).isEqualTo(json(
                "{'aws:ResourceTag/aws:cloudformation:stack-name': 'agent-stack-*'}"));
    }

    /**
     * Each Lambda's sdk-operations.txt lists every AWS operation its jar calls (its ShadedJarTest makes them); a call
     * its role does not allow fails in production only. Each must be allowed by an action of the function's role.
     */
    @Test
    void eachFunctionsRoleAllowsEveryAwsOperationItsJarCalls() throws Exception {
        Map<String, String> iamPrefix = Map.of("dynamodb", "dynamodb", "sfn", "states", "eventbridge", "events",
                "autoscaling", "autoscaling", "ec2", "ec2", "resourcegroups", "resource-groups", "ssm", "ssm",
                "cloudformation", "cloudformation");
        Map<String, List<String>> notAllowed = new java.util.TreeMap<>();
        for (ControlPlaneFunction f : ControlPlaneFunction.values()) {
            Path operations = ControlPlaneFixture.ROOT.resolve("functions").resolve(f.module()).resolve("sdk-operations.txt");
            assertThat(operations).as(f.module()).isRegularFile();
            Set<String> allowed = new HashSet<>();
            for (JsonNode statement : policyOf(stack.functions().get(f))) {
                if (statement.path("Effect").asText().equals("Allow")) {
                    JsonNode action = statement.get("Action");
                    if (action.isArray()) {
                        action.forEach(a -> allowed.add(a.asText()));
                    } else {
                        allowed.add(action.asText());
                    }
                }
            }
            for (String line : Files.readAllLines(operations)) {
                String[] words = line.replaceAll("#.*", "").trim().split("\\s+");
                if (words.length < 2) {
                    continue;
                }
                String prefix = iamPrefix.get(words[0]);
                assertThat(prefix).as(f.module() + ": SDK module " + words[0] + " has an IAM prefix here").isNotNull();
                for (int i = 1; i < words.length; i++) {
                    String action = prefix + ":" + words[i];
                    if (!allowed.contains(action)) {
                        notAllowed.computeIfAbsent(f.module(), k -> new ArrayList<>()).add(action);
                    }
                }
            }
        }
        assertThat(notAllowed).isEmpty();
    }

    @Test
    void onlyThePollerAndTheRotatorReachTokenParametersAndOnlyTaggedOnes() {
        for (ControlPlaneFunction f : ControlPlaneFunction.values()) {
            String policy = policyOf(stack.functions().get(f)).toString();
            boolean reads = f == ControlPlaneFunction.DEMAND_POLLER || f == ControlPlaneFunction.TOKEN_ROTATOR;
            assertThat(policy.contains("ssm:GetParameter")).as(f.module()).isEqualTo(reads);
            assertThat(policy.contains("ssm:PutParameter")).as(f.module()).isEqualTo(f == ControlPlaneFunction.TOKEN_ROTATOR);
        }
        JsonNode write = statement(stack.functions().get(ControlPlaneFunction.TOKEN_ROTATOR), "WriteTokenParameters");
        assertThat(write.at("/Condition/StringEquals")).isEqualTo(json("{'aws:ResourceTag/agent-stacks:token': 'true'}"));
        JsonNode decrypt = statement(stack.functions().get(ControlPlaneFunction.DEMAND_POLLER), "DecryptTokens");
        assertThat(decrypt.at("/Condition/StringEquals/kms:ViaService").toString()).contains("ssm.");
    }

    @Test
    void theScalerSetsCapacityOfAgentStackGroupsOnly() {
        JsonNode scale = statement(stack.functions().get(ControlPlaneFunction.SCALER), "ScaleAgentStackGroups");
        assertThat(scale.get("Action").asText()).isEqualTo("autoscaling:SetDesiredCapacity");
        assertThat(scale.at("/Condition/StringLike/aws:ResourceTag~1aws:cloudformation:stack-name").asText()).isEqualTo("agent-stack-*");
    }

    @Test
    void macHostsAreReleasedOnlyWhenTaggedForAStack() {
        JsonNode release = statement(stack.functions().get(ControlPlaneFunction.MAC_HOST_RELEASER), "ReleaseOwnHosts");
        assertThat(release.at("/Condition/Null")).isEqualTo(json("{'aws:ResourceTag/semaphore-agent-stack': 'false'}"));
        JsonNode allocate = statement(stack.functions().get(ControlPlaneFunction.MAC_HOST_ALLOCATOR), "AllocateTaggedHosts");
        assertThat(allocate.at("/Condition/Null")).isEqualTo(json("{'aws:RequestTag/semaphore-agent-stack': 'false'}"));
        JsonNode tag = statement(stack.functions().get(ControlPlaneFunction.MAC_HOST_ALLOCATOR), "TagHostsForTheirStack");
        assertThat(tag.at("/Condition/ForAllValues:StringEquals/aws:TagKeys")).isEqualTo(json(
                "['semaphore-agent-stack', 'semaphore-agent-stack-adopted']"));
        assertThat(policyOf(stack.functions().get(ControlPlaneFunction.MAC_HOST_ALLOCATOR)).toString()).doesNotContain("ec2:ReleaseHosts");
    }

    @Test
    void everyIamStatementNamesItsResourcesOrCarriesTheReasonItCannot() {
        IamStatements.assertWildcardsAreExplained(json);
    }

    @Test
    void cdkNagAwsSolutionsFindsNoUnsuppressedErrorOrWarningAndEverySuppressionSaysWhy() {
        assertThat(Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-.*"))).isEmpty();
        assertThat(Annotations.fromStack(stack).findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"))).isEmpty();
        IamStatements.assertEverySuppressionHasAReason(json);
    }

    // ---- workflows, schedules, rules ----

    @Test
    void theStateMachinesAreTheDefinitionsAsWrittenWithTheirPlaceholdersSubstitutedAndLogsWithoutData() {
        Map<String, JsonNode> machines = new HashMap<>();
        resources("AWS::StepFunctions::StateMachine").values().forEach(m -> machines.put(m.at("/Properties/StateMachineName").asText(), m));
        assertThat(machines).containsOnlyKeys("SemaphoreAgentStacks-provision-stack", "SemaphoreAgentStacks-destroy-stack",
                "SemaphoreAgentStacks-poll-demand", "SemaphoreAgentStacks-release-mac-hosts");
        Map<String, Path> definitions = ControlPlaneFixture.definitions();
        machines.forEach((name, m) -> {
            String workflow = name.substring("SemaphoreAgentStacks-".length());
            assertThat(m.at("/Properties/DefinitionString").asText()).isEqualTo(readString(definitions.get(workflow)));
            assertThat(m.at("/Properties/LoggingConfiguration/IncludeExecutionData").asBoolean()).isFalse();
            m.at("/Properties/DefinitionSubstitutions").forEach(v -> assertThat(v.at("/Ref").asText()).isNotEmpty());
        });
        assertThat(machines.get("SemaphoreAgentStacks-poll-demand").at("/Properties/StateMachineType").asText()).isEqualTo("EXPRESS");
        assertThat(machines.get("SemaphoreAgentStacks-release-mac-hosts").at("/Properties/StateMachineType").asText()).isEqualTo("STANDARD");
        assertThat(machines.get("SemaphoreAgentStacks-destroy-stack").at("/Properties/DefinitionSubstitutions/ReleaseMacHostsStateMachineArn/Ref").asText())
                .isEqualTo(logicalId(stack.macHosts().releaseMacHosts()));
        assertThat(machines.get("SemaphoreAgentStacks-provision-stack").at("/Properties/DefinitionSubstitutions/StackDeployerFunctionArn/Ref").asText())
                .isEqualTo(logicalId(stack.functions().get(ControlPlaneFunction.STACK_DEPLOYER).alias()));
    }

    @Test
    void aDefinitionWhosePlaceholdersInfraDoesNotFillIsRefused() throws Exception {
        Path wrong = Files.writeString(dir.resolve("wrong.asl.json"), "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\",\"Resource\":\"${Unknown}\",\"End\":true}}}");
        assertThatThrownBy(() -> StateMachineDefinitions.read(wrong, Map.of("Known", "x")))
                .hasMessageContaining("[Unknown]").hasMessageContaining("[Known]");
    }

    /** event-rules.json read as plain JSON (not through EventRoutesFile), its ${AWS::...} as CloudFormationResolver's. */
    static JsonNode eventRulesJson() throws Exception {
        String text = Files.readString(ControlPlaneFixture.eventRules());
        for (Map.Entry<String, String> p : CloudFormationResolver.PSEUDO.entrySet()) {
            text = text.replace("${" + p.getKey() + "}", p.getValue());
        }
        return MAPPER.readTree(text);
    }

    /** The control plane's resources, every Ref and Fn::GetAtt as "<Ref Id>" and "<GetAtt Id.Attr>", intrinsics evaluated. */
    static Map<String, JsonNode> resolved(String type) {
        ObjectNode resourcesOnly = MAPPER.createObjectNode();
        resourcesOnly.set("Resources", json.get("Resources"));
        CloudFormationResolver cfn = new CloudFormationResolver(resourcesOnly, Map.of());
        Map<String, JsonNode> found = new HashMap<>();
        resources(type).forEach((id, r) -> found.put(id, cfn.resolve(r.get("Properties"))));
        return found;
    }

    static String targetOf(JsonNode target) {
        if (target.has("function")) {
            ControlPlaneFunction f = java.util.Arrays.stream(ControlPlaneFunction.values())
                    .filter(c -> c.module().equals(target.get("function").asText())).findFirst().orElseThrow();
            return "<Ref " + logicalId(stack.functions().get(f).alias()) + ">";
        }
        StateMachine machine = Map.of("provision-stack", stack.workflows().provision(), "destroy-stack", stack.workflows().destroy(),
                "poll-demand", stack.demand().pollDemand(), "release-mac-hosts", stack.macHosts().releaseMacHosts())
                .get(target.get("stateMachine").asText());
        return "<Ref " + logicalId(machine) + ">";
    }

    @Test
    void theRulesAreExactlyThoseOfEventRulesJsonWithTheirBusPatternTargetAndDeliverySettings() throws Exception {
        List<JsonNode> expected = new ArrayList<>();
        for (JsonNode r : eventRulesJson().get("rules")) {
            ObjectNode e = MAPPER.createObjectNode();
            e.put("description", r.get("description").asText());
            e.put("bus", r.get("bus").asText().equals("control-plane") ? "<Ref " + logicalId(stack.events().bus()) + ">" : "default");
            e.set("pattern", r.get("eventPattern"));
            e.put("target", targetOf(r.get("target")));
            ObjectNode retry = e.putObject("retry");
            retry.put("MaximumRetryAttempts", r.at("/target/retryAttempts").asInt());
            retry.put("MaximumEventAgeInSeconds", r.at("/target/maximumEventAgeSeconds").asInt());
            expected.add(e);
        }
        List<JsonNode> actual = new ArrayList<>();
        resolved("AWS::Events::Rule").values().forEach(p -> {
            assertThat(p.get("Targets")).as("one target per rule").hasSize(1);
            assertThat(p.get("State").asText()).isEqualTo("ENABLED");
            ObjectNode a = MAPPER.createObjectNode();
            a.put("description", p.get("Description").asText());
            a.put("bus", p.path("EventBusName").asText("default"));
            a.set("pattern", p.get("EventPattern"));
            a.put("target", p.at("/Targets/0/Arn").asText());
            a.set("retry", p.at("/Targets/0/RetryPolicy"));
            actual.add(a);
        });
        assertThat(expected).as("event-rules.json has rules").isNotEmpty();
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void eachRuleMayInvokeItsFunctionsAliasAndNothingElse() throws Exception {
        Map<String, String> ruleIds = new HashMap<>();
        stack.routes().rules().forEach((name, rule) -> ruleIds.put(name, stack.getLogicalId(rule)));
        List<String> expected = new ArrayList<>();
        for (JsonNode r : eventRulesJson().get("rules")) {
            if (r.at("/target/function").isTextual()) {
                expected.add(targetOf(r.get("target")) + " <GetAtt " + ruleIds.get(r.get("name").asText()) + ".Arn>");
            }
        }
        List<String> actual = new ArrayList<>();
        resolved("AWS::Lambda::Permission").values().forEach(p -> {
            if (p.get("Principal").asText().equals("events.amazonaws.com")) {
                assertThat(p.get("Action").asText()).isEqualTo("lambda:InvokeFunction");
                actual.add(p.get("FunctionName").asText() + " " + p.get("SourceArn").asText());
            }
        });
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void theSchedulesAreExactlyThoseOfEventRulesJsonInUtcWithoutAWindowWithTheirInputAndDeliverySettings() throws Exception {
        List<JsonNode> expected = new ArrayList<>();
        for (JsonNode s : eventRulesJson().get("schedules")) {
            ObjectNode e = MAPPER.createObjectNode();
            e.put("name", ControlPlaneStack.NAME + "-" + s.get("name").asText());
            e.put("description", s.get("description").asText());
            e.put("expression", s.get("scheduleExpression").asText());
            e.put("target", targetOf(s.get("target")));
            e.set("input", s.get("input"));
            ObjectNode retry = e.putObject("retry");
            retry.put("MaximumEventAgeInSeconds", s.at("/target/maximumEventAgeSeconds").asInt());
            retry.put("MaximumRetryAttempts", s.at("/target/retryAttempts").asInt());
            expected.add(e);
        }
        List<JsonNode> actual = new ArrayList<>();
        for (JsonNode p : resolved("AWS::Scheduler::Schedule").values()) {
            assertThat(p.get("FlexibleTimeWindow")).isEqualTo(json("{'Mode': 'OFF'}"));
            assertThat(p.get("ScheduleExpressionTimezone").asText()).isEqualTo("Etc/UTC");
            assertThat(p.get("State").asText()).isEqualTo("ENABLED");
            assertThat(p.at("/Target/RoleArn").asText()).startsWith("<GetAtt ");
            ObjectNode a = MAPPER.createObjectNode();
            a.put("name", p.get("Name").asText());
            a.put("description", p.get("Description").asText());
            a.put("expression", p.get("ScheduleExpression").asText());
            a.put("target", p.at("/Target/Arn").asText());
            a.set("input", MAPPER.readTree(p.at("/Target/Input").asText()));
            a.set("retry", p.at("/Target/RetryPolicy"));
            actual.add(a);
        }
        assertThat(expected).as("event-rules.json has schedules").isNotEmpty();
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void eachTargetFunctionsLiveAliasRetriesFunctionErrorsAsEventRulesJsonSays() throws Exception {
        Map<String, JsonNode> expected = new HashMap<>();
        List<JsonNode> entries = new ArrayList<>();
        eventRulesJson().get("rules").forEach(entries::add);
        eventRulesJson().get("schedules").forEach(entries::add);
        for (JsonNode e : entries) {
            JsonNode t = e.get("target");
            if (t.has("functionRetryAttempts")) {
                ObjectNode c = MAPPER.createObjectNode();
                c.put("MaximumRetryAttempts", t.get("functionRetryAttempts").asInt());
                c.put("MaximumEventAgeInSeconds", t.get("functionMaximumEventAgeSeconds").asInt());
                c.put("Qualifier", AgentFunction.ALIAS);
                c.put("failureQueue", t.path("functionFailureQueue").asBoolean(false));
                expected.put(t.get("function").asText(), c);
            }
        }
        assertThat(expected).as("every function target of event-rules.json sets Lambda's retries")
                .containsOnlyKeys("scaler", "stack-deployer", "token-rotator", "mac-host-releaser");
        assertThat(expected.get("stack-deployer").get("failureQueue").asBoolean()).as("a dropped AMI roll-out is kept").isTrue();
        Map<String, JsonNode> actual = new HashMap<>();
        for (JsonNode r : resources("AWS::Lambda::EventInvokeConfig").values()) {
            JsonNode p = r.get("Properties");
            Map.Entry<ControlPlaneFunction, AgentFunction> function = stack.functions().entrySet().stream()
                    .filter(f -> p.get("FunctionName").equals(json("{'Ref': '" + logicalId(f.getValue().function()) + "'}")))
                    .findFirst().orElseThrow(() -> new AssertionError("not a control plane function: " + p));
            ObjectNode c = MAPPER.createObjectNode();
            c.put("MaximumRetryAttempts", p.get("MaximumRetryAttempts").asInt());
            c.put("MaximumEventAgeInSeconds", p.get("MaximumEventAgeInSeconds").asInt());
            // The alias's name, as CDK writes it: the 8th field of the alias ARN (...:function:<name>:live).
            assertThat(p.get("Qualifier")).isEqualTo(json("{'Fn::Select': [7, {'Fn::Split': [':', {'Ref': '"
                    + logicalId(function.getValue().alias()) + "'}]}]}"));
            c.put("Qualifier", AgentFunction.ALIAS);
            JsonNode onFailure = p.at("/DestinationConfig/OnFailure/Destination");
            c.put("failureQueue", !onFailure.isMissingNode());
            if (!onFailure.isMissingNode()) {
                assertThat(onFailure).isEqualTo(json("{'Fn::GetAtt': ['"
                        + logicalId(stack.routes().failureQueues().get(function.getKey().module())) + "', 'Arn']}"));
            }
            actual.put(function.getKey().module(), c);
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void theDeployersDroppedImageEventsGoToAnEncryptedSslOnlyQueueThatAlarmsToTheTopic() {
        assertThat(stack.routes().failureQueues()).containsOnlyKeys("stack-deployer");
        String queue = logicalId(stack.routes().failureQueues().get("stack-deployer"));
        JsonNode q = json.at("/Resources/" + queue + "/Properties");
        assertThat(q.get("SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(q.get("MessageRetentionPeriod").asInt()).isEqualTo(14 * 24 * 3600);
        JsonNode policy = resources("AWS::SQS::QueuePolicy").values().stream()
                .filter(p -> p.at("/Properties/Queues").toString().contains(queue)).findFirst().orElseThrow();
        assertThat(policy.at("/Properties/PolicyDocument/Statement").toString())
                .contains("\"Effect\":\"Deny\"").contains("\"aws:SecureTransport\":\"false\"");
        JsonNode alarm = resources("AWS::CloudWatch::Alarm").values().stream()
                .filter(a -> a.at("/Properties/Dimensions").toString().contains(queue)).findFirst().orElseThrow();
        assertThat(alarm.at("/Properties/MetricName").asText()).isEqualTo("ApproximateNumberOfMessagesVisible");
        assertThat(alarm.at("/Properties/Threshold").asDouble()).isEqualTo(1.0);
        assertThat(alarm.at("/Properties/ComparisonOperator").asText()).isEqualTo("GreaterThanOrEqualToThreshold");
        assertThat(alarm.at("/Properties/AlarmActions").toString()).contains(logicalId(stack.alarms().topic()));
        // Lambda sends the dropped event with the function's own role.
        assertThat(policyOf(stack.functions().get(ControlPlaneFunction.STACK_DEPLOYER)).toString())
                .contains("sqs:SendMessage").contains(queue);
    }

    @Test
    void pollDemandStartsEveryMinuteWithItsScheduledTimeAndTheTokenCheckRunsDaily() {
        template.hasResourceProperties("AWS::Scheduler::Schedule", Match.objectLike(Map.of(
                "ScheduleExpression", "rate(1 minute)",
                "Target", Match.objectLike(Map.of(
                        "Arn", Map.of("Ref", logicalId(stack.demand().pollDemand())),
                        "Input", "{\"scheduledTime\":\"<aws.scheduler.scheduled-time>\"}")))));
        template.hasResourceProperties("AWS::Scheduler::Schedule", Match.objectLike(Map.of(
                "ScheduleExpression", "cron(0 6 * * ? *)",
                "Target", Match.objectLike(Map.of(
                        "Arn", Map.of("Ref", logicalId(stack.functions().get(ControlPlaneFunction.TOKEN_ROTATOR).alias())),
                        "Input", "{\"action\":\"dailyCheck\"}")))));
    }

    @Test
    void surplusMacHostsOfLiveStacksAreReleasedEveryFifteenMinutes() {
        // "releaseSurplus" is the action of MacHostReleaserHandler that releases hosts above reservedHosts, empty past 24 h.
        template.hasResourceProperties("AWS::Scheduler::Schedule", Match.objectLike(Map.of(
                "ScheduleExpression", "rate(15 minutes)",
                "Target", Match.objectLike(Map.of(
                        "Arn", Map.of("Ref", logicalId(stack.functions().get(ControlPlaneFunction.MAC_HOST_RELEASER).alias())),
                        "Input", "{\"action\":\"releaseSurplus\"}")))));
        // Its role may invoke the releaser's alias (and so its published versions) only.
        String role = resources("AWS::Scheduler::Schedule").values().stream()
                .filter(s -> s.at("/Properties/Target/Input").asText().contains("releaseSurplus"))
                .findFirst().orElseThrow().at("/Properties/Target/RoleArn/Fn::GetAtt/0").asText();
        String policy = resources("AWS::IAM::Policy").values().stream()
                .filter(p -> p.at("/Properties/Roles").toString().contains("\"" + role + "\""))
                .map(p -> p.at("/Properties/PolicyDocument/Statement").toString()).findFirst().orElseThrow();
        assertThat(policy).contains("lambda:InvokeFunction")
                .contains(logicalId(stack.functions().get(ControlPlaneFunction.MAC_HOST_RELEASER).alias()));
    }

    @Test
    void demandObservedGoesToTheScalerAndNewAgentAmisOfThisAccountToTheDeployer() {
        template.hasResourceProperties("AWS::Events::Rule", Match.objectLike(Map.of(
                "EventBusName", Map.of("Ref", logicalId(stack.events().bus())),
                "EventPattern", Map.of("source", List.of("semaphore.agent-stacks"), "detail-type", List.of("DemandObserved")),
                "Targets", List.of(Match.objectLike(Map.of("Arn", Map.of("Ref", logicalId(stack.functions().get(ControlPlaneFunction.SCALER).alias()))))))));
        template.hasResourceProperties("AWS::Events::Rule", Match.objectLike(Map.of(
                "EventPattern", Match.objectLike(Map.of(
                        "source", List.of("aws.imagebuilder"),
                        "detail-type", List.of("EC2 Image Builder Image State Change"),
                        "resources", List.of(Map.of("prefix", Map.of("Fn::Sub",
                                "arn:${AWS::Partition}:imagebuilder:${AWS::Region}:${AWS::AccountId}:image/" + ImagePipeline.RECIPE_PREFIX))),
                        "detail", Map.of("state", Map.of("status", List.of("AVAILABLE"))))),
                "Targets", List.of(Match.objectLike(Map.of("Arn", Map.of("Ref", logicalId(stack.functions().get(ControlPlaneFunction.STACK_DEPLOYER).alias()))))))));
    }

    // ---- alarms, dashboard, outputs ----

    @Test
    void everyFunctionWorkflowAndTokenFailureAlarmsToTheEncryptedTopic() {
        Map<String, JsonNode> alarms = resources("AWS::CloudWatch::Alarm");
        assertThat(alarms).hasSize(ControlPlaneFunction.values().length * 2 + ControlPlaneProps.WORKFLOWS.size() * 2 + 3
                + stack.routes().failureQueues().size());
        String topic = logicalId(stack.alarms().topic());
        alarms.values().forEach(a -> assertThat(a.at("/Properties/AlarmActions").toString()).contains(topic));
        Set<String> metrics = new HashSet<>();
        alarms.values().forEach(a -> metrics.add(a.at("/Properties/MetricName").asText(a.at("/Properties/Metrics/0/Expression").asText())));
        assertThat(metrics).contains("Errors", "Throttles", "ExecutionsFailed", "ExecutionsTimedOut",
                "SELECT MAX(TokenRejected) FROM SCHEMA(\"SemaphoreAgentStacks\", Stack)");
        assertThat(alarms.values().stream().map(a -> a.at("/Properties/AlarmDescription").asText()))
                .anyMatch(d -> d.contains("release-mac-hosts") && d.contains("7 days"));
        template.hasResourceProperties("AWS::SNS::Topic", Match.objectLike(Map.of("KmsMasterKeyId", Match.anyValue())));
        template.resourceCountIs("AWS::SNS::Subscription", 0);
    }

    @Test
    void releaseMacHostsGivingUpAfterSevenDaysRaisesAnAlarmToTheTopic() throws Exception {
        // GiveUp, the state release-mac-hosts ends in when hosts are still allocated 7 days on, is a Fail state:
        // the execution counts in ExecutionsFailed.
        JsonNode definition = MAPPER.readTree(ControlPlaneFixture.definitions().get("release-mac-hosts").toFile());
        assertThat(definition.at("/States/GiveUp/Type").asText()).isEqualTo("Fail");
        String machine = logicalId(stack.macHosts().releaseMacHosts());
        JsonNode alarm = resources("AWS::CloudWatch::Alarm").values().stream()
                .filter(a -> a.at("/Properties/MetricName").asText().equals("ExecutionsFailed")
                        && a.at("/Properties/Dimensions").toString().contains("\"" + machine + "\""))
                .findFirst().orElseThrow();
        assertThat(alarm.at("/Properties/Namespace").asText()).isEqualTo("AWS/States");
        assertThat(alarm.at("/Properties/Threshold").asDouble()).isEqualTo(1.0);
        assertThat(alarm.at("/Properties/ComparisonOperator").asText()).isEqualTo("GreaterThanOrEqualToThreshold");
        assertThat(alarm.at("/Properties/AlarmDescription").asText()).contains("7 days");
        assertThat(alarm.at("/Properties/AlarmActions").toString()).contains(logicalId(stack.alarms().topic()));
    }

    @Test
    void theDashboardSearchesEveryStacksJobsAgentsAndDesiredCapacity() {
        String body = resources("AWS::CloudWatch::Dashboard").values().iterator().next().at("/Properties/DashboardBody").toString();
        assertThat(body).contains("MetricName=\\\\\\\"JobCount\\\\\\\" JobState=\\\\\\\"queued\\\\\\\"", "JobState=\\\\\\\"running\\\\\\\"",
                "AgentState=\\\\\\\"idle\\\\\\\"", "AgentState=\\\\\\\"occupied\\\\\\\"", "MetricName=\\\\\\\"DesiredCapacity\\\\\\\"",
                "SemaphoreAgentStacks,Stack");
    }

    @Test
    void theStackOutputsTheApiUrlTheBusAndTheTable() {
        assertThat(json.get("Outputs").has(ControlPlaneStack.API_URL_OUTPUT)).isTrue();
        assertThat(json.at("/Outputs/ApiUrl/Value").toString()).contains("execute-api").contains("DeploymentStageprod");
        assertThat(json.at("/Outputs/EventBusName/Value/Ref").asText()).isEqualTo(logicalId(stack.events().bus()));
        assertThat(json.at("/Outputs/RegistryTableName/Value/Ref").asText()).isEqualTo(logicalId(stack.registry().table()));
        assertThat(json.get("Outputs").size()).isEqualTo(5);
    }

    @Test
    void anAlarmEmailIsSubscribedAndXrayTracesEverythingWhenTheContextAsksForIt() throws Exception {
        App app = new App();
        ControlPlaneStack traced = new ControlPlaneStack(app, "Traced", StackProps.builder().build(),
                ControlPlaneFixture.props(dir, Optional.of("ops@example.com"), true));
        Template t = Template.fromStack(traced);
        t.hasResourceProperties("AWS::SNS::Subscription", Map.of("Protocol", "email", "Endpoint", "ops@example.com",
                "TopicArn", Match.anyValue()));
        t.allResourcesProperties("AWS::Lambda::Function", Match.objectLike(Map.of("TracingConfig", Map.of("Mode", "Active"))));
        t.allResourcesProperties("AWS::StepFunctions::StateMachine", Match.objectLike(Map.of("TracingConfiguration", Map.of("Enabled", true))));
        assertThatThrownBy(() -> ControlPlaneFixture.props(dir, Optional.of("not-an-address"), false))
                .hasMessageContaining("alarmEmail");
    }

    @Test
    void theAppRefusesToSynthesizeWithoutTheBuiltJarsAndSaysHowToBuildThem() throws Exception {
        Path empty = Files.createTempDirectory("no-build");
        Files.createDirectories(empty.resolve("image-recipes"));
        Files.copy(ControlPlaneFixture.ROOT.resolve("image-recipes/recipes.json"), empty.resolve("image-recipes/recipes.json"));
        assertThatThrownBy(() -> ControlPlaneProps.fromProject(empty, dir.resolve("t.json"), Optional.empty(), false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("functions/stack-api/target/stack-api.jar")
                .hasMessageContaining("statemachines/provision-stack.asl.json")
                .hasMessageContaining("mvn -B verify");
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
