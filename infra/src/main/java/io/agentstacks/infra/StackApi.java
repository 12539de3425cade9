package io.agentstacks.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigateway.AuthorizationType;
import software.amazon.awscdk.services.apigateway.EndpointConfiguration;
import software.amazon.awscdk.services.apigateway.EndpointType;
import software.amazon.awscdk.services.apigateway.GatewayResponseOptions;
import software.amazon.awscdk.services.apigateway.JsonSchema;
import software.amazon.awscdk.services.apigateway.JsonSchemaType;
import software.amazon.awscdk.services.apigateway.JsonSchemaVersion;
import software.amazon.awscdk.services.apigateway.LambdaIntegration;
import software.amazon.awscdk.services.apigateway.LogGroupLogDestination;
import software.amazon.awscdk.services.apigateway.MethodLoggingLevel;
import software.amazon.awscdk.services.apigateway.MethodOptions;
import software.amazon.awscdk.services.apigateway.Model;
import software.amazon.awscdk.services.apigateway.RequestValidator;
import software.amazon.awscdk.services.apigateway.Resource;
import software.amazon.awscdk.services.apigateway.ResponseType;
import software.amazon.awscdk.services.apigateway.RestApi;
import software.amazon.awscdk.services.apigateway.StageOptions;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;

import java.util.List;
import java.util.Map;

/**
 * The control plane's REST API: every method IAM-authorized (SigV4), request validation, stage throttling,
 * JSON access logs and error-level execution logs without request or response bodies (a token travels in
 * one). {@code /stacks}, {@code /stacks/validate} and {@code /stacks/{name}} go to stack-api;
 * {@code PUT /stacks/{name}/token} goes to token-rotator, so that stack-api never sees a token.
 */
public final class StackApi extends Construct {

    public static final String STAGE = "prod";
    public static final int RATE_LIMIT = 10;
    public static final int BURST_LIMIT = 20;

    /**
     * @param stackApi     the stack-api function
     * @param tokenRotator the token-rotator function
     * @param tracing      X-Ray tracing of the stage
     */
    public record Props(AgentFunction stackApi, AgentFunction tokenRotator, boolean tracing) {
    }

    private final RestApi api;

    public StackApi(Construct scope, String id, Props props) {
        super(scope, id);
        LogGroup accessLogs = LogGroup.Builder.create(this, "AccessLogs")
                .retention(AgentFunction.LOG_RETENTION)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        api = RestApi.Builder.create(this, "Api")
                .restApiName(Stack.of(this).getStackName())
                .description("Semaphore agent stacks: stack specs and registration tokens (IAM-authorized)")
                .endpointConfiguration(EndpointConfiguration.builder().types(List.of(EndpointType.REGIONAL)).build())
                // Execution logs need API Gateway's account-level CloudWatch role; kept when the stack goes,
                // because it is the account's, not this API's.
                .cloudWatchRole(true)
                .cloudWatchRoleRemovalPolicy(RemovalPolicy.RETAIN)
                .deployOptions(StageOptions.builder()
                        .stageName(STAGE)
                        .throttlingRateLimit(RATE_LIMIT)
                        .throttlingBurstLimit(BURST_LIMIT)
                        .accessLogDestination(new LogGroupLogDestination(accessLogs))
                        .accessLogFormat(AccessLogFormat.jsonWithStandardFields())
                        .loggingLevel(MethodLoggingLevel.ERROR)
                        // Never log bodies: PUT /stacks/{name}/token carries a registration token.
                        .dataTraceEnabled(false)
                        .metricsEnabled(true)
                        .tracingEnabled(props.tracing())
                        .build())
                .defaultMethodOptions(MethodOptions.builder().authorizationType(AuthorizationType.IAM).build())
                .build();

        // The stack's own ApiUrl output names the URL; RestApi's default Endpoint output would repeat it.
        api.getNode().tryRemoveChild("Endpoint");

        RequestValidator validator = RequestValidator.Builder.create(this, "Validator")
                .restApi(api)
                .requestValidatorName("body-and-parameters")
                .validateRequestBody(true)
                .validateRequestParameters(true)
                .build();
        Model specBody = Model.Builder.create(this, "SpecBody")
                .restApi(api)
                .contentType("application/json")
                .description("A stack spec, or the older tool's SEMAPHORE_* object; stack-api checks every field")
                .schema(JsonSchema.builder().schema(JsonSchemaVersion.DRAFT4).type(JsonSchemaType.OBJECT).build())
                .build();
        Model tokenBody = Model.Builder.create(this, "TokenBody")
                .restApi(api)
                .contentType("application/json")
                .description("{\"token\": \"...\"}")
                .schema(JsonSchema.builder().schema(JsonSchemaVersion.DRAFT4).type(JsonSchemaType.OBJECT)
                        .required(List.of("token"))
                        .properties(Ordered.map("token", JsonSchema.builder().type(JsonSchemaType.STRING).minLength(1).maxLength(4096).build()))
                        .build())
                .build();
        // API Gateway's own refusals in the API's problem format (RFC 9457), never echoing the body.
        api.addGatewayResponse("BadBody", GatewayResponseOptions.builder()
                .type(ResponseType.BAD_REQUEST_BODY)
                .statusCode("400")
                .templates(Ordered.map("application/json", "{\"type\":\"urn:agent-stacks:problem:invalid-request\","
                        + "\"title\":\"The request body is not valid\",\"status\":400,"
                        + "\"detail\":\"$util.escapeJavaScript($context.error.validationErrorString)\"}"))
                .responseHeaders(Ordered.map("Content-Type", "'application/problem+json'"))
                .build());
        api.addGatewayResponse("BadParameters", GatewayResponseOptions.builder()
                .type(ResponseType.BAD_REQUEST_PARAMETERS)
                .statusCode("400")
                .templates(Ordered.map("application/json", "{\"type\":\"urn:agent-stacks:problem:invalid-request\","
                        + "\"title\":\"A request parameter is missing\",\"status\":400,"
                        + "\"detail\":\"$util.escapeJavaScript($context.error.validationErrorString)\"}"))
                .responseHeaders(Ordered.map("Content-Type", "'application/problem+json'"))
                .build());

        LambdaIntegration stacks = new LambdaIntegration(props.stackApi().alias());
        LambdaIntegration tokens = new LambdaIntegration(props.tokenRotator().alias());
        Resource root = api.getRoot().addResource("stacks");
        root.addMethod("GET", stacks, MethodOptions.builder()
                .requestValidator(validator)
                .requestParameters(Ordered.map("method.request.querystring.limit", false, "method.request.querystring.pageToken", false))
                .build());
        root.addMethod("POST", stacks, MethodOptions.builder()
                .requestValidator(validator)
                .requestModels(Ordered.map("application/json", specBody))
                .build());
        Resource validate = root.addResource("validate");
        validate.addMethod("POST", stacks, MethodOptions.builder()
                .requestValidator(validator)
                .requestModels(Ordered.map("application/json", specBody))
                .build());
        Resource stack = root.addResource("{name}");
        MethodOptions named = MethodOptions.builder()
                .requestValidator(validator)
                .requestParameters(Ordered.map("method.request.path.name", true))
                .build();
        stack.addMethod("GET", stacks, named);
        stack.addMethod("DELETE", stacks, named);
        stack.addResource("token").addMethod("PUT", tokens, MethodOptions.builder()
                .requestValidator(validator)
                .requestParameters(Ordered.map("method.request.path.name", true))
                .requestModels(Ordered.map("application/json", tokenBody))
                .build());

        NagSuppressions.addResourceSuppressions(this, List.of(
                NagPackSuppression.builder().id("AwsSolutions-COG4")
                        .reason("Callers are AWS principals: every method is AWS_IAM-authorized (SigV4), which is how the "
                                + "agent-stacks CLI and operators' tooling authenticate; there are no end users for a user pool.")
                        .build(),
                NagPackSuppression.builder().id("AwsSolutions-APIG3")
                        .reason("Only IAM-signed requests reach the integrations and the stage is throttled; a WAF web ACL "
                                + "can be associated by the operator where their account policy requires one.")
                        .build(),
                NagPackSuppression.builder().id("AwsSolutions-IAM4")
                        .reason("API Gateway's account-level CloudWatch role is the AWS managed "
                                + "AmazonAPIGatewayPushToCloudWatchLogs policy, which API Gateway documents for execution logs.")
                        .appliesTo(List.of("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"))
                        .build()), true);
    }

    public RestApi api() {
        return api;
    }

    /** The API's base URL: {@code https://<id>.execute-api.<region>.amazonaws.com/prod/}. */
    public String url() {
        return api.getUrl();
    }
}
