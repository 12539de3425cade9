package io.agentstacks.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One control plane Lambda: Java 21 on arm64, SnapStart on published versions, an alias {@value #ALIAS}
 * that every caller invokes (so that each call meets a snapshot), its own log group with a retention, and
 * its own role that may write to that log group and nothing else until the owner adds what the function needs.
 */
public final class AgentFunction extends Construct {

    public static final String ALIAS = "live";
    public static final RetentionDays LOG_RETENTION = RetentionDays.ONE_MONTH;

    /**
     * @param jar         the shaded jar ({@link ControlPlaneFunction#jar})
     * @param environment the function's environment variables
     * @param tracing     X-Ray active tracing
     */
    public record Props(ControlPlaneFunction function, Path jar, Map<String, String> environment, boolean tracing) {
        public Props {
            Objects.requireNonNull(function, "function");
            Objects.requireNonNull(jar, "jar");
            environment = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
        }
    }

    private final ControlPlaneFunction spec;
    private final Role role;
    private final Function function;
    private final Alias alias;
    private final LogGroup logGroup;

    public AgentFunction(Construct scope, String id, Props props) {
        super(scope, id);
        spec = props.function();
        logGroup = LogGroup.Builder.create(this, "Logs")
                .retention(LOG_RETENTION)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        List<PolicyStatement> base = new ArrayList<>();
        base.add(PolicyStatement.Builder.create()
                .sid("OwnLogs")
                .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                .resources(List.of(logGroup.getLogGroupArn()))
                .build());
        if (props.tracing()) {
            base.add(PolicyStatement.Builder.create()
                    .sid("Traces")
                    .actions(List.of("xray:PutTraceSegments", "xray:PutTelemetryRecords"))
                    .resources(List.of("*"))
                    .build());
        }
        role = Role.Builder.create(this, "Role")
                .description("The " + spec.module() + " Lambda of the Semaphore agent stacks control plane")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .inlinePolicies(Ordered.map("logs", PolicyDocument.Builder.create().statements(base).build()))
                .build();
        function = Function.Builder.create(this, "Function")
                .description(spec.description())
                .runtime(Runtime.JAVA_21)
                .architecture(Architecture.ARM_64)
                .handler(spec.handler())
                .code(Code.fromAsset(props.jar().toString()))
                .memorySize(spec.memoryMb())
                .timeout(Duration.seconds(spec.timeoutSeconds()))
                .role(role)
                .logGroup(logGroup)
                .environment(props.environment())
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                .tracing(props.tracing() ? Tracing.ACTIVE : Tracing.DISABLED)
                .build();
        // CDK warns that SnapStart applies to published versions only: every caller uses the alias of one.
        software.amazon.awscdk.Annotations.of(function).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                "every caller invokes the alias of a published version");
        alias = Alias.Builder.create(this, "Alias")
                .aliasName(ALIAS)
                .version(function.getCurrentVersion())
                .build();
        NagSuppressions.addResourceSuppressions(function, List.of(NagPackSuppression.builder().id("AwsSolutions-L1")
                .reason("Java 21 is the LTS runtime the functions are built and tested for (SnapStart, Micronaut 4); "
                        + "a newer Java runtime is a deliberate upgrade, not a default.")
                .build()));
        if (props.tracing()) {
            NagSuppressions.addResourceSuppressions(role, List.of(NagPackSuppression.builder().id("AwsSolutions-IAM5")
                    .reason("X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions.")
                    .appliesTo(List.of("Resource::*"))
                    .build()), true);
        }
    }

    /** Adds what the function needs to its own role. */
    public void allow(PolicyStatement statement) {
        role.addToPolicy(statement);
    }

    public ControlPlaneFunction spec() {
        return spec;
    }

    public Role role() {
        return role;
    }

    public Function function() {
        return function;
    }

    /** What every caller invokes: the alias of the newest published (SnapStart) version. */
    public Alias alias() {
        return alias;
    }

    public LogGroup logGroup() {
        return logGroup;
    }
}
