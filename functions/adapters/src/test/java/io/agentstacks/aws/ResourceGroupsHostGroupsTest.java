package io.agentstacks.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.agentstacks.hosts.HostGroupConfiguration;
import io.agentstacks.hosts.HostGroups;
import io.agentstacks.hosts.HostGroups.DeleteResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

class ResourceGroupsHostGroupsTest {

    @RegisterExtension
    static WireMockExtension aws = WireMockExtension.newInstance()
            .options(wireMockConfig().bindAddress("127.0.0.1").dynamicPort()).build();

    private static final String ARN = "arn:aws:resource-groups:us-east-1:123456789012:group/mac-agents";
    private static final String HOST_ARN = "arn:aws:ec2:us-east-1:123456789012:dedicated-host/";
    private static final String LICENSE = "arn:aws:license-manager:us-east-1:123456789012:license-configuration:lic-0123456789abcdef";
    private static final HostGroupConfiguration CONFIG =
            new HostGroupConfiguration(List.of("mac2"), List.of(LICENSE), true, true);
    private static final String CONFIG_JSON = """
            [{"Type":"AWS::EC2::HostManagement","Parameters":[
               {"Name":"allowed-host-based-license-configurations","Values":["%s"]},
               {"Name":"allowed-host-families","Values":["mac2"]},
               {"Name":"auto-allocate-host","Values":["true"]},
               {"Name":"auto-release-host","Values":["true"]}]},
             {"Type":"AWS::ResourceGroups::Generic","Parameters":[
               {"Name":"allowed-resource-types","Values":["AWS::EC2::Host"]},
               {"Name":"deletion-protection","Values":["UNLESS_EMPTY"]}]}]""".formatted(LICENSE);

    private ResourceGroupsHostGroups groups;

    @BeforeEach
    void client() {
        groups = new ResourceGroupsHostGroups(MacTestClients.resourceGroups(aws.baseUrl()));
    }

    private static MappingBuilder call(String path) {
        return post(urlEqualTo(path));
    }

    private static void answer(MappingBuilder request, int status, String json) {
        aws.stubFor(request.willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withHeader("x-amzn-RequestId", "d5d5c6a1-3b1e-4a0c-9d4f-EXAMPLE").withBody(json)));
    }

    private static void error(MappingBuilder request, int status, String type, String message) {
        aws.stubFor(request.willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withHeader("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazonaws.resourcegroups/")
                .withBody("{\"Message\":\"" + message + "\"}")));
    }

    private static void existingGroup() {
        answer(call("/get-group"), 200, """
                {"Group":{"GroupArn":"%s","Name":"mac-agents","Description":"Mac dedicated hosts of agent stack mac-agents",
                 "OwnerId":"123456789012"}}""".formatted(ARN));
        answer(call("/get-group-configuration"), 200,
                "{\"GroupConfiguration\":{\"Configuration\":" + CONFIG_JSON + ",\"Status\":\"UPDATE_COMPLETE\"}}");
    }

    private static void members(String... hostIds) {
        StringBuilder resources = new StringBuilder();
        for (String id : hostIds) {
            resources.append(resources.isEmpty() ? "" : ",")
                    .append("{\"Identifier\":{\"ResourceArn\":\"").append(HOST_ARN).append(id)
                    .append("\",\"ResourceType\":\"AWS::EC2::Host\"}}");
        }
        answer(call("/list-group-resources"), 200, "{\"Resources\":[" + resources + "],\"QueryErrors\":[]}");
    }

    @Test
    void createSendsTheOlderToolsConfigurationAndAnswersTheGroupsArn() {
        answer(call("/groups"), 200, """
                {"Group":{"GroupArn":"%s","Name":"mac-agents"},"Tags":{"semaphore-agent-stack":"mac-agents"},
                 "GroupConfiguration":{"Configuration":%s,"Status":"UPDATE_COMPLETE"}}""".formatted(ARN, CONFIG_JSON));

        var group = groups.create("mac-agents", CONFIG, Map.of("semaphore-agent-stack", "mac-agents"));

        assertThat(group).isEqualTo(new HostGroups.HostGroup("mac-agents", ARN, CONFIG));
        aws.verify(postRequestedFor(urlEqualTo("/groups")).withRequestBody(equalToJson("""
                {"Name":"mac-agents","Description":"Mac dedicated hosts of agent stack mac-agents",
                 "Configuration":%s,"Tags":{"semaphore-agent-stack":"mac-agents"}}""".formatted(CONFIG_JSON))));
    }

    @Test
    void describeReadsTheGroupAndItsConfiguration() {
        existingGroup();

        assertThat(groups.describe("mac-agents")).contains(new HostGroups.HostGroup("mac-agents", ARN, CONFIG));
        aws.verify(postRequestedFor(urlEqualTo("/get-group")).withRequestBody(equalToJson("{\"Group\":\"mac-agents\"}")));
    }

    @Test
    void aGroupThatDoesNotExistIsNotFound() {
        error(call("/get-group"), 404, "NotFoundException", "Cannot find group mac-agents.");
        error(call("/list-group-resources"), 404, "NotFoundException", "Cannot find group mac-agents.");

        assertThat(groups.describe("mac-agents")).isEmpty();
        assertThat(groups.hostIds("mac-agents")).isEmpty();
        assertThat(groups.delete("mac-agents")).isEqualTo(new DeleteResult.NotFound());
        aws.verify(0, postRequestedFor(urlEqualTo("/delete-group")));
    }

    @Test
    void tagsAreReadByTheGroupsArn() {
        aws.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlPathMatching("/resources/.+/tags"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"Arn\":\"" + ARN + "\",\"Tags\":{\"semaphore-agent-stack\":\"mac-agents\",\"team\":\"ios\"}}")));

        assertThat(groups.tags(new HostGroups.HostGroup("mac-agents", ARN, CONFIG)))
                .isEqualTo(Map.of("semaphore-agent-stack", "mac-agents", "team", "ios"));
        var requests = aws.findAll(getRequestedFor(urlPathMatching("/resources/.+/tags")));
        assertThat(requests).singleElement().satisfies(r -> assertThat(URLDecoder.decode(r.getUrl(), StandardCharsets.UTF_8))
                .isEqualTo("/resources/" + ARN + "/tags"));
    }

    @Test
    void tagsOfAGroupGoneMeanwhileFailNamingTheCallAndTheGroup() {
        aws.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlPathMatching("/resources/.+/tags"))
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                        .withHeader("x-amzn-ErrorType", "NotFoundException:http://internal.amazon.com/coral/com.amazonaws.resourcegroups/")
                        .withBody("{\"Message\":\"Cannot find group mac-agents.\"}")));

        assertThatThrownBy(() -> groups.tags(new HostGroups.HostGroup("mac-agents", ARN, CONFIG)))
                .isInstanceOf(HostGroups.HostGroupException.class)
                .hasMessage("GetTags mac-agents failed: NotFoundException: Cannot find group mac-agents.");
    }

    @Test
    void configureReplacesTheConfiguration() {
        answer(call("/put-group-configuration"), 202, "{}");

        groups.configure("mac-agents", CONFIG);

        aws.verify(postRequestedFor(urlEqualTo("/put-group-configuration"))
                .withRequestBody(equalToJson("{\"Group\":\"mac-agents\",\"Configuration\":" + CONFIG_JSON + "}")));
    }

    @Test
    void hostIdsFollowsEveryPage() {
        aws.stubFor(call("/list-group-resources").withRequestBody(matchingJsonPath("$[?(!@.NextToken)]"))
                .willReturn(aResponse().withStatus(200).withBody("""
                        {"Resources":[{"Identifier":{"ResourceArn":"%sh-0a1","ResourceType":"AWS::EC2::Host"}}],
                         "NextToken":"page-2"}""".formatted(HOST_ARN))));
        aws.stubFor(call("/list-group-resources").withRequestBody(matchingJsonPath("$.NextToken", com.github.tomakehurst.wiremock.client.WireMock.equalTo("page-2")))
                .willReturn(aResponse().withStatus(200).withBody("""
                        {"Resources":[{"Identifier":{"ResourceArn":"%sh-0b2","ResourceType":"AWS::EC2::Host"}}]}""".formatted(HOST_ARN))));

        assertThat(groups.hostIds("mac-agents")).containsExactly("h-0a1", "h-0b2");
    }

    @Test
    void groupSendsTheHostsArnsAndReadsWhatFailedOrIsPending() {
        existingGroup();
        answer(call("/group-resources"), 200, """
                {"Succeeded":["%1$sh-0a1"],
                 "Failed":[{"ResourceArn":"%1$sh-0b2","ErrorMessage":"The resource is a member of another group","ErrorCode":"BadRequest"}],
                 "Pending":[{"ResourceArn":"%1$sh-0c3"}]}""".formatted(HOST_ARN));

        var membership = groups.group("mac-agents", List.of("h-0a1", "h-0b2", "h-0c3"));

        assertThat(membership).isEqualTo(new HostGroups.Membership(List.of("h-0a1"),
                List.of(new HostGroups.Membership.Failure("h-0b2", "BadRequest", "The resource is a member of another group")),
                List.of("h-0c3")));
        aws.verify(postRequestedFor(urlEqualTo("/group-resources")).withRequestBody(equalToJson("""
                {"Group":"mac-agents","ResourceArns":["%1$sh-0a1","%1$sh-0b2","%1$sh-0c3"]}""".formatted(HOST_ARN))));
    }

    @Test
    void ungroupTakesTheHostsOut() {
        existingGroup();
        answer(call("/ungroup-resources"), 200, "{\"Succeeded\":[\"" + HOST_ARN + "h-0a1\"],\"Failed\":[],\"Pending\":[]}");

        assertThat(groups.ungroup("mac-agents", List.of("h-0a1")).succeeded()).containsExactly("h-0a1");
        aws.verify(postRequestedFor(urlEqualTo("/ungroup-resources")).withRequestBody(equalToJson(
                "{\"Group\":\"mac-agents\",\"ResourceArns\":[\"" + HOST_ARN + "h-0a1\"]}")));
    }

    @Test
    void aGroupThatHoldsHostsIsNotDeleted() {
        existingGroup();
        members("h-0a1");

        assertThat(groups.delete("mac-agents")).isEqualTo(new DeleteResult.NotEmpty(List.of("h-0a1")));
        aws.verify(0, postRequestedFor(urlEqualTo("/delete-group")));
    }

    @Test
    void anEmptyGroupIsDeleted() {
        existingGroup();
        members();
        answer(call("/delete-group"), 200, "{\"Group\":{\"GroupArn\":\"" + ARN + "\",\"Name\":\"mac-agents\"}}");

        assertThat(groups.delete("mac-agents")).isEqualTo(new DeleteResult.Deleted());
        aws.verify(postRequestedFor(urlEqualTo("/delete-group")).withRequestBody(equalToJson("{\"Group\":\"mac-agents\"}")));
    }

    @Test
    void aHostJoiningJustBeforeTheDeleteMakesItNotEmpty() {
        existingGroup();
        aws.stubFor(call("/list-group-resources").inScenario("join").whenScenarioStateIs(STARTED).willSetStateTo("joined")
                .willReturn(aResponse().withStatus(200).withBody("{\"Resources\":[]}")));
        aws.stubFor(call("/list-group-resources").inScenario("join").whenScenarioStateIs("joined")
                .willReturn(aResponse().withStatus(200).withBody("{\"Resources\":[{\"Identifier\":{\"ResourceArn\":\""
                        + HOST_ARN + "h-0a1\",\"ResourceType\":\"AWS::EC2::Host\"}}]}")));
        error(call("/delete-group"), 400, "BadRequestException", "The group cannot be deleted because it is not empty.");

        assertThat(groups.delete("mac-agents")).isEqualTo(new DeleteResult.NotEmpty(List.of("h-0a1")));
    }

    @Test
    void aThrottledCallIsRetriedByTheSdk() {
        aws.stubFor(call("/put-group-configuration").inScenario("throttle").whenScenarioStateIs(STARTED).willSetStateTo("calm")
                .willReturn(aResponse().withStatus(429).withHeader("x-amzn-ErrorType", "TooManyRequestsException")
                        .withBody("{\"Message\":\"Rate exceeded\"}")));
        aws.stubFor(call("/put-group-configuration").inScenario("throttle").whenScenarioStateIs("calm")
                .willReturn(aResponse().withStatus(202).withBody("{}")));

        groups.configure("mac-agents", CONFIG);

        aws.verify(2, postRequestedFor(urlEqualTo("/put-group-configuration")));
    }

    @Test
    void throttlingPastTheRetriesFailsNamingTheCallAndTheGroup() {
        error(call("/groups"), 429, "TooManyRequestsException", "Rate exceeded");

        assertThatThrownBy(() -> groups.create("mac-agents", CONFIG, Map.of()))
                .isInstanceOf(HostGroups.HostGroupException.class)
                .hasMessage("CreateGroup mac-agents failed: TooManyRequestsException: Rate exceeded");
        aws.verify(MacTestClients.MAX_ATTEMPTS, postRequestedFor(urlEqualTo("/groups")));
    }
}
