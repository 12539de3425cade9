package io.agentstacks.infra;

import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.ProjectionType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.constructs.Construct;

import java.util.List;

/**
 * The stack registry: one DynamoDB table, key {@code name}, and the {@value #NAME_INDEX} index
 * ({@code kind}, {@code name}) that lists stacks in name order (DynamoDbStackRegistry's layout). On-demand,
 * point-in-time recovery, encrypted with the AWS managed key, and retained when the control plane is
 * deleted: it is the only record of the stacks that exist.
 */
public final class Registry extends Construct {

    public static final String NAME_INDEX = "byName";

    /** @param props none yet: the table's layout is fixed by its adapter */
    public record Props() {
    }

    private final Table table;

    public Registry(Construct scope, String id, Props props) {
        super(scope, id);
        table = Table.Builder.create(this, "Table")
                .partitionKey(Attribute.builder().name("name").type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder().pointInTimeRecoveryEnabled(true).build())
                .encryption(TableEncryption.AWS_MANAGED)
                .deletionProtection(true)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        table.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder()
                .indexName(NAME_INDEX)
                .partitionKey(Attribute.builder().name("kind").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("name").type(AttributeType.STRING).build())
                .projectionType(ProjectionType.ALL)
                .build());
    }

    /**
     * Reads and conditional writes of stack records: GetItem, PutItem (whole records), UpdateItem (the narrow
     * writes of a stack's last demand and decision), Query on the table and its index.
     */
    public void grantReadWrite(AgentFunction function) {
        function.allow(PolicyStatement.Builder.create()
                .sid("Registry")
                .actions(List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"))
                .resources(List.of(table.getTableArn(), table.getTableArn() + "/index/" + NAME_INDEX))
                .build());
    }

    public Table table() {
        return table;
    }
}
