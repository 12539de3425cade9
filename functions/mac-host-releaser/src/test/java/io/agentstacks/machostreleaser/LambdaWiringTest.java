package io.agentstacks.machostreleaser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentstacks.aws.Ec2HostPool;
import io.agentstacks.aws.ResourceGroupsHostGroups;
import io.agentstacks.hosts.HostGroups;
import io.agentstacks.hosts.HostPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

class LambdaWiringTest {

    private final MacHostReleaserFunction function = new MacHostReleaserFunction();

    @AfterEach
    void close() {
        function.close();
    }

    @Test
    void theLambdaEntryBuildsTheHandlerOverTheEc2AndResourceGroupsAdapters() {
        assertThat(function.context().getBean(HostPool.class)).isInstanceOf(Ec2HostPool.class);
        assertThat(function.context().getBean(HostGroups.class)).isInstanceOf(ResourceGroupsHostGroups.class);
    }

    @Test
    void theScheduledSurplusTaskAnswersThroughTheEntryWithNoLiveStack() throws Exception {
        var out = new ByteArrayOutputStream();

        function.handleRequest(new ByteArrayInputStream("{\"action\":\"releaseSurplus\"}".getBytes(StandardCharsets.UTF_8)), out, null);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"stacks\":[]}");
    }

    @Test
    void badInputIsRefusedBeforeAnyCall() {
        var in = new ByteArrayInputStream("{\"action\":\"releaseEligible\",\"stack\":\"ios-builds\"}".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> function.handleRequest(in, new ByteArrayOutputStream(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("startedAt:");
    }
}
