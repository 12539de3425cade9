package io.agentstacks.lambdatesting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.agentstacks.aws.DynamoDbStackRegistry;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback server that stands in for every AWS service the Lambdas call, and for Semaphore's metrics endpoint,
 * in their wire formats: JSON 1.0 (DynamoDB, Step Functions), JSON 1.1 (SSM, EventBridge), Query/XML (Auto Scaling,
 * CloudFormation, EC2) and REST-JSON (Resource Groups). A Lambda's SDK clients reach it through the SDK's own
 * {@code AWS_ENDPOINT_URL}; see {@link #lambdaEnvironment()}.
 *
 * <p>It behaves like the services for the calls the adapters make, with as little state as that takes: a registry
 * table (conditional writes, the name index, the live-status filter, pages), SSM parameters with versions,
 * Auto Scaling groups and instance refreshes, CloudFormation stacks that complete at once (their group then
 * exists), a default VPC, dedicated hosts and host resource groups, execution names used once, and a Semaphore
 * that answers every token except the ones {@link #rejectToken rejected}. Every request is recorded
 * ({@link #calls}); {@link #answer} replaces an operation's answer.
 */
public final class AwsStandIn implements AutoCloseable {

    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "123456789012";
    public static final String REGISTRY_TABLE = "agent-stacks-registry";
    public static final String EVENT_BUS = "agent-stacks";
    public static final String TEMPLATE_URL = "https://cp-assets.s3.us-east-1.amazonaws.com/agent-stack.template.json";
    public static final String CLOUDFORMATION_ROLE = "arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1";
    public static final String METRICS_PATH = "/api/v1/self_hosted_agents/metrics";
    /** A fake key pair in the shape of AWS's documentation examples; the stand-in checks only its presence. */
    public static final String ACCESS_KEY_ID = "AKIDEXAMPLE";
    public static final String SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    /** Where a SnapStart function gets its role's credentials: Lambda's container credentials endpoint. */
    public static final String CONTAINER_CREDENTIALS_PATH = "/2018-06-01/credentials";
    public static final String CONTAINER_AUTHORIZATION_TOKEN = "container-authorization-example";
    /** The session token the container endpoint hands out with the role's keys. */
    public static final String CONTAINER_SESSION_TOKEN = "container-session-token-example";
    public static final String CONTAINER_ACCESS_KEY_ID = "ASIACONTAINEREXAMPLE";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ASG_NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    private static final String CFN_NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
    private static final String EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private static final Map<String, String> QUERY_SERVICES = Map.of(
            "2011-01-01", "autoscaling", "2010-05-15", "cloudformation", "2016-11-15", "ec2");
    private static final Map<String, String> RESOURCE_GROUPS_PATHS = Map.of(
            "/groups", "CreateGroup", "/get-group", "GetGroup", "/get-group-configuration", "GetGroupConfiguration",
            "/put-group-configuration", "PutGroupConfiguration", "/list-group-resources", "ListGroupResources",
            "/group-resources", "GroupResources", "/ungroup-resources", "UngroupResources", "/delete-group", "DeleteGroup");

    /** One request as the stand-in saw it. */
    public record Call(String service, String operation, String method, String path, Map<String, String> headers, String body) {

        /** A form parameter of a Query-protocol call, e.g. {@code DesiredCapacity}. */
        public String param(String name) {
            return form(body).get(name);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body.isEmpty() ? "{}" : body);
            } catch (IOException e) {
                throw new IllegalStateException(operation + ": body is not JSON", e);
            }
        }

        public String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }
    }

    /** What the stand-in sends back. */
    public record Answer(int status, String contentType, String body, Map<String, String> headers) {
        public Answer(int status, String contentType, String body) {
            this(status, contentType, body, Map.of());
        }
    }

    /** An Auto Scaling group; {@code instances} are InService and unprotected; with a warm pool when {@code warmPool}. */
    public record Group(String name, int minSize, int maxSize, int desiredCapacity, int instances, boolean warmPool) {
    }

    /** A dedicated host; {@code tags} as EC2 holds them. */
    public record Host(String hostId, String availabilityZone, String instanceType, String state, List<String> instanceIds,
                       Instant allocatedAt, Map<String, String> tags) {
    }

    private record Parameter(String value, long version) {
    }

    private record CfnStack(String name, String id, String status, Map<String, String> outputs) {
    }

    private record HostGroup(String name, String arn, JsonNode configuration, Set<String> hostArns, JsonNode tags) {
    }

    private record Execution(String input, long startDate) {
    }

    private final HttpServer server;
    /** Semaphore's side: HTTPS, as the Lambdas' Semaphore source sends tokens over nothing else. */
    private final HttpsServer semaphoreServer;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Function<Call, Answer>> overrides = new ConcurrentHashMap<>();
    private final Set<String> rejectedTokens = ConcurrentHashMap.newKeySet();
    private volatile String metrics = "{\"jobs\":{\"queued\":3,\"running\":1},\"agents\":{\"idle\":0,\"occupied\":1}}";

    // Service state; every handler runs under this object's lock.
    private final TreeMap<String, ObjectNode> items = new TreeMap<>();
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Execution> executions = new LinkedHashMap<>();
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<String, String> runningRefreshes = new LinkedHashMap<>();
    private final Map<String, CfnStack> cfnStacks = new LinkedHashMap<>();
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Map<String, List<String>> hostsByClientToken = new LinkedHashMap<>();
    private final Map<String, HostGroup> hostGroups = new LinkedHashMap<>();
    private int sequence;

    private AwsStandIn(HttpServer server, HttpsServer semaphoreServer) {
        this.server = server;
        this.semaphoreServer = semaphoreServer;
    }

    /** Starts on 127.0.0.1, on free ports: one for AWS (HTTP), one for Semaphore (HTTPS). */
    public static AwsStandIn start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            HttpsServer semaphoreServer = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            semaphoreServer.setHttpsConfigurator(new HttpsConfigurator(StandInTls.get().serverContext()));
            AwsStandIn standIn = new AwsStandIn(server, semaphoreServer);
            for (HttpServer s : List.of(server, semaphoreServer)) {
                s.createContext("/", standIn::exchange);
                s.setExecutor(standIn.executor);
                s.start();
            }
            return standIn;
        } catch (IOException e) {
            throw new IllegalStateException("the stand-in could not bind a loopback port", e);
        }
    }

    /** Serves until killed, printing its URL: the cold-start script's stand-in. */
    public static void main(String[] args) {
        AwsStandIn standIn = start();
        System.out.println(standIn.url());
        System.out.flush();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Semaphore's base URL: HTTPS, with a certificate that only a JVM started with {@link #jvmFlags()} trusts. */
    public String semaphoreUrl() {
        return "https://127.0.0.1:" + semaphoreServer.getAddress().getPort();
    }

    /** What a Lambda's JVM needs to reach this stand-in's Semaphore: its trust store. */
    public List<String> jvmFlags() {
        return StandInTls.get().jvmFlags();
    }

    /**
     * What Lambda and the control plane's stack would give a function: region, the role's credentials, the
     * settings every function may read, and the SDK's endpoint override pointing every client here.
     */
    public Map<String, String> lambdaEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", REGION);
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
        env.put("AWS_ENDPOINT_URL", url());
        env.put("REGISTRY_TABLE", REGISTRY_TABLE);
        env.put("EVENT_BUS_NAME", EVENT_BUS);
        env.put("PROVISION_STACK_ARN", stateMachineArn("provision-stack"));
        env.put("DESTROY_STACK_ARN", stateMachineArn("destroy-stack"));
        env.put("RELEASE_MAC_HOSTS_ARN", stateMachineArn("release-mac-hosts"));
        env.put("AGENT_STACK_TEMPLATE_URL", TEMPLATE_URL);
        env.put("CLOUDFORMATION_ROLE_ARN", CLOUDFORMATION_ROLE);
        return env;
    }

    /**
     * The environment of a SnapStart function, which is how infra deploys every Lambda: no key pair in the
     * environment; the role's credentials come from the container credentials endpoint (here, the stand-in's).
     */
    public Map<String, String> snapStartEnvironment() {
        Map<String, String> env = lambdaEnvironment();
        env.remove("AWS_ACCESS_KEY_ID");
        env.remove("AWS_SECRET_ACCESS_KEY");
        env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", url() + CONTAINER_CREDENTIALS_PATH);
        env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_AUTHORIZATION_TOKEN);
        return env;
    }

    public static String stateMachineArn(String name) {
        return "arn:aws:states:" + REGION + ":" + ACCOUNT + ":stateMachine:" + name;
    }

    /** The registry table through the real DynamoDB adapter, for seeding and reading back. */
    public StackRegistry registry() {
        return new DynamoDbStackRegistry(DynamoDbClient.builder()
                .endpointOverride(URI.create(url()))
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
                .httpClient(UrlConnectionHttpClient.create())
                .build(), REGISTRY_TABLE);
    }

    /** Puts {@code record} in the registry as the control plane would have (a new item, revision 1). */
    public StackRecord seed(StackRecord record) {
        if (!(registry().put(record.toBuilder().revision(0).build()) instanceof StackRegistry.PutResult.Stored stored)) {
            throw new IllegalStateException("the registry already holds " + record.name());
        }
        return stored.stored();
    }

    public synchronized void parameter(String name, String value) {
        Parameter old = parameters.get(name);
        parameters.put(name, new Parameter(value, old == null ? 1 : old.version() + 1));
    }

    /** The current value of an SSM parameter, or null. */
    public synchronized String parameterValue(String name) {
        Parameter p = parameters.get(name);
        return p == null ? null : p.value();
    }

    public synchronized void group(Group group) {
        groups.put(group.name(), group);
    }

    public synchronized Group group(String name) {
        return groups.get(name);
    }

    /** A CloudFormation stack in {@code status} whose group (output AutoScalingGroupName) is {@code groupName}. */
    public synchronized void cloudFormationStack(String name, String status, String groupName) {
        cfnStacks.put(name, new CfnStack(name, "arn:aws:cloudformation:" + REGION + ":" + ACCOUNT + ":stack/" + name + "/" + (++sequence),
                status, Map.of("AutoScalingGroupName", groupName)));
    }

    public synchronized boolean hasCloudFormationStack(String name) {
        return cfnStacks.containsKey(name);
    }

    public synchronized void host(Host host) {
        hosts.put(host.hostId(), host);
    }

    /** An empty host resource group named {@code name}, with {@code tags}. */
    public synchronized void hostGroup(String name, Map<String, String> tags) {
        hostGroups.put(name, new HostGroup(name, "arn:aws:resource-groups:" + REGION + ":" + ACCOUNT + ":group/" + name,
                JSON.createArrayNode(), new LinkedHashSet<>(), JSON.valueToTree(tags)));
    }

    public synchronized boolean hasHostGroup(String name) {
        return hostGroups.containsKey(name);
    }

    public synchronized List<Host> hosts() {
        return List.copyOf(hosts.values());
    }

    /** Semaphore answers 401 to this token from now on. */
    public void rejectToken(String token) {
        rejectedTokens.add(token);
    }

    /** Semaphore's metrics answer from now on. */
    public void metrics(int queued, int running, int idle, int occupied) {
        metrics = "{\"jobs\":{\"queued\":" + queued + ",\"running\":" + running + "},\"agents\":{\"idle\":" + idle
                + ",\"occupied\":" + occupied + "}}";
    }

    /** Answers {@code operation} (e.g. {@code DescribeStacks}) with {@code answer} instead of the built-in behaviour. */
    public void answer(String operation, Function<Call, Answer> answer) {
        overrides.put(operation, answer);
    }

    public List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    public List<Call> calls(String operation) {
        return calls().stream().filter(c -> c.operation().equals(operation)).toList();
    }

    /** Every request line, header and body the stand-in received, as one text (for "no secret leaves" checks). */
    public String everythingReceived() {
        StringBuilder b = new StringBuilder();
        calls().forEach(c -> b.append(c.method()).append(' ').append(c.path()).append('\n').append(c.body()).append('\n'));
        return b.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        semaphoreServer.stop(0);
        executor.shutdownNow();
    }

    // ---- dispatch ----

    private void exchange(HttpExchange x) throws IOException {
        Answer answer;
        try {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> headers = new TreeMap<>();
            x.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            Call call = identify(x.getRequestMethod(), x.getRequestURI().getPath(), headers, body);
            calls.add(call);
            Function<Call, Answer> override = overrides.get(call.operation());
            if (override != null) {
                answer = override.apply(call);
            } else {
                synchronized (this) {
                    answer = builtIn(call);
                }
            }
        } catch (RuntimeException e) {
            answer = new Answer(500, "text/plain", "stand-in failure: " + e);
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", answer.contentType());
        answer.headers().forEach(x.getResponseHeaders()::set);
        x.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Call identify(String method, String path, Map<String, String> headers, String body) {
        String target = headers.get("x-amz-target");
        if (target != null) {
            String service = switch (target.substring(0, target.indexOf('.'))) {
                case "DynamoDB_20120810" -> "dynamodb";
                case "AWSStepFunctions" -> "sfn";
                case "AmazonSSM" -> "ssm";
                case "AWSEvents" -> "eventbridge";
                default -> "unknown";
            };
            return new Call(service, target.substring(target.indexOf('.') + 1), method, path, headers, body);
        }
        if ("GET".equals(method) && path.equals(CONTAINER_CREDENTIALS_PATH)) {
            return new Call("lambda-runtime", "GetContainerCredentials", method, path, headers, body);
        }
        if ("GET".equals(method) && path.equals(METRICS_PATH)) {
            return new Call("semaphore", "GetMetrics", method, path, headers, body);
        }
        if ("GET".equals(method) && path.startsWith("/resources/") && path.endsWith("/tags")) {
            return new Call("resourcegroups", "GetTags", method, path, headers, body);
        }
        if (RESOURCE_GROUPS_PATHS.containsKey(path)) {
            return new Call("resourcegroups", RESOURCE_GROUPS_PATHS.get(path), method, path, headers, body);
        }
        Map<String, String> form = form(body);
        if (form.containsKey("Action")) {
            return new Call(QUERY_SERVICES.getOrDefault(form.get("Version"), "unknown"), form.get("Action"), method, path, headers, body);
        }
        return new Call("unknown", method + " " + path, method, path, headers, body);
    }

    private Answer builtIn(Call c) {
        return switch (c.service()) {
            case "dynamodb" -> dynamoDb(c);
            case "sfn" -> stepFunctions(c);
            case "ssm" -> ssm(c);
            case "eventbridge" -> eventBridge(c);
            case "autoscaling" -> autoScaling(c);
            case "cloudformation" -> cloudFormation(c);
            case "ec2" -> ec2(c);
            case "resourcegroups" -> resourceGroups(c);
            case "semaphore" -> semaphore(c);
            case "lambda-runtime" -> containerCredentials(c);
            default -> new Answer(400, "text/plain", "the stand-in does not know " + c.method() + " " + c.path());
        };
    }

    // ---- DynamoDB (the registry table) ----

    private Answer dynamoDb(Call c) {
        JsonNode in = c.json();
        if (!REGISTRY_TABLE.equals(in.path("TableName").asText())) {
            return jsonError("1.0", "ResourceNotFoundException", "Requested resource not found: Table: " + in.path("TableName").asText());
        }
        ObjectNode out = JSON.createObjectNode();
        switch (c.operation()) {
            case "GetItem" -> {
                ObjectNode item = items.get(in.path("Key").path("name").path("S").asText());
                if (item != null) {
                    out.set("Item", item.deepCopy());
                }
            }
            case "PutItem" -> {
                ObjectNode item = (ObjectNode) in.get("Item");
                String name = item.path("name").path("S").asText();
                ObjectNode current = items.get(name);
                String condition = in.path("ConditionExpression").asText("");
                boolean ok = switch (condition) {
                    case "" -> true;
                    case "attribute_not_exists(#name)" -> current == null;
                    case "#revision = :read" -> current != null && current.path("revision").path("N").asText()
                            .equals(in.path("ExpressionAttributeValues").path(":read").path("N").asText());
                    default -> throw new IllegalArgumentException("condition the stand-in does not know: " + condition);
                };
                if (!ok) {
                    return conditionFailed(in, current);
                }
                items.put(name, item.deepCopy());
            }
            case "UpdateItem" -> {
                // The registry's narrow writes: SET attributes and ADD to the revision, conditioned on an observation time.
                String name = in.path("Key").path("name").path("S").asText();
                ObjectNode current = items.get(name);
                JsonNode names = in.path("ExpressionAttributeNames");
                JsonNode values = in.path("ExpressionAttributeValues");
                String condition = in.path("ConditionExpression").asText("");
                JsonNode stored = current == null ? null : current.get(names.path("#at").asText());
                java.math.BigDecimal at = new java.math.BigDecimal(values.path(":at").path("N").asText("0"));
                boolean ok = switch (condition) {
                    case "attribute_exists(#name) AND (attribute_not_exists(#at) OR #at < :at)" -> current != null
                            && (stored == null || new java.math.BigDecimal(stored.path("N").asText()).compareTo(at) < 0);
                    case "#at = :at" -> stored != null && new java.math.BigDecimal(stored.path("N").asText()).compareTo(at) == 0;
                    default -> throw new IllegalArgumentException("condition the stand-in does not know: " + condition);
                };
                if (!ok) {
                    return conditionFailed(in, current);
                }
                ObjectNode next = current.deepCopy();
                String update = in.path("UpdateExpression").asText();
                Matcher set = Pattern.compile("(#\\w+) = (:\\w+)").matcher(update.split(" ADD ")[0]);
                while (set.find()) {
                    next.set(names.path(set.group(1)).asText(), values.path(set.group(2)).deepCopy());
                }
                Matcher add = Pattern.compile("ADD (#\\w+) (:\\w+)").matcher(update);
                while (add.find()) {
                    String attribute = names.path(add.group(1)).asText();
                    long sum = next.path(attribute).path("N").asLong(0) + values.path(add.group(2)).path("N").asLong();
                    next.putObject(attribute).put("N", Long.toString(sum));
                }
                items.put(name, next);
            }
            case "Query" -> {
                JsonNode values = in.path("ExpressionAttributeValues");
                String after = values.path(":after").path("S").asText(null);
                String start = in.path("ExclusiveStartKey").path("name").path("S").asText(null);
                Set<String> statuses = new HashSet<>();
                Matcher m = Pattern.compile(":(\\w+)").matcher(in.path("FilterExpression").asText(""));
                while (m.find()) {
                    statuses.add(values.path(":" + m.group(1)).path("S").asText());
                }
                int limit = in.path("Limit").asInt(Integer.MAX_VALUE);
                ArrayNode page = out.putArray("Items");
                int scanned = 0;
                for (ObjectNode item : items.values()) {
                    String name = item.path("name").path("S").asText();
                    if ((after != null && name.compareTo(after) <= 0) || (start != null && name.compareTo(start) <= 0)) {
                        continue;
                    }
                    if (scanned == limit) {
                        out.putObject("LastEvaluatedKey").set("name", page.get(page.size() - 1).path("name"));
                        break;
                    }
                    scanned++;
                    if (statuses.isEmpty() || statuses.contains(item.path("status").path("S").asText())) {
                        page.add(item.deepCopy());
                    }
                }
                out.put("Count", page.size()).put("ScannedCount", scanned);
            }
            default -> {
                return unknown(c);
            }
        }
        return new Answer(200, "application/x-amz-json-1.0", out.toString());
    }

    // ---- Step Functions, SSM, EventBridge ----

    /**
     * Standard workflows' StartExecution: a name is used once per state machine; the same name again with the same
     * input while the execution runs answers that execution (with its startDate), anything else
     * ExecutionAlreadyExists. Executions started here run until the end of the test.
     */
    private Answer stepFunctions(Call c) {
        JsonNode in = c.json();
        switch (c.operation()) {
            case "StartExecution" -> {
                String executionArn = in.path("stateMachineArn").asText().replace(":stateMachine:", ":execution:") + ":"
                        + in.path("name").asText();
                String input = in.path("input").asText("{}");
                Execution existing = executions.get(executionArn);
                if (existing != null && !existing.input().equals(input)) {
                    return jsonError("1.0", "ExecutionAlreadyExists", "Execution Already Exists: '" + executionArn + "'");
                }
                Execution e = existing != null ? existing : new Execution(input, Instant.now().getEpochSecond());
                executions.put(executionArn, e);
                return new Answer(200, "application/x-amz-json-1.0", JSON.createObjectNode()
                        .put("executionArn", executionArn).put("startDate", e.startDate()).toString());
            }
            case "DescribeExecution" -> {
                String executionArn = in.path("executionArn").asText();
                Execution e = executions.get(executionArn);
                if (e == null) {
                    return jsonError("1.0", "ExecutionDoesNotExist", "Execution Does Not Exist: '" + executionArn + "'");
                }
                return new Answer(200, "application/x-amz-json-1.0", JSON.createObjectNode().put("executionArn", executionArn)
                        .put("stateMachineArn", executionArn.substring(0, executionArn.lastIndexOf(':')).replace(":execution:", ":stateMachine:"))
                        .put("name", executionArn.substring(executionArn.lastIndexOf(':') + 1)).put("status", "RUNNING")
                        .put("startDate", e.startDate()).put("input", e.input()).toString());
            }
            default -> {
                return unknown(c);
            }
        }
    }

    private Answer ssm(Call c) {
        JsonNode in = c.json();
        String name = in.path("Name").asText();
        switch (c.operation()) {
            case "GetParameter" -> {
                Parameter p = parameters.get(name);
                if (p == null) {
                    return jsonError("1.1", "ParameterNotFound", "");
                }
                ObjectNode out = JSON.createObjectNode();
                out.putObject("Parameter").put("Name", name).put("Type", "SecureString").put("Value", p.value())
                        .put("Version", p.version()).put("LastModifiedDate", Instant.now().getEpochSecond())
                        .put("ARN", "arn:aws:ssm:" + REGION + ":" + ACCOUNT + ":parameter" + (name.startsWith("/") ? "" : "/") + name)
                        .put("DataType", "text");
                return new Answer(200, "application/x-amz-json-1.1", out.toString());
            }
            case "PutParameter" -> {
                parameter(name, in.path("Value").asText());
                return new Answer(200, "application/x-amz-json-1.1", JSON.createObjectNode()
                        .put("Version", parameters.get(name).version()).put("Tier", "Standard").toString());
            }
            default -> {
                return unknown(c);
            }
        }
    }

    private Answer eventBridge(Call c) {
        if (!c.operation().equals("PutEvents")) {
            return unknown(c);
        }
        ObjectNode out = JSON.createObjectNode().put("FailedEntryCount", 0);
        ArrayNode entries = out.putArray("Entries");
        for (JsonNode ignored : c.json().path("Entries")) {
            entries.addObject().put("EventId", "e-" + (++sequence));
        }
        return new Answer(200, "application/x-amz-json-1.1", out.toString());
    }

    // ---- Auto Scaling ----

    private Answer autoScaling(Call c) {
        Map<String, String> p = form(c.body());
        String name = p.getOrDefault("AutoScalingGroupName", "");
        switch (c.operation()) {
            case "DescribeAutoScalingGroups" -> {
                StringBuilder members = new StringBuilder();
                for (int i = 1; p.containsKey("AutoScalingGroupNames.member." + i); i++) {
                    Group g = groups.get(p.get("AutoScalingGroupNames.member." + i));
                    if (g != null) {
                        members.append(groupXml(g));
                    }
                }
                return queryAnswer(ASG_NS, c.operation(), "<AutoScalingGroups>" + members + "</AutoScalingGroups>");
            }
            case "SetDesiredCapacity", "UpdateAutoScalingGroup", "SuspendProcesses" -> {
                Group g = groups.get(name);
                if (g == null) {
                    return queryError(ASG_NS, "ValidationError", "AutoScalingGroup name not found - " + name);
                }
                int min = Integer.parseInt(p.getOrDefault("MinSize", Integer.toString(g.minSize())));
                int max = Integer.parseInt(p.getOrDefault("MaxSize", Integer.toString(g.maxSize())));
                int desired = Integer.parseInt(p.getOrDefault("DesiredCapacity", Integer.toString(g.desiredCapacity())));
                groups.put(name, new Group(name, min, max, desired, Math.min(g.instances(), desired), g.warmPool()));
                return queryAnswer(ASG_NS, c.operation(), null);
            }
            case "StartInstanceRefresh" -> {
                if (!groups.containsKey(name)) {
                    return queryError(ASG_NS, "ValidationError", "AutoScalingGroup name not found - " + name);
                }
                if (runningRefreshes.containsKey(name)) {
                    return queryError(ASG_NS, "InstanceRefreshInProgress", "An Instance Refresh is already in progress and "
                            + "blocks the execution of this Instance Refresh.");
                }
                String id = "ir-" + (++sequence);
                runningRefreshes.put(name, id);
                return queryAnswer(ASG_NS, c.operation(), "<InstanceRefreshId>" + id + "</InstanceRefreshId>");
            }
            case "DescribeInstanceRefreshes" -> {
                String id = runningRefreshes.get(name);
                return queryAnswer(ASG_NS, c.operation(), "<InstanceRefreshes>" + (id == null ? "" : "<member><InstanceRefreshId>"
                        + id + "</InstanceRefreshId><AutoScalingGroupName>" + xml(name) + "</AutoScalingGroupName><Status>InProgress"
                        + "</Status><PercentageComplete>0</PercentageComplete></member>") + "</InstanceRefreshes>");
            }
            case "DescribeWarmPool" -> {
                return queryAnswer(ASG_NS, c.operation(), "<WarmPoolConfiguration><MinSize>0</MinSize><PoolState>Stopped"
                        + "</PoolState><Status></Status></WarmPoolConfiguration><Instances><member><InstanceId>i-0warm0000000000001"
                        + "</InstanceId><InstanceType>t3.small</InstanceType><AvailabilityZone>us-east-1a</AvailabilityZone>"
                        + "<LifecycleState>Warmed:Stopped</LifecycleState><HealthStatus>Healthy</HealthStatus></member></Instances>");
            }
            default -> {
                return unknown(c);
            }
        }
    }

    private static String groupXml(Group g) {
        StringBuilder instances = new StringBuilder();
        for (int i = 0; i < g.instances(); i++) {
            instances.append("<member><InstanceId>").append(String.format("i-%017x", (g.name().hashCode() & 0x7fffffffL) * 1000 + i))
                    .append("</InstanceId><InstanceType>t3.small</InstanceType><AvailabilityZone>us-east-1a</AvailabilityZone>")
                    .append("<LifecycleState>InService</LifecycleState><HealthStatus>Healthy</HealthStatus>")
                    .append("<ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>");
        }
        return "<member><AutoScalingGroupName>" + xml(g.name()) + "</AutoScalingGroupName><AutoScalingGroupARN>arn:aws:autoscaling:"
                + REGION + ":" + ACCOUNT + ":autoScalingGroup:1:autoScalingGroupName/" + xml(g.name()) + "</AutoScalingGroupARN>"
                + "<MinSize>" + g.minSize() + "</MinSize><MaxSize>" + g.maxSize() + "</MaxSize><DesiredCapacity>"
                + g.desiredCapacity() + "</DesiredCapacity><DefaultCooldown>300</DefaultCooldown><AvailabilityZones>"
                + "<member>us-east-1a</member></AvailabilityZones><HealthCheckType>EC2</HealthCheckType>"
                + "<CreatedTime>2030-01-01T00:00:00.000Z</CreatedTime><Instances>" + instances + "</Instances>"
                + (g.warmPool() ? "<WarmPoolConfiguration><MinSize>0</MinSize><PoolState>Stopped</PoolState></WarmPoolConfiguration>" : "")
                + "</member>";
    }

    // ---- CloudFormation: stacks complete at once, and their group exists from then on ----

    private Answer cloudFormation(Call c) {
        Map<String, String> p = form(c.body());
        // StackName takes a name or a stack id (ARN), as CloudFormation's does.
        String name = cfnStacks.values().stream().filter(st -> st.id().equals(p.get("StackName"))).map(CfnStack::name)
                .findFirst().orElse(p.getOrDefault("StackName", ""));
        CfnStack stack = cfnStacks.get(name);
        switch (c.operation()) {
            case "CreateStack" -> {
                if (stack != null) {
                    return queryError(CFN_NS, "AlreadyExistsException", "Stack [" + name + "] already exists");
                }
                String group = name + "-asg";
                stack = new CfnStack(name, "arn:aws:cloudformation:" + REGION + ":" + ACCOUNT + ":stack/" + name + "/" + (++sequence),
                        "CREATE_COMPLETE", Map.of("AutoScalingGroupName", group));
                cfnStacks.put(name, stack);
                groups.putIfAbsent(group, new Group(group, 0, Integer.parseInt(parameterValue(p, "MaxSize", "1")), 0, 0, false));
                return queryAnswer(CFN_NS, c.operation(), "<StackId>" + stack.id() + "</StackId>");
            }
            case "UpdateStack" -> {
                if (stack == null) {
                    return queryError(CFN_NS, "ValidationError", "Stack [" + name + "] does not exist");
                }
                cfnStacks.put(name, new CfnStack(name, stack.id(), "UPDATE_COMPLETE", stack.outputs()));
                return queryAnswer(CFN_NS, c.operation(), "<StackId>" + stack.id() + "</StackId>");
            }
            case "DeleteStack" -> {
                if (stack != null) {
                    cfnStacks.remove(name);
                    groups.remove(stack.outputs().get("AutoScalingGroupName"));
                }
                return queryAnswer(CFN_NS, c.operation(), null);
            }
            case "DescribeStacks" -> {
                if (stack == null) {
                    return queryError(CFN_NS, "ValidationError", "Stack with id " + name + " does not exist");
                }
                StringBuilder outputs = new StringBuilder();
                stack.outputs().forEach((k, v) -> outputs.append("<member><OutputKey>").append(xml(k)).append("</OutputKey><OutputValue>")
                        .append(xml(v)).append("</OutputValue></member>"));
                return queryAnswer(CFN_NS, c.operation(), "<Stacks><member><StackName>" + xml(name) + "</StackName><StackId>"
                        + stack.id() + "</StackId><CreationTime>2030-01-01T00:00:00.000Z</CreationTime><StackStatus>"
                        + stack.status() + "</StackStatus><Outputs>" + outputs + "</Outputs></member></Stacks>");
            }
            case "DescribeStackEvents" -> {
                String events = stack == null || !stack.status().contains("ROLLBACK") && !stack.status().endsWith("FAILED") ? ""
                        : "<member><EventId>e-1</EventId><StackId>" + stack.id() + "</StackId><StackName>" + xml(name) + "</StackName>"
                        + "<LogicalResourceId>InstanceRole</LogicalResourceId><ResourceType>AWS::IAM::Role</ResourceType>"
                        + "<Timestamp>2030-01-01T00:00:00.000Z</Timestamp><ResourceStatus>CREATE_FAILED</ResourceStatus>"
                        + "<ResourceStatusReason>User is not authorized to perform: iam:CreateRole</ResourceStatusReason></member>";
                return queryAnswer(CFN_NS, c.operation(), "<StackEvents>" + events + "</StackEvents>");
            }
            default -> {
                return unknown(c);
            }
        }
    }

    private static String parameterValue(Map<String, String> form, String key, String otherwise) {
        for (int i = 1; form.containsKey("Parameters.member." + i + ".ParameterKey"); i++) {
            if (key.equals(form.get("Parameters.member." + i + ".ParameterKey"))) {
                return form.getOrDefault("Parameters.member." + i + ".ParameterValue", otherwise);
            }
        }
        return otherwise;
    }

    // ---- EC2: the default VPC, dedicated hosts ----

    private Answer ec2(Call c) {
        Map<String, String> p = form(c.body());
        switch (c.operation()) {
            case "DescribeVpcs" -> {
                return ec2Answer(c.operation(), "<vpcSet><item><vpcId>vpc-0abc</vpcId><ownerId>" + ACCOUNT + "</ownerId><state>available"
                        + "</state><cidrBlock>172.31.0.0/16</cidrBlock><dhcpOptionsId>dopt-1</dhcpOptionsId><instanceTenancy>default"
                        + "</instanceTenancy><isDefault>true</isDefault></item></vpcSet>");
            }
            case "DescribeSubnets" -> {
                StringBuilder subnets = new StringBuilder();
                for (String zone : List.of("us-east-1a", "us-east-1b")) {
                    subnets.append("<item><subnetId>subnet-").append(zone.charAt(zone.length() - 1)).append("</subnetId><state>available")
                            .append("</state><vpcId>vpc-0abc</vpcId><cidrBlock>172.31.0.0/20</cidrBlock><availableIpAddressCount>4091")
                            .append("</availableIpAddressCount><availabilityZone>").append(zone).append("</availabilityZone>")
                            .append("<defaultForAz>true</defaultForAz><mapPublicIpOnLaunch>true</mapPublicIpOnLaunch></item>");
                }
                return ec2Answer(c.operation(), "<subnetSet>" + subnets + "</subnetSet>");
            }
            case "AllocateHosts" -> {
                String token = p.getOrDefault("ClientToken", "");
                List<String> ids = hostsByClientToken.computeIfAbsent(token, t -> {
                    List<String> made = new ArrayList<>();
                    Map<String, String> tags = new LinkedHashMap<>();
                    for (int i = 1; p.containsKey("TagSpecification.1.Tag." + i + ".Key"); i++) {
                        tags.put(p.get("TagSpecification.1.Tag." + i + ".Key"), p.get("TagSpecification.1.Tag." + i + ".Value"));
                    }
                    for (int i = 0; i < Integer.parseInt(p.getOrDefault("Quantity", "1")); i++) {
                        String id = String.format("h-%017x", ++sequence);
                        hosts.put(id, new Host(id, p.get("AvailabilityZone"), p.get("InstanceType"), "available", List.of(),
                                Instant.now(), tags));
                        made.add(id);
                    }
                    return made;
                });
                StringBuilder set = new StringBuilder();
                ids.forEach(id -> set.append("<item>").append(id).append("</item>"));
                return ec2Answer(c.operation(), "<hostIdSet>" + set + "</hostIdSet>");
            }
            case "DescribeHosts" -> {
                List<String> ids = indexed(p, "HostId.");
                String tagKey = p.getOrDefault("Filter.1.Name", "").startsWith("tag:") ? p.get("Filter.1.Name").substring(4) : null;
                String tagValue = p.get("Filter.1.Value.1");
                for (String id : ids) {
                    if (!hosts.containsKey(id)) {
                        return ec2Error("InvalidHostID.NotFound", "The host ID '" + id + "' was not found");
                    }
                }
                StringBuilder set = new StringBuilder();
                for (Host h : hosts.values()) {
                    if ((ids.isEmpty() || ids.contains(h.hostId())) && (tagKey == null || tagValue.equals(h.tags().get(tagKey)))) {
                        set.append(hostXml(h));
                    }
                }
                return ec2Answer(c.operation(), "<hostSet>" + set + "</hostSet>");
            }
            case "CreateTags" -> {
                for (String id : indexed(p, "ResourceId.")) {
                    Host h = hosts.get(id);
                    if (h != null) {
                        Map<String, String> tags = new LinkedHashMap<>(h.tags());
                        for (int i = 1; p.containsKey("Tag." + i + ".Key"); i++) {
                            tags.put(p.get("Tag." + i + ".Key"), p.getOrDefault("Tag." + i + ".Value", ""));
                        }
                        hosts.put(id, new Host(id, h.availabilityZone(), h.instanceType(), h.state(), h.instanceIds(), h.allocatedAt(), tags));
                    }
                }
                return ec2Answer(c.operation(), "<return>true</return>");
            }
            case "ReleaseHosts" -> {
                StringBuilder ok = new StringBuilder();
                StringBuilder refused = new StringBuilder();
                for (String id : indexed(p, "HostId.")) {
                    Host h = hosts.get(id);
                    if (h == null) {
                        refused.append(unsuccessful(id, "Client.InvalidHostID.NotFound", "The host ID '" + id + "' was not found"));
                    } else if (!h.instanceIds().isEmpty()) {
                        refused.append(unsuccessful(id, "Client.InvalidHost.Occupied", "Host has running instances"));
                    } else {
                        hosts.remove(id);
                        ok.append("<item>").append(id).append("</item>");
                    }
                }
                return ec2Answer(c.operation(), "<successful>" + ok + "</successful><unsuccessful>" + refused + "</unsuccessful>");
            }
            default -> {
                return unknown(c);
            }
        }
    }

    private static String hostXml(Host h) {
        StringBuilder instances = new StringBuilder();
        h.instanceIds().forEach(i -> instances.append("<item><instanceId>").append(i).append("</instanceId><instanceType>")
                .append(h.instanceType()).append("</instanceType><ownerId>").append(ACCOUNT).append("</ownerId></item>"));
        StringBuilder tags = new StringBuilder();
        h.tags().forEach((k, v) -> tags.append("<item><key>").append(xml(k)).append("</key><value>").append(xml(v)).append("</value></item>"));
        String family = h.instanceType().contains(".") ? h.instanceType().substring(0, h.instanceType().indexOf('.')) : h.instanceType();
        return "<item><autoPlacement>off</autoPlacement><availabilityZone>" + h.availabilityZone() + "</availabilityZone>"
                + "<hostId>" + h.hostId() + "</hostId><hostProperties><cores>8</cores><instanceType>" + h.instanceType()
                + "</instanceType><instanceFamily>" + family + "</instanceFamily><sockets>1</sockets><totalVCpus>8</totalVCpus>"
                + "</hostProperties><instances>" + instances + "</instances><state>" + h.state() + "</state><allocationTime>"
                + h.allocatedAt() + "</allocationTime><tagSet>" + tags + "</tagSet><hostRecovery>off</hostRecovery>"
                + "<allowsMultipleInstanceTypes>off</allowsMultipleInstanceTypes><ownerId>" + ACCOUNT + "</ownerId>"
                + "<memberOfServiceLinkedResourceGroup>false</memberOfServiceLinkedResourceGroup><hostMaintenance>off"
                + "</hostMaintenance></item>";
    }

    private static String unsuccessful(String id, String code, String message) {
        return "<item><error><code>" + code + "</code><message>" + xml(message) + "</message></error><resourceId>" + id
                + "</resourceId></item>";
    }

    // ---- Resource Groups (REST-JSON) ----

    private Answer resourceGroups(Call c) {
        JsonNode in = c.json();
        String name = c.operation().equals("GetTags")
                ? c.path().substring("/resources/".length(), c.path().length() - "/tags".length()).replaceFirst(".*:group/", "")
                : in.hasNonNull("Name") ? in.get("Name").asText() : in.path("Group").asText();
        HostGroup g = hostGroups.get(name);
        ObjectNode out = JSON.createObjectNode();
        if (!c.operation().equals("CreateGroup") && g == null) {
            return new Answer(404, "application/json", "{\"Message\":\"Cannot find group " + name + ".\"}",
                    Map.of("x-amzn-ErrorType", "NotFoundException"));
        }
        switch (c.operation()) {
            case "CreateGroup" -> {
                if (g != null) {
                    return new Answer(400, "application/json", "{\"Message\":\"group " + name + " already exists\"}",
                            Map.of("x-amzn-ErrorType", "BadRequestException"));
                }
                g = new HostGroup(name, "arn:aws:resource-groups:" + REGION + ":" + ACCOUNT + ":group/" + name,
                        in.path("Configuration"), new LinkedHashSet<>(), in.path("Tags").deepCopy());
                hostGroups.put(name, g);
                out.putObject("Group").put("GroupArn", g.arn()).put("Name", name);
                out.putObject("GroupConfiguration").put("Status", "UPDATE_COMPLETE").set("Configuration", g.configuration());
                out.set("Tags", in.path("Tags"));
            }
            case "GetGroup" -> out.putObject("Group").put("GroupArn", g.arn()).put("Name", name);
            case "GetTags" -> out.put("Arn", g.arn()).set("Tags", g.tags());
            case "GetGroupConfiguration" ->
                    out.putObject("GroupConfiguration").put("Status", "UPDATE_COMPLETE").set("Configuration", g.configuration());
            case "PutGroupConfiguration" -> hostGroups.put(name, new HostGroup(name, g.arn(), in.path("Configuration"), g.hostArns(), g.tags()));
            case "ListGroupResources" -> {
                ArrayNode resources = out.putArray("Resources");
                ArrayNode identifiers = out.putArray("ResourceIdentifiers");
                for (String arn : g.hostArns()) {
                    resources.addObject().putObject("Identifier").put("ResourceArn", arn).put("ResourceType", "AWS::EC2::Host");
                    identifiers.addObject().put("ResourceArn", arn).put("ResourceType", "AWS::EC2::Host");
                }
            }
            case "GroupResources", "UngroupResources" -> {
                ArrayNode succeeded = out.putArray("Succeeded");
                for (JsonNode arn : in.path("ResourceArns")) {
                    if (c.operation().equals("GroupResources")) {
                        g.hostArns().add(arn.asText());
                    } else {
                        g.hostArns().remove(arn.asText());
                    }
                    succeeded.add(arn.asText());
                }
                out.putArray("Failed");
                out.putArray("Pending");
            }
            case "DeleteGroup" -> {
                if (!g.hostArns().isEmpty()) {
                    return new Answer(400, "application/json", "{\"Message\":\"group " + name + " is not empty\"}",
                            Map.of("x-amzn-ErrorType", "BadRequestException"));
                }
                hostGroups.remove(name);
                out.putObject("Group").put("GroupArn", g.arn()).put("Name", name);
            }
            default -> {
                return unknown(c);
            }
        }
        return new Answer(200, "application/json", out.toString());
    }

    // ---- Lambda's container credentials endpoint (SnapStart) ----

    private Answer containerCredentials(Call c) {
        if (!CONTAINER_AUTHORIZATION_TOKEN.equals(c.headers().get("authorization"))) {
            return new Answer(401, "application/json", "{\"message\":\"missing or wrong authorization token\"}");
        }
        ObjectNode out = JSON.createObjectNode()
                .put("AccessKeyId", CONTAINER_ACCESS_KEY_ID)
                .put("SecretAccessKey", SECRET_ACCESS_KEY)
                .put("Token", CONTAINER_SESSION_TOKEN)
                .put("Expiration", java.time.Instant.now().plusSeconds(3600).toString());
        return new Answer(200, "application/json", out.toString());
    }

    // ---- Semaphore ----

    private Answer semaphore(Call c) {
        String authorization = c.header("Authorization");
        if (!authorization.startsWith("Token ") || rejectedTokens.contains(authorization.substring(6))) {
            return new Answer(401, "application/json", "{\"message\":\"Unauthorized\"}");
        }
        return new Answer(200, "application/json", metrics);
    }

    // ---- wire helpers ----

    private static Answer queryAnswer(String ns, String action, String result) {
        String body = "<" + action + "Response xmlns=\"" + ns + "\">" + (result == null ? "" : "<" + action + "Result>" + result
                + "</" + action + "Result>") + "<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></" + action + "Response>";
        return new Answer(200, "text/xml", body);
    }

    private static Answer queryError(String ns, String code, String message) {
        return new Answer(400, "text/xml", "<ErrorResponse xmlns=\"" + ns + "\"><Error><Type>Sender</Type><Code>" + code
                + "</Code><Message>" + xml(message) + "</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>");
    }

    private static Answer ec2Answer(String action, String body) {
        return new Answer(200, "text/xml;charset=UTF-8", "<" + action + "Response xmlns=\"" + EC2_NS + "\"><requestId>stand-in"
                + "</requestId>" + body + "</" + action + "Response>");
    }

    private static Answer ec2Error(String code, String message) {
        return new Answer(400, "text/xml;charset=UTF-8", "<Response><Errors><Error><Code>" + code + "</Code><Message>" + xml(message)
                + "</Message></Error></Errors><RequestID>stand-in</RequestID></Response>");
    }

    private static Answer conditionFailed(JsonNode in, ObjectNode current) {
        ObjectNode error = JSON.createObjectNode()
                .put("__type", "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException")
                .put("message", "The conditional request failed");
        if (current != null && "ALL_OLD".equals(in.path("ReturnValuesOnConditionCheckFailure").asText())) {
            error.set("Item", current.deepCopy());
        }
        return new Answer(400, "application/x-amz-json-1.0", error.toString());
    }

    private static Answer jsonError(String version, String type, String message) {
        return new Answer(400, "application/x-amz-json-" + version, JSON.createObjectNode().put("__type", type)
                .put("message", message).toString());
    }

    private static Answer unknown(Call c) {
        return new Answer(400, "text/plain", "the stand-in does not answer " + c.service() + " " + c.operation());
    }

    private static List<String> indexed(Map<String, String> form, String prefix) {
        List<String> values = new ArrayList<>();
        for (int i = 1; form.containsKey(prefix + i); i++) {
            values.add(form.get(prefix + i));
        }
        return values;
    }

    static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        if (body == null || body.isEmpty() || body.startsWith("{")) {
            return form;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.put(k, v);
        }
        return form;
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
