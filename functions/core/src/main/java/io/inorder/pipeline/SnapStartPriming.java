package io.inorder.pipeline;

import io.inorder.arcion.ArcionReader;
import io.inorder.arcion.ArcionReaders;
import io.inorder.arcion.ChangeEvent;
import io.inorder.arcion.Origin;
import io.inorder.arcion.ReadResult;
import io.inorder.arcion.ReaderOptions;
import io.inorder.mapping.ChangeMapper;
import io.inorder.mapping.MappingResult;
import io.inorder.mapping.TableConfig;
import io.inorder.observe.Log;
import io.inorder.writeapi.CoalescingWindow;
import io.inorder.writeapi.WriteApiSettings;
import io.inorder.writeapi.WriteOp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.crac.Context;
import org.crac.Resource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * SnapStart priming of both functions: before the snapshot it runs the hot path once on a built-in sample, so the
 * restored container starts with those classes loaded and initialised instead of paying for them on the first file or
 * batch. It parses Arcion records (an insert, an update and a delete) with the file reader and again as Kafka values,
 * maps them, encodes them into a {@link CoalescingWindow} (nothing is sent) and asks DynamoDB for the state table's
 * description, which loads the SDK's request pipeline. Guarantee: priming never fails the snapshot; anything that goes wrong is logged and skipped. It
 * writes nothing anywhere and creates nothing that must be unique per container.
 */
public final class SnapStartPriming implements Resource {

    /** A table config of its own: priming must not depend on which tables the user configured. */
    private static final String TABLES = "{\"workspace\":\"priming\",\"tables\":{\"priming.rows\":"
            + "{\"collection\":\"rows\",\"primaryKey\":[\"id\"]}}}";

    private static final String RECORDS = String.join("\n",
            record("I", "null", "{\"id\":\"1\",\"name\":\"a\",\"total\":\"9.50\"}"),
            record("U", "{\"id\":\"1\",\"name\":\"a\",\"total\":\"9.50\"}",
                    "{\"id\":\"1\",\"name\":\"b\",\"total\":\"9.50\"}"),
            record("D", "{\"id\":\"2\",\"name\":\"c\",\"total\":\"1.00\"}", "null"));

    /** What one priming run exercised: the test checks that the hot path really ran. */
    public record Outcome(int records, int operations, long encodedBytes, boolean stateTableDescribed) { }

    private final WriteApiSettings writeApi;
    private final DynamoDbClient dynamoDb;
    private final String stateTable;
    private final Log log;

    public SnapStartPriming(WriteApiSettings writeApi, DynamoDbClient dynamoDb, String stateTable, Log log) {
        this.writeApi = writeApi;
        this.dynamoDb = dynamoDb;
        this.stateTable = stateTable;
        this.log = log;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        try {
            Outcome outcome = prime();
            log.info("primed for the snapshot", "records", outcome.records(), "operations", outcome.operations(),
                    "stateTableDescribed", outcome.stateTableDescribed());
        } catch (RuntimeException | IOException e) {
            log.warn("priming skipped: the snapshot is taken unprimed", "error", String.valueOf(e));
        }
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to renew: clients hold no per-container identity, and stale pooled connections are retried.
    }

    /** Runs the hot path once on the sample. */
    public Outcome prime() throws IOException {
        ChangeMapper mapper = new ChangeMapper(TableConfig.parse(TABLES, "the priming table config"));
        CoalescingWindow window = new CoalescingWindow(writeApi);
        int records = 0;
        int operations = 0;
        try (ArcionReader reader = ArcionReaders.open(
                new ByteArrayInputStream(RECORDS.getBytes(StandardCharsets.UTF_8)), "priming/rows_1.json",
                ReaderOptions.defaults())) {
            for (ReadResult r = reader.next(); r != null; r = reader.next()) {
                records++;
                operations += encode(mapper, r, window);
            }
        }
        long offset = 0;
        for (String value : RECORDS.split("\n")) {
            ReadResult r = ArcionReaders.readKafkaValue(null, value.getBytes(StandardCharsets.UTF_8),
                    Origin.kafka("priming_rows_cdc_logs", 0, offset++), ReaderOptions.defaults());
            records++;
            operations += encode(mapper, r, new CoalescingWindow(writeApi));
        }
        return new Outcome(records, operations, window.itemBytes(), describeStateTable());
    }

    private static int encode(ChangeMapper mapper, ReadResult r, CoalescingWindow window) {
        int operations = 0;
        if (r instanceof ChangeEvent event && mapper.map(event) instanceof MappingResult.Apply apply) {
            for (WriteOp op : apply.ops()) {
                if (window.add(op) == CoalescingWindow.Admission.FLUSH_FIRST) {
                    throw new IllegalStateException("the priming sample never fills a window");
                }
                operations++;
            }
        }
        return operations;
    }

    private boolean describeStateTable() {
        try {
            dynamoDb.describeTable(d -> d.tableName(stateTable));
            return true;
        } catch (RuntimeException e) {
            // The SDK's request path is loaded even when the call fails (no network in a test, a missing permission).
            log.info("priming: DescribeTable failed; the SDK path is loaded anyway", "table", stateTable,
                    "error", e.getClass().getSimpleName());
            return false;
        }
    }

    private static String record(String op, String before, String after) {
        return "{\"tableName\":{\"namespace\":{\"catalog\":\"priming\",\"schema\":null,\"hash\":1},\"name\":\"rows\","
                + "\"hash\":2},\"opType\":\"" + op + "\",\"cursor\":{\"extractorId\":0,\"timestamp\":1700000000000,"
                + "\"extractionTimestamp\":1700000000100,\"log\":\"binlog.000001\",\"position\":1,\"logSeqNum\":1,"
                + "\"slaveServerId\":1,\"v\":2},\"before\":" + before + ",\"after\":" + after + "}";
    }
}
