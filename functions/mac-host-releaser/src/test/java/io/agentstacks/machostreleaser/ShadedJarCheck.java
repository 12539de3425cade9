package io.agentstacks.machostreleaser;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.agentstacks.aws.Ec2HostPool;
import io.agentstacks.aws.ResourceGroupsHostGroups;
import io.agentstacks.hosts.HostGroupConfiguration;
import io.agentstacks.hosts.HostGroups;
import io.agentstacks.hosts.HostPool;
import io.micronaut.context.ApplicationContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.resourcegroups.ResourceGroupsClient;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Runs, in a JVM whose class path is a Lambda's shaded jar (plus WireMock and this class), every SDK operation
 * the Lambda calls, against a loopback stand-in answering in the wire format with every field filled in. The
 * shaded jars keep only the SDK classes those operations need (scripts/sdk-shade-filter.py); a class left out
 * by mistake fails here, at {@code verify}, instead of in Lambda. Also starts the Lambda's Micronaut context
 * from the jar and resolves the dedicated-host beans.
 */
public final class ShadedJarCheck {

    private static final String EC2 = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private ShadedJarCheck() {
    }

    public static void main(String[] args) {
        String jar = args.length > 0 ? args[0] : "the shaded jar";
        WireMockServer aws = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        aws.start();
        try {
            stubEc2(aws);
            stubResourceGroups(aws);
            stubEventBridge(aws);
            URI endpoint = URI.create(aws.baseUrl());
            var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secretEXAMPLE"));

            Ec2Client ec2 = Ec2Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                    .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
            HostPool pool = new Ec2HostPool(ec2);
            check(pool.allocate(new HostPool.HostRequest("ios-builds", "mh-1", "mac2.metal", "us-east-1a", 1, false))
                    .equals(new HostPool.AllocationResult.Allocated(List.of("h-0a1"))), "AllocateHosts");
            check(pool.describeByStack("ios-builds").get(0).instanceIds().equals(List.of("i-0123456789abcdef0")), "DescribeHosts");
            pool.tag(List.of("h-0a1"), "semaphore-agent-stack", "ios-builds");
            check(pool.release(List.of("h-0a1", "h-0b2")).get(1) instanceof HostPool.ReleaseOutcome.Refused, "ReleaseHosts");
            // Ec2Network's calls, made as it makes them.
            check(ec2.describeVpcsPaginator(b -> b.filters(Filter.builder().name("isDefault").values("true").build()))
                    .vpcs().stream().findFirst().orElseThrow().vpcId().equals("vpc-0abc"), "DescribeVpcs");
            check(ec2.describeSubnetsPaginator(b -> b.filters(Filter.builder().name("vpc-id").values("vpc-0abc").build()))
                    .subnets().stream().findFirst().orElseThrow().availabilityZone().equals("us-east-1a"), "DescribeSubnets");

            HostGroups groups = new ResourceGroupsHostGroups(ResourceGroupsClient.builder().endpointOverride(endpoint)
                    .region(Region.US_EAST_1).credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build());
            var config = new HostGroupConfiguration(List.of("mac2"), List.of(), true, true);
            check(groups.create("ios-builds", config, Map.of("semaphore-agent-stack", "ios-builds")).arn().endsWith("group/ios-builds"), "CreateGroup");
            check(groups.describe("ios-builds").orElseThrow().configuration().equals(config), "GetGroup");
            groups.configure("ios-builds", config);
            check(groups.hostIds("ios-builds").equals(List.of("h-0a1")), "ListGroupResources");
            check(groups.group("ios-builds", List.of("h-0a1")).succeeded().equals(List.of("h-0a1")), "GroupResources");
            check(groups.ungroup("ios-builds", List.of("h-0a1")).succeeded().equals(List.of("h-0a1")), "UngroupResources");
            check(groups.delete("ios-builds") instanceof HostGroups.DeleteResult.NotEmpty, "DeleteGroup");

            EventBridgeClient events = EventBridgeClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                    .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
            check(events.putEvents(b -> b.entries(PutEventsRequestEntry.builder().eventBusName("agent-stacks")
                    .source("semaphore.agent-stacks").detailType("MacHostReleased").detail("{}").build()))
                    .failedEntryCount() == 0, "PutEvents");

            try (ApplicationContext context = ApplicationContext.builder()
                    .deduceEnvironment(false).deduceCloudEnvironment(false).banner(false)
                    .environmentPropertySource(false).enableDefaultPropertySources(false).start()) {
                check(context.getBean(HostPool.class) instanceof Ec2HostPool, "HostPool bean");
                check(context.getBean(HostGroups.class) instanceof ResourceGroupsHostGroups, "HostGroups bean");
            }
            System.out.println("shaded jar check passed: " + jar);
        } finally {
            aws.stop();
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what + " did not answer as expected through the shaded jar");
        }
    }

    private static void xml(WireMockServer aws, String action, String body) {
        aws.stubFor(post(urlEqualTo("/")).withFormParam("Action", equalTo(action)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/xml;charset=UTF-8")
                .withBody("<" + action + "Response xmlns=\"" + EC2 + "\"><requestId>r-1</requestId>" + body + "</" + action + "Response>")));
    }

    private static void stubEc2(WireMockServer aws) {
        String tags = "<tagSet><item><key>semaphore-agent-stack</key><value>ios-builds</value></item></tagSet>";
        xml(aws, "AllocateHosts", "<hostIdSet><item>h-0a1</item></hostIdSet>");
        xml(aws, "DescribeHosts", "<hostSet><item><autoPlacement>off</autoPlacement><availabilityZone>us-east-1a</availabilityZone>"
                + "<availableCapacity><availableInstanceCapacity><item><availableCapacity>0</availableCapacity>"
                + "<instanceType>mac2.metal</instanceType><totalCapacity>1</totalCapacity></item></availableInstanceCapacity>"
                + "<availableVCpus>0</availableVCpus></availableCapacity><clientToken>mh-1</clientToken><hostId>h-0a1</hostId>"
                + "<hostProperties><cores>8</cores><instanceType>mac2.metal</instanceType><instanceFamily>mac2</instanceFamily>"
                + "<sockets>1</sockets><totalVCpus>8</totalVCpus></hostProperties><hostReservationId>hr-1</hostReservationId>"
                + "<instances><item><instanceId>i-0123456789abcdef0</instanceId><instanceType>mac2.metal</instanceType>"
                + "<ownerId>123456789012</ownerId></item></instances><state>available</state>"
                + "<allocationTime>2025-03-01T08:00:00.000Z</allocationTime><releaseTime>2025-03-03T08:00:00.000Z</releaseTime>"
                + tags + "<hostRecovery>off</hostRecovery><allowsMultipleInstanceTypes>off</allowsMultipleInstanceTypes>"
                + "<ownerId>123456789012</ownerId><availabilityZoneId>use1-az6</availabilityZoneId>"
                + "<memberOfServiceLinkedResourceGroup>true</memberOfServiceLinkedResourceGroup>"
                + "<outpostArn>arn:aws:outposts:us-east-1:123456789012:outpost/op-1</outpostArn><hostMaintenance>off</hostMaintenance>"
                + "<assetId>a-1</assetId><hostCpuOptions><amdSevSnp>disabled</amdSevSnp></hostCpuOptions></item></hostSet>");
        xml(aws, "CreateTags", "<return>true</return>");
        xml(aws, "ReleaseHosts", "<successful><item>h-0a1</item></successful><unsuccessful><item><error>"
                + "<code>Client.InvalidHost.Occupied</code><message>busy</message></error><resourceId>h-0b2</resourceId></item></unsuccessful>");
        xml(aws, "DescribeVpcs", "<vpcSet><item><vpcId>vpc-0abc</vpcId><ownerId>123456789012</ownerId><state>available</state>"
                + "<cidrBlock>172.31.0.0/16</cidrBlock><cidrBlockAssociationSet><item><cidrBlock>172.31.0.0/16</cidrBlock>"
                + "<associationId>vpc-cidr-assoc-1</associationId><cidrBlockState><state>associated</state>"
                + "<statusMessage>ok</statusMessage></cidrBlockState></item></cidrBlockAssociationSet>"
                + "<ipv6CidrBlockAssociationSet><item><ipv6CidrBlock>2600:1f18::/56</ipv6CidrBlock><associationId>a-2</associationId>"
                + "<ipv6CidrBlockState><state>associated</state></ipv6CidrBlockState><networkBorderGroup>us-east-1</networkBorderGroup>"
                + "<ipv6Pool>Amazon</ipv6Pool><ipSource>amazon</ipSource><ipv6AddressAttribute>public</ipv6AddressAttribute>"
                + "</item></ipv6CidrBlockAssociationSet><dhcpOptionsId>dopt-1</dhcpOptionsId><instanceTenancy>default</instanceTenancy>"
                + "<isDefault>true</isDefault>" + tags + "<blockPublicAccessStates><internetGatewayBlockMode>off</internetGatewayBlockMode>"
                + "</blockPublicAccessStates><encryptionControl><vpcId>vpc-0abc</vpcId><vpcEncryptionControlId>vec-1</vpcEncryptionControlId>"
                + "<mode>monitor</mode><state>available</state><stateMessage>ok</stateMessage><resourceExclusions>"
                + "<internetGateway><state>enabled</state><stateMessage>ok</stateMessage></internetGateway></resourceExclusions>"
                + "</encryptionControl></item></vpcSet>");
        xml(aws, "DescribeSubnets", "<subnetSet><item><subnetId>subnet-1</subnetId><subnetArn>arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1</subnetArn>"
                + "<state>available</state><ownerId>123456789012</ownerId><vpcId>vpc-0abc</vpcId><cidrBlock>172.31.0.0/20</cidrBlock>"
                + "<ipv6CidrBlockAssociationSet><item><ipv6CidrBlock>2600:1f18::/64</ipv6CidrBlock><associationId>a-3</associationId>"
                + "<ipv6CidrBlockState><state>associated</state></ipv6CidrBlockState><ipv6AddressAttribute>public</ipv6AddressAttribute>"
                + "<ipSource>amazon</ipSource></item></ipv6CidrBlockAssociationSet><availableIpAddressCount>4091</availableIpAddressCount>"
                + "<availabilityZone>us-east-1a</availabilityZone><availabilityZoneId>use1-az6</availabilityZoneId>"
                + "<defaultForAz>true</defaultForAz><mapPublicIpOnLaunch>true</mapPublicIpOnLaunch><assignIpv6AddressOnCreation>false"
                + "</assignIpv6AddressOnCreation>" + tags + "<privateDnsNameOptionsOnLaunch><hostnameType>ip-name</hostnameType>"
                + "<enableResourceNameDnsARecord>false</enableResourceNameDnsARecord><enableResourceNameDnsAAAARecord>false"
                + "</enableResourceNameDnsAAAARecord></privateDnsNameOptionsOnLaunch><blockPublicAccessStates>"
                + "<internetGatewayBlockMode>off</internetGatewayBlockMode></blockPublicAccessStates></item></subnetSet>");
    }

    private static void json(WireMockServer aws, String path, String body) {
        aws.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(body)));
    }

    private static void stubResourceGroups(WireMockServer aws) {
        String arn = "arn:aws:resource-groups:us-east-1:123456789012:group/ios-builds";
        String host = "arn:aws:ec2:us-east-1:123456789012:dedicated-host/h-0a1";
        String config = "[{\"Type\":\"AWS::EC2::HostManagement\",\"Parameters\":["
                + "{\"Name\":\"any-host-based-license-configuration\",\"Values\":[\"true\"]},"
                + "{\"Name\":\"allowed-host-families\",\"Values\":[\"mac2\"]},"
                + "{\"Name\":\"auto-allocate-host\",\"Values\":[\"true\"]},{\"Name\":\"auto-release-host\",\"Values\":[\"true\"]}]},"
                + "{\"Type\":\"AWS::ResourceGroups::Generic\",\"Parameters\":["
                + "{\"Name\":\"allowed-resource-types\",\"Values\":[\"AWS::EC2::Host\"]},"
                + "{\"Name\":\"deletion-protection\",\"Values\":[\"UNLESS_EMPTY\"]}]}]";
        String group = "{\"GroupArn\":\"" + arn + "\",\"Name\":\"ios-builds\",\"Description\":\"d\",\"Criticality\":1,"
                + "\"Owner\":\"o\",\"DisplayName\":\"n\",\"ApplicationTag\":{\"a\":\"b\"}}";
        json(aws, "/groups", "{\"Group\":" + group + ",\"ResourceQuery\":{\"Type\":\"TAG_FILTERS_1_0\",\"Query\":\"{}\"},"
                + "\"Tags\":{\"semaphore-agent-stack\":\"ios-builds\"},\"GroupConfiguration\":{\"Configuration\":" + config
                + ",\"ProposedConfiguration\":" + config + ",\"Status\":\"UPDATE_COMPLETE\",\"FailureReason\":\"\"}}");
        json(aws, "/get-group", "{\"Group\":" + group + "}");
        json(aws, "/get-group-configuration", "{\"GroupConfiguration\":{\"Configuration\":" + config + ",\"Status\":\"UPDATE_COMPLETE\"}}");
        json(aws, "/put-group-configuration", "{}");
        json(aws, "/list-group-resources", "{\"Resources\":[{\"Identifier\":{\"ResourceArn\":\"" + host
                + "\",\"ResourceType\":\"AWS::EC2::Host\"},\"Status\":{\"Name\":\"PENDING\"}}],"
                + "\"ResourceIdentifiers\":[{\"ResourceArn\":\"" + host + "\",\"ResourceType\":\"AWS::EC2::Host\"}],"
                + "\"QueryErrors\":[{\"ErrorCode\":\"CLOUDFORMATION_STACK_INACTIVE\",\"Message\":\"m\"}]}");
        String membership = "{\"Succeeded\":[\"" + host + "\"],\"Failed\":[],\"Pending\":[]}";
        json(aws, "/group-resources", membership);
        json(aws, "/ungroup-resources", membership);
        json(aws, "/delete-group", "{\"Group\":" + group + "}");
    }

    private static void stubEventBridge(WireMockServer aws) {
        aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AWSEvents.PutEvents"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"FailedEntryCount\":0,\"Entries\":[{\"EventId\":\"e-1\"}]}")));
    }
}
