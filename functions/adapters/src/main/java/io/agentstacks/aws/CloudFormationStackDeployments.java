package io.agentstacks.aws;

import io.agentstacks.stacks.StackDeployments;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.AlreadyExistsException;
import software.amazon.awssdk.services.cloudformation.model.Capability;
import software.amazon.awssdk.services.cloudformation.model.OnFailure;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.ResourceStatus;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackEvent;
import software.amazon.awssdk.services.cloudformation.model.Tag;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Agent stacks as CloudFormation stacks: CreateStack, UpdateStack, DeleteStack, DescribeStacks and
 * DescribeStackEvents, every mutating call with its ClientRequestToken and CAPABILITY_NAMED_IAM.
 *
 * <p>What CloudFormation answers, and what this makes of it:
 * <ul>
 *   <li>UpdateStack's ValidationError "No updates are to be performed." is {@link UpdateResult#NO_CHANGES};</li>
 *   <li>"... is in X_IN_PROGRESS state and can not be updated", "... cannot be deleted while in status ..." and
 *       CreateStack's AlreadyExistsException are {@link StackBusy};</li>
 *   <li>DescribeStacks' ValidationError "Stack with id X does not exist" is {@link DeploymentStatus.Absent};</li>
 *   <li>a *_FAILED or *ROLLBACK_COMPLETE status is {@link DeploymentStatus.Failed} with the reason of the first
 *       resource that failed in the stack's latest operation (DescribeStackEvents), as {@code <LogicalId>: <reason>}.</li>
 * </ul>
 * Other errors are thrown with the call and the stack named in the message.
 */
public final class CloudFormationStackDeployments implements StackDeployments {

    private static final Pattern NOT_UPDATABLE = Pattern.compile("is in ([A-Z_]+) state and can ?not be updated");
    private static final Pattern NOT_DELETABLE = Pattern.compile("cannot be deleted while in status ([A-Z_]+)");
    private static final Set<String> OPERATION_STARTS = Set.of("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS",
            "DELETE_IN_PROGRESS", "IMPORT_IN_PROGRESS");
    private static final Set<String> CANCELLATIONS = Set.of("Resource creation cancelled", "Resource update cancelled");
    /** Events read at most when looking for a failure's cause: a stack's history can be long. */
    private static final int MAX_EVENTS = 500;

    private final CloudFormationClient cfn;
    private final Optional<String> roleArn;

    public CloudFormationStackDeployments(CloudFormationClient cfn) {
        this(cfn, Optional.empty());
    }

    /**
     * @param roleArn the role CloudFormation deploys agent stacks with (RoleARN of every create, update and
     *                delete); empty: the caller's own credentials
     */
    public CloudFormationStackDeployments(CloudFormationClient cfn, Optional<String> roleArn) {
        this.cfn = Objects.requireNonNull(cfn, "cfn");
        this.roleArn = Objects.requireNonNull(roleArn, "roleArn");
    }

    @Override
    public void create(DeploymentRequest r) {
        try {
            cfn.createStack(b -> b.stackName(r.cloudFormationStackName()).templateURL(r.templateUrl()).roleARN(roleArn.orElse(null))
                    .parameters(parameters(r.parameters())).tags(tags(r.tags()))
                    .capabilities(Capability.CAPABILITY_NAMED_IAM).onFailure(OnFailure.ROLLBACK)
                    .clientRequestToken(r.clientRequestToken()));
        } catch (AlreadyExistsException e) {
            throw new StackBusy(r.cloudFormationStackName(), "EXISTS", message(e));
        } catch (SdkException e) {
            throw failure("CreateStack", r.cloudFormationStackName(), e);
        }
    }

    @Override
    public UpdateResult update(DeploymentRequest r) {
        try {
            cfn.updateStack(b -> b.stackName(r.cloudFormationStackName()).templateURL(r.templateUrl()).roleARN(roleArn.orElse(null))
                    .parameters(parameters(r.parameters())).tags(tags(r.tags()))
                    .capabilities(Capability.CAPABILITY_NAMED_IAM).clientRequestToken(r.clientRequestToken()));
            return UpdateResult.STARTED;
        } catch (AwsServiceException e) {
            if (isValidationError(e)) {
                String message = message(e);
                if (message.contains("No updates are to be performed")) {
                    return UpdateResult.NO_CHANGES;
                }
                Matcher m = NOT_UPDATABLE.matcher(message);
                if (m.find() && m.group(1).endsWith("_IN_PROGRESS")) {
                    throw new StackBusy(r.cloudFormationStackName(), m.group(1), message);
                }
            }
            throw failure("UpdateStack", r.cloudFormationStackName(), e);
        } catch (SdkException e) {
            throw failure("UpdateStack", r.cloudFormationStackName(), e);
        }
    }

    @Override
    public void delete(String name, String clientRequestToken) {
        try {
            cfn.deleteStack(b -> b.stackName(name).clientRequestToken(clientRequestToken).roleARN(roleArn.orElse(null)));
        } catch (AwsServiceException e) {
            Matcher m = NOT_DELETABLE.matcher(message(e));
            if (isValidationError(e) && m.find()) {
                throw new StackBusy(name, m.group(1), message(e));
            }
            throw failure("DeleteStack", name, e);
        } catch (SdkException e) {
            throw failure("DeleteStack", name, e);
        }
    }

    @Override
    public DeploymentStatus describe(String name) {
        Optional<Stack> found = find(name);
        if (found.isEmpty()) {
            return new DeploymentStatus.Absent();
        }
        Stack s = found.get();
        String status = s.stackStatusAsString();
        if (status.equals("DELETE_COMPLETE")) {
            return new DeploymentStatus.Absent();
        }
        if (status.endsWith("_IN_PROGRESS")) {
            return new DeploymentStatus.InProgress(status);
        }
        if (status.endsWith("_FAILED") || status.contains("ROLLBACK")) {
            return new DeploymentStatus.Failed(status, firstFailure(s));
        }
        return new DeploymentStatus.Complete(status, s.stackId(), outputs(s));
    }

    @Override
    public Optional<StackOutputs> outputs(String name) {
        return find(name).filter(s -> !s.stackStatusAsString().equals("DELETE_COMPLETE"))
                .map(s -> new StackOutputs(s.stackId(), s.stackStatusAsString(), outputs(s)));
    }

    private Optional<Stack> find(String name) {
        try {
            return cfn.describeStacks(b -> b.stackName(name)).stacks().stream().findFirst();
        } catch (AwsServiceException e) {
            if (isValidationError(e) && message(e).contains("does not exist")) {
                return Optional.empty();
            }
            throw failure("DescribeStacks", name, e);
        } catch (SdkException e) {
            throw failure("DescribeStacks", name, e);
        }
    }

    /**
     * The reason of the first resource that failed in the stack's latest operation. Events come newest
     * first; those after the stack's own "operation started" event belong to the latest operation.
     */
    private String firstFailure(Stack s) {
        List<StackEvent> operation = new ArrayList<>();
        try {
            int read = 0;
            for (StackEvent e : cfn.describeStackEventsPaginator(b -> b.stackName(s.stackId())).stackEvents()) {
                if (++read > MAX_EVENTS) {
                    break;
                }
                if (isStackItself(e, s) && OPERATION_STARTS.contains(e.resourceStatusAsString())) {
                    break;
                }
                operation.add(e);
            }
        } catch (SdkException e) {
            throw failure("DescribeStackEvents", s.stackName(), e);
        }
        StackEvent first = null;
        StackEvent firstCancelled = null;
        for (StackEvent e : operation) { // newest first: the last match is the earliest failure
            if (!isStackItself(e, s) && isFailure(e.resourceStatus())) {
                if (CANCELLATIONS.contains(Objects.toString(e.resourceStatusReason(), ""))) {
                    firstCancelled = e;
                } else {
                    first = e;
                }
            }
        }
        StackEvent cause = first != null ? first : firstCancelled;
        if (cause != null) {
            return cause.logicalResourceId() + ": " + Objects.toString(cause.resourceStatusReason(), cause.resourceStatusAsString());
        }
        return s.stackStatusReason() != null ? s.stackStatusReason() : s.stackStatusAsString();
    }

    private static boolean isStackItself(StackEvent e, Stack s) {
        return "AWS::CloudFormation::Stack".equals(e.resourceType()) && s.stackName().equals(e.logicalResourceId());
    }

    private static boolean isFailure(ResourceStatus status) {
        return status == ResourceStatus.CREATE_FAILED || status == ResourceStatus.UPDATE_FAILED
                || status == ResourceStatus.DELETE_FAILED || status == ResourceStatus.IMPORT_FAILED;
    }

    private static Map<String, String> outputs(Stack s) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Output o : s.outputs()) {
            if (o.outputKey() != null && o.outputValue() != null) {
                out.put(o.outputKey(), o.outputValue());
            }
        }
        return out;
    }

    private static List<Parameter> parameters(Map<String, String> parameters) {
        return parameters.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> Parameter.builder().parameterKey(e.getKey()).parameterValue(e.getValue()).build()).toList();
    }

    private static List<Tag> tags(Map<String, String> tags) {
        return tags.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }

    private static boolean isValidationError(AwsServiceException e) {
        return e.awsErrorDetails() != null && "ValidationError".equals(e.awsErrorDetails().errorCode());
    }

    private static String message(AwsServiceException e) {
        return e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? e.awsErrorDetails().errorMessage() : String.valueOf(e.getMessage());
    }

    private static IllegalStateException failure(String call, String stack, SdkException e) {
        return new IllegalStateException("CloudFormation " + call + " for stack " + stack + " failed: " + e.getMessage(), e);
    }
}
