package io.agentstacks.machostallocator;

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

    private final MacHostAllocatorFunction function = new MacHostAllocatorFunction();

    @AfterEach
    void close() {
        function.close();
    }

    @Test
    void theLambdaEntryBuildsTheHandlerOverTheEc2AndResourceGroupsAdapters() {
        assertThat(function.context().getBean(HostPool.class)).isInstanceOf(Ec2HostPool.class);
        assertThat(function.context().getBean(HostGroups.class)).isInstanceOf(ResourceGroupsHostGroups.class);
        assertThat(function.context().getBean(MacHostAllocatorHandler.class)).isNotNull();
    }

    @Test
    void theEntryReadsTheTaskJsonAndRefusesBadInputBeforeAnyCall() {
        var in = new ByteArrayInputStream("{\"action\":\"ensureHosts\",\"stack\":\"ghost\",\"specVersion\":1}"
                .getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> function.handleRequest(in, new ByteArrayOutputStream(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stack: no stack named ghost");
        assertThatThrownBy(() -> function.handleRequest(new ByteArrayInputStream("not json".getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), null))
                .hasMessage("input: not JSON");
    }
}
