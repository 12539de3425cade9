package io.agentstacks.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.agentstacks.hosts.DedicatedHost;
import io.agentstacks.hosts.HostPool;
import io.agentstacks.hosts.HostPool.AllocationResult;
import io.agentstacks.hosts.HostPool.ReleaseOutcome;
import io.agentstacks.hosts.HostState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

class Ec2HostPoolTest {

    @RegisterExtension
    static WireMockExtension aws = WireMockExtension.newInstance()
            .options(wireMockConfig().bindAddress("127.0.0.1").dynamicPort()).build();

    private static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private Ec2HostPool pool;

    @BeforeEach
    void client() {
        pool = new Ec2HostPool(MacTestClients.ec2(aws.baseUrl()));
    }

    private static MappingBuilder action(String action) {
        return post(urlEqualTo("/")).withFormParam("Action", equalTo(action));
    }

    private static void answer(MappingBuilder request, int status, String xml) {
        aws.stubFor(request.willReturn(aResponse().withStatus(status).withHeader("Content-Type", "text/xml;charset=UTF-8")
                .withBody(xml)));
    }

    private static String ok(String action, String body) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + action + "Response xmlns=\"" + NS + "\">"
                + "<requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>" + body + "</" + action + "Response>";
    }

    private static String error(String code, String message) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + code + "</Code><Message>"
                + message + "</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>";
    }

    private static String host(String id, String state, String instanceXml, String tagsXml) {
        return host(id, state, instanceXml, tagsXml, true);
    }

    private static String host(String id, String state, String instanceXml, String tagsXml, boolean inHostGroup) {
        return "<item><autoPlacement>off</autoPlacement><availabilityZone>us-east-1a</availabilityZone>"
                + "<availableCapacity><availableInstanceCapacity><item><availableCapacity>" + (instanceXml.isEmpty() ? 1 : 0)
                + "</availableCapacity><instanceType>mac2.metal</instanceType><totalCapacity>1</totalCapacity></item>"
                + "</availableInstanceCapacity><availableVCpus>0</availableVCpus></availableCapacity>"
                + "<hostId>" + id + "</hostId>"
                + "<hostProperties><cores>8</cores><instanceType>mac2.metal</instanceType><sockets>1</sockets>"
                + "<totalVCpus>8</totalVCpus></hostProperties>"
                + "<instances>" + instanceXml + "</instances>"
                + "<state>" + state + "</state><allocationTime>2025-03-01T08:00:00.000Z</allocationTime>"
                + "<tagSet>" + tagsXml + "</tagSet><hostRecovery>off</hostRecovery>"
                + "<allowsMultipleInstanceTypes>off</allowsMultipleInstanceTypes><ownerId>123456789012</ownerId>"
                + "<availabilityZoneId>use1-az6</availabilityZoneId><memberOfServiceLinkedResourceGroup>" + inHostGroup
                + "</memberOfServiceLinkedResourceGroup>"
                + "<hostMaintenance>off</hostMaintenance></item>";
    }

    private static String stackTag() {
        return "<item><key>semaphore-agent-stack</key><value>mac-agents</value></item>";
    }

    private static final HostPool.HostRequest REQUEST =
            new HostPool.HostRequest("mac-agents", "mh-0123456789abcdef", "mac2-m2pro.metal", "us-east-1b", 1, false);

    @Test
    void allocateSendsTheInstanceTypeZoneTokenAndTheStacksTagAndAnswersTheHostIds() {
        answer(action("AllocateHosts"), 200, ok("AllocateHosts", "<hostIdSet><item>h-00548908djdsgfs</item></hostIdSet>"));

        var result = pool.allocate(REQUEST);

        assertThat(result).isEqualTo(new AllocationResult.Allocated(List.of("h-00548908djdsgfs")));
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withFormParam("Action", equalTo("AllocateHosts"))
                .withFormParam("ClientToken", equalTo("mh-0123456789abcdef"))
                .withFormParam("InstanceType", equalTo("mac2-m2pro.metal"))
                .withFormParam("AvailabilityZone", equalTo("us-east-1b"))
                .withFormParam("Quantity", equalTo("1"))
                .withFormParam("AutoPlacement", equalTo("off"))
                .withFormParam("TagSpecification.1.ResourceType", equalTo("dedicated-host"))
                .withFormParam("TagSpecification.1.Tag.1.Key", equalTo("semaphore-agent-stack"))
                .withFormParam("TagSpecification.1.Tag.1.Value", equalTo("mac-agents"))
                .withoutFormParam("InstanceFamily"));
    }

    @Test
    void insufficientHostCapacityIsAnAnswerNotAFailure() {
        answer(action("AllocateHosts"), 400, error("InsufficientHostCapacity",
                "There is no Dedicated Host capacity available to fulfill your request."));

        assertThat(pool.allocate(REQUEST)).isEqualTo(new AllocationResult.InsufficientCapacity("us-east-1b",
                "There is no Dedicated Host capacity available to fulfill your request."));
    }

    @Test
    void aThrottledCallIsRetriedByTheSdk() {
        aws.stubFor(action("AllocateHosts").inScenario("throttle").whenScenarioStateIs(STARTED).willSetStateTo("calm")
                .willReturn(aResponse().withStatus(503).withBody(error("RequestLimitExceeded", "Request limit exceeded."))));
        aws.stubFor(action("AllocateHosts").inScenario("throttle").whenScenarioStateIs("calm")
                .willReturn(aResponse().withStatus(200).withBody(ok("AllocateHosts", "<hostIdSet><item>h-1</item></hostIdSet>"))));

        assertThat(pool.allocate(REQUEST)).isEqualTo(new AllocationResult.Allocated(List.of("h-1")));
        aws.verify(2, postRequestedFor(urlEqualTo("/")).withFormParam("Action", equalTo("AllocateHosts")));
    }

    @Test
    void throttlingPastTheRetriesFailsNamingTheCallAndTheStack() {
        answer(action("ReleaseHosts"), 503, error("RequestLimitExceeded", "Request limit exceeded."));
        answer(action("AllocateHosts"), 503, error("RequestLimitExceeded", "Request limit exceeded."));

        assertThatThrownBy(() -> pool.allocate(REQUEST))
                .isInstanceOf(HostPool.HostPoolException.class)
                .hasMessage("AllocateHosts of mac2-m2pro.metal in us-east-1b for stack mac-agents failed: "
                        + "RequestLimitExceeded: Request limit exceeded.");
        assertThatThrownBy(() -> pool.release(List.of("h-1"))).hasMessageStartingWith("ReleaseHosts of [h-1] failed");
        aws.verify(MacTestClients.MAX_ATTEMPTS, postRequestedFor(urlEqualTo("/")).withFormParam("Action", equalTo("AllocateHosts")));
    }

    @Test
    void describeByStackFiltersOnTheStackTagAndFollowsEveryPage() {
        answer(action("DescribeHosts").withFormParam("NextToken", absent()), 200, ok("DescribeHosts",
                "<hostSet>" + host("h-0a1", "available", "<item><instanceId>i-0123456789abcdef0</instanceId>"
                        + "<instanceType>mac2.metal</instanceType><ownerId>123456789012</ownerId></item>", stackTag())
                        + "</hostSet><nextToken>page-2</nextToken>"));
        answer(action("DescribeHosts").withFormParam("NextToken", equalTo("page-2")), 200, ok("DescribeHosts",
                "<hostSet>" + host("h-0b2", "pending", "", stackTag(), false) + "</hostSet>"));

        List<DedicatedHost> hosts = pool.describeByStack("mac-agents");

        assertThat(hosts).containsExactly(
                new DedicatedHost("h-0a1", "us-east-1a", "mac2.metal", HostState.AVAILABLE, List.of("i-0123456789abcdef0"),
                        Instant.parse("2025-03-01T08:00:00Z"), Map.of("semaphore-agent-stack", "mac-agents"), Optional.empty(),
                        true),
                new DedicatedHost("h-0b2", "us-east-1a", "mac2.metal", HostState.PENDING, List.of(),
                        Instant.parse("2025-03-01T08:00:00Z"), Map.of("semaphore-agent-stack", "mac-agents"), Optional.empty()));
        aws.verify(2, postRequestedFor(urlEqualTo("/"))
                .withFormParam("Action", equalTo("DescribeHosts"))
                .withFormParam("Filter.1.Name", equalTo("tag:semaphore-agent-stack"))
                .withFormParam("Filter.1.Value.1", equalTo("mac-agents")));
    }

    @Test
    void describeLeavesOutHostsEc2DoesNotKnow() {
        answer(action("DescribeHosts").withFormParam("HostId.2", equalTo("h-gone")), 400,
                error("InvalidHostID.NotFound", "The host ID 'h-gone' does not exist"));
        answer(action("DescribeHosts").withFormParam("HostId.1", equalTo("h-gone")).withFormParam("HostId.2", absent()), 400,
                error("InvalidHostID.NotFound", "The host ID 'h-gone' does not exist"));
        answer(action("DescribeHosts").withFormParam("HostId.1", equalTo("h-0a1")).withFormParam("HostId.2", absent()), 200,
                ok("DescribeHosts", "<hostSet>" + host("h-0a1", "available", "", "") + "</hostSet>"));

        assertThat(pool.describe(List.of("h-0a1", "h-gone"))).extracting(DedicatedHost::hostId).containsExactly("h-0a1");
    }

    @Test
    void releaseReadsSuccessfulAndUnsuccessfulHostByHost() {
        answer(action("ReleaseHosts"), 200, ok("ReleaseHosts",
                "<successful><item>h-0a1</item></successful><unsuccessful>"
                        + "<item><error><code>Client.InvalidHost.Occupied</code><message>The host has running instances.</message></error>"
                        + "<resourceId>h-0b2</resourceId></item>"
                        + "<item><error><code>Client.InvalidHostID.NotFound</code><message>The host ID 'h-0c3' was not found</message></error>"
                        + "<resourceId>h-0c3</resourceId></item></unsuccessful>"));

        var outcomes = pool.release(List.of("h-0a1", "h-0b2", "h-0c3"));

        assertThat(outcomes).containsExactly(
                new ReleaseOutcome.Released("h-0a1"),
                new ReleaseOutcome.Refused("h-0b2", "Client.InvalidHost.Occupied", "The host has running instances."),
                new ReleaseOutcome.NotFound("h-0c3"));
        aws.verify(postRequestedFor(urlEqualTo("/")).withFormParam("Action", equalTo("ReleaseHosts"))
                .withFormParam("HostId.1", equalTo("h-0a1")).withFormParam("HostId.3", equalTo("h-0c3")));
    }

    @Test
    void tagPutsTheTagOnEveryHost() {
        answer(action("CreateTags"), 200, ok("CreateTags", "<return>true</return>"));

        pool.tag(List.of("h-0a1", "h-0b2"), "semaphore-agent-stack", "mac-agents");

        aws.verify(postRequestedFor(urlEqualTo("/")).withFormParam("Action", equalTo("CreateTags"))
                .withFormParam("ResourceId.1", equalTo("h-0a1")).withFormParam("ResourceId.2", equalTo("h-0b2"))
                .withFormParam("Tag.1.Key", equalTo("semaphore-agent-stack")).withFormParam("Tag.1.Value", equalTo("mac-agents")));
    }
}
