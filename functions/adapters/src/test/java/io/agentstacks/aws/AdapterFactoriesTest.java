package io.agentstacks.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.demand.DemandSource;
import io.agentstacks.demand.Observation;
import io.agentstacks.events.EventSink;
import io.agentstacks.hosts.HostGroups;
import io.agentstacks.hosts.HostPool;
import io.agentstacks.lambda.LambdaEntry;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.semaphore.SemaphoreDemandSource;
import io.agentstacks.stacks.Network;
import io.agentstacks.stacks.StackDeployments;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.Workflow;
import io.agentstacks.stacks.WorkflowStarter;
import io.agentstacks.token.AgentToken;
import io.agentstacks.token.TokenStore;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The factories as a Lambda uses them: a lean context, settings from the environment (here: system
 * properties of the same names), the SDK pointed at a loopback stand-in by {@code aws.endpointUrl}.
 */
class AdapterFactoriesTest {

    @RegisterExtension
    static WireMockExtension aws = AwsStandIn.server();

    final Map<String, String> saved = new HashMap<>();
    ApplicationContext context;

    void set(String name, String value) {
        saved.putIfAbsent(name, System.getProperty(name));
        System.setProperty(name, value);
    }

    @BeforeEach
    void environment() {
        set("aws.region", "us-east-1");
        set("aws.accessKeyId", "AKIDEXAMPLE");
        set("aws.secretAccessKey", "fake-secret-for-tests");
        set("aws.endpointUrl", aws.baseUrl());
        set("REGISTRY_TABLE", "agent-stacks-registry");
        set("EVENT_BUS_NAME", "agent-stacks");
        set("PROVISION_STACK_ARN", "arn:aws:states:us-east-1:123456789012:stateMachine:provision-stack");
        set("DESTROY_STACK_ARN", "arn:aws:states:us-east-1:123456789012:stateMachine:destroy-stack");
        context = LambdaEntry.leanContext().start();
    }

    @AfterEach
    void restore() {
        context.close();
        saved.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }

    @Test
    void theRegistryBeanReadsTheConfiguredTable() {
        aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("DynamoDB_20120810.GetItem"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.0").withBody("{}")));

        assertThat(context.getBean(StackRegistry.class).get("ci")).isEmpty();

        aws.verify(postRequestedFor(urlEqualTo("/")).withRequestBody(matchingJsonPath("$.TableName", equalTo("agent-stacks-registry")))
                .withHeader("Authorization", containing("Credential=AKIDEXAMPLE/")));
    }

    @Test
    void theEventSinkBeanPutsOnTheConfiguredBus() {
        aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AWSEvents.PutEvents"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"FailedEntryCount\":0,\"Entries\":[{\"EventId\":\"e-1\"}]}")));

        context.getBean(EventSink.class).publish(new DomainEvent.StackDeleted("ci", 2, Instant.parse("2030-01-01T00:00:00Z")));

        aws.verify(postRequestedFor(urlEqualTo("/")).withRequestBody(matchingJsonPath("$.Entries[0].EventBusName", equalTo("agent-stacks"))));
    }

    @Test
    void theWorkflowStarterBeanKnowsTheConfiguredStateMachines() {
        aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AWSStepFunctions.StartExecution"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.0")
                        .withBody("{\"executionArn\":\"arn:aws:states:us-east-1:123456789012:execution:destroy-stack:ci-delete-v2\",\"startDate\":1.9E9}")));

        context.getBean(WorkflowStarter.class).start(Workflow.DESTROY_STACK, "ci-delete-v2", "{}");

        aws.verify(postRequestedFor(urlEqualTo("/")).withRequestBody(matchingJsonPath("$.stateMachineArn",
                equalTo("arn:aws:states:us-east-1:123456789012:stateMachine:destroy-stack"))));
    }

    @Test
    void theDeploymentsBeanCallsCloudFormation() {
        aws.stubFor(post(urlEqualTo("/")).withRequestBody(containing("Action=DescribeStacks"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "text/xml").withBody(
                        "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type>"
                                + "<Code>ValidationError</Code><Message>Stack with id agent-stack-ci does not exist</Message></Error>"
                                + "<RequestId>r</RequestId></ErrorResponse>")));

        assertThat(context.getBean(StackDeployments.class).describe("agent-stack-ci"))
                .isEqualTo(new StackDeployments.DeploymentStatus.Absent());
    }

    @Test
    void theLambdasLeanContextHasNoPropertySourcesAndDeducesNoEnvironment() {
        assertThat(context.getEnvironment().getPropertySources()).extracting(PropertySource::getName)
                .as("no environment-variable, system-property or application-file sources").isEmpty();
        assertThat(context.getEnvironment().getActiveNames()).as("no deduced environments").isEmpty();
    }

    @Test
    void everyPortHasItsSdkAdapterAsABean() {
        assertThat(context.getBean(FleetControl.class)).isInstanceOf(AutoScalingFleetControl.class);
        assertThat(context.getBean(Network.class)).isInstanceOf(Ec2Network.class);
        assertThat(context.getBean(HostPool.class)).isInstanceOf(Ec2HostPool.class);
        assertThat(context.getBean(HostGroups.class)).isInstanceOf(ResourceGroupsHostGroups.class);
        assertThat(context.getBean(TokenStore.class)).isInstanceOf(SsmTokenStore.class);
        assertThat(context.getBean(DemandSource.class)).isInstanceOf(SemaphoreDemandSource.class);
    }

    @Test
    void theLambdasSemaphoreSourceIsHttpsOnlyAndNeverSendsATokenOverHttpNotEvenToLoopback() {
        aws.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo(SemaphoreDemandSource.METRICS_PATH))
                .willReturn(aResponse().withStatus(200).withBody("{\"jobs\":{},\"agents\":{}}")));
        SemaphoreDemandSource wired = (SemaphoreDemandSource) context.getBean(DemandSource.class);

        Observation seen = wired.observe(aws.baseUrl(), new AgentToken("agent-type-registration-token-d41d8cd98f00"));

        assertThat(seen).isInstanceOf(Observation.Unavailable.class);
        assertThat(((Observation.Unavailable) seen).reason()).startsWith("refused: ");
        assertThat(aws.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                urlEqualTo(SemaphoreDemandSource.METRICS_PATH)))).isEmpty();
        assertThat(wired.connectTimeout()).contains(SemaphoreDemandSource.CONNECT_TIMEOUT);
        assertThat(wired.requestTimeout()).isEqualTo(SemaphoreDemandSource.REQUEST_TIMEOUT);
    }

    @Test
    void theEc2AdaptersShareOneClient() {
        context.getBean(Network.class);
        context.getBean(HostPool.class);

        assertThat(context.getBeansOfType(software.amazon.awssdk.services.ec2.Ec2Client.class)).hasSize(1);
    }

    @Test
    void aMissingSettingIsNamedWhenTheBeanIsWanted() {
        System.clearProperty("REGISTRY_TABLE");
        assertThatThrownBy(() -> context.getBean(StackRegistry.class)).hasStackTraceContaining("REGISTRY_TABLE is not set");
    }

    @Test
    void eachMissingSettingIsNamed() {
        System.clearProperty("EVENT_BUS_NAME");
        System.clearProperty("DESTROY_STACK_ARN");

        assertThatThrownBy(() -> context.getBean(EventSink.class)).hasStackTraceContaining("EVENT_BUS_NAME is not set");
        assertThatThrownBy(() -> context.getBean(WorkflowStarter.class)).hasStackTraceContaining("DESTROY_STACK_ARN is not set");
    }

    @Test
    void eachWorkflowsArnHasAVariableNamedAfterItsDefinition() {
        assertThat(StepFunctionsFactory.arnVariable(Workflow.PROVISION_STACK)).isEqualTo("PROVISION_STACK_ARN");
        assertThat(StepFunctionsFactory.arnVariable(Workflow.DESTROY_STACK)).isEqualTo("DESTROY_STACK_ARN");
        assertThat(StepFunctionsFactory.arnVariable(Workflow.RELEASE_MAC_HOSTS)).isEqualTo("RELEASE_MAC_HOSTS_ARN");
        assertThat(StepFunctionsFactory.stateMachineArns()).containsOnlyKeys(Workflow.PROVISION_STACK, Workflow.DESTROY_STACK);

        set("RELEASE_MAC_HOSTS_ARN", "arn:aws:states:us-east-1:123456789012:stateMachine:release-mac-hosts");

        assertThat(StepFunctionsFactory.stateMachineArns()).containsEntry(Workflow.RELEASE_MAC_HOSTS,
                "arn:aws:states:us-east-1:123456789012:stateMachine:release-mac-hosts");
    }
}
