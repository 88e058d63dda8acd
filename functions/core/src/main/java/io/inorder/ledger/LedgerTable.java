package io.inorder.ledger;

import java.time.Duration;
import java.util.Objects;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/**
 * The ledger's single DynamoDB table: string partition key {@code pk}, string sort key {@code sk}, and the TTL
 * attribute {@code expiresAt} (epoch seconds), and the sparse index {@value #CURSOR_INDEX} of cursor items. Every
 * ledger type ({@link FileLedger}, {@link PartitionCursor}, {@link TableCursor}) shares one table; their items never
 * collide because each owns a {@code pk} prefix ({@code S3#}, {@code KAFKA#}, {@code TABLE#}).
 *
 * <p>Deployed stacks create the table from {@code template.yaml}; {@link #create} is for local stacks and tests.
 */
public final class LedgerTable {

    public static final String PARTITION_KEY = "pk";
    public static final String SORT_KEY = "sk";
    /** Epoch seconds after which DynamoDB may delete the item. Only applied file arrivals carry it. */
    public static final String TTL_ATTRIBUTE = "expiresAt";
    /**
     * The sparse global secondary index of cursors: only cursor items carry {@link #CURSOR_KIND} ({@code S3},
     * {@code KAFKA}, {@code TABLE}), so the index lists every stream, partition and table without scanning the file
     * arrivals. Keys only: cursor updates (every checkpoint) do not write to it, only a cursor's creation does.
     */
    public static final String CURSOR_INDEX = "cursors";
    public static final String CURSOR_KIND = "cursorKind";

    private static final Duration ACTIVE_WAIT = Duration.ofSeconds(60);

    private LedgerTable() {
    }

    /**
     * Creates the table (on-demand billing) unless it exists, waits until it is ACTIVE and enables TTL on
     * {@code expiresAt} when the endpoint supports it. Safe to call again on an existing table.
     */
    public static void create(DynamoDbClient client, String tableName) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(tableName, "tableName");
        try {
            client.createTable(b -> b.tableName(tableName)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName(PARTITION_KEY)
                                    .attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName(SORT_KEY)
                                    .attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName(CURSOR_KIND)
                                    .attributeType(ScalarAttributeType.S).build())
                    .keySchema(
                            KeySchemaElement.builder().attributeName(PARTITION_KEY).keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName(SORT_KEY).keyType(KeyType.RANGE).build())
                    .globalSecondaryIndexes(g -> g.indexName(CURSOR_INDEX)
                            .keySchema(
                                    KeySchemaElement.builder().attributeName(CURSOR_KIND).keyType(KeyType.HASH)
                                            .build(),
                                    KeySchemaElement.builder().attributeName(PARTITION_KEY).keyType(KeyType.RANGE)
                                            .build())
                            .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY))));
        } catch (ResourceInUseException exists) {
            // Another process created it first (or a previous run did): the schema is ours either way.
        }
        awaitActive(client, tableName);
        enableTtl(client, tableName);
    }

    private static void awaitActive(DynamoDbClient client, String tableName) {
        long giveUpAt = System.nanoTime() + ACTIVE_WAIT.toNanos();
        while (client.describeTable(b -> b.tableName(tableName)).table().tableStatus() != TableStatus.ACTIVE) {
            if (System.nanoTime() > giveUpAt) {
                throw new IllegalStateException("DynamoDB table " + tableName + " is not ACTIVE after "
                        + ACTIVE_WAIT.toSeconds() + " s; check the table in the console and retry");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for table " + tableName, e);
            }
        }
    }

    private static void enableTtl(DynamoDbClient client, String tableName) {
        try {
            TimeToLiveStatus status = client.describeTimeToLive(b -> b.tableName(tableName))
                    .timeToLiveDescription().timeToLiveStatus();
            if (status == TimeToLiveStatus.ENABLED || status == TimeToLiveStatus.ENABLING) {
                return;
            }
            client.updateTimeToLive(b -> b.tableName(tableName)
                    .timeToLiveSpecification(t -> t.attributeName(TTL_ATTRIBUTE).enabled(true)));
        } catch (UnsupportedOperationException | DynamoDbException unsupported) {
            // Some emulators lack TTL. Expiry only keeps the table small; correctness never depends on it.
        }
    }
}
