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
import io.agentstacks.stacks.StackDeployments.DeploymentRequest;
import io.agentstacks.stacks.StackDeployments.DeploymentStatus;
import io.agentstacks.stacks.StackDeployments.StackBusy;
import io.agentstacks.stacks.StackDeployments.StackOutputs;
import io.agentstacks.stacks.StackDeployments.UpdateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;

import java.util.LinkedHashMap;
import java.util.Map;

class CloudFormationStackDeploymentsTest {

    @RegisterExtension
    static WireMockExtension aws = AwsStandIn.server();

    static final String NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
    static final String NAME = "agent-stack-ci";
    static final String ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/agent-stack-ci/5b3c4ad0-8f5e-11ee-b9d1-0242ac120002";
    static final String URL = "https://cp-assets.s3.us-east-1.amazonaws.com/agent-stack.template.json";

    final CloudFormationStackDeployments cfn = new CloudFormationStackDeployments(AwsStandIn.client(CloudFormationClient.builder(), aws));

    static DeploymentRequest request(String token) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("MaxSize", "4");
        params.put("KeyName", "");
        return new DeploymentRequest(NAME, URL, params, Map.of("team", "ci"), token);
    }

    static MappingBuilder action(String action) {
        return post(urlEqualTo("/")).withRequestBody(containing("Action=" + action + "&"));
    }

    static ResponseDefinitionBuilder xml(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody(body);
    }

    static ResponseDefinitionBuilder error(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/xml").withBody(
                "<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>Sender</Type><Code>" + code + "</Code><Message>"
                        + message + "</Message></Error><RequestId>7c1c1a3e-0000-4000-8000-000000000001</RequestId></ErrorResponse>");
    }

    static String stacks(String status, String reason, String outputs) {
        return "<DescribeStacksResponse xmlns=\"" + NS + "\"><DescribeStacksResult><Stacks><member>"
                + "<StackName>" + NAME + "</StackName><StackId>" + ID + "</StackId>"
                + "<CreationTime>2030-01-01T00:00:00.000Z</CreationTime>"
                + "<StackStatus>" + status + "</StackStatus>"
                + (reason == null ? "" : "<StackStatusReason>" + reason + "</StackStatusReason>")
                + "<Capabilities><member>CAPABILITY_NAMED_IAM</member></Capabilities>"
                + "<Outputs>" + outputs + "</Outputs>"
                + "<Tags><member><Key>team</Key><Value>ci</Value></member></Tags>"
                + "</member></Stacks></DescribeStacksResult>"
                + "<ResponseMetadata><RequestId>b9b4b068-0000-4000-8000-000000000002</RequestId></ResponseMetadata></DescribeStacksResponse>";
    }

    static String output(String key, String value) {
        return "<member><OutputKey>" + key + "</OutputKey><OutputValue>" + value + "</OutputValue></member>";
    }

    static String event(String logicalId, String type, String status, String reason) {
        return "<member><EventId>" + logicalId + "-" + status + "</EventId><StackId>" + ID + "</StackId><StackName>" + NAME
                + "</StackName><LogicalResourceId>" + logicalId + "</LogicalResourceId><ResourceType>" + type
                + "</ResourceType><Timestamp>2030-01-01T00:01:00.000Z</Timestamp><ResourceStatus>" + status
                + "</ResourceStatus>" + (reason == null ? "" : "<ResourceStatusReason>" + reason + "</ResourceStatusReason>")
                + "</member>";
    }

    static String events(String nextToken, String... members) {
        return "<DescribeStackEventsResponse xmlns=\"" + NS + "\"><DescribeStackEventsResult><StackEvents>"
                + String.join("", members) + "</StackEvents>"
                + (nextToken == null ? "" : "<NextToken>" + nextToken + "</NextToken>")
                + "</DescribeStackEventsResult><ResponseMetadata><RequestId>r-3</RequestId></ResponseMetadata></DescribeStackEventsResponse>";
    }

    @Test
    void createSendsTheTemplateParametersTagsCapabilityAndToken() {
        aws.stubFor(action("CreateStack").willReturn(xml("<CreateStackResponse xmlns=\"" + NS + "\"><CreateStackResult><StackId>"
                + ID + "</StackId></CreateStackResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></CreateStackResponse>")));

        cfn.create(request("ci-v1-create"));

        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withHeader("Content-Type", containing("application/x-www-form-urlencoded"))
                .withRequestBody(containing("Action=CreateStack"))
                .withRequestBody(containing("Version=2010-05-15"))
                .withRequestBody(containing("StackName=agent-stack-ci"))
                .withRequestBody(containing("TemplateURL=https%3A%2F%2Fcp-assets.s3.us-east-1.amazonaws.com%2Fagent-stack.template.json"))
                .withRequestBody(containing("Parameters.member.1.ParameterKey=KeyName"))
                .withRequestBody(containing("Parameters.member.1.ParameterValue=&"))
                .withRequestBody(containing("Parameters.member.2.ParameterKey=MaxSize&Parameters.member.2.ParameterValue=4"))
                .withRequestBody(containing("Tags.member.1.Key=team&Tags.member.1.Value=ci"))
                .withRequestBody(containing("Capabilities.member.1=CAPABILITY_NAMED_IAM"))
                .withRequestBody(containing("OnFailure=ROLLBACK"))
                .withRequestBody(containing("ClientRequestToken=ci-v1-create")));
    }

    @Test
    void createUpdateAndDeletePassTheDeploymentRoleWhenOneIsGivenAndNoneOtherwise() {
        String role = "arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1";
        CloudFormationStackDeployments withRole = new CloudFormationStackDeployments(
                AwsStandIn.client(CloudFormationClient.builder(), aws), java.util.Optional.of(role));
        aws.stubFor(action("CreateStack").willReturn(xml("<CreateStackResponse xmlns=\"" + NS + "\"><CreateStackResult><StackId>"
                + ID + "</StackId></CreateStackResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></CreateStackResponse>")));
        aws.stubFor(action("UpdateStack").willReturn(xml("<UpdateStackResponse xmlns=\"" + NS + "\"><UpdateStackResult><StackId>"
                + ID + "</StackId></UpdateStackResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></UpdateStackResponse>")));
        aws.stubFor(action("DeleteStack").willReturn(xml("<DeleteStackResponse xmlns=\"" + NS + "\"><ResponseMetadata>"
                + "<RequestId>r-2</RequestId></ResponseMetadata></DeleteStackResponse>")));

        withRole.create(request("ci-v1-create"));
        withRole.update(request("ci-v2-update"));
        withRole.delete(NAME, "ci-v2-delete");
        cfn.create(request("ci-v3-create"));

        String encoded = "RoleARN=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fcdk-hnb659fds-cfn-exec-role-123456789012-us-east-1";
        for (String action : java.util.List.of("CreateStack", "UpdateStack", "DeleteStack")) {
            aws.verify(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=" + action + "&"))
                    .withRequestBody(containing(encoded)));
        }
        aws.verify(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("ClientRequestToken=ci-v3-create"))
                .withRequestBody(notContaining("RoleARN")));
    }

    @Test
    void creatingAStackThatExistsIsBusy() {
        aws.stubFor(action("CreateStack").willReturn(error(400, "AlreadyExistsException", "Stack [agent-stack-ci] already exists")));
        assertThatThrownBy(() -> cfn.create(request("ci-v2-create"))).isInstanceOf(StackBusy.class)
                .hasMessageContaining("already exists");
    }

    @Test
    void anUpdateIsStartedWithItsToken() {
        aws.stubFor(action("UpdateStack").willReturn(xml("<UpdateStackResponse xmlns=\"" + NS + "\"><UpdateStackResult><StackId>"
                + ID + "</StackId></UpdateStackResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></UpdateStackResponse>")));

        assertThat(cfn.update(request("ci-v2-update"))).isEqualTo(UpdateResult.STARTED);
        aws.verify(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=UpdateStack"))
                .withRequestBody(containing("ClientRequestToken=ci-v2-update"))
                .withRequestBody(containing("Capabilities.member.1=CAPABILITY_NAMED_IAM"))
                .withRequestBody(notContaining("OnFailure")));
    }

    @Test
    void noUpdatesToBePerformedIsNoChanges() {
        aws.stubFor(action("UpdateStack").willReturn(error(400, "ValidationError", "No updates are to be performed.")));
        assertThat(cfn.update(request("ci-v2-update"))).isEqualTo(UpdateResult.NO_CHANGES);
    }

    @Test
    void anUpdateWhileAnotherOperationRunsIsBusy() {
        aws.stubFor(action("UpdateStack").willReturn(error(400, "ValidationError",
                "Stack:" + ID + " is in UPDATE_IN_PROGRESS state and can not be updated.")));
        assertThatThrownBy(() -> cfn.update(request("ci-v3-update"))).isInstanceOf(StackBusy.class)
                .satisfies(e -> assertThat(((StackBusy) e).stackStatus()).isEqualTo("UPDATE_IN_PROGRESS"));
    }

    @Test
    void anUpdateOfAStackThatCanNeverBeUpdatedIsAnErrorNamingTheCall() {
        aws.stubFor(action("UpdateStack").willReturn(error(400, "ValidationError",
                "Stack:" + ID + " is in ROLLBACK_COMPLETE state and can not be updated.")));
        assertThatThrownBy(() -> cfn.update(request("ci-v2-update"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("UpdateStack").hasMessageContaining(NAME).hasMessageContaining("ROLLBACK_COMPLETE");
    }

    @Test
    void deleteSendsItsToken() {
        aws.stubFor(action("DeleteStack").willReturn(xml("<DeleteStackResponse xmlns=\"" + NS
                + "\"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteStackResponse>")));
        cfn.delete(NAME, "ci-v2-delete");
        aws.verify(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=DeleteStack"))
                .withRequestBody(containing("StackName=agent-stack-ci")).withRequestBody(containing("ClientRequestToken=ci-v2-delete")));
    }

    @Test
    void aStackThatCannotBeDeletedNowIsBusy() {
        aws.stubFor(action("DeleteStack").willReturn(error(400, "ValidationError",
                "Stack [agent-stack-ci] cannot be deleted while in status UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")));
        assertThatThrownBy(() -> cfn.delete(NAME, "ci-v2-delete")).isInstanceOf(StackBusy.class);
    }

    @Test
    void aStackThatDoesNotExistIsAbsent() {
        aws.stubFor(action("DescribeStacks").willReturn(error(400, "ValidationError", "Stack with id agent-stack-ci does not exist")));
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.Absent());
        assertThat(cfn.outputs(NAME)).isEmpty();
    }

    @Test
    void aStackInProgressIsInProgress() {
        aws.stubFor(action("DescribeStacks").willReturn(xml(stacks("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", null, ""))));
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.InProgress("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"));
        aws.verify(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=DescribeStacks"))
                .withRequestBody(containing("StackName=agent-stack-ci")));
    }

    @Test
    void aCompleteStackHasItsIdAndOutputs() {
        aws.stubFor(action("DescribeStacks").willReturn(xml(stacks("CREATE_COMPLETE", null,
                output("AutoScalingGroupName", "agent-stack-ci-AutoScalingGroup-1X2Y3Z") + output("LaunchTemplateId", "lt-1")))));
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.Complete("CREATE_COMPLETE", ID,
                Map.of("AutoScalingGroupName", "agent-stack-ci-AutoScalingGroup-1X2Y3Z", "LaunchTemplateId", "lt-1")));
    }

    @Test
    void aThrottledDescribeIsRetriedAndThenSucceeds() {
        aws.stubFor(action("DescribeStacks").inScenario("throttle").whenScenarioStateIs(STARTED)
                .willReturn(error(400, "Throttling", "Rate exceeded")).willSetStateTo("retried"));
        aws.stubFor(action("DescribeStacks").inScenario("throttle").whenScenarioStateIs("retried")
                .willReturn(xml(stacks("UPDATE_COMPLETE", null, ""))));
        assertThat(cfn.describe(NAME)).isInstanceOf(DeploymentStatus.Complete.class);
        aws.verify(2, postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=DescribeStacks")));
    }

    @Test
    void aRolledBackStackIsFailedWithTheFirstFailedResourceOfItsLatestOperation() {
        aws.stubFor(action("DescribeStacks").willReturn(xml(stacks("UPDATE_ROLLBACK_COMPLETE", "Update rollback completed", ""))));
        // Newest first, over two pages; the older operation's failure (before its UPDATE_IN_PROGRESS "User Initiated") is not ours.
        aws.stubFor(action("DescribeStackEvents").withRequestBody(notContaining("NextToken")).willReturn(xml(events("page-2",
                event(NAME, "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE", null),
                event("LaunchTemplate", "AWS::EC2::LaunchTemplate", "UPDATE_COMPLETE", null),
                event(NAME, "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [AutoScalingGroup]"),
                event("InstanceRole", "AWS::IAM::Role", "UPDATE_FAILED", "Resource update cancelled")))));
        aws.stubFor(action("DescribeStackEvents").withRequestBody(containing("NextToken=page-2")).willReturn(xml(events(null,
                event("AutoScalingGroup", "AWS::AutoScaling::AutoScalingGroup", "UPDATE_FAILED",
                        "You must use a valid fully-formed launch template. The requested configuration is currently not supported."),
                event("LaunchTemplate", "AWS::EC2::LaunchTemplate", "UPDATE_COMPLETE", null),
                event(NAME, "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated"),
                event("OldBucket", "AWS::S3::Bucket", "CREATE_FAILED", "an older operation's failure")))));

        DeploymentStatus s = cfn.describe(NAME);

        assertThat(s).isEqualTo(new DeploymentStatus.Failed("UPDATE_ROLLBACK_COMPLETE", "AutoScalingGroup: You must use a valid "
                + "fully-formed launch template. The requested configuration is currently not supported."));
        aws.verify(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=DescribeStackEvents"))
                .withRequestBody(containing("StackName=" + java.net.URLEncoder.encode(ID, java.nio.charset.StandardCharsets.UTF_8))));
    }

    @Test
    void aFailureWithoutAFailedResourceFallsBackToTheStacksOwnReason() {
        aws.stubFor(action("DescribeStacks").willReturn(xml(stacks("DELETE_FAILED", "The bucket is not empty", ""))));
        aws.stubFor(action("DescribeStackEvents").willReturn(xml(events(null,
                event(NAME, "AWS::CloudFormation::Stack", "DELETE_FAILED", "The bucket is not empty"),
                event(NAME, "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", "User Initiated")))));
        assertThat(cfn.describe(NAME)).isEqualTo(new DeploymentStatus.Failed("DELETE_FAILED", "The bucket is not empty"));
    }

    @Test
    void outputsAreReadWhateverTheStatus() {
        aws.stubFor(action("DescribeStacks").willReturn(xml(stacks("UPDATE_ROLLBACK_COMPLETE", null,
                output("AutoScalingGroupName", "g-1")))));
        assertThat(cfn.outputs(NAME)).contains(new StackOutputs(ID, "UPDATE_ROLLBACK_COMPLETE", Map.of("AutoScalingGroupName", "g-1")));
    }
}
