package io.agentstacks.aws;

import io.agentstacks.spec.SpecJson;
import io.agentstacks.stacks.DecisionSnapshot;
import io.agentstacks.stacks.DemandSnapshot;
import io.agentstacks.stacks.SnapshotJson;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.stacks.TokenRotationMark;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The registry in one DynamoDB table.
 *
 * <p>Table: partition key {@code name} (S), the stack name. Global secondary index {@value #NAME_INDEX}:
 * partition key {@code kind} (S, always {@value #KIND}), sort key {@code name} (S), projection ALL; it
 * serves {@link #list} and {@link #listLive} in name order without a table scan.
 *
 * <p>Item: {@code name}, {@code kind}, {@code spec} (S, the spec's canonical JSON from {@link SpecJson}),
 * {@code specVersion} (N), {@code status} (S), {@code revision} (N), {@code createdAt} and {@code updatedAt}
 * (S, ISO-8601), and when present {@code reason}, {@code groupName}, {@code cloudFormationStackId},
 * {@code hostGroupName}, {@code tokenRotatedAt} (S), {@code tokenParameterVersion} (N), the token rotation's
 * {@code tokenRotationFingerprint}, {@code tokenRotationStartedAt} (S) and {@code tokenRotationVersion} (N), and
 * {@code lastDemand}, {@code lastDecision}, {@code hosts} (S, JSON from {@link SnapshotJson}), with
 * {@code lastDemandAt} and {@code lastDecisionAt} (N, the snapshot's observation time in seconds, see {@link #time}) for
 * the narrow writes' conditions, and {@code rolledOutImage} (S). No attribute holds a token (the fingerprint is a
 * one-way hash of one).
 *
 * <p>Writes are conditional: {@code attribute_not_exists(#name)} for a record read as absent (revision 0),
 * else {@code #revision = :read}; a refused write answers the item as it is now (ReturnValuesOnConditionCheckFailure
 * ALL_OLD), so that the caller decides again without another read.
 *
 * <p><b>A retried write that was already applied.</b> The SDK retries an attempt whose answer is lost (a 500, an
 * attempt timeout after DynamoDB committed). The retry then fails its own condition, and ALL_OLD answers the item
 * <em>this</em> write stored. Each write therefore checks the refused item: if it holds exactly what this write
 * stored (for {@link #put} the whole record, same revision and content; for a narrow write the same snapshot), the
 * write is answered as stored, not as a rival's. A rival writing the very same content is no different in what is
 * stored; for decisions, whose {@code decidedAt} is the deciding scaler's clock, it does not happen in practice. If
 * another write came between the applied attempt and its retry, the item no longer matches and the answer is a
 * conflict, as it would be for any write followed by a rival's.
 *
 * <p>The narrow writes ({@link #claimDecision}, {@link #reviseDecision}, {@link #recordDemand}) are one UpdateItem
 * each, conditioned on {@code lastDecisionAt} / {@code lastDemandAt}: they never read the item, and never send the
 * spec. An item written before those attributes existed is claimed over once (its old decision has no time to compare
 * with); every write since stores them.
 */
public final class DynamoDbStackRegistry implements StackRegistry {

    public static final String NAME_INDEX = "byName";
    public static final String KIND = "stack";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbStackRegistry(DynamoDbClient dynamo, String table) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
    }

    @Override
    public Optional<StackRecord> get(String name) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                    .key(Map.of("name", s(name)))).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
        } catch (SdkException e) {
            throw failure("GetItem", name, e);
        }
    }

    @Override
    public Page list(Optional<String> pageToken, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        // One more than asked: its presence, not LastEvaluatedKey, says whether there is a next page.
        QueryRequest.Builder q = byName().limit(limit + 1);
        pageToken.ifPresentOrElse(
                after -> q.keyConditionExpression("#kind = :kind AND #name > :after")
                        .expressionAttributeNames(Map.of("#kind", "kind", "#name", "name"))
                        .expressionAttributeValues(Map.of(":kind", s(KIND), ":after", s(after))),
                () -> q.keyConditionExpression("#kind = :kind")
                        .expressionAttributeNames(Map.of("#kind", "kind"))
                        .expressionAttributeValues(Map.of(":kind", s(KIND))));
        try {
            List<StackRecord> records = new ArrayList<>();
            for (Map<String, AttributeValue> item : dynamo.queryPaginator(q.build()).items()) {
                records.add(fromItem(item));
                if (records.size() > limit) {
                    break;
                }
            }
            boolean more = records.size() > limit;
            List<StackRecord> page = more ? records.subList(0, limit) : records;
            return new Page(page, more ? Optional.of(page.get(page.size() - 1).name()) : Optional.empty());
        } catch (SdkException e) {
            throw failure("Query", "(list)", e);
        }
    }

    @Override
    public List<StackRecord> listLive() {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":kind", s(KIND));
        List<String> placeholders = new ArrayList<>();
        for (StackStatus status : StackStatus.values()) {
            if (status.hasLiveGroup()) {
                values.put(":" + status.name(), s(status.name()));
                placeholders.add(":" + status.name());
            }
        }
        QueryRequest q = byName().keyConditionExpression("#kind = :kind")
                .filterExpression("#status IN (" + String.join(", ", placeholders) + ")")
                .expressionAttributeNames(Map.of("#kind", "kind", "#status", "status"))
                .expressionAttributeValues(values).build();
        try {
            List<StackRecord> records = new ArrayList<>();
            dynamo.queryPaginator(q).items().forEach(item -> records.add(fromItem(item)));
            return records;
        } catch (SdkException e) {
            throw failure("Query", "(live stacks)", e);
        }
    }

    @Override
    public PutResult put(StackRecord next) {
        StackRecord stored = next.toBuilder().revision(next.revision() + 1).build();
        try {
            if (next.revision() == 0) {
                dynamo.putItem(b -> b.tableName(table).item(toItem(stored))
                        .conditionExpression("attribute_not_exists(#name)")
                        .expressionAttributeNames(Map.of("#name", "name"))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            } else {
                dynamo.putItem(b -> b.tableName(table).item(toItem(stored))
                        .conditionExpression("#revision = :read")
                        .expressionAttributeNames(Map.of("#revision", "revision"))
                        .expressionAttributeValues(Map.of(":read", n(next.revision())))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            }
            return new PutResult.Stored(stored);
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> item = e.item();
            Optional<StackRecord> current = item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
            // A retry of an attempt DynamoDB applied meets this very write: it is stored, not lost to a rival.
            return current.filter(stored::equals).<PutResult>map(PutResult.Stored::new)
                    .orElseGet(() -> new PutResult.Conflict(current));
        } catch (SdkException e) {
            throw failure("PutItem", next.name(), e);
        }
    }

    /**
     * UpdateItem of {@code lastDecision} (and its sortable time {@code lastDecisionAt}) only, conditioned on the stored
     * decision's observation being older; see {@link StackRegistry#claimDecision}.
     */
    @Override
    public Claim claimDecision(String name, DecisionSnapshot decision) {
        return decisionWrite(name, decision, "attribute_exists(#name) AND (attribute_not_exists(#at) OR #at < :at)");
    }

    /** UpdateItem of {@code lastDecision} only, conditioned on the stored decision answering the same observation. */
    @Override
    public Claim reviseDecision(String name, DecisionSnapshot revised) {
        return decisionWrite(name, revised, "#at = :at");
    }

    private Claim decisionWrite(String name, DecisionSnapshot decision, String condition) {
        Optional<Map<String, AttributeValue>> refused = narrowWrite("lastDecision", name,
                SnapshotJson.write(decision).toString(), decision.observedAt(), condition);
        if (refused.isEmpty()) {
            return new Claim.Claimed(decision);
        }
        Optional<DecisionSnapshot> stored = str(refused.get(), "lastDecision").map(SnapshotJson::decision);
        if (stored.isEmpty()) {
            return new Claim.Gone();
        }
        // A retry of an attempt DynamoDB applied meets this very decision: it is claimed, not lost to a rival.
        return stored.get().equals(decision) ? new Claim.Claimed(decision) : new Claim.AlreadyDecided(stored.get());
    }

    /** UpdateItem of {@code lastDemand} (and {@code lastDemandAt}) only, if it was observed after the stored one. */
    @Override
    public Recorded recordDemand(String name, DemandSnapshot demand) {
        Optional<Map<String, AttributeValue>> refused = narrowWrite("lastDemand", name, SnapshotJson.write(demand).toString(),
                demand.observedAt(), "attribute_exists(#name) AND (attribute_not_exists(#at) OR #at < :at)");
        if (refused.isEmpty()) {
            return Recorded.STORED;
        }
        if (refused.get().isEmpty()) {
            return Recorded.GONE;
        }
        // A retry of an attempt DynamoDB applied meets this very demand: it is stored.
        return str(refused.get(), "lastDemand").map(SnapshotJson::demand).filter(demand::equals).isPresent()
                ? Recorded.STORED : Recorded.NOT_NEWER;
    }

    /**
     * One UpdateItem: {@code attribute} = {@code json}, {@code <attribute>At} = {@code at} as a number, revision + 1,
     * if {@code condition} holds ({@code #at} names {@code <attribute>At}). Empty when stored; else the item as it is
     * (empty when there is none), from ReturnValuesOnConditionCheckFailure ALL_OLD.
     */
    private Optional<Map<String, AttributeValue>> narrowWrite(String attribute, String name, String json, Instant at,
                                                              String condition) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of("name", s(name)))
                    .updateExpression("SET #value = :value, #at = :at ADD #revision :one")
                    .conditionExpression(condition)
                    .expressionAttributeNames(condition.contains("#name")
                            ? Map.of("#name", "name", "#value", attribute, "#at", attribute + "At", "#revision", "revision")
                            : Map.of("#value", attribute, "#at", attribute + "At", "#revision", "revision"))
                    .expressionAttributeValues(Map.of(":value", s(json), ":at", time(at), ":one", n(1)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return Optional.empty();
        } catch (ConditionalCheckFailedException e) {
            return Optional.of(e.item() == null ? Map.of() : e.item());
        } catch (SdkException e) {
            throw failure("UpdateItem", name, e);
        }
    }

    /** An instant as a DynamoDB number (seconds, 9 decimals) that compares as the instant does; ISO-8601 text does not. */
    static AttributeValue time(Instant at) {
        return AttributeValue.builder().n(BigDecimal.valueOf(at.getEpochSecond()).add(BigDecimal.valueOf(at.getNano(), 9))
                .toPlainString()).build();
    }

    private QueryRequest.Builder byName() {
        return QueryRequest.builder().tableName(table).indexName(NAME_INDEX).scanIndexForward(true);
    }

    private IllegalStateException failure(String call, String stack, SdkException e) {
        return new IllegalStateException("DynamoDB " + call + " on registry table " + table + " for stack " + stack
                + " failed: " + e.getMessage(), e);
    }

    static Map<String, AttributeValue> toItem(StackRecord r) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("name", s(r.name()));
        item.put("kind", s(KIND));
        item.put("spec", s(SpecJson.writeString(r.spec())));
        item.put("specVersion", n(r.specVersion()));
        item.put("status", s(r.status().name()));
        item.put("revision", n(r.revision()));
        item.put("createdAt", s(r.createdAt().toString()));
        item.put("updatedAt", s(r.updatedAt().toString()));
        r.reason().ifPresent(v -> item.put("reason", s(v)));
        r.groupName().ifPresent(v -> item.put("groupName", s(v)));
        r.cloudFormationStackId().ifPresent(v -> item.put("cloudFormationStackId", s(v)));
        r.hostGroupName().ifPresent(v -> item.put("hostGroupName", s(v)));
        r.tokenParameterVersion().ifPresent(v -> item.put("tokenParameterVersion", n(v)));
        r.tokenRotatedAt().ifPresent(v -> item.put("tokenRotatedAt", s(v.toString())));
        r.tokenRotation().ifPresent(m -> {
            item.put("tokenRotationFingerprint", s(m.fingerprint()));
            item.put("tokenRotationStartedAt", s(m.startedAt().toString()));
            m.parameterVersion().ifPresent(v -> item.put("tokenRotationVersion", n(v)));
        });
        r.lastDemand().ifPresent(v -> item.put("lastDemand", s(SnapshotJson.write(v).toString())));
        r.lastDecision().ifPresent(v -> item.put("lastDecision", s(SnapshotJson.write(v).toString())));
        r.lastDemand().ifPresent(v -> item.put("lastDemandAt", time(v.observedAt())));
        r.lastDecision().ifPresent(v -> item.put("lastDecisionAt", time(v.observedAt())));
        if (!r.hosts().isEmpty()) {
            item.put("hosts", s(SnapshotJson.writeHosts(r.hosts()).toString()));
        }
        r.rolledOutImage().ifPresent(v -> item.put("rolledOutImage", s(v)));
        return item;
    }

    static StackRecord fromItem(Map<String, AttributeValue> item) {
        String name = str(item, "name").orElseThrow(() -> new IllegalStateException("registry item without a name"));
        StackRecord.Builder b = StackRecord.first(SpecJson.readTrusted(str(item, "spec").orElseThrow(
                        () -> new IllegalStateException("registry item " + name + " has no spec"))),
                Instant.parse(str(item, "createdAt").orElseThrow()))
                .toBuilder()
                .specVersion(num(item, "specVersion").orElseThrow())
                .status(StackStatus.valueOf(str(item, "status").orElseThrow()))
                .revision(num(item, "revision").orElseThrow())
                .updatedAt(Instant.parse(str(item, "updatedAt").orElseThrow()))
                .reason(str(item, "reason"))
                .groupName(str(item, "groupName"))
                .cloudFormationStackId(str(item, "cloudFormationStackId"))
                .hostGroupName(str(item, "hostGroupName"))
                .tokenParameterVersion(num(item, "tokenParameterVersion"))
                .tokenRotatedAt(str(item, "tokenRotatedAt").map(Instant::parse))
                .tokenRotation(str(item, "tokenRotationFingerprint").map(f -> new TokenRotationMark(f,
                        Instant.parse(str(item, "tokenRotationStartedAt").orElseThrow()), num(item, "tokenRotationVersion"))))
                .lastDemand(str(item, "lastDemand").map(SnapshotJson::demand))
                .lastDecision(str(item, "lastDecision").map(SnapshotJson::decision))
                .hosts(str(item, "hosts").map(SnapshotJson::hosts).orElse(List.of()))
                .rolledOutImage(str(item, "rolledOutImage"));
        StackRecord r = b.build();
        if (!r.name().equals(name)) {
            throw new IllegalStateException("registry item " + name + " holds the spec of " + r.name());
        }
        return r;
    }

    private static AttributeValue s(String v) {
        return AttributeValue.builder().s(v).build();
    }

    private static AttributeValue n(long v) {
        return AttributeValue.builder().n(Long.toString(v)).build();
    }

    private static Optional<String> str(Map<String, AttributeValue> item, String key) {
        AttributeValue v = item.get(key);
        return v == null || v.s() == null ? Optional.empty() : Optional.of(v.s());
    }

    private static OptionalLong num(Map<String, AttributeValue> item, String key) {
        AttributeValue v = item.get(key);
        return v == null || v.n() == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v.n()));
    }
}
