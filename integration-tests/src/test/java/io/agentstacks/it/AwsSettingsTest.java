package io.agentstacks.it;

import io.agentstacks.it.aws.AwsSettings;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real-AWS suite's settings, checked in the default build (the suite itself runs only with -Paws). */
class AwsSettingsTest {

    private static AwsSettings read(Properties p, Map<String, String> env, boolean credentials) {
        return AwsSettings.read(p, env, () -> credentials);
    }

    @Test
    void withTheProfileOnButNothingGivenEveryMissingSettingIsNamedAtOnce() {
        assertThatThrownBy(() -> read(new Properties(), Map.of(), false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("-Paws")
                .hasMessageContaining("aws.it.region")
                .hasMessageContaining("aws.it.semaphoreOrganization")
                .hasMessageContaining("aws.it.tokenParameter")
                .hasMessageContaining("AWS credentials")
                .hasMessageContaining("Integration tests against a real account");
    }

    @Test
    void anApiTokenNeedsItsProjectAndAWaitMustBeMinutes() {
        Properties p = new Properties();
        p.setProperty("aws.it.region", "eu-west-1");
        p.setProperty("aws.it.semaphoreOrganization", "my-org");
        p.setProperty("aws.it.tokenParameter", "/semaphore/it/token");
        p.setProperty("aws.it.jobWaitMinutes", "soon");
        assertThatThrownBy(() -> read(p, Map.of("SEMAPHORE_API_TOKEN", "secret-api-token"), true))
                .hasMessageContaining("aws.it.semaphoreProjectId").hasMessageContaining("aws.it.jobWaitMinutes")
                .hasMessageNotContaining("secret-api-token");
    }

    @Test
    void completeSettingsAreReadAndTheApiTokenIsNeverShown() {
        Properties p = new Properties();
        p.setProperty("aws.it.semaphoreOrganization", "my-org");
        p.setProperty("aws.it.tokenParameter", "/semaphore/it/token");
        AwsSettings s = read(p, Map.of("AWS_REGION", "eu-west-1", "SEMAPHORE_API_TOKEN", "secret-api-token",
                "AGENT_STACKS_IT_SEMAPHORE_PROJECT_ID", "p-1"), true);
        assertThat(s.toString()).contains("region=eu-west-1").contains("deploy=true").doesNotContain("secret-api-token");
    }
}
