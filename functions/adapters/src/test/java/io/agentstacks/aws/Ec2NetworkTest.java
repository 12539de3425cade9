package io.agentstacks.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.Network.NetworkException;
import io.agentstacks.stacks.Network.ResolvedNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.util.List;
import java.util.Optional;

class Ec2NetworkTest {

    @RegisterExtension
    static WireMockExtension aws = AwsStandIn.server();

    static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

    final Ec2Network network = new Ec2Network(AwsStandIn.client(Ec2Client.builder(), aws));

    static StackSpec.Builder spec() {
        return StackSpec.builder("ci", "ci-token").semaphoreOrganization("acme");
    }

    static MappingBuilder action(String action) {
        return post(urlEqualTo("/")).withRequestBody(containing("Action=" + action + "&"));
    }

    static ResponseDefinitionBuilder xml(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/xml;charset=UTF-8").withBody(body);
    }

    static String vpcs(String... ids) {
        StringBuilder items = new StringBuilder();
        for (String id : ids) {
            items.append("<item><vpcId>").append(id).append("</vpcId><ownerId>123456789012</ownerId><state>available</state>")
                    .append("<cidrBlock>172.31.0.0/16</cidrBlock><dhcpOptionsId>dopt-1</dhcpOptionsId>")
                    .append("<instanceTenancy>default</instanceTenancy><isDefault>true</isDefault></item>");
        }
        return "<DescribeVpcsResponse xmlns=\"" + NS + "\"><requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId><vpcSet>"
                + items + "</vpcSet></DescribeVpcsResponse>";
    }

    static String subnet(String id, String zone) {
        return subnet(id, "vpc-0default", zone);
    }

    static String subnet(String id, String vpcId, String zone) {
        return "<item><subnetId>" + id + "</subnetId><state>available</state><vpcId>" + vpcId + "</vpcId>"
                + "<cidrBlock>172.31.0.0/20</cidrBlock><availableIpAddressCount>4091</availableIpAddressCount>"
                + "<availabilityZone>" + zone + "</availabilityZone><defaultForAz>true</defaultForAz>"
                + "<mapPublicIpOnLaunch>true</mapPublicIpOnLaunch></item>";
    }

    static String subnets(String nextToken, String... items) {
        return "<DescribeSubnetsResponse xmlns=\"" + NS + "\"><requestId>r-2</requestId><subnetSet>" + String.join("", items)
                + "</subnetSet>" + (nextToken == null ? "" : "<nextToken>" + nextToken + "</nextToken>") + "</DescribeSubnetsResponse>";
    }

    void defaultVpcWithThreeSubnetsOverTwoPages() {
        aws.stubFor(action("DescribeVpcs").willReturn(xml(vpcs("vpc-0default"))));
        aws.stubFor(action("DescribeSubnets").withRequestBody(notContaining("NextToken")).willReturn(xml(subnets("p2",
                subnet("subnet-c", "us-east-1c"), subnet("subnet-a", "us-east-1a")))));
        aws.stubFor(action("DescribeSubnets").withRequestBody(containing("NextToken=p2")).willReturn(xml(subnets(null,
                subnet("subnet-b", "us-east-1b")))));
    }

    @Test
    void aSpecsOwnVpcSubnetsAndZonesPassThroughWithoutACall() {
        ResolvedNetwork n = network.resolve(spec().vpcId(Optional.of("vpc-own")).subnets(List.of("subnet-1", "subnet-2"))
                .availabilityZones(List.of("us-east-1b")).build());
        assertThat(n).isEqualTo(new ResolvedNetwork("vpc-own", List.of("subnet-1", "subnet-2"), List.of("us-east-1b")));
        aws.verify(0, postRequestedFor(urlEqualTo("/")));
    }

    @Test
    void aSpecsOwnSubnetsGiveTheZonesWhenTheSpecNamesNone() {
        aws.stubFor(action("DescribeSubnets").willReturn(xml(subnets(null,
                subnet("subnet-2", "vpc-own", "us-east-1d"), subnet("subnet-1", "vpc-own", "us-east-1b")))));

        ResolvedNetwork n = network.resolve(spec().vpcId(Optional.of("vpc-own")).subnets(List.of("subnet-1", "subnet-2")).build());

        assertThat(n).isEqualTo(new ResolvedNetwork("vpc-own", List.of("subnet-1", "subnet-2"), List.of("us-east-1b", "us-east-1d")));
        aws.verify(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=DescribeSubnets"))
                .withRequestBody(containing("SubnetId.1=subnet-1")).withRequestBody(containing("SubnetId.2=subnet-2"))
                .withRequestBody(notContaining("Filter")));
        aws.verify(0, postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=DescribeVpcs")));
    }

    @Test
    void aSubnetOutsideTheSpecsVpcIsNamed() {
        aws.stubFor(action("DescribeSubnets").willReturn(xml(subnets(null,
                subnet("subnet-1", "vpc-own", "us-east-1b"), subnet("subnet-2", "vpc-other", "us-east-1c")))));

        assertThatThrownBy(() -> network.resolve(spec().vpcId(Optional.of("vpc-own")).subnets(List.of("subnet-1", "subnet-2")).build()))
                .isInstanceOf(NetworkException.class)
                .hasMessage("stack ci: subnet(s) subnet-2 (in vpc-other) are not in vpcId vpc-own");
    }

    @Test
    void anUnknownSubnetIsANetworkErrorNamingIt() {
        aws.stubFor(action("DescribeSubnets").willReturn(aResponse().withStatus(400).withHeader("Content-Type", "text/xml;charset=UTF-8")
                .withBody("<Response><Errors><Error><Code>InvalidSubnetID.NotFound</Code><Message>The subnet ID 'subnet-9' does not exist"
                        + "</Message></Error></Errors><RequestID>r-11</RequestID></Response>")));

        assertThatThrownBy(() -> network.resolve(spec().vpcId(Optional.of("vpc-own")).subnets(List.of("subnet-9")).build()))
                .isInstanceOf(NetworkException.class)
                .hasMessageContaining("stack ci: EC2 DescribeSubnets of subnet-9 failed").hasMessageContaining("subnet-9' does not exist");
    }

    @Test
    void theDefaultVpcAndEveryDefaultSubnetAreFoundAndSortedByZone() {
        defaultVpcWithThreeSubnetsOverTwoPages();

        ResolvedNetwork n = network.resolve(spec().build());

        assertThat(n).isEqualTo(new ResolvedNetwork("vpc-0default", List.of("subnet-a", "subnet-b", "subnet-c"),
                List.of("us-east-1a", "us-east-1b", "us-east-1c")));
        aws.verify(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=DescribeVpcs"))
                .withRequestBody(containing("Filter.1.Name=isDefault")).withRequestBody(containing("Filter.1.Value.1=true")));
        aws.verify(2, postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=DescribeSubnets"))
                .withRequestBody(containing("Filter.1.Name=vpc-id")).withRequestBody(containing("Filter.1.Value.1=vpc-0default"))
                .withRequestBody(containing("Filter.2.Name=default-for-az")).withRequestBody(containing("Filter.2.Value.1=true")));
    }

    @Test
    void theSpecsZonesLimitTheSubnets() {
        defaultVpcWithThreeSubnetsOverTwoPages();
        ResolvedNetwork n = network.resolve(spec().availabilityZones(List.of("us-east-1c", "us-east-1a")).build());
        assertThat(n.subnetIds()).containsExactly("subnet-a", "subnet-c");
        assertThat(n.availabilityZones()).containsExactly("us-east-1a", "us-east-1c");
    }

    @Test
    void aZoneWithoutADefaultSubnetIsNamed() {
        defaultVpcWithThreeSubnetsOverTwoPages();
        assertThatThrownBy(() -> network.resolve(spec().availabilityZones(List.of("us-east-1a", "us-east-1f")).build()))
                .isInstanceOf(NetworkException.class).hasMessageContaining("us-east-1f").hasMessageContaining("vpc-0default");
    }

    @Test
    void aRegionWithoutADefaultVpcAsksForOneInTheSpec() {
        aws.stubFor(action("DescribeVpcs").willReturn(xml(vpcs())));
        assertThatThrownBy(() -> network.resolve(spec().build())).isInstanceOf(NetworkException.class)
                .hasMessage("stack ci: the region has no default VPC; set vpcId and subnets in the spec");
        aws.verify(0, postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=DescribeSubnets")));
    }

    @Test
    void aThrottledCallIsRetriedAndThenSucceeds() {
        aws.stubFor(action("DescribeVpcs").inScenario("throttle").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503).withHeader("Content-Type", "text/xml;charset=UTF-8")
                        .withBody("<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>"
                                + "</Error></Errors><RequestID>r-9</RequestID></Response>"))
                .willSetStateTo("retried"));
        aws.stubFor(action("DescribeVpcs").inScenario("throttle").whenScenarioStateIs("retried").willReturn(xml(vpcs("vpc-0default"))));
        aws.stubFor(action("DescribeSubnets").willReturn(xml(subnets(null, subnet("subnet-a", "us-east-1a")))));

        assertThat(network.resolve(spec().build()).subnetIds()).containsExactly("subnet-a");
        aws.verify(2, postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=DescribeVpcs")));
    }

    @Test
    void anEc2ErrorIsANetworkErrorNamingTheCall() {
        aws.stubFor(action("DescribeVpcs").willReturn(aResponse().withStatus(403).withHeader("Content-Type", "text/xml;charset=UTF-8")
                .withBody("<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform "
                        + "this operation.</Message></Error></Errors><RequestID>r-10</RequestID></Response>")));
        assertThatThrownBy(() -> network.resolve(spec().build())).isInstanceOf(NetworkException.class)
                .hasMessageContaining("DescribeVpcs").hasMessageContaining("not authorized");
    }
}
