package io.agentstacks.deployer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventSink;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.Network;
import io.agentstacks.stacks.StackDeployments;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.micronaut.context.ApplicationContext;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Run at {@code verify} with the shaded {@code stack-deployer.jar} (and the test classes) as the only class
 * path: starts the Lambda's lean context and calls every AWS operation the deployer's adapters make, through
 * the real beans, against a loopback stand-in. The jar's SDK modules are trimmed to those operations (the
 * sdk-filter in the pom); a class left out fails this check with NoClassDefFoundError instead of failing in
 * Lambda. Prints the milliseconds from JVM start to the last answer (a rough cold start); with the argument
 * {@code plain} the same ports are built by hand instead of by the context, for comparison.
 */
public final class ShadedJarCheck {

    private ShadedJarCheck() {
    }

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ShadedJarCheck::answer);
        server.start();
        try {
            Map.of("aws.region", "us-east-1", "aws.accessKeyId", "AKIDEXAMPLE", "aws.secretAccessKey", "fake-secret-for-check",
                    "aws.endpointUrl", "http://127.0.0.1:" + server.getAddress().getPort(),
                    "REGISTRY_TABLE", "agent-stacks-registry", "EVENT_BUS_NAME", "agent-stacks",
                    "AGENT_STACK_TEMPLATE_URL", "https://assets.example/agent-stack.json").forEach(System::setProperty);
            boolean plain = args.length > 0 && args[0].equals("plain");
            try (ApplicationContext context = plain ? null : StackDeployerFunction.contextBuilder().start()) {
                Ports ports = plain ? Ports.byHand() : Ports.of(context);
                StackSpec spec = StackSpec.builder("ci", "ci-token").semaphoreOrganization("acme").build();
                Network.ResolvedNetwork net = ports.network().resolve(spec);
                check(net.subnetIds().equals(java.util.List.of("subnet-a")), "DescribeVpcs/DescribeSubnets: " + net);

                StackDeployments cfn = ports.deployments();
                var request = new StackDeployments.DeploymentRequest("agent-stack-ci", "https://assets.example/agent-stack.json",
                        Map.of("MaxSize", "2"), Map.of("team", "ci"), "ci-v1-create");
                cfn.create(request);
                check(cfn.update(request) == StackDeployments.UpdateResult.STARTED, "UpdateStack");
                cfn.delete("agent-stack-ci", "ci-v1-delete");
                check(cfn.describe("agent-stack-ci") instanceof StackDeployments.DeploymentStatus.Failed f
                        && f.reason().equals("Role: denied"), "DescribeStacks/DescribeStackEvents");
                check(cfn.outputs("agent-stack-ci").isPresent(), "DescribeStacks outputs");

                StackRegistry registry = ports.registry();
                check(registry.get("ci").isEmpty(), "GetItem");
                check(registry.put(StackRecord.first(spec, Instant.EPOCH)) instanceof StackRegistry.PutResult.Stored, "PutItem");
                check(registry.list(Optional.empty(), 10).records().isEmpty(), "Query");
                check(registry.listLive().isEmpty(), "Query (live)");

                ports.events().publish(new DomainEvent.StackDeleted("ci", 1, Instant.EPOCH));
            }
            System.out.println("stack-deployer.jar: every adapter call answered (" + (plain ? "ports by hand" : "lean context") + "); "
                    + ManagementFactory.getRuntimeMXBean().getUptime() + " ms from JVM start");
        } finally {
            server.stop(0);
        }
    }

    private record Ports(Network network, StackDeployments deployments, StackRegistry registry, EventSink events) {
        static Ports of(ApplicationContext c) {
            return new Ports(c.getBean(Network.class), c.getBean(StackDeployments.class), c.getBean(StackRegistry.class),
                    c.getBean(EventSink.class));
        }

        static Ports byHand() {
            return new Ports(new io.agentstacks.aws.Ec2NetworkFactory().network(),
                    new io.agentstacks.aws.CloudFormationStackDeploymentsFactory().stackDeployments(),
                    new io.agentstacks.aws.DynamoDbStackRegistryFactory().stackRegistry(),
                    new io.agentstacks.aws.EventBridgeEventSinkFactory().eventSink());
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("shaded jar check failed: " + what);
        }
    }

    private static void answer(HttpExchange x) throws IOException {
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String target = x.getRequestHeaders().getFirst("X-Amz-Target");
        String action = body.startsWith("Action=") ? body.substring(7, body.indexOf('&')) : String.valueOf(target);
        String ns = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
        String reply = switch (action) {
            case "DescribeVpcs" -> "<DescribeVpcsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r</requestId>"
                    + "<vpcSet><item><vpcId>vpc-1</vpcId><isDefault>true</isDefault></item></vpcSet></DescribeVpcsResponse>";
            case "DescribeSubnets" -> "<DescribeSubnetsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r</requestId>"
                    + "<subnetSet><item><subnetId>subnet-a</subnetId><vpcId>vpc-1</vpcId><availabilityZone>us-east-1a</availabilityZone>"
                    + "<defaultForAz>true</defaultForAz></item></subnetSet></DescribeSubnetsResponse>";
            case "CreateStack", "UpdateStack" -> "<" + action + "Response xmlns=\"" + ns + "\"><" + action + "Result><StackId>arn:s</StackId></"
                    + action + "Result></" + action + "Response>";
            case "DeleteStack" -> "<DeleteStackResponse xmlns=\"" + ns + "\"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteStackResponse>";
            case "DescribeStacks" -> "<DescribeStacksResponse xmlns=\"" + ns + "\"><DescribeStacksResult><Stacks><member><StackName>agent-stack-ci"
                    + "</StackName><StackId>arn:s</StackId><CreationTime>2030-01-01T00:00:00Z</CreationTime><StackStatus>ROLLBACK_COMPLETE"
                    + "</StackStatus><Outputs><member><OutputKey>AutoScalingGroupName</OutputKey><OutputValue>g</OutputValue></member>"
                    + "</Outputs></member></Stacks></DescribeStacksResult></DescribeStacksResponse>";
            case "DescribeStackEvents" -> "<DescribeStackEventsResponse xmlns=\"" + ns + "\"><DescribeStackEventsResult><StackEvents>"
                    + "<member><EventId>1</EventId><StackId>arn:s</StackId><StackName>agent-stack-ci</StackName><LogicalResourceId>Role"
                    + "</LogicalResourceId><ResourceType>AWS::IAM::Role</ResourceType><Timestamp>2030-01-01T00:00:00Z</Timestamp>"
                    + "<ResourceStatus>CREATE_FAILED</ResourceStatus><ResourceStatusReason>denied</ResourceStatusReason></member>"
                    + "</StackEvents></DescribeStackEventsResult></DescribeStackEventsResponse>";
            case "DynamoDB_20120810.GetItem", "DynamoDB_20120810.PutItem" -> "{}";
            case "DynamoDB_20120810.Query" -> "{\"Count\":0,\"ScannedCount\":0,\"Items\":[]}";
            case "AWSEvents.PutEvents" -> "{\"FailedEntryCount\":0,\"Entries\":[{\"EventId\":\"e\"}]}";
            default -> null;
        };
        byte[] bytes = (reply == null ? "no stand-in answer for " + action : reply).getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", reply != null && reply.startsWith("<") ? "text/xml"
                : target != null && target.startsWith("AWSEvents") ? "application/x-amz-json-1.1" : "application/x-amz-json-1.0");
        x.sendResponseHeaders(reply == null ? 400 : 200, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }
}
