package io.agentstacks.machostallocator;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.lambdatesting.AwsStandIn;
import io.agentstacks.lambdatesting.LambdaJarTest;
import io.agentstacks.lambdatesting.LambdaProcess;
import io.agentstacks.lambdatesting.LambdaScenarios;
import org.junit.jupiter.api.Test;


/**
 * mac-host-allocator.jar as Lambda runs it (at verify, once shaded): its own JVM, the entry's no-argument
 * constructor, only the environment Lambda and the control plane give it, and every EC2, Resource Groups,
 * DynamoDB and EventBridge call answered by a loopback stand-in in the wire format.
 */
class ShadedJarTest extends LambdaJarTest {

    ShadedJarTest() {
        super(LambdaScenarios.macHostAllocator(), "EVENT_BUS_NAME");
    }

    @Test
    void hostsAreEnsuredOnceAndDetachedThroughTheRealAdapters() {
        String ensure = scenario.arrange().apply(aws);

        LambdaProcess.Result run = lambda().invoke(ensure, ensure,
                "{\"action\":\"detachHosts\",\"stack\":\"probe-mac\",\"specVersion\":1}",
                "{\"action\":\"ensureHosts\",\"stack\":\"ghost\",\"specVersion\":1}");

        scenario.check().accept(aws, run.answer(0));
        String hostIds = LambdaScenarios.json(run.answer(0)).path("hostIds").toString();
        assertThat(LambdaScenarios.json(run.answer(1)).path("hostIds").toString()).as("delivered twice: the same host").isEqualTo(hostIds);
        assertThat(aws.calls("AllocateHosts")).hasSize(1);
        assertThat(aws.calls("DescribeSubnets")).as("zones from the default VPC").isNotEmpty();
        assertThat(aws.calls("CreateGroup")).hasSize(1);
        assertThat(aws.calls("GroupResources")).isNotEmpty();
        assertThat(LambdaScenarios.json(run.answer(2)).path("hostIds").toString()).isEqualTo(hostIds);
        assertThat(aws.calls("UngroupResources")).isNotEmpty();
        assertThat(run.error(3)).contains("stack: no stack named ghost");
        assertThat(aws.calls("PutEvents")).singleElement().satisfies(c -> assertThat(c.body()).contains("MacHostsAllocated"));
        assertThat(run.everythingWritten()).doesNotContain(AwsStandIn.SECRET_ACCESS_KEY);
    }
}
