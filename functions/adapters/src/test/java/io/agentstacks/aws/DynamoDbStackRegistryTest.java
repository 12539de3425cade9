package io.agentstacks.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.DecisionSnapshot;
import io.agentstacks.stacks.DemandSnapshot;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackRegistry.Page;
import io.agentstacks.stacks.StackRegistry.PutResult;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

class DynamoDbStackRegistryTest {

    @RegisterExtension
    static WireMockExtension aws = AwsStandIn.server();

    static final String TABLE = "agent-stacks-registry";
    static final String JSON_10 = "application/x-amz-json-1.0";
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final Instant T1 = Instant.parse("2030-01-01T00:05:00Z");

    final DynamoDbStackRegistry registry = new DynamoDbStackRegistry(AwsStandIn.client(DynamoDbClient.builder(), aws), TABLE);

    static StackSpec spec(String name) {
        return StackSpec.builder(name, name + "-token").semaphoreOrganization("acme").maxSize(4).build();
    }

    /** An item as DynamoDB sends it: every attribute typed, numbers as strings. */
    static String item(String name, String status, long revision) {
        ObjectNode i = JsonNodeFactory.instance.objectNode();
        i.putObject("name").put("S", name);
        i.putObject("kind").put("S", "stack");
        i.putObject("spec").put("S", SpecJson.writeString(spec(name)));
        i.putObject("specVersion").put("N", "2");
        i.putObject("status").put("S", status);
        i.putObject("revision").put("N", Long.toString(revision));
        i.putObject("createdAt").put("S", T0.toString());
        i.putObject("updatedAt").put("S", T1.toString());
        i.putObject("groupName").put("S", "agent-stack-" + name + "-AutoScalingGroup-ABC");
        i.putObject("lastDemand").put("S", "{\"queuedJobs\":3,\"runningJobs\":1,\"idleAgents\":0,\"occupiedAgents\":1,\"observedAt\":\"2030-01-01T00:04:00Z\"}");
        return i.toString();
    }

    static MappingBuilder call(String operation) {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("DynamoDB_20120810." + operation));
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", JSON_10).withBody(body);
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder error(int status, String type, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", JSON_10)
                .withBody("{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + type + "\",\"message\":\"" + message + "\"}");
    }

    @Test
    void getReadsTheItemConsistentlyAndMapsEveryAttribute() {
        aws.stubFor(call("GetItem").willReturn(ok("{\"Item\":" + item("ci", "ACTIVE", 7) + "}")));

        StackRecord r = registry.get("ci").orElseThrow();

        assertThat(r.name()).isEqualTo("ci");
        assertThat(r.spec()).isEqualTo(spec("ci"));
        assertThat(r.specVersion()).isEqualTo(2);
        assertThat(r.status()).isEqualTo(StackStatus.ACTIVE);
        assertThat(r.revision()).isEqualTo(7);
        assertThat(r.createdAt()).isEqualTo(T0);
        assertThat(r.updatedAt()).isEqualTo(T1);
        assertThat(r.groupName()).contains("agent-stack-ci-AutoScalingGroup-ABC");
        assertThat(r.reason()).isEmpty();
        assertThat(r.lastDemand()).contains(new DemandSnapshot(3, 1, 0, 1, Instant.parse("2030-01-01T00:04:00Z")));
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("DynamoDB_20120810.GetItem"))
                .withHeader("Content-Type", equalTo(JSON_10))
                .withRequestBody(equalToJson("{\"TableName\":\"" + TABLE + "\",\"Key\":{\"name\":{\"S\":\"ci\"}},\"ConsistentRead\":true}")));
    }

    @Test
    void aStackThatIsNotThereIsEmpty() {
        aws.stubFor(call("GetItem").willReturn(ok("{}")));
        assertThat(registry.get("nope")).isEmpty();
    }

    @Test
    void aThrottledReadIsRetriedAndThenSucceeds() {
        aws.stubFor(call("GetItem").inScenario("throttle").whenScenarioStateIs(STARTED)
                .willReturn(error(400, "ThrottlingException", "Rate of requests exceeds the allowed throughput."))
                .willSetStateTo("retried"));
        aws.stubFor(call("GetItem").inScenario("throttle").whenScenarioStateIs("retried")
                .willReturn(ok("{\"Item\":" + item("ci", "UPDATING", 2) + "}")));

        assertThat(registry.get("ci")).get().extracting(StackRecord::status).isEqualTo(StackStatus.UPDATING);
        aws.verify(2, postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("DynamoDB_20120810.GetItem")));
    }

    @Test
    void aMissingTableIsAnErrorThatNamesTheTableAndTheStack() {
        aws.stubFor(call("GetItem").willReturn(error(400, "ResourceNotFoundException", "Requested resource not found")));
        assertThatThrownBy(() -> registry.get("ci")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("GetItem").hasMessageContaining(TABLE).hasMessageContaining("ci");
    }

    @Test
    void aNewRecordIsWrittenOnlyIfNoItemHasItsName() {
        aws.stubFor(call("PutItem").willReturn(ok("{}")));
        StackRecord first = StackRecord.first(spec("ci"), T0);

        PutResult result = registry.put(first);

        assertThat(result).isInstanceOf(PutResult.Stored.class);
        assertThat(((PutResult.Stored) result).stored().revision()).isEqualTo(1);
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("DynamoDB_20120810.PutItem"))
                .withRequestBody(matchingJsonPath("$.TableName", equalTo(TABLE)))
                .withRequestBody(matchingJsonPath("$.ConditionExpression", equalTo("attribute_not_exists(#name)")))
                .withRequestBody(matchingJsonPath("$.ExpressionAttributeNames['#name']", equalTo("name")))
                .withRequestBody(matchingJsonPath("$.ReturnValuesOnConditionCheckFailure", equalTo("ALL_OLD")))
                .withRequestBody(matchingJsonPath("$.Item.name.S", equalTo("ci")))
                .withRequestBody(matchingJsonPath("$.Item.kind.S", equalTo("stack")))
                .withRequestBody(matchingJsonPath("$.Item.status.S", equalTo("PENDING")))
                .withRequestBody(matchingJsonPath("$.Item.specVersion.N", equalTo("1")))
                .withRequestBody(matchingJsonPath("$.Item.revision.N", equalTo("1")))
                .withRequestBody(matchingJsonPath("$.Item.spec.S", equalTo(SpecJson.writeString(spec("ci"))))));
    }

    @Test
    void anUpdateIsConditionalOnTheRevisionRead() {
        aws.stubFor(call("PutItem").willReturn(ok("{}")));
        StackRecord read = StackRecord.first(spec("ci"), T0).toBuilder().revision(3).status(StackStatus.ACTIVE)
                .groupName(Optional.of("g")).reason(Optional.of("r"))
                .lastDecision(Optional.of(new DecisionSnapshot("scale", 1, 3, "3 jobs", T0, T1, Optional.of(T0)))).build();

        PutResult result = registry.put(read);

        assertThat(((PutResult.Stored) result).stored().revision()).isEqualTo(4);
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withRequestBody(matchingJsonPath("$.ConditionExpression", equalTo("#revision = :read")))
                .withRequestBody(matchingJsonPath("$.ExpressionAttributeNames['#revision']", equalTo("revision")))
                .withRequestBody(matchingJsonPath("$.ExpressionAttributeValues[':read'].N", equalTo("3")))
                .withRequestBody(matchingJsonPath("$.Item.revision.N", equalTo("4")))
                .withRequestBody(matchingJsonPath("$.Item.groupName.S", equalTo("g")))
                .withRequestBody(matchingJsonPath("$.Item.lastDecision.S")));
    }

    @Test
    void aLostRaceAnswersWhatTheWinnerStored() {
        aws.stubFor(call("PutItem").willReturn(aResponse().withStatus(400).withHeader("Content-Type", JSON_10)
                .withBody("{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
                        + "\"message\":\"The conditional request failed\",\"Item\":" + item("ci", "UPDATING", 5) + "}")));
        StackRecord stale = StackRecord.first(spec("ci"), T0).toBuilder().revision(4).build();

        PutResult result = registry.put(stale);

        assertThat(result).isInstanceOf(PutResult.Conflict.class);
        StackRecord current = ((PutResult.Conflict) result).current().orElseThrow();
        assertThat(current.revision()).isEqualTo(5);
        assertThat(current.status()).isEqualTo(StackStatus.UPDATING);
    }

    @Test
    void aWriteToAStackDeletedMeanwhileIsAConflictWithNothingStored() {
        aws.stubFor(call("PutItem").willReturn(error(400, "ConditionalCheckFailedException", "The conditional request failed")));
        PutResult result = registry.put(StackRecord.first(spec("ci"), T0).toBuilder().revision(2).build());
        assertThat(result).isEqualTo(new PutResult.Conflict(Optional.empty()));
    }

    @Test
    void listAsksForOneMoreThanThePageToKnowWhetherThereIsANextPage() {
        aws.stubFor(call("Query").willReturn(ok("{\"Count\":3,\"ScannedCount\":3,\"Items\":["
                + item("a", "ACTIVE", 1) + "," + item("b", "FAILED", 1) + "," + item("c", "ACTIVE", 1) + "]}")));

        Page page = registry.list(Optional.empty(), 2);

        assertThat(page.records()).extracting(StackRecord::name).containsExactly("a", "b");
        assertThat(page.nextPageToken()).contains("b");
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("DynamoDB_20120810.Query"))
                .withRequestBody(matchingJsonPath("$.IndexName", equalTo("byName")))
                .withRequestBody(matchingJsonPath("$.Limit", equalTo("3")))
                .withRequestBody(matchingJsonPath("$.ScanIndexForward", equalTo("true")))
                .withRequestBody(matchingJsonPath("$.KeyConditionExpression", equalTo("#kind = :kind")))
                .withRequestBody(matchingJsonPath("$.ExpressionAttributeValues[':kind'].S", equalTo("stack"))));
    }

    @Test
    void theNextPageStartsAfterTheTokensNameAndTheLastPageHasNoToken() {
        aws.stubFor(call("Query").willReturn(ok("{\"Count\":1,\"ScannedCount\":1,\"Items\":[" + item("c", "ACTIVE", 1) + "]}")));

        Page page = registry.list(Optional.of("b"), 2);

        assertThat(page.records()).extracting(StackRecord::name).containsExactly("c");
        assertThat(page.nextPageToken()).isEmpty();
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withRequestBody(matchingJsonPath("$.KeyConditionExpression", equalTo("#kind = :kind AND #name > :after")))
                .withRequestBody(matchingJsonPath("$.ExpressionAttributeValues[':after'].S", equalTo("b"))));
    }

    @Test
    void listLiveFiltersOnStatusAndFollowsEveryPage() {
        aws.stubFor(call("Query").withRequestBody(matchingJsonPath("$.ExclusiveStartKey", com.github.tomakehurst.wiremock.client.WireMock.absent()))
                .willReturn(ok("{\"Count\":1,\"ScannedCount\":4,\"Items\":[" + item("a", "ACTIVE", 1) + "],"
                        + "\"LastEvaluatedKey\":{\"kind\":{\"S\":\"stack\"},\"name\":{\"S\":\"d\"}}}")));
        aws.stubFor(call("Query").withRequestBody(matchingJsonPath("$.ExclusiveStartKey.name.S", equalTo("d")))
                .willReturn(ok("{\"Count\":1,\"ScannedCount\":2,\"Items\":[" + item("e", "DEGRADED", 1) + "]}")));

        List<StackRecord> live = registry.listLive();

        assertThat(live).extracting(StackRecord::name).containsExactly("a", "e");
        aws.verify(2, postRequestedFor(urlEqualTo("/"))
                .withRequestBody(matchingJsonPath("$.IndexName", equalTo("byName")))
                .withRequestBody(matchingJsonPath("$.FilterExpression", equalTo("#status IN (:ACTIVE, :UPDATING, :DEGRADED)")))
                .withRequestBody(matchingJsonPath("$.ExpressionAttributeValues[':DEGRADED'].S", equalTo("DEGRADED"))));
    }

    @Test
    void aRecordSurvivesTheRoundTripThroughAnItem() {
        StackRecord r = StackRecord.first(spec("ci"), T0).toBuilder().revision(9).status(StackStatus.DEGRADED)
                .reason(Optional.of("401")).groupName(Optional.of("g")).cloudFormationStackId(Optional.of("arn:s"))
                .hostGroupName(Optional.of("ci")).tokenParameterVersion(java.util.OptionalLong.of(4)).tokenRotatedAt(Optional.of(T1))
                .tokenRotation(Optional.of(io.agentstacks.stacks.TokenRotationMark.started("9f86d081884c7d65", T0).done(4)))
                .lastDemand(Optional.of(new DemandSnapshot(1, 2, 3, 4, T1)))
                .lastDecision(Optional.of(new DecisionSnapshot("hold", 2, 2, "enough", T0, T1, Optional.empty())))
                .hosts(List.of(new io.agentstacks.stacks.HostSnapshot("h-1", "us-east-1a", "available", 1, T0,
                        Optional.of(T1), Optional.of("24h minimum"), Optional.of(T0)))).build();
        assertThat(DynamoDbStackRegistry.fromItem(DynamoDbStackRegistry.toItem(r))).isEqualTo(r);
    }

    // ---- narrow writes -------------------------------------------------------------------------------

    static final Instant OBSERVED = Instant.parse("2030-01-01T00:04:30.125Z");

    static DecisionSnapshot scaleTo(int desired, Instant observedAt) {
        return new DecisionSnapshot("scale", 1, desired, desired + " jobs", observedAt, observedAt.plusSeconds(1), Optional.empty());
    }

    /** An item with a decision as the adapter stores it: the snapshot's JSON and its observation time as a number. */
    static String itemWithDecision(DecisionSnapshot d) throws Exception {
        ObjectNode i = (ObjectNode) SpecJson.MAPPER.readTree(item("ci", "ACTIVE", 6));
        i.putObject("lastDecision").put("S", io.agentstacks.stacks.SnapshotJson.write(d).toString());
        i.putObject("lastDecisionAt").put("N", DynamoDbStackRegistry.time(d.observedAt()).n());
        return i.toString();
    }

    static String conditionFailed(String itemJson) {
        return "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
                + "\"message\":\"The conditional request failed\"" + (itemJson == null ? "" : ",\"Item\":" + itemJson) + "}";
    }

    @Test
    void aClaimIsOneUpdateItemOfTheDecisionConditionedOnAnOlderObservationNotOnTheRevision() {
        aws.stubFor(call("UpdateItem").willReturn(ok("{}")));
        DecisionSnapshot d = scaleTo(4, OBSERVED);

        StackRegistry.Claim claim = registry.claimDecision("ci", d);

        assertThat(claim).isEqualTo(new StackRegistry.Claim.Claimed(d));
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("DynamoDB_20120810.UpdateItem"))
                .withRequestBody(matchingJsonPath("$.TableName", equalTo(TABLE)))
                .withRequestBody(matchingJsonPath("$.Key.name.S", equalTo("ci")))
                .withRequestBody(matchingJsonPath("$.UpdateExpression", equalTo("SET #value = :value, #at = :at ADD #revision :one")))
                .withRequestBody(matchingJsonPath("$.ConditionExpression",
                        equalTo("attribute_exists(#name) AND (attribute_not_exists(#at) OR #at < :at)")))
                .withRequestBody(equalToJson("{\"ExpressionAttributeNames\":{\"#name\":\"name\",\"#value\":\"lastDecision\","
                        + "\"#at\":\"lastDecisionAt\",\"#revision\":\"revision\"}}", true, true))
                .withRequestBody(matchingJsonPath("$.ExpressionAttributeValues[':at'].N", equalTo("1893456270.125000000")))
                .withRequestBody(matchingJsonPath("$.ExpressionAttributeValues[':one'].N", equalTo("1")))
                .withRequestBody(matchingJsonPath("$.ExpressionAttributeValues[':value'].S",
                        equalTo(io.agentstacks.stacks.SnapshotJson.write(d).toString())))
                .withRequestBody(matchingJsonPath("$.ReturnValuesOnConditionCheckFailure", equalTo("ALL_OLD")))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.notContaining("\"spec\"")));
    }

    @Test
    void aClaimRefusedByTheConditionAnswersTheDecisionThatWon() throws Exception {
        DecisionSnapshot winner = scaleTo(6, OBSERVED);
        aws.stubFor(call("UpdateItem").willReturn(aResponse().withStatus(400).withHeader("Content-Type", JSON_10)
                .withBody(conditionFailed(itemWithDecision(winner)))));

        StackRegistry.Claim claim = registry.claimDecision("ci", scaleTo(4, OBSERVED));

        assertThat(claim).isEqualTo(new StackRegistry.Claim.AlreadyDecided(winner));
    }

    @Test
    void aClaimForAStackThatIsNotThereIsGone() {
        aws.stubFor(call("UpdateItem").willReturn(aResponse().withStatus(400).withHeader("Content-Type", JSON_10)
                .withBody(conditionFailed(null))));

        assertThat(registry.claimDecision("ci", scaleTo(4, OBSERVED))).isEqualTo(new StackRegistry.Claim.Gone());
    }

    @Test
    void aThrottledClaimIsRetriedAndThenStored() {
        aws.stubFor(call("UpdateItem").inScenario("throttle").whenScenarioStateIs(STARTED)
                .willReturn(error(400, "ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded."))
                .willSetStateTo("retried"));
        aws.stubFor(call("UpdateItem").inScenario("throttle").whenScenarioStateIs("retried").willReturn(ok("{}")));

        assertThat(registry.claimDecision("ci", scaleTo(4, OBSERVED))).isInstanceOf(StackRegistry.Claim.Claimed.class);
        aws.verify(2, postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("DynamoDB_20120810.UpdateItem")));
    }

    @Test
    void aClaimDynamoDbRefusesIsAnErrorThatNamesTheCallAndTheStack() {
        aws.stubFor(call("UpdateItem").willReturn(error(400, "ResourceNotFoundException", "Requested resource not found")));

        assertThatThrownBy(() -> registry.claimDecision("ci", scaleTo(4, OBSERVED))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("UpdateItem").hasMessageContaining(TABLE).hasMessageContaining("stack ci");
    }

    @Test
    void aRevisionIsConditionedOnTheSameObservationAndNamesOnlyWhatItUses() {
        aws.stubFor(call("UpdateItem").willReturn(ok("{}")));
        DecisionSnapshot held = new DecisionSnapshot("hold", 1, 1, "SetDesiredCapacity to 4 failed", OBSERVED, T1, Optional.empty());

        assertThat(registry.reviseDecision("ci", held)).isEqualTo(new StackRegistry.Claim.Claimed(held));
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withRequestBody(matchingJsonPath("$.ConditionExpression", equalTo("#at = :at")))
                .withRequestBody(matchingJsonPath("$.ExpressionAttributeNames['#name']", com.github.tomakehurst.wiremock.client.WireMock.absent()))
                .withRequestBody(matchingJsonPath("$.ExpressionAttributeValues[':at'].N", equalTo("1893456270.125000000"))));
    }

    @Test
    void demandIsOneUpdateItemOfLastDemandAndAnOlderOneIsNotNewer() {
        aws.stubFor(call("UpdateItem").inScenario("demand").whenScenarioStateIs(STARTED).willReturn(ok("{}"))
                .willSetStateTo("stored"));
        aws.stubFor(call("UpdateItem").inScenario("demand").whenScenarioStateIs("stored")
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", JSON_10)
                        .withBody(conditionFailed(item("ci", "ACTIVE", 3)))));
        DemandSnapshot demand = new DemandSnapshot(3, 1, 0, 1, OBSERVED);

        assertThat(registry.recordDemand("ci", demand)).isEqualTo(StackRegistry.Recorded.STORED);
        assertThat(registry.recordDemand("ci", demand)).isEqualTo(StackRegistry.Recorded.NOT_NEWER);
        aws.verify(postRequestedFor(urlEqualTo("/"))
                .withRequestBody(matchingJsonPath("$.ExpressionAttributeNames['#value']", equalTo("lastDemand")))
                .withRequestBody(matchingJsonPath("$.ExpressionAttributeNames['#at']", equalTo("lastDemandAt")))
                .withRequestBody(matchingJsonPath("$.ExpressionAttributeValues[':value'].S",
                        equalTo(io.agentstacks.stacks.SnapshotJson.write(demand).toString()))));
    }

    @Test
    void demandForAStackThatIsNotThereIsGone() {
        aws.stubFor(call("UpdateItem").willReturn(aResponse().withStatus(400).withHeader("Content-Type", JSON_10)
                .withBody(conditionFailed(null))));

        assertThat(registry.recordDemand("ci", new DemandSnapshot(3, 1, 0, 1, OBSERVED))).isEqualTo(StackRegistry.Recorded.GONE);
    }

    // ---- a retry of an attempt DynamoDB applied, whose answer was lost -------------------------------

    /**
     * An item in DynamoDB's wire format as DynamoDB answers it: numbers normalised (no trailing zeros), as the
     * service stores them.
     */
    static String wire(java.util.Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item) {
        ObjectNode i = JsonNodeFactory.instance.objectNode();
        item.forEach((k, v) -> {
            if (v.s() != null) {
                i.putObject(k).put("S", v.s());
            } else {
                i.putObject(k).put("N", new java.math.BigDecimal(v.n()).stripTrailingZeros().toPlainString());
            }
        });
        return i.toString();
    }

    /** First attempt: DynamoDB applies the write but the answer is a 500; the SDK's retry then meets that write. */
    static void appliedThenRetried(String operation, String itemJson) {
        aws.stubFor(call(operation).inScenario("lost answer").whenScenarioStateIs(STARTED)
                .willReturn(error(500, "InternalServerError", "Internal server error"))
                .willSetStateTo("applied"));
        aws.stubFor(call(operation).inScenario("lost answer").whenScenarioStateIs("applied")
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", JSON_10).withBody(conditionFailed(itemJson))));
    }

    @Test
    void aPutWhoseRetryMeetsItsOwnAppliedWriteIsStoredNotAConflict() {
        StackRecord read = StackRecord.first(spec("ci"), T0).toBuilder().revision(4).status(StackStatus.ACTIVE)
                .groupName(Optional.of("g")).lastDemand(Optional.of(new DemandSnapshot(3, 1, 0, 1, OBSERVED)))
                .lastDecision(Optional.of(scaleTo(4, OBSERVED))).rolledOutImage(Optional.of("arn:aws:imagebuilder:image/1")).build();
        StackRecord written = read.toBuilder().revision(5).build();
        appliedThenRetried("PutItem", wire(DynamoDbStackRegistry.toItem(written)));

        assertThat(registry.put(read)).isEqualTo(new PutResult.Stored(written));
        aws.verify(2, postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("DynamoDB_20120810.PutItem")));
    }

    @Test
    void aFirstPutWhoseRetryMeetsItsOwnAppliedWriteIsStored() {
        StackRecord fresh = StackRecord.first(spec("ci"), T0);
        StackRecord written = fresh.toBuilder().revision(1).build();
        appliedThenRetried("PutItem", wire(DynamoDbStackRegistry.toItem(written)));

        assertThat(registry.put(fresh)).isEqualTo(new PutResult.Stored(written));
    }

    @Test
    void aPutWhoseRetryMeetsARivalsWriteOfTheSameRevisionIsAConflict() {
        StackRecord read = StackRecord.first(spec("ci"), T0).toBuilder().revision(4).build();
        StackRecord rivals = read.toBuilder().revision(5).status(StackStatus.DELETING).build();
        appliedThenRetried("PutItem", wire(DynamoDbStackRegistry.toItem(rivals)));

        assertThat(registry.put(read.toBuilder().status(StackStatus.UPDATING).build()))
                .isEqualTo(new PutResult.Conflict(Optional.of(rivals)));
    }

    @Test
    void aClaimWhoseRetryMeetsItsOwnAppliedDecisionIsClaimed() throws Exception {
        DecisionSnapshot d = scaleTo(4, OBSERVED);
        appliedThenRetried("UpdateItem", itemWithDecision(d));

        assertThat(registry.claimDecision("ci", d)).isEqualTo(new StackRegistry.Claim.Claimed(d));
        aws.verify(2, postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("DynamoDB_20120810.UpdateItem")));
    }

    @Test
    void aClaimWhoseRetryMeetsAnotherDecisionOfTheSameObservationIsAlreadyDecided() throws Exception {
        DecisionSnapshot rivals = new DecisionSnapshot("scale", 1, 4, "4 jobs", OBSERVED, OBSERVED.plusMillis(1500), Optional.empty());
        appliedThenRetried("UpdateItem", itemWithDecision(rivals));

        assertThat(registry.claimDecision("ci", scaleTo(4, OBSERVED))).isEqualTo(new StackRegistry.Claim.AlreadyDecided(rivals));
    }

    @Test
    void aRevisionWhoseRetryMeetsItsOwnAppliedDecisionIsClaimed() throws Exception {
        DecisionSnapshot held = new DecisionSnapshot("hold", 1, 1, "SetDesiredCapacity to 4 failed", OBSERVED, T1, Optional.empty());
        appliedThenRetried("UpdateItem", itemWithDecision(held));

        assertThat(registry.reviseDecision("ci", held)).isEqualTo(new StackRegistry.Claim.Claimed(held));
    }

    @Test
    void demandWhoseRetryMeetsItsOwnAppliedWriteIsStored() throws Exception {
        DemandSnapshot demand = new DemandSnapshot(5, 2, 0, 2, OBSERVED);
        ObjectNode i = (ObjectNode) SpecJson.MAPPER.readTree(item("ci", "ACTIVE", 7));
        i.putObject("lastDemand").put("S", io.agentstacks.stacks.SnapshotJson.write(demand).toString());
        i.putObject("lastDemandAt").put("N", "1893456270.125");
        appliedThenRetried("UpdateItem", i.toString());

        assertThat(registry.recordDemand("ci", demand)).isEqualTo(StackRegistry.Recorded.STORED);
        aws.verify(2, postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("DynamoDB_20120810.UpdateItem")));
    }

    @Test
    void observationTimesAreStoredAsNumbersThatOrderAsTheInstantsDo() {
        Instant whole = Instant.parse("2030-01-01T00:00:01Z");
        Instant half = Instant.parse("2030-01-01T00:00:00.5Z"); // as text, "00.5Z" sorts after "01Z"
        assertThat(new java.math.BigDecimal(DynamoDbStackRegistry.time(half).n()))
                .isLessThan(new java.math.BigDecimal(DynamoDbStackRegistry.time(whole).n()));
        assertThat(DynamoDbStackRegistry.time(Instant.parse("1969-12-31T23:59:59.5Z")).n()).isEqualTo("-0.500000000");
        StackRecord r = StackRecord.first(spec("ci"), T0).toBuilder().lastDemand(Optional.of(new DemandSnapshot(1, 0, 0, 0, half)))
                .lastDecision(Optional.of(scaleTo(2, whole))).build();
        assertThat(DynamoDbStackRegistry.toItem(r).get("lastDemandAt").n()).isEqualTo(DynamoDbStackRegistry.time(half).n());
        assertThat(DynamoDbStackRegistry.toItem(r).get("lastDecisionAt").n()).isEqualTo(DynamoDbStackRegistry.time(whole).n());
    }

    @Test
    void theImageRolledOutToAStackSurvivesTheRoundTripThroughAnItem() {
        String image = "arn:aws:imagebuilder:us-east-1:123456789012:image/semaphore-agent-ubuntu-noble-arm64/1.0.0/7";
        StackRecord r = StackRecord.first(spec("ci"), T0).toBuilder().revision(3).status(StackStatus.ACTIVE)
                .groupName(Optional.of("g")).rolledOutImage(Optional.of(image)).build();

        var item = DynamoDbStackRegistry.toItem(r);

        assertThat(item.get("rolledOutImage").s()).isEqualTo(image);
        assertThat(DynamoDbStackRegistry.fromItem(item)).isEqualTo(r);
        assertThat(DynamoDbStackRegistry.toItem(r.toBuilder().rolledOutImage(Optional.empty()).build()))
                .doesNotContainKey("rolledOutImage");
    }
}
