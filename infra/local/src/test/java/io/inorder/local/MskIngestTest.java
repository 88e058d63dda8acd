package io.inorder.local;

import static io.inorder.local.NativeChanges.delete;
import static io.inorder.local.NativeChanges.insert;
import static io.inorder.local.NativeChanges.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inorder.emulator.AppliedOp;
import io.inorder.msk.KafkaBatchResponse;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.KafkaIngest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The MSK function end to end on the local stack (DynamoDB Local, S3Proxy, the Write API emulator over HTTP), with
 * events deserialized by the Lambda runtime's own serializer. Each test has its own ledger table and quarantine
 * bucket, so partition cursors never leak between tests.
 */
class MskIngestTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EVENTS = Path.of("../../events");
    private static final String TOPIC = "shop_orders_cdc_logs";

    private LocalStack stack;
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final ByteArrayOutputStream metrics = new ByteArrayOutputStream();
    private final List<LocalMskFunction> functions = new java.util.ArrayList<>();
    private String stateTable;
    private String quarantineBucket;

    @BeforeEach
    void freshState() throws Exception {
        stack = TestStack.get();
        stack.emulator().reset();
        String run = UUID.randomUUID().toString().substring(0, 8);
        stateTable = "state-" + run;
        quarantineBucket = "quarantine-" + run;
    }

    @AfterEach
    void closeFunctions() {
        functions.forEach(LocalMskFunction::close);
    }

    private LocalMskFunction function(Map<String, String> overrides, int parallelism) {
        Map<String, String> env = new HashMap<>(overrides);
        env.put(IngestConfig.STATE_TABLE.name(), stateTable);
        env.put(IngestConfig.QUARANTINE_BUCKET.name(), quarantineBucket);
        LocalMskFunction f = new LocalMskFunction(stack, NativeChanges.TABLE_CONFIG, env, parallelism,
                new PrintStream(logs, true, StandardCharsets.UTF_8),
                new PrintStream(metrics, true, StandardCharsets.UTF_8));
        functions.add(f);
        if (snapshotsComplete) {
            // These tests are about the change topics: the tables' snapshots are taken as applied and declared.
            f.tables().tables().forEach(t -> f.completeSnapshot(t.table()));
        }
        return f;
    }

    /** Whether {@link #function} declares every table's snapshot complete first (the state after the snapshot). */
    private boolean snapshotsComplete = true;

    private LocalMskFunction function() {
        return function(Map.of(), KafkaIngest.DEFAULT_PARALLELISM);
    }

    /** Fails fast on an unavailable Write API: two attempts, 1 ms backoff, no commit polling. */
    private LocalMskFunction impatientFunction(boolean reportBatchItemFailures) {
        return function(Map.of(IngestConfig.RETRY_MAX_ATTEMPTS.name(), "2", IngestConfig.RETRY_BASE_MS.name(), "1",
                IngestConfig.RETRY_CAP_MS.name(), "2", IngestConfig.COMMIT_CHECK.name(), "off",
                IngestConfig.REPORT_BATCH_ITEM_FAILURES.name(), Boolean.toString(reportBatchItemFailures)), 1);
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private List<AppliedOp> applied(String collection) {
        stack.emulator().awaitApplied(java.time.Duration.ofSeconds(30));
        return stack.emulator().applyLog("commons", collection);
    }

    @Test
    void nativeRealtimeInsertsUpdatesAndDeletesApplyInOffsetOrder() throws Exception {
        LocalMskFunction f = function();

        KafkaBatchResponse response = f.invoke(LocalMskFunction.loadEvent(EVENTS.resolve("msk-native-realtime.json")));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(f.collections().get("commons.orders"))
                .isEqualTo(json("{\"1\":{\"id\":\"1\",\"status\":\"SHIPPED\",\"total\":\"9.50\"}}"));
        assertThat(f.cursor(TOPIC, 0)).isEqualTo(OptionalLong.of(104));
        assertThat(f.tableProgress("shop.orders")).hasValueSatisfying(p -> {
            assertThat(p.totals().records()).isEqualTo(5);
            assertThat(p.applied()).hasValueSatisfying(m -> assertThat(m.position()).contains("\"position\":98685"));
        });
    }

    /**
     * Arcion's default {@code split-topic: true} (Kafka.md) writes a table's snapshot to {@code <db>_<table>} and its
     * changes to {@code <db>_<table>_cdc_logs}; each topic has its own event source mapping, so the change can be
     * delivered first. The stale snapshot row must never land after it.
     */
    @Test
    void aSnapshotRowDeliveredAfterANewerChangeOfItsRowNeverOverwritesIt() throws Exception {
        snapshotsComplete = false;
        LocalMskFunction f = function();

        try {
            f.invoke(new KafkaBatch().add(TOPIC, 0, 0, update(17, "NEW", "PAID")).build());
        } catch (RuntimeException held) {
            // A design may refuse the change for now (the event source redelivers it): that is not an overwrite.
        }
        f.invoke(new KafkaBatch().add("shop_orders", 0, 0, "{\"id\":\"17\",\"status\":\"NEW\"}").build());

        List<AppliedOp> log = applied("orders");
        int change = -1;
        int snapshot = -1;
        for (int i = 0; i < log.size(); i++) {
            String payload = log.get(i).payload().toString();
            if (payload.contains("PAID")) {
                change = i;
            } else if (payload.contains("NEW")) {
                snapshot = i;
            }
        }
        assertThat(change < 0 || snapshot < change).as("apply log %s: the snapshot row came after the change", log)
                .isTrue();
    }

    @Test
    void snapshotTopicRowsTakeTheirTableFromTheTopic() throws Exception {
        snapshotsComplete = false;
        LocalMskFunction f = function();

        f.invoke(LocalMskFunction.loadEvent(EVENTS.resolve("msk-native-snapshot.json")));

        assertThat(f.collections().get("commons.customers").fieldNames()).toIterable()
                .containsExactly("10", "11", "12", "13");
        assertThat(f.cursor("shop_customers", 0)).isEqualTo(OptionalLong.of(1));
        assertThat(f.cursor("shop_customers", 1)).isEqualTo(OptionalLong.of(1));
    }

    @Test
    void jsonCdcUsesTheMessageKeyAsPrimaryKeyAndTombstonesAreNoOps() throws Exception {
        LocalMskFunction f = function();

        f.invoke(LocalMskFunction.loadEvent(EVENTS.resolve("msk-json-cdc.json")));

        assertThat(f.collections().get("commons.order_items")).isEqualTo(json(
                "{\"[\\\"1\\\",\\\"1\\\"]\":{\"order_id\":1,\"line_no\":1,\"sku\":\"A-100\",\"qty\":3}}"));
        assertThat(f.cursor("shop_order_items_cdc_logs", 0)).as("the tombstone is passed, not stuck on")
                .isEqualTo(OptionalLong.of(44));
        assertThat(f.quarantined()).isEmpty();
    }

    @Test
    void poisonRecordIsQuarantinedWithItsOffsetAndTheRestOfThePartitionApplies() throws Exception {
        LocalMskFunction f = function();

        KafkaBatchResponse response = f.invoke(LocalMskFunction.loadEvent(EVENTS.resolve("msk-poison.json")));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(f.collections().get("commons.orders")).isEqualTo(json("""
                {"3":{"id":"3","status":"PAID","total":"5.00"},"5":{"id":"5","status":"NEW","total":"7.25"}}"""));
        assertThat(f.quarantined()).singleElement().satisfies(q -> {
            assertThat(q.at("/origin/source").asText()).isEqualTo(TOPIC);
            assertThat(q.at("/origin/partition").asInt()).isZero();
            assertThat(q.at("/origin/offset").asLong()).isEqualTo(201);
            assertThat(q.get("reason").asText()).contains("malformed JSON");
        });
        assertThat(f.cursor(TOPIC, 0)).isEqualTo(OptionalLong.of(203));
    }

    @Test
    void rowsOnATopicNoTableClaimsAreQuarantinedNamingTheTopicAndTheFix() throws Exception {
        LocalMskFunction f = function();

        f.invoke(new KafkaBatch().add("shop_refunds", 0, 0, "{\"id\":\"1\",\"amount\":\"2.00\"}")
                .add("shop_refunds", 0, 1, insert(31, "NEW")).build());

        assertThat(f.quarantined()).singleElement().satisfies(q -> {
            assertThat(q.at("/origin/offset").asLong()).isZero();
            assertThat(q.get("reason").asText()).contains("'shop_refunds'").contains("\"topics\"");
        });
        assertThat(f.collections().get("commons.orders").has("31"))
                .as("an envelope naming its own table still applies").isTrue();
    }

    @Test
    void replicantTopicsAreIgnoredWithAMetricAndExplicitTopicsWithDashesMap() throws Exception {
        LocalMskFunction f = function();

        f.invoke(LocalMskFunction.loadEvent(EVENTS.resolve("msk-multi-partition.json")));

        assertThat(metrics.toString(StandardCharsets.UTF_8)).contains("\"IgnoredTopicRecords\":1");
        assertThat(f.cursor("replicate_io_replication_schema_inorder_1", 0)).isEmpty();
        assertThat(f.collections().get("commons.payments").fieldNames()).toIterable().containsExactly("900", "901");
        assertThat(f.collections().get("commons.orders")).isEqualTo(json("""
                {"20":{"id":"20","status":"NEW","total":"3.50"},"21":{"id":"21","status":"PAID","total":"1.00"}}"""));
        assertThat(f.cursor(TOPIC, 0)).isEqualTo(OptionalLong.of(302));
        assertThat(f.cursor(TOPIC, 1)).isEqualTo(OptionalLong.of(8));
    }

    @Test
    void redeliveryOfTheWholeBatchChangesNothing() throws Exception {
        LocalMskFunction f = function();
        KafkaEvent event = LocalMskFunction.loadEvent(EVENTS.resolve("msk-multi-partition.json"));
        f.invoke(event);
        JsonNode before = f.collections();
        int writes = applied("orders").size() + applied("payments").size();

        f.invoke(LocalMskFunction.loadEvent(EVENTS.resolve("msk-multi-partition.json")));

        assertThat(f.collections()).isEqualTo(before);
        assertThat(applied("orders").size() + applied("payments").size()).as("nothing is sent again")
                .isEqualTo(writes);
    }

    @Test
    void partialRedeliveryAppliesOnlyTheRecordsAboveTheCursor() throws Exception {
        LocalMskFunction f = function();
        List<String> changes = List.of(insert(1, "NEW"), insert(2, "NEW"), update(1, "NEW", "PAID"),
                delete(2, "NEW"), update(1, "PAID", "SHIPPED"));
        f.invoke(new KafkaBatch().addAll(TOPIC, 0, 0, changes.subList(0, 3)).build());
        int writes = applied("orders").size();

        f.invoke(new KafkaBatch().addAll(TOPIC, 0, 0, changes).build());

        assertThat(f.collections().get("commons.orders"))
                .isEqualTo(json("{\"1\":{\"id\":\"1\",\"status\":\"SHIPPED\"}}"));
        assertThat(applied("orders").subList(writes, applied("orders").size()))
                .extracting(AppliedOp::id).as("only offsets 3 and 4 are sent: delete 2, upsert 1")
                .containsExactlyInAnyOrder("2", "1");
        assertThat(f.cursor(TOPIC, 0)).isEqualTo(OptionalLong.of(4));
    }

    /**
     * A topic deleted and created again restarts its offsets at 0, far below the partition cursor of the old topic:
     * every record is skipped as if redelivered. That must not be silent: the skipped records are counted, and a batch
     * wholly and far below the cursor raises the metric the offset-reset alarm watches, with a log line that says what
     * to do. A redelivery of recent offsets is counted as skipped, never alarmed.
     */
    @Test
    void aRecreatedTopicsRecordsFarBelowTheCursorAreCountedAndRaiseTheOffsetResetMetricButARedeliveryDoesNot()
            throws Exception {
        LocalMskFunction f = function();
        f.invoke(new KafkaBatch().add(TOPIC, 0, 49_998, insert(1, "OLD")).add(TOPIC, 0, 49_999, insert(2, "OLD"))
                .add(TOPIC, 0, 50_000, update(1, "OLD", "OLDER")).build());
        JsonNode before = f.collections();
        metrics.reset();

        f.invoke(new KafkaBatch().add(TOPIC, 0, 49_999, insert(2, "OLD")).add(TOPIC, 0, 50_000,
                update(1, "OLD", "OLDER")).build());

        assertThat(metricSum("RecordsBelowCursor")).as("a redelivery's skipped records are counted").isEqualTo(2);
        assertThat(metricSum("BatchesFarBelowCursor")).as("a redelivery is not an offset reset").isZero();
        metrics.reset();

        f.invoke(new KafkaBatch().addAll(TOPIC, 0, 0, List.of(insert(7, "NEW"), insert(8, "NEW"),
                update(7, "NEW", "PAID"))).build());

        assertThat(f.collections()).as("nothing of the new topic is applied below the old cursor").isEqualTo(before);
        assertThat(f.cursor(TOPIC, 0)).isEqualTo(OptionalLong.of(50_000));
        assertThat(metricSum("RecordsBelowCursor")).isEqualTo(3);
        assertThat(metricSum("BatchesFarBelowCursor")).isEqualTo(1);
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("far below its partition cursor")
                .contains("inorder reset-cursor");
    }

    /** The sum of an EMF metric over the lines the function wrote since the last reset. */
    private long metricSum(String name) throws Exception {
        long sum = 0;
        for (String line : metrics.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                sum += json(line).path(name).asLong(0);
            }
        }
        return sum;
    }

    @Test
    void outOfOrderBatchesAcrossPartitionsKeepEachPartitionsOrder() throws Exception {
        LocalMskFunction f = function();
        // Partition 0 carries ids 1-3, partition 1 ids 11-13; each id changes NEW -> PAID -> SHIPPED.
        List<String> p0 = IntStream.rangeClosed(1, 3).boxed().flatMap(i -> java.util.stream.Stream.of(
                insert(i, "NEW"), update(i, "NEW", "PAID"), update(i, "PAID", "SHIPPED"))).toList();
        List<String> p1 = IntStream.rangeClosed(11, 13).boxed().flatMap(i -> java.util.stream.Stream.of(
                insert(i, "NEW"), update(i, "NEW", "PAID"), update(i, "PAID", "SHIPPED"))).toList();
        // Partition 1's second half arrives first, with partition 0's records listed newest first.
        KafkaBatch first = new KafkaBatch();
        for (int o = p0.size() - 1; o >= 0; o--) {
            first.add(TOPIC, 0, o, p0.get(o));
        }
        first.addAll(TOPIC, 1, 0, p1.subList(0, 4));
        f.invoke(first.build());
        f.invoke(new KafkaBatch().addAll(TOPIC, 1, 4, p1.subList(4, p1.size())).build());

        JsonNode orders = f.collections().get("commons.orders");
        assertThat(orders.size()).isEqualTo(6);
        orders.forEach(doc -> assertThat(doc.get("status").asText()).isEqualTo("SHIPPED"));
        assertThat(f.cursor(TOPIC, 0)).isEqualTo(OptionalLong.of(8));
        assertThat(f.cursor(TOPIC, 1)).isEqualTo(OptionalLong.of(8));
    }

    @Test
    void transientFailureFailsTheInvocationAndTheRetriedBatchAppliesExactlyOnceInEffect() throws Exception {
        LocalMskFunction f = impatientFunction(false);
        List<String> changes = List.of(insert(1, "NEW"), insert(2, "NEW"), update(1, "NEW", "PAID"),
                insert(3, "NEW"), delete(2, "NEW"));
        KafkaEvent event = new KafkaBatch().addAll(TOPIC, 0, 50, changes).build();
        f.invoke(new KafkaBatch().addAll(TOPIC, 0, 50, changes.subList(0, 2)).build());
        stack.emulator().faults().set("503:1.0");

        assertThatThrownBy(() -> f.invoke(event)).isInstanceOf(KafkaIngest.PartitionsUnwrittenException.class)
                .hasMessageContaining(TOPIC + "-0 from offset 52");
        assertThat(f.cursor(TOPIC, 0)).as("the cursor never passes an unwritten change")
                .isEqualTo(OptionalLong.of(51));

        stack.emulator().faults().clear();
        int writesBeforeRetry = applied("orders").size();
        f.invoke(event);

        assertThat(f.collections().get("commons.orders")).isEqualTo(json("""
                {"1":{"id":"1","status":"PAID"},"3":{"id":"3","status":"NEW"}}"""));
        assertThat(applied("orders").subList(writesBeforeRetry, applied("orders").size()))
                .extracting(AppliedOp::id).as("offsets 52-54 once: upsert 1, upsert 3, delete 2")
                .containsExactlyInAnyOrder("1", "3", "2");
        assertThat(f.cursor(TOPIC, 0)).isEqualTo(OptionalLong.of(54));
    }

    @Test
    void partialBatchResponseNamesTheFirstUnwrittenOffsetOfEachStoppedPartition() throws Exception {
        LocalMskFunction f = impatientFunction(true);
        f.invoke(new KafkaBatch().addAll(TOPIC, 0, 0, List.of(insert(1, "NEW"), insert(2, "NEW"))).build());
        f.invoke(new KafkaBatch().addAll(TOPIC, 2, 0, List.of(insert(7, "NEW"))).build());
        stack.emulator().faults().set("503:1.0");

        KafkaBatchResponse response = f.invoke(new KafkaBatch()
                .addAll(TOPIC, 0, 0, List.of(insert(1, "NEW"), insert(2, "NEW"), insert(3, "NEW"), insert(4, "NEW")))
                .addAll(TOPIC, 1, 10, List.of(insert(5, "NEW"), insert(6, "NEW")))
                .addAll(TOPIC, 2, 0, List.of(insert(7, "NEW")))
                .build());

        assertThat(json(LocalMskFunction.responseJson(response))).isEqualTo(json("""
                {"batchItemFailures":[
                  {"itemIdentifier":{"partition":"shop_orders_cdc_logs-0","offset":2}},
                  {"itemIdentifier":{"partition":"shop_orders_cdc_logs-1","offset":10}}]}"""));

        stack.emulator().faults().clear();
        KafkaBatchResponse resumed = f.invoke(new KafkaBatch()
                .addAll(TOPIC, 0, 2, List.of(insert(3, "NEW"), insert(4, "NEW")))
                .addAll(TOPIC, 1, 10, List.of(insert(5, "NEW"), insert(6, "NEW")))
                .build());

        assertThat(resumed.getBatchItemFailures()).isEmpty();
        assertThat(f.collections().get("commons.orders").fieldNames()).toIterable()
                .containsExactly("1", "2", "3", "4", "5", "6", "7");
    }

    @Test
    void anInvocationWithNoTimeLeftWritesNothingAndReportsTheFirstOffset() throws Exception {
        LocalMskFunction f = impatientFunction(true);
        KafkaEvent event = new KafkaBatch().addAll(TOPIC, 0, 70, List.of(insert(1, "NEW"), insert(2, "NEW"))).build();

        KafkaBatchResponse response = f.invoke(event, java.time.Duration.ofMillis(1));

        assertThat(json(LocalMskFunction.responseJson(response))).isEqualTo(json("""
                {"batchItemFailures":[{"itemIdentifier":{"partition":"shop_orders_cdc_logs-0","offset":70}}]}"""));
        assertThat(f.cursor(TOPIC, 0)).isEmpty();
        assertThat(f.collections().get("commons.orders").size()).isZero();
    }
}
