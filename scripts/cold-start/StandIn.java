import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Loopback stand-in for the cold-start probe: answers SSM GetParameter (JSON 1.1), Auto Scaling
 * DescribeAutoScalingGroups and SetDesiredCapacity (Query/XML) and Semaphore's metrics endpoint, in
 * their real wire formats. Run: java StandIn.java; prints its base URL, serves until killed.
 */
public final class StandIn {

    private static final String NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", StandIn::answer);
        server.start();
        System.out.println("http://127.0.0.1:" + server.getAddress().getPort());
        System.out.flush();
    }

    private static void answer(HttpExchange x) throws IOException {
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String target = x.getRequestHeaders().getFirst("X-Amz-Target");
        String path = x.getRequestURI().getPath();
        if ("GET".equals(x.getRequestMethod()) && path.equals("/api/v1/self_hosted_agents/metrics")) {
            send(x, 200, "application/json", "{\"jobs\":{\"queued\":3,\"running\":1},\"agents\":{\"idle\":0,\"occupied\":1}}");
        } else if ("AmazonSSM.GetParameter".equals(target)) {
            send(x, 200, "application/x-amz-json-1.1", "{\"Parameter\":{\"Name\":\"/semaphore/probe/token\","
                    + "\"Type\":\"SecureString\",\"Value\":\"probe-token-0123456789\",\"Version\":1,\"DataType\":\"text\"}}");
        } else if (body.contains("Action=DescribeAutoScalingGroups")) {
            send(x, 200, "text/xml", "<DescribeAutoScalingGroupsResponse xmlns=\"" + NS + "\"><DescribeAutoScalingGroupsResult>"
                    + "<AutoScalingGroups><member><AutoScalingGroupName>probe-asg</AutoScalingGroupName><MinSize>0</MinSize>"
                    + "<MaxSize>20</MaxSize><DesiredCapacity>1</DesiredCapacity><Instances/></member></AutoScalingGroups>"
                    + "</DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>probe-1</RequestId></ResponseMetadata>"
                    + "</DescribeAutoScalingGroupsResponse>");
        } else if (body.contains("Action=SetDesiredCapacity")) {
            send(x, 200, "text/xml", "<SetDesiredCapacityResponse xmlns=\"" + NS + "\"><ResponseMetadata><RequestId>probe-2"
                    + "</RequestId></ResponseMetadata></SetDesiredCapacityResponse>");
        } else {
            send(x, 400, "text/plain", "unexpected request: " + x.getRequestMethod() + " " + path + " " + target);
        }
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(status, b.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(b);
        }
    }
}
