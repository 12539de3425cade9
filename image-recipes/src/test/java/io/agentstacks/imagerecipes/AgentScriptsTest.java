package io.agentstacks.imagerecipes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent's instance scripts, run on Linux (systemd) and macOS (launchd) platform files. */
class AgentScriptsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "reg-token-7f3c9a1e-SECRET";
    private static final String CONFIG_PARAMETER = "ci-agents-config";
    private static final String STACK_CONFIG = """
            {"endpoint":"acme.semaphoreci.com","agentTokenParameterName":"/ci/agent-token",
             "sshKeysParameterName":"ci-agents-ssh-public-keys","disconnectAfterJob":"true",
             "disconnectAfterIdleTimeout":"600","envVars":["SEMAPHORE_CACHE_BACKEND=s3","SEMAPHORE_CACHE_S3_BUCKET=ci-cache"],
             "usePreSignedURL":false,"stackName":"ci-agents","logGroupPrefix":"/semaphore-agent-stacks/ci-agents",
             "interruptionGracePeriodSeconds":120,"lifecycleHookName":"ci-agents-drain"}
            """;

    /** What each platform's service manager is asked to do, as the stand-ins record it. */
    enum Platform {
        LINUX("linux", "systemctl start semaphore-agent.service", "systemctl stop semaphore-agent.service",
                "systemctl start --no-block semaphore-agent-lifecycle-watch.service",
                "systemctl enable semaphore-agent-warm-wait.service", "systemctl disable semaphore-agent-warm-wait.service",
                "poweroff"),
        MACOS("macos", "launchctl kickstart system/com.semaphoreci.agent", "launchctl bootout system/com.semaphoreci.agent",
                "launchctl kickstart system/com.semaphoreci.lifecycle-watch",
                "launchctl enable system/com.semaphoreci.warm-wait", "launchctl disable system/com.semaphoreci.warm-wait",
                "aws --region eu-west-1 autoscaling set-instance-health --instance-id i-0123456789abcdef0 --health-status Unhealthy");

        final String dir, agentStart, agentStop, lifecycleWatchStart, warmWaitEnable, warmWaitDisable, retire;

        Platform(String dir, String agentStart, String agentStop, String lifecycleWatchStart, String warmWaitEnable,
                 String warmWaitDisable, String retire) {
            this.dir = dir;
            this.agentStart = agentStart;
            this.agentStop = agentStop;
            this.lifecycleWatchStart = lifecycleWatchStart;
            this.warmWaitEnable = warmWaitEnable;
            this.warmWaitDisable = warmWaitDisable;
            this.retire = retire;
        }
    }

    private static ScriptSandbox sandbox(Platform platform) throws Exception {
        ScriptSandbox box = new ScriptSandbox(platform.dir);
        box.answer("ssm.get-parameter." + CONFIG_PARAMETER, STACK_CONFIG);
        box.answer("ssm.get-parameter._ci_agent-token", TOKEN);
        box.answer("ssm.get-parameter.ci-agents-ssh-public-keys", "[\"ssh-ed25519 AAAAC3Nza\",\"ecdsa-sha2-nistp256 AAAAE2Vj\"]");
        return box;
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void startWritesTheAgentConfigFromTheParametersAndNeverPrintsTheToken(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.imds.lifecycleStates(List.of("InService"));

            ScriptSandbox.Result result = box.run("start.sh", CONFIG_PARAMETER);

            assertThat(result.exitCode()).as(result.output()).isZero();
            JsonNode config = JSON.readTree(box.file("config.yaml"));
            assertThat(config.get("endpoint").asText()).isEqualTo("acme.semaphoreci.com");
            assertThat(config.get("token").asText()).isEqualTo(TOKEN);
            assertThat(config.get("name").asText()).matches(ScriptSandbox.INSTANCE_ID + "__[0-9a-f]{16}");
            assertThat(config.get("disconnect-after-job").asBoolean()).isTrue();
            assertThat(config.get("disconnect-after-idle-timeout").asInt()).isEqualTo(600);
            assertThat(config.get("interruption-grace-period").asInt()).isEqualTo(120);
            assertThat(config.get("env-vars")).extracting(JsonNode::asText)
                    .containsExactly("SEMAPHORE_CACHE_BACKEND=s3", "SEMAPHORE_CACHE_S3_BUCKET=ci-cache");
            assertThat(config.get("shutdown-hook-path").asText()).isEqualTo(box.agentDir + "/shutdown-hook.sh");
            assertThat(config.get("pre-job-hook-path").asText()).isEqualTo(box.agentDir + "/pre-job-hook.sh");
            assertThat(config.get("post-job-hook-path").asText()).isEqualTo(box.agentDir + "/post-job-hook.sh");
            assertThat(Files.getPosixFilePermissions(box.agentDir.resolve("config.yaml")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));

            assertThat(result.output()).doesNotContain(TOKEN);
            assertThat(String.join("\n", box.calls())).doesNotContain(TOKEN);
            assertThat(box.calls()).contains(
                    "aws --region eu-west-1 ssm get-parameter --name ci-agents-config --query Parameter.Value --output text",
                    "aws --region eu-west-1 ssm get-parameter --with-decryption --name /ci/agent-token --query Parameter.Value --output text",
                    platform.agentStart,
                    platform.lifecycleWatchStart);
            assertThat(box.file("state")).isEqualToIgnoringNewLines("started");
            assertThat(JSON.readTree(box.file("instance.json")).get("groupName").asText()).isEqualTo(ScriptSandbox.GROUP);
            assertThat(Files.readString(box.home.resolve(".ssh/known_hosts")))
                    .isEqualTo("github.com ssh-ed25519 AAAAC3Nza\ngithub.com ecdsa-sha2-nistp256 AAAAE2Vj\n");
            assertThat(box.imds.readsWithoutToken()).isZero();
        }
    }

    /** The image's CloudWatch agent config as the stack's instances must ship it: under the stack's prefix, no retention. */
    private static JsonNode shippedAsTheStack(Platform platform, String prefix) throws Exception {
        JsonNode config = JSON.readTree(ScriptSandbox.RECIPES_DIR.resolve("scripts/" + platform.dir + "/amazon-cloudwatch-agent.json").toFile());
        List<JsonNode> entries = config.findParents("log_group_name");
        assertThat(entries).isNotEmpty();
        for (JsonNode entry : entries) {
            ObjectNode e = (ObjectNode) entry;
            assertThat(e.get("log_group_name").asText()).startsWith("/semaphore/");
            e.put("log_group_name", prefix + e.get("log_group_name").asText().substring("/semaphore".length()));
            e.remove("retention_in_days");
        }
        return config;
    }

    private static String cloudWatchRestart(ScriptSandbox box) {
        return "amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -c file:" + box.cloudWatchAgentDir
                + "/etc/semaphore-agent-stack.json -s";
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void startRestartsTheCloudWatchAgentOnTheStacksOwnLogGroupsBeforeTheAgentStarts(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.imds.lifecycleStates(List.of("InService"));
            String image = Files.readString(box.cloudWatchAgentDir.resolve("etc/amazon-cloudwatch-agent.json"));

            ScriptSandbox.Result result = box.run("start.sh", CONFIG_PARAMETER);

            assertThat(result.exitCode()).as(result.output()).isZero();
            // What the CloudWatch agent was handed when it restarted: the stack's groups, which the template made
            // with their retention and the instance role may write, and no retention_in_days (no PutRetentionPolicy).
            JsonNode shipped = JSON.readTree(box.state.resolve("cloudwatch-agent-config.json").toFile());
            assertThat(shipped).isEqualTo(shippedAsTheStack(platform, "/semaphore-agent-stacks/ci-agents"));
            assertThat(shipped.findValues("log_group_name")).extracting(JsonNode::asText)
                    .allMatch(g -> g.startsWith("/semaphore-agent-stacks/ci-agents/"));
            assertThat(shipped.findValues("retention_in_days")).isEmpty();
            List<String> calls = box.calls();
            assertThat(calls).contains(cloudWatchRestart(box));
            assertThat(calls.indexOf(cloudWatchRestart(box))).isLessThan(calls.indexOf(platform.agentStart));
            // The image's own file stays as built, and the scripts make no log group of their own.
            assertThat(Files.readString(box.cloudWatchAgentDir.resolve("etc/amazon-cloudwatch-agent.json"))).isEqualTo(image);
            assertThat(calls).noneMatch(c -> c.startsWith("aws") && c.contains(" logs "));
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void leavingTheWarmPoolShipsToTheSameLogGroupsAgainNotUnderADoublePrefix(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.imds.lifecycleStates(List.of("Warmed:Stopped"));
            assertThat(box.run("start.sh", CONFIG_PARAMETER).exitCode()).isZero();
            box.imds.lifecycleStates(List.of("InService"));

            ScriptSandbox.Result leaving = box.run("start.sh", "--wait-in-service");

            assertThat(leaving.exitCode()).as(leaving.output()).isZero();
            assertThat(box.calls()).filteredOn(cloudWatchRestart(box)::equals).hasSize(2);
            assertThat(JSON.readTree(box.state.resolve("cloudwatch-agent-config.json").toFile()))
                    .isEqualTo(shippedAsTheStack(platform, "/semaphore-agent-stacks/ci-agents"));
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void withoutALogGroupPrefixTheCloudWatchAgentIsLeftAsBuiltAndTheAgentStillStarts(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.answer("ssm.get-parameter." + CONFIG_PARAMETER, STACK_CONFIG.replace("\"logGroupPrefix\":\"/semaphore-agent-stacks/ci-agents\",", ""));
            box.imds.lifecycleStates(List.of("InService"));

            ScriptSandbox.Result result = box.run("start.sh", CONFIG_PARAMETER);

            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(result.stderr()).contains("no logGroupPrefix");
            assertThat(box.calls()).contains(platform.agentStart).noneMatch(c -> c.startsWith("amazon-cloudwatch-agent-ctl"));
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void startNamesTheAgentWithAPreSignedUrlWhenTheUsePreSignedUrlKeySaysSo(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.answer("ssm.get-parameter." + CONFIG_PARAMETER, STACK_CONFIG.replace("\"usePreSignedURL\":false", "\"usePreSignedURL\":\"true\""));
            String url = "https://sts.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Security-Token=SESSIONSECRET";
            Files.writeString(box.agentDir.resolve("gen-pre-signed-url.py"), "#!/usr/bin/env bash\necho '" + url + "'\n");

            ScriptSandbox.Result result = box.run("start.sh", CONFIG_PARAMETER);

            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(JSON.readTree(box.file("config.yaml")).get("name").asText()).isEqualTo(url);
            assertThat(result.output()).doesNotContain("SESSIONSECRET");
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void startMarksTheInstanceUnhealthyWhenTheTokenCannotBeRead(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.fail("ssm.get-parameter._ci_agent-token", "An error occurred (AccessDeniedException) when calling the GetParameter operation");

            ScriptSandbox.Result result = box.run("start.sh", CONFIG_PARAMETER);

            assertThat(result.exitCode()).isNotZero();
            assertThat(box.calls()).contains(
                    "aws --region eu-west-1 autoscaling set-instance-health --instance-id i-0123456789abcdef0 --health-status Unhealthy");
            assertThat(box.calls()).doesNotContain(platform.agentStart);
            assertThat(box.agentDir.resolve("config.yaml")).doesNotExist();
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void startRejectsAConfigParameterWithoutAnEndpointNamingTheKey(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.answer("ssm.get-parameter." + CONFIG_PARAMETER, "{\"agentTokenParameterName\":\"/ci/agent-token\"}");

            ScriptSandbox.Result result = box.run("start.sh", CONFIG_PARAMETER);

            assertThat(result.exitCode()).isNotZero();
            assertThat(result.stderr()).contains("has no 'endpoint'");
            assertThat(box.calls()).anyMatch(c -> c.contains("set-instance-health"));
            assertThat(String.join("\n", box.calls())).doesNotContain("--with-decryption");
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void startWithoutAConfigParameterNameFailsAndMarksTheInstanceUnhealthy(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            ScriptSandbox.Result result = box.run("start.sh");

            assertThat(result.exitCode()).isNotZero();
            assertThat(result.stderr()).contains("No agent config parameter name given");
            assertThat(box.calls()).anyMatch(c -> c.contains("set-instance-health"));
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void anInstanceEnteringTheWarmPoolPreparesWithoutRegisteringAndRegistersOnceItLeaves(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.imds.lifecycleStates(List.of("Warmed:Stopped"));

            ScriptSandbox.Result entering = box.run("start.sh", CONFIG_PARAMETER);

            assertThat(entering.exitCode()).as(entering.output()).isZero();
            assertThat(box.calls()).doesNotContain(platform.agentStart);
            assertThat(String.join("\n", box.calls())).doesNotContain("--with-decryption");
            assertThat(box.agentDir.resolve("config.yaml")).doesNotExist();
            assertThat(box.calls()).contains(platform.warmWaitEnable);
            assertThat(box.file("state")).isEqualToIgnoringNewLines("warmed");

            // Later, the instance boots out of the pool: the helper waits for InService, then registers.
            box.imds.lifecycleStates(List.of("Warmed:Stopped", "Warmed:Stopped", "InService"));
            ScriptSandbox.Result leaving = box.run("start.sh", "--wait-in-service");

            assertThat(leaving.exitCode()).as(leaving.output()).isZero();
            assertThat(box.calls()).contains(platform.agentStart, platform.warmWaitDisable);
            // Prepared twice (entering and leaving the pool), the known hosts are written once.
            assertThat(Files.readString(box.home.resolve(".ssh/known_hosts")))
                    .isEqualTo("github.com ssh-ed25519 AAAAC3Nza\ngithub.com ecdsa-sha2-nistp256 AAAAE2Vj\n");
            assertThat(JSON.readTree(box.file("config.yaml")).get("token").asText()).isEqualTo(TOKEN);
            assertThat(leaving.output()).doesNotContain(TOKEN);
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void theShutdownHookLowersDesiredCapacityOnIdleOnly(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.startedWith(STACK_CONFIG);

            ScriptSandbox.Result idle = box.run("shutdown-hook.sh", Map.of("SEMAPHORE_AGENT_SHUTDOWN_REASON", "IDLE"));
            ScriptSandbox.Result finished = box.run("shutdown-hook.sh", Map.of("SEMAPHORE_AGENT_SHUTDOWN_REASON", "JOB_FINISHED"));

            assertThat(idle.exitCode()).as(idle.output()).isZero();
            assertThat(finished.exitCode()).as(finished.output()).isZero();
            assertThat(box.calls()).containsExactly(
                    "aws --region eu-west-1 autoscaling terminate-instance-in-auto-scaling-group --instance-id i-0123456789abcdef0 --should-decrement-desired-capacity",
                    "aws --region eu-west-1 autoscaling terminate-instance-in-auto-scaling-group --instance-id i-0123456789abcdef0 --no-should-decrement-desired-capacity");
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void theShutdownHookLeavesAnInstanceThatIsAlreadyTerminatingToTheLifecycleHook(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.startedWith(STACK_CONFIG);
            Files.writeString(box.agentDir.resolve("state"), "terminating\n");

            ScriptSandbox.Result result = box.run("shutdown-hook.sh", Map.of("SEMAPHORE_AGENT_SHUTDOWN_REASON", "INTERRUPTED"));

            assertThat(result.exitCode()).isZero();
            assertThat(box.calls()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void theJobHooksProtectTheInstanceWhileAJobRunsWithTheInstanceProfileOnly(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.startedWith(STACK_CONFIG);
            // A job's own AWS credentials are in the hook's environment: they must not be used.
            Map<String, String> jobEnv = Map.of("AWS_ACCESS_KEY_ID", "AKIAJOBKEY", "AWS_SECRET_ACCESS_KEY", "job-secret");

            ScriptSandbox.Result pre = box.run("pre-job-hook.sh", jobEnv);
            ScriptSandbox.Result post = box.run("post-job-hook.sh", jobEnv);

            assertThat(pre.exitCode()).isZero();
            assertThat(post.exitCode()).isZero();
            assertThat(box.calls()).containsExactly(
                    "aws --region eu-west-1 autoscaling set-instance-protection --instance-ids i-0123456789abcdef0 --auto-scaling-group-name ci-agents-asg-1 --protected-from-scale-in",
                    "aws --region eu-west-1 autoscaling set-instance-protection --instance-ids i-0123456789abcdef0 --auto-scaling-group-name ci-agents-asg-1 --no-protected-from-scale-in");
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void theJobHooksNeverFailTheJobWhenAutoScalingCannotBeReached(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.startedWith(STACK_CONFIG);
            box.fail("autoscaling.set-instance-protection", "Could not connect to the endpoint URL");

            ScriptSandbox.Result pre = box.run("pre-job-hook.sh");

            assertThat(pre.exitCode()).isZero();
            assertThat(pre.stderr()).contains("Could not protect the instance from scale-in");
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void theLifecycleWatchStopsTheAgentGracefullyThenCompletesTheLifecycleAction(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.startedWith(STACK_CONFIG);
            box.imds.lifecycleStates(List.of("InService", "InService", "Terminated"));

            ScriptSandbox.Result result = box.run("lifecycle-watch.sh");

            assertThat(result.exitCode()).as(result.output()).isZero();
            String complete = "aws --region eu-west-1 autoscaling complete-lifecycle-action --lifecycle-hook-name ci-agents-drain"
                    + " --auto-scaling-group-name ci-agents-asg-1 --instance-id i-0123456789abcdef0 --lifecycle-action-result CONTINUE";
            assertThat(box.calls()).containsSubsequence(platform.agentStop, complete);
            assertThat(box.file("state")).isEqualToIgnoringNewLines("terminating");
            assertThat(result.stderr()).contains("grace period 120s");
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void theHealthCheckRetiresTheInstanceOnlyWhenTheAgentIsGone(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.startedWith(STACK_CONFIG);

            box.agentActive(true);
            assertThat(box.run("health-check.sh").exitCode()).isZero();
            assertThat(box.calls()).doesNotContain(platform.retire);

            box.agentActive(false);
            assertThat(box.run("health-check.sh").exitCode()).isZero();
            assertThat(box.calls()).contains(platform.retire);
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void theHealthCheckLeavesAWarmingInstanceAlone(Platform platform) throws Exception {
        try (ScriptSandbox box = sandbox(platform)) {
            box.startedWith(STACK_CONFIG);
            Files.writeString(box.agentDir.resolve("state"), "warmed\n");

            assertThat(box.run("health-check.sh").exitCode()).isZero();
            assertThat(box.calls()).isEmpty();
        }
    }
}
