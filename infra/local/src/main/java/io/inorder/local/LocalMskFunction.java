package io.inorder.local;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.ledger.LedgerTable;
import io.inorder.ledger.PartitionCursor;
import io.inorder.ledger.SnapshotGate;
import io.inorder.ledger.TableCursor;
import io.inorder.ledger.TableProgress;
import io.inorder.mapping.TableConfig;
import io.inorder.mapping.TableMapping;
import io.inorder.msk.KafkaBatchResponse;
import io.inorder.msk.MskIngestHandler;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.IngestServices;
import io.inorder.pipeline.KafkaIngest;
import io.inorder.pipeline.TopicRoutes;
import io.inorder.writeapi.ApiKeySource;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.UUID;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The MSK ingest function deployed on a {@link LocalStack}, invoked the way an MSK event source mapping invokes it:
 * {@code KafkaEvent} JSON deserialized with the Lambda runtime's own serializer, handled by the unchanged
 * {@link MskIngestHandler} with a context whose remaining time is the function timeout. Invocations are synchronous
 * and one at a time, as the event source mapping delivers a batch and waits for its answer.
 *
 * <p>Preparing it creates the ledger table, the quarantine bucket, and the emulator's workspace and collections of
 * every configured table.
 */
public final class LocalMskFunction implements AutoCloseable {

    static final String FUNCTION_NAME = "inorder-msk-ingest";
    static final Duration FUNCTION_TIMEOUT = Duration.ofMinutes(5);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalStack stack;
    private final TableConfig tables;
    private final DynamoDbClient dynamoDb;
    private final S3Client s3;
    private final KafkaIngest ingest;
    private final MskIngestHandler handler;
    private final PartitionCursor cursors;
    private final String quarantineBucket;
    private final TableCursor tableCursor;
    private final SnapshotGate gates;

    /**
     * @param overrides extra environment variables (e.g. {@code REPORT_BATCH_ITEM_FAILURES}, retry and limit
     *                  settings, another {@code STATE_TABLE} or {@code QUARANTINE_BUCKET}), applied over the local
     *                  defaults
     * @param parallelism partitions applied at once (the deployed function uses
     *                    {@value KafkaIngest#DEFAULT_PARALLELISM})
     */
    LocalMskFunction(LocalStack stack, String tableConfigJson, Map<String, String> overrides, int parallelism,
            PrintStream logs, PrintStream metrics) {
        this(stack, tableConfigJson, overrides, parallelism, logs, metrics, null);
    }

    /**
     * The same, with every metric value the function adds also shown to {@code observer} (benchmarks total the
     * commit wait with it; {@code null} for none).
     */
    public LocalMskFunction(LocalStack stack, String tableConfigJson, Map<String, String> overrides, int parallelism,
            PrintStream logs, PrintStream metrics, Metrics.Observer observer) {
        this.stack = stack;
        this.dynamoDb = stack.dynamoDbClient();
        this.s3 = stack.s3Client();
        Map<String, String> env = LocalS3Function.environment(stack.emulator().baseUrl().toString(),
                stack.emulator().apiKey(), tableConfigJson, FUNCTION_TIMEOUT);
        env.putAll(overrides);
        IngestConfig config = IngestConfig.fromEnvironment(env, name -> {
            throw new IllegalArgumentException("no SSM locally: pass the table config inline");
        });
        this.tables = config.tables();
        this.quarantineBucket = config.quarantineBucket();
        prepare(config);
        Clock clock = Clock.systemUTC();
        // The local stack has no Secrets Manager: the emulator's key is given directly.
        Log log = new Log(FUNCTION_NAME, Log.Level.INFO, logs, clock);
        IngestServices services = IngestServices.create(config, dynamoDb, s3, ApiKeySource.fixed(
                stack.emulator().apiKey()), new Metrics("Inorder", FUNCTION_NAME, metrics, clock, observer), log, clock);
        this.cursors = new PartitionCursor(dynamoDb, config.stateTable(), clock);
        this.tableCursor = services.tables();
        this.gates = new SnapshotGate(dynamoDb, config.stateTable(), clock);
        // Held change partitions give up at once: the caller is the event source here, and redelivers.
        this.ingest = new KafkaIngest(services, cursors, gates, Duration.ZERO, new TopicRoutes(tables),
                config.format(), config.drainSettings().stopMargin(), parallelism, config.offsetResetThreshold(),
                clock);
        this.handler = new MskIngestHandler(ingest, config.reportBatchItemFailures(), log);
    }

    private void prepare(IngestConfig config) {
        LedgerTable.create(dynamoDb, config.stateTable());
        try {
            s3.createBucket(b -> b.bucket(config.quarantineBucket()));
        } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException exists) {
            // A previous function on this stack made it.
        }
        for (TableMapping t : config.tables().tables()) {
            stack.emulator().createCollection(config.tables().workspace(), t.collection());
        }
    }

    /** Reads an MSK event file exactly as the Lambda runtime deserializes the function's input. */
    static KafkaEvent loadEvent(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return LambdaEventSerializers.serializerFor(KafkaEvent.class, LocalMskFunction.class.getClassLoader())
                    .fromJson(in);
        }
    }

    /** One invocation; throws what the handler throws (the event source would then retry the whole batch). */
    public KafkaBatchResponse invoke(KafkaEvent event) {
        return invoke(event, FUNCTION_TIMEOUT);
    }

    /** One invocation with {@code remaining} time left, as when the batch arrives late in a short timeout. */
    KafkaBatchResponse invoke(KafkaEvent event, Duration remaining) {
        return handler.handleRequest(event, new LocalContext(UUID.randomUUID().toString(), FUNCTION_NAME, remaining, System.err));
    }

    /** The response as the runtime would serialize it. */
    static String responseJson(KafkaBatchResponse response) throws IOException {
        return JSON.writeValueAsString(response);
    }

    /** Waits until the emulator applied every accepted write. */
    public void awaitApplied() {
        stack.emulator().awaitApplied(Duration.ofSeconds(30));
    }

    /** The table cursor of a source table (applied and visible marks, totals). */
    Optional<TableProgress> tableProgress(String sourceTable) {
        return tableCursor.progress(sourceTable);
    }

    /**
     * Declares a table's snapshot complete, as {@code inorder snapshot complete} does: what an operator runs once every
     * row of the table's snapshot topic was applied.
     */
    SnapshotGate.Completion completeSnapshot(String table) {
        return gates.complete(table, "local test");
    }

    /** A table's snapshot gate. */
    SnapshotGate.Status snapshot(String table) {
        return gates.status(table);
    }

    /** The partition cursor of a topic-partition. */
    OptionalLong cursor(String topic, int partition) {
        return cursors.lastOffset(topic, partition);
    }

    /** The final collections in {@code inorder replay}'s dump format (see {@link StateDump}). */
    ObjectNode collections() {
        awaitApplied();
        TreeSet<String> names = new TreeSet<>();
        tables.tables().forEach(t -> names.add(t.collection()));
        return StateDump.of(stack.emulator(), tables.workspace(), names);
    }

    /** Every quarantined record (one JSON object per line of the quarantine objects), in key order. */
    List<ObjectNode> quarantined() throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        List<S3Object> objects = s3.listObjectsV2Paginator(b -> b.bucket(quarantineBucket)).contents().stream()
                .sorted(Comparator.comparing(S3Object::key)).toList();
        for (S3Object o : objects) {
            String text = s3.getObject(g -> g.bucket(quarantineBucket).key(o.key()), ResponseTransformer.toBytes())
                    .asString(StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    out.add((ObjectNode) JSON.readTree(line));
                }
            }
        }
        return out;
    }

    TableConfig tables() {
        return tables;
    }

    @Override
    public void close() {
        ingest.close();
        dynamoDb.close();
        s3.close();
    }
}
