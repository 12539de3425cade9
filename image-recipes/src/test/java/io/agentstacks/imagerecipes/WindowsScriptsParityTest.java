package io.agentstacks.imagerecipes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PowerShell cannot run here: the Windows scripts are read instead, and must carry the same steps as
 * the shell scripts that the other tests run (the same AWS calls and flags, the same keys of the
 * stack's config parameter, the same agent config keys, the same lifecycle states).
 */
class WindowsScriptsParityTest {

    private static final Path COMMON = ScriptSandbox.RECIPES_DIR.resolve("scripts/common");
    private static final Path WINDOWS = ScriptSandbox.RECIPES_DIR.resolve("scripts/windows");
    private static final List<String> FLAGS = List.of("--should-decrement-desired-capacity", "--no-should-decrement-desired-capacity",
            "--protected-from-scale-in", "--no-protected-from-scale-in", "--lifecycle-action-result CONTINUE",
            "--health-status Unhealthy", "--with-decryption", "--lifecycle-hook-name", "--auto-scaling-group-name");

    @ParameterizedTest
    @ValueSource(strings = {"start", "shutdown-hook", "health-check", "pre-job-hook", "post-job-hook", "lifecycle-watch"})
    void theWindowsScriptMakesTheSameAwsCallsWithTheSameFlags(String step) throws IOException {
        String shell = Files.readString(COMMON.resolve(step + ".sh")) + Files.readString(COMMON.resolve("agent-lib.sh"));
        String powershell = Files.readString(WINDOWS.resolve(step + ".ps1")) + Files.readString(WINDOWS.resolve("agent-lib.ps1"));

        Set<String> shellCalls = matches(Pattern.compile("aws_cli\\s+([a-z0-9-]+)\\s+([a-z0-9-]+)"), shell);
        Set<String> windowsCalls = matches(Pattern.compile("Invoke-Aws\\s+([a-z0-9-]+)\\s+([a-z0-9-]+)"), powershell);
        assertThat(windowsCalls).containsAll(shellCalls);
        for (String flag : FLAGS) {
            if (shell.contains(flag)) {
                assertThat(powershell).as(step + " " + flag).contains(flag);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"start", "shutdown-hook", "health-check", "pre-job-hook", "post-job-hook", "lifecycle-watch"})
    void theWindowsScriptReadsTheSameKeysOfTheStackConfigParameter(String step) throws IOException {
        Set<String> shellKeys = matches(Pattern.compile("(?<![A-Za-z_])stack_config ([A-Za-z]+)"), Files.readString(COMMON.resolve(step + ".sh")));
        Set<String> windowsKeys = matches(Pattern.compile("Get-StackConfig\\s+'([A-Za-z]+)'"), Files.readString(WINDOWS.resolve(step + ".ps1")));
        assertThat(windowsKeys).isEqualTo(shellKeys);
    }

    @Test
    void theWindowsStartWritesTheSameAgentConfigKeys() throws IOException {
        String start = Files.readString(COMMON.resolve("start.sh"));
        String jqProgram = start.substring(start.indexOf("'{", start.indexOf("jq -n")), start.indexOf("}' >", start.indexOf("jq -n")));
        Set<String> shellKeys = matches(Pattern.compile("(?m)^\\s*\"?([a-z][a-z-]*)\"?:\\s"), jqProgram);
        Set<String> windowsKeys = matches(Pattern.compile("(?m)^\\s*'([a-z][a-z-]*)'\\s*="), Files.readString(WINDOWS.resolve("start.ps1")));
        assertThat(shellKeys).contains("token", "endpoint", "pre-job-hook-path", "post-job-hook-path", "interruption-grace-period");
        assertThat(windowsKeys).isEqualTo(shellKeys);
    }

    @Test
    void theWindowsStartPointsTheCloudWatchAgentAtTheStacksLogGroupsAsTheShellStartDoes() throws IOException {
        String shell = Files.readString(COMMON.resolve("start.sh"));
        String powershell = Files.readString(WINDOWS.resolve("start.ps1"));
        for (String script : List.of(shell, powershell)) {
            // From the image's file to the stack's, names under the stack's prefix, no retention, then a restart.
            assertThat(script).contains("amazon-cloudwatch-agent.json",
                    "semaphore-agent-stack.json", "/semaphore/", "retention_in_days", "-a fetch-config -m ec2 -c \"file:$");
            assertThat(script).containsPattern("fetch-config -m ec2 -c \"file:\\$[A-Za-z_]+\" -s");
        }
        // Before the agent starts (and again when the instance leaves a warm pool): in the preparing step.
        assertThat(shell).containsPattern("prepare\\(\\) \\{\\n  fetch_stack_config\\n  configure_log_shipping\\n");
        assertThat(powershell).containsPattern("function Initialize-Instance \\{\\n  Import-StackConfig\\n  Set-LogShipping\\n");
        // Both take the image's config from where the image build wrote it.
        assertThat(Files.readString(ScriptSandbox.RECIPES_DIR.resolve("components/windows/cloudwatch-config.yml")))
                .contains("C:\\ProgramData\\Amazon\\AmazonCloudWatchAgent\\amazon-cloudwatch-agent.json");
        assertThat(Files.readString(WINDOWS.resolve("agent-lib.ps1"))).contains("'C:\\ProgramData\\Amazon\\AmazonCloudWatchAgent'",
                "'C:\\Program Files\\Amazon\\AmazonCloudWatchAgent'");
        assertThat(Files.readString(ScriptSandbox.RECIPES_DIR.resolve("components/linux/cloudwatch-config.yml")))
                .contains("/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json");
        assertThat(Files.readString(COMMON.resolve("agent-lib.sh"))).contains(":-/opt/aws/amazon-cloudwatch-agent}");
    }

    @Test
    void theWindowsScriptsWatchTheSameLifecycleStates() throws IOException {
        String start = Files.readString(WINDOWS.resolve("start.ps1"));
        String watch = Files.readString(WINDOWS.resolve("lifecycle-watch.ps1"));
        assertThat(start).contains("'Warmed:*'", "'InService'");
        assertThat(watch).contains("'Terminated'");
        assertThat(Files.readString(COMMON.resolve("start.sh"))).contains("Warmed:*", "InService");
        assertThat(Files.readString(COMMON.resolve("lifecycle-watch.sh"))).contains("Terminated");
    }

    @Test
    void theWindowsScriptsUseImdsV2AndNeverLogTheToken() throws IOException {
        String lib = Files.readString(WINDOWS.resolve("agent-lib.ps1"));
        assertThat(lib).contains("-Method Put -Uri \"$ImdsEndpoint/latest/api/token\"", "'X-aws-ec2-metadata-token'");
        String start = Files.readString(WINDOWS.resolve("start.ps1"));
        for (String line : start.split("\n")) {
            if (line.contains("Write-Log")) {
                assertThat(line).as(line).doesNotContainIgnoringCase("$token");
            }
        }
    }

    private static Set<String> matches(Pattern pattern, String text) {
        Set<String> found = new LinkedHashSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            StringBuilder value = new StringBuilder(m.group(1));
            for (int g = 2; g <= m.groupCount(); g++) {
                value.append(' ').append(m.group(g));
            }
            found.add(value.toString());
        }
        return found;
    }
}
