package io.inorder.pipeline;

import static io.inorder.pipeline.JsonText.object;
import static io.inorder.pipeline.JsonText.quote;
import static org.assertj.core.api.Assertions.assertThat;

import io.inorder.observe.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No row data in logs by default: records carrying a unique marker value go through every failure path of the S3
 * and MSK paths — mapping errors (a value of the wrong type, a missing key), JSON and CSV parse errors with their
 * excerpts, an unknown operation, a key change that cannot be built, the Write API's per-document errors (from the
 * emulator over HTTP), Kafka poison records, and a stream stopped by {@code BAD_RECORD_POLICY=fail} — over S3Proxy,
 * DynamoDB Local and the emulator. Every log line (and every message of an exception that would end an invocation,
 * which Lambda logs) is captured: the marker is in none of them, while the quarantine keeps it. With
 * {@code LOG_ROW_DATA=true} the detail is logged.
 */
class RowDataInLogsTest {

    @RegisterExtension
    static final S3ProxyExtension S3_PROXY = S3ProxyExtension.builder().withCredentials("local", "secret").build();

    @RegisterExtension
    static final StackEmulator EMULATOR = new StackEmulator();

    private static final String MARKER = "MARKER-7f3a";
    private static final String TOPIC = "shop_orders_cdc";
    private static final String REJECT_FIELD = "flagged";
    private static final String TABLE = "{\"namespace\":{\"catalog\":\"shop\",\"schema\":null,\"hash\":11},"
            + "\"name\":\"orders\",\"hash\":22}";
    private static final String TABLE_CONFIG = "{\"workspace\":\"" + S3IngestStack.WORKSPACE + "\",\"tables\":{\""
            + S3IngestStack.SOURCE_TABLE + "\":{\"collection\":\"" + S3IngestStack.COLLECTION + "\",\"primaryKey\":"
            + "[\"id\"],\"types\":{\"total\":\"number\"},\"prefixes\":[\"cdc/\"],\"topics\":[\"" + TOPIC + "\"],"
            + "\"splitTopic\":false,"
            + "\"csvRealtimeColumns\":[\"id\",\"status\",\"total\",\"" + REJECT_FIELD + "\"]}}}";

    private S3IngestStack stack;
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    /** Messages of exceptions that would end an invocation: Lambda writes them to the function's log. */
    private final List<String> failures = new ArrayList<>();
    private long rev;

    @BeforeEach
    void newStack() {
        stack = new S3IngestStack(EMULATOR.emulator(), S3_PROXY.getUri());
    }

    @Test
    void noLogLineOfTheS3OrMskPathQuotesRowDataWhileTheQuarantineKeepsIt() {
        runEveryFailurePath(Map.of());

        String logs = logs();
        assertThat(logs).as("the paths logged their quarantined records").contains("records quarantined");
        assertThat(logs.lines().filter(l -> l.contains("records quarantined")).count()).isGreaterThanOrEqualTo(4);
        assertThat(logs).as("the stopped partition was logged").contains("partition stopped");
        assertThat(logs).doesNotContain(MARKER);
        assertThat(failures).isNotEmpty().noneMatch(m -> m.contains(MARKER));
        // What the logs say instead: what is wrong and where.
        assertThat(logs).contains("column 'total' of table 'shop.orders' does not hold a number")
                .contains("cdc/shop.orders_1.json#");

        List<QuarantinedRecord> quarantined = quarantined();
        assertThat(quarantined).hasSizeGreaterThanOrEqualTo(13);
        for (String detail : List.of("holds '" + MARKER, "malformed JSON: Unrecognized token 'MARKER",
                "unknown opType '" + MARKER, "exists value '" + MARKER, "changes the key from " + MARKER,
                "Write API rejected _id " + MARKER, "EXISTS flag '" + MARKER, "message key is not JSON")) {
            assertThat(quarantined).as("the quarantine keeps the detail '%s'", detail)
                    .anySatisfy(r -> assertThat(r.reason()).contains(detail));
        }
        assertThat(quarantined).as("and every record's bytes")
                .allSatisfy(r -> assertThat(new String(r.raw(), StandardCharsets.UTF_8)).contains(MARKER));
    }

    @Test
    void logRowDataTrueLetsTheDetailIntoTheLogsForDebugging() {
        runEveryFailurePath(Map.of("LOG_ROW_DATA", "true"));

        assertThat(logs()).contains("holds '" + MARKER).contains("Write API rejected _id " + MARKER);
        assertThat(failures).anyMatch(m -> m.contains(MARKER));
    }

    /** The S3 files and Kafka records of every failure path, each delivered as the functions deliver them. */
    private void runEveryFailurePath(Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>(overrides);
        env.put("TABLE_CONFIG", TABLE_CONFIG);
        env.put("MAX_REQUEST_DOCUMENTS", "20");
        Log log = new Log("inorder", Log.Level.DEBUG, new PrintStream(logged, true, StandardCharsets.UTF_8),
                stack.clock);
        S3Ingest ingest = stack.ingest(env, log);

        // File 1: mapping and parse errors among good records.
        S3Ingest.Notification one = stack.upload("cdc/shop.orders_1.json", lines(
                insert("good-1", "NEW", "1.00"),
                insert(MARKER + "-type", "NEW", MARKER),
                record("I", row("null", "null", "null"), row("null", MARKER, "2.00"), flags("1", "1", "1")),
                "{\"tableName\":" + MARKER + "}",
                record(MARKER, row("null", "null", "null"), row(MARKER + "-op", "NEW", "3.00"), flags("1", "1", "1")),
                record("I", row("null", "null", "null"), row(MARKER + "-exists", "NEW", "4.00"),
                        flags(MARKER, "1", "1")),
                record("U", row(MARKER + "-old", "null", "null"), row(MARKER + "-new", "PAID", "null"),
                        flags("3", "1", "0")),
                insert("good-2", "NEW", "5.00")));
        stack.deliver(ingest, one);
        // File 2: the Write API refuses a document (the emulator's error-field rule).
        EMULATOR.emulator().faults().errorField(REJECT_FIELD);
        try {
            stack.deliver(ingest, stack.upload("cdc/shop.orders_2.json", lines(
                    record("I", row("null", "null", "null"), withReject(row(MARKER + "-api", "NEW", "6.00")),
                            flags("1", "1", "1", "1")))));
        } finally {
            EMULATOR.emulator().faults().clear();
        }
        // File 3: CSV realtime lines (triplets after, before, exists; then opType, cursor, counts).
        stack.deliver(ingest, stack.upload("cdc/shop.orders_3.csv", (
                MARKER + "-csv1,NULL,1,NEW,NULL,1,7.00,NULL,1,x,NULL,1," + MARKER + ",c1,{}\n"
                + MARKER + "-csv2,NULL," + MARKER + ",NEW,NULL,1,8.00,NULL,1,x,NULL,1,I,c2,{}\n")
                .getBytes(StandardCharsets.UTF_8)));
        // BAD_RECORD_POLICY=fail: the stream stops at a bad record; the exception ends the invocation.
        Map<String, String> failing = new LinkedHashMap<>(env);
        failing.put("BAD_RECORD_POLICY", "fail");
        S3Ingest strict = stack.ingest(failing, log);
        try {
            stack.deliver(strict, stack.upload("cdc/shop.orders_4.json", lines(insert(MARKER + "-fail", "NEW",
                    MARKER))));
        } catch (RuntimeException e) {
            failures.add(e.toString());
        }

        // The MSK path: poison records of every kind in one partition, then a partition stopped by the policy.
        IngestConfig config = stack.config(env);
        try (KafkaIngest kafka = KafkaIngest.create(config, stack.services(config, log), stack.dynamoDb,
                stack.clock)) {
            KafkaIngest.Outcome outcome = kafka.handle(List.of(
                    message(0, null, insert(MARKER + "-k1", "NEW", MARKER)),
                    message(1, null, "{\"tableName\":" + MARKER + "}"),
                    message(2, "{" + MARKER, insert("k-good", "NEW", "1.00")),
                    message(3, null, record(MARKER, row("null", "null", "null"), row(MARKER + "-k4", "NEW", "1.00"),
                            flags("1", "1", "1"))),
                    new KafkaIngest.Message(TOPIC, 0, 4, 0, null, "%%" + MARKER)), Duration.ofSeconds(60));
            assertThat(outcome.unwritten()).isEmpty();
        }
        IngestConfig strictConfig = stack.config(failing);
        try (KafkaIngest kafka = KafkaIngest.create(strictConfig, stack.services(strictConfig, log),
                stack.dynamoDb, stack.clock)) {
            KafkaIngest.Outcome outcome = kafka.handle(List.of(message(5, null, insert(MARKER + "-k5", "NEW",
                    MARKER))), Duration.ofSeconds(60));
            assertThat(outcome.unwritten()).hasSize(1);
            // Without ReportBatchItemFailures the MSK function throws this, and Lambda logs its message.
            failures.add(new KafkaIngest.PartitionsUnwrittenException(outcome.unwritten()).getMessage());
        }
    }

    private String logs() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    private List<QuarantinedRecord> quarantined() {
        S3Quarantine q = new S3Quarantine(stack.s3, stack.quarantineBucket, "quarantine/", stack.clock);
        List<QuarantinedRecord> all = new ArrayList<>();
        q.forEach(null, all::add);
        return all;
    }

    private static KafkaIngest.Message message(long offset, String key, String value) {
        Base64.Encoder b64 = Base64.getEncoder();
        return new KafkaIngest.Message(TOPIC, 0, offset, 0,
                key == null ? null : b64.encodeToString(key.getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString(value.getBytes(StandardCharsets.UTF_8)));
    }

    private String insert(String id, String status, String total) {
        return record("I", row("null", "null", "null"), row(id, status, total), flags("1", "1", "1"));
    }

    private static Map<String, String> row(String id, String status, String total) {
        Map<String, String> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("status", status);
        row.put("total", total);
        return row;
    }

    private static Map<String, String> withReject(Map<String, String> row) {
        Map<String, String> r = new LinkedHashMap<>(row);
        r.put(REJECT_FIELD, "yes");
        return r;
    }

    private static Map<String, String> flags(String... flags) {
        String[] columns = {"id", "status", "total", REJECT_FIELD};
        Map<String, String> exists = new LinkedHashMap<>();
        for (int i = 0; i < flags.length; i++) {
            exists.put(columns[i], flags[i]);
        }
        return exists;
    }

    /** An Arcion S3-JSON realtime record of {@code shop.orders}. */
    private String record(String op, Map<String, String> before, Map<String, String> after,
            Map<String, String> exists) {
        rev++;
        String cursor = "{\"extractorId\":0,\"timestamp\":" + (1_700_000_000_000L + rev) + ",\"logSeqNum\":" + rev
                + "}";
        return "{\"tableName\":" + TABLE + ",\"opType\":\"" + op + "\",\"cursor\":" + quote(cursor) + ",\"before\":"
                + object(before) + ",\"after\":" + object(after) + ",\"exists\":" + object(exists) + "}";
    }

    private static byte[] lines(String... records) {
        return (String.join("\n", records) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
