package io.agentstacks.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;

import io.agentstacks.scaling.FleetControlException;
import io.agentstacks.scaling.GroupState;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AutoScalingFleetControlTest {

    @RegisterExtension
    static WireMockExtension aws = WireMockExtension.newInstance()
            .options(wireMockConfig().bindAddress("127.0.0.1").dynamicPort()).build();

    private static final String NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    private static final String GROUP = "ci-linux-autoScalingGroup-1A2B3C";

    private AutoScalingFleetControl fleet;

    @BeforeEach
    void client() {
        fleet = new AutoScalingFleetControl(TestSdkClients.autoScaling(aws.baseUrl()));
    }

    private static void answer(String action, int status, String xml) {
        aws.stubFor(post(urlEqualTo("/")).withFormParam("Action", equalTo(action))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "text/xml").withBody(xml)));
    }

    private static String ok(String action, String result) {
        return "<" + action + "Response xmlns=\"" + NS + "\">"
                + (result.isEmpty() ? "" : "<" + action + "Result>" + result + "</" + action + "Result>")
                + "<ResponseMetadata><RequestId>7c6e177f-f082-11e1-ac58-3714bEXAMPLE</RequestId></ResponseMetadata>"
                + "</" + action + "Response>";
    }

    private static String error(String code, String message) {
        return "<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>Sender</Type><Code>" + code + "</Code><Message>"
                + message + "</Message></Error><RequestId>4f9a8f1c-EXAMPLE</RequestId></ErrorResponse>";
    }

    private static String group(boolean warmPool) {
        return "<AutoScalingGroups><member>"
                + "<AutoScalingGroupName>" + GROUP + "</AutoScalingGroupName>"
                + "<AutoScalingGroupARN>arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:930d940e-891e-4781-a11a-7b0acd480f03:autoScalingGroupName/" + GROUP + "</AutoScalingGroupARN>"
                + "<MinSize>1</MinSize><MaxSize>20</MaxSize><DesiredCapacity>3</DesiredCapacity>"
                + "<DefaultCooldown>300</DefaultCooldown>"
                + "<AvailabilityZones><member>us-east-1a</member><member>us-east-1b</member></AvailabilityZones>"
                + "<HealthCheckType>EC2</HealthCheckType><HealthCheckGracePeriod>0</HealthCheckGracePeriod>"
                + "<Instances>"
                + instance("i-0598c7d356eba48d7", "InService", "true")
                + instance("i-0a1b2c3d4e5f60718", "Pending", "false")
                + instance("i-0fedcba987654321f", "InService", "false")
                + instance("i-0aaaabbbbccccdddd", "Terminating:Wait", "false")
                + "</Instances>"
                + "<CreatedTime>2025-02-20T10:11:12.345Z</CreatedTime>"
                + "<SuspendedProcesses><member><ProcessName>AZRebalance</ProcessName><SuspensionReason>User suspended at 2025-02-20T10:15:00Z</SuspensionReason></member></SuspendedProcesses>"
                + "<NewInstancesProtectedFromScaleIn>false</NewInstancesProtectedFromScaleIn>"
                + (warmPool ? "<WarmPoolConfiguration><MinSize>2</MinSize><MaxGroupPreparedCapacity>2</MaxGroupPreparedCapacity><PoolState>Stopped</PoolState><Status/></WarmPoolConfiguration><WarmPoolSize>2</WarmPoolSize>" : "")
                + "<Tags/><TerminationPolicies><member>Default</member></TerminationPolicies>"
                + "</member></AutoScalingGroups>";
    }

    private static String instance(String id, String state, String protectedFromScaleIn) {
        return "<member><InstanceId>" + id + "</InstanceId><InstanceType>t3.large</InstanceType>"
                + "<AvailabilityZone>us-east-1a</AvailabilityZone><LifecycleState>" + state + "</LifecycleState>"
                + "<HealthStatus>Healthy</HealthStatus><LaunchTemplate><LaunchTemplateId>lt-0123456789abcdef0</LaunchTemplateId>"
                + "<LaunchTemplateName>ci-linux</LaunchTemplateName><Version>3</Version></LaunchTemplate>"
                + "<ProtectedFromScaleIn>" + protectedFromScaleIn + "</ProtectedFromScaleIn></member>";
    }

    private static String warmInstance(String id) {
        return "<member><InstanceId>" + id + "</InstanceId><InstanceType>t3.large</InstanceType>"
                + "<AvailabilityZone>us-east-1b</AvailabilityZone><LifecycleState>Warmed:Stopped</LifecycleState>"
                + "<HealthStatus>Healthy</HealthStatus></member>";
    }

    @Test
    void describesTheGroupWithItsInstancesAndProtection() {
        answer("DescribeAutoScalingGroups", 200, ok("DescribeAutoScalingGroups", group(false)));

        GroupState g = fleet.describe(GROUP).orElseThrow();

        assertThat(g.minSize()).isEqualTo(1);
        assertThat(g.maxSize()).isEqualTo(20);
        assertThat(g.desiredCapacity()).isEqualTo(3);
        assertThat(g.instances()).as("instances on their way out are not counted").containsExactly(
                new GroupState.Instance("i-0598c7d356eba48d7", "InService", "us-east-1a", true),
                new GroupState.Instance("i-0a1b2c3d4e5f60718", "Pending", "us-east-1a", false),
                new GroupState.Instance("i-0fedcba987654321f", "InService", "us-east-1a", false));
        assertThat(g.warmInstances()).isZero();
        assertThat(g.terminatingInstances()).as("the one in Terminating:Wait still runs its job").isEqualTo(1);
        assertThat(g.runningInstanceCount()).isEqualTo(4);
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withHeader("Content-Type", equalTo("application/x-www-form-urlencoded; charset=UTF-8"))
                .withFormParam("Action", equalTo("DescribeAutoScalingGroups"))
                .withFormParam("Version", equalTo("2011-01-01"))
                .withFormParam("AutoScalingGroupNames.member.1", equalTo(GROUP)));
        assertThat(aws.findAll(postRequestedFor(urlEqualTo("/")).withFormParam("Action", equalTo("DescribeWarmPool"))))
                .as("no warm pool configured, no DescribeWarmPool call").isEmpty();
    }

    @Test
    void countsTheWarmPoolAcrossPages() {
        answer("DescribeAutoScalingGroups", 200, ok("DescribeAutoScalingGroups", group(true)));
        aws.stubFor(post(urlEqualTo("/")).withFormParam("Action", equalTo("DescribeWarmPool"))
                .withFormParam("NextToken", com.github.tomakehurst.wiremock.client.WireMock.absent())
                .willReturn(aResponse().withStatus(200).withBody(ok("DescribeWarmPool",
                        "<WarmPoolConfiguration><MinSize>2</MinSize><PoolState>Stopped</PoolState></WarmPoolConfiguration>"
                                + "<Instances>" + warmInstance("i-0000000000000000a") + "</Instances><NextToken>page-2</NextToken>"))));
        aws.stubFor(post(urlEqualTo("/")).withFormParam("Action", equalTo("DescribeWarmPool"))
                .withFormParam("NextToken", equalTo("page-2"))
                .willReturn(aResponse().withStatus(200).withBody(ok("DescribeWarmPool",
                        "<WarmPoolConfiguration><MinSize>2</MinSize><PoolState>Stopped</PoolState></WarmPoolConfiguration>"
                                + "<Instances>" + warmInstance("i-0000000000000000b") + "</Instances>"))));

        assertThat(fleet.describe(GROUP).orElseThrow().warmInstances()).isEqualTo(2);
        aws.verify(postRequestedFor(urlEqualTo("/")).withFormParam("Action", equalTo("DescribeWarmPool"))
                .withFormParam("AutoScalingGroupName", equalTo(GROUP)));
    }

    @Test
    void aGroupThatDoesNotExistIsEmpty() {
        answer("DescribeAutoScalingGroups", 200, ok("DescribeAutoScalingGroups", "<AutoScalingGroups/>"));
        assertThat(fleet.describe("gone")).isEmpty();
    }

    @Test
    void setsDesiredCapacityWithoutHonouringCooldown() {
        answer("SetDesiredCapacity", 200, ok("SetDesiredCapacity", ""));
        fleet.setDesiredCapacity(GROUP, 7);
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withFormParam("Action", equalTo("SetDesiredCapacity"))
                .withFormParam("AutoScalingGroupName", equalTo(GROUP))
                .withFormParam("DesiredCapacity", equalTo("7"))
                .withFormParam("HonorCooldown", equalTo("false")));
    }

    @Test
    void settingDesiredCapacityOfAMissingGroupSaysNotFound() {
        answer("SetDesiredCapacity", 400, error("ValidationError", "AutoScalingGroup name not found - null"));
        assertThatThrownBy(() -> fleet.setDesiredCapacity("gone", 1))
                .isInstanceOf(FleetControlException.class)
                .hasMessageContaining("SetDesiredCapacity on gone failed: ValidationError")
                .satisfies(e -> assertThat(((FleetControlException) e).kind()).isEqualTo(FleetControlException.Kind.NOT_FOUND));
    }

    @Test
    void settingDesiredCapacityAboveMaxIsInvalid() {
        answer("SetDesiredCapacity", 400, error("ValidationError",
                "New SetDesiredCapacity value 30 is above max value 20 for the AutoScalingGroup."));
        assertThatThrownBy(() -> fleet.setDesiredCapacity(GROUP, 30))
                .satisfies(e -> assertThat(((FleetControlException) e).kind()).isEqualTo(FleetControlException.Kind.INVALID))
                .hasMessageContaining("above max value 20");
    }

    @Test
    void throttlingIsRetriedByTheSdkThenReportedAsThrottled() {
        answer("SetDesiredCapacity", 400, error("Throttling", "Rate exceeded"));
        assertThatThrownBy(() -> fleet.setDesiredCapacity(GROUP, 2))
                .satisfies(e -> assertThat(((FleetControlException) e).kind()).isEqualTo(FleetControlException.Kind.THROTTLED))
                .hasMessageContaining("Throttling");
        assertThat(aws.findAll(postRequestedFor(urlEqualTo("/")))).hasSize(TestSdkClients.MAX_ATTEMPTS);
    }

    @Test
    void throttlingThatStopsIsInvisible() {
        aws.stubFor(post(urlEqualTo("/")).inScenario("throttled").whenScenarioStateIs(
                        com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willReturn(aResponse().withStatus(400).withBody(error("Throttling", "Rate exceeded")))
                .willSetStateTo("calm"));
        aws.stubFor(post(urlEqualTo("/")).inScenario("throttled").whenScenarioStateIs("calm")
                .willReturn(aResponse().withStatus(200).withBody(ok("SetDesiredCapacity", ""))));
        fleet.setDesiredCapacity(GROUP, 2);
        assertThat(aws.findAll(postRequestedFor(urlEqualTo("/")))).hasSize(2);
    }

    @Test
    void updatesMinMaxAndDesiredTogether() {
        answer("UpdateAutoScalingGroup", 200, ok("UpdateAutoScalingGroup", ""));
        fleet.updateSizes(GROUP, 0, 0, 0);
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withFormParam("Action", equalTo("UpdateAutoScalingGroup"))
                .withFormParam("AutoScalingGroupName", equalTo(GROUP))
                .withFormParam("MinSize", equalTo("0"))
                .withFormParam("MaxSize", equalTo("0"))
                .withFormParam("DesiredCapacity", equalTo("0")));
    }

    @Test
    void updatingAMissingGroupSaysNotFound() {
        answer("UpdateAutoScalingGroup", 400, error("ValidationError", "AutoScalingGroup name not found - gone"));
        assertThatThrownBy(() -> fleet.updateSizes("gone", 0, 0, 0))
                .satisfies(e -> assertThat(((FleetControlException) e).kind()).isEqualTo(FleetControlException.Kind.NOT_FOUND));
    }

    @Test
    void suspendsOnlyAzRebalance() {
        answer("SuspendProcesses", 200, ok("SuspendProcesses", ""));
        fleet.suspendAzRebalance(GROUP);
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withFormParam("Action", equalTo("SuspendProcesses"))
                .withFormParam("AutoScalingGroupName", equalTo(GROUP))
                .withFormParam("ScalingProcesses.member.1", equalTo("AZRebalance"))
                .withFormParam("ScalingProcesses.member.2", com.github.tomakehurst.wiremock.client.WireMock.absent()));
    }

    @Test
    void startsARefreshThatReplacesEverythingAndWaitsForProtectedInstances() {
        answer("StartInstanceRefresh", 200, ok("StartInstanceRefresh",
                "<InstanceRefreshId>08b91cf7-8fa6-48af-b6a6-d227f40f1b9b</InstanceRefreshId>"));
        assertThat(fleet.startInstanceRefresh(GROUP)).isEqualTo("08b91cf7-8fa6-48af-b6a6-d227f40f1b9b");
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withFormParam("Action", equalTo("StartInstanceRefresh"))
                .withFormParam("AutoScalingGroupName", equalTo(GROUP))
                .withFormParam("Strategy", equalTo("Rolling"))
                .withFormParam("Preferences.SkipMatching", equalTo("false"))
                .withFormParam("Preferences.ScaleInProtectedInstances", equalTo("Wait"))
                .withFormParam("Preferences.StandbyInstances", equalTo("Wait"))
                .withFormParam("Preferences.MinHealthyPercentage", equalTo("90")));
    }

    @Test
    void aRefreshAlreadyRunningAnswersItsId() {
        answer("StartInstanceRefresh", 400, error("InstanceRefreshInProgress",
                "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh."));
        answer("DescribeInstanceRefreshes", 200, ok("DescribeInstanceRefreshes", "<InstanceRefreshes>"
                + "<member><InstanceRefreshId>c613b1a0-0000-4000-8000-000000000001</InstanceRefreshId><AutoScalingGroupName>" + GROUP
                + "</AutoScalingGroupName><Status>Successful</Status><PercentageComplete>100</PercentageComplete></member>"
                + "<member><InstanceRefreshId>c613b1a0-0000-4000-8000-000000000002</InstanceRefreshId><AutoScalingGroupName>" + GROUP
                + "</AutoScalingGroupName><Status>InProgress</Status><StatusReason>Waiting for instances to warm up before continuing.</StatusReason>"
                + "<StartTime>2025-03-01T11:00:00Z</StartTime><PercentageComplete>25</PercentageComplete><InstancesToUpdate>3</InstancesToUpdate></member>"
                + "</InstanceRefreshes>"));
        assertThat(fleet.startInstanceRefresh(GROUP)).isEqualTo("c613b1a0-0000-4000-8000-000000000002");
    }

    @Test
    void aRefreshOfAMissingGroupSaysNotFound() {
        answer("StartInstanceRefresh", 400, error("ValidationError", "AutoScalingGroup name not found - gone"));
        assertThatThrownBy(() -> fleet.startInstanceRefresh("gone"))
                .satisfies(e -> assertThat(((FleetControlException) e).kind()).isEqualTo(FleetControlException.Kind.NOT_FOUND));
    }

    @Test
    void aServerErrorIsRetriedAndThenReportedAsFailed() {
        answer("DescribeAutoScalingGroups", 500, error("InternalFailure", "We encountered an internal error."));
        assertThatThrownBy(() -> fleet.describe(GROUP))
                .satisfies(e -> assertThat(((FleetControlException) e).kind()).isEqualTo(FleetControlException.Kind.FAILED))
                .hasMessageContaining("DescribeAutoScalingGroups on " + GROUP);
        assertThat(aws.findAll(postRequestedFor(urlEqualTo("/")))).hasSize(TestSdkClients.MAX_ATTEMPTS);
    }
}
