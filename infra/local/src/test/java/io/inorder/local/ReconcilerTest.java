package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.emulator.AppliedOp;
import io.inorder.ledger.FileLedger;
import io.inorder.observe.Log;
import io.inorder.pipeline.Reconciler;
import io.inorder.pipeline.Reconciler.Finding;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The reconciler's sweep on the embedded stack, re-driving through the real S3 function. */
class ReconcilerTest {

    private static final Duration IDLE = Duration.ofSeconds(60);
    private static LocalStack stack;
    private static DynamoDbClient dynamoDb;

    private LocalS3Function function;
    private FileLedger ledger;
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
        dynamoDb = stack.dynamoDbClient();
    }

    @AfterAll
    static void stop() throws Exception {
        dynamoDb.close();
        stack.close();
    }

    @BeforeEach
    void deploy() {
        function = LocalS3Function.deploy(stack, CdcFiles.TABLES, Map.of(),
                new PrintStream(logs, true, StandardCharsets.UTF_8), Log.Level.WARN);
        ledger = new FileLedger(dynamoDb, LocalS3Function.STATE_TABLE, Clock.systemUTC());
    }

    @AfterEach
    void undeploy() {
        function.close();
    }

    @Test
    void aLostNotificationIsFoundInTheBucketRecordedAndTheStreamCatchesUpInOrder() {
        String stream = "cdc/lost-notification/shop.orders";
        upload(stream + "_1.json", CdcFiles.upsert("I", 11, "NEW"));
        LocalS3Function.Uploaded f2 = upload(stream + "_2.json", CdcFiles.upsert("U", 11, "PAID"));
        LocalS3Function.Uploaded f3 = upload(stream + "_3.json", CdcFiles.upsert("U", 11, "SHIPPED"));
        // File 1's notification is lost (Lambda's retries exhausted); 2 and 3 arrive and wait behind it.
        function.deliver(List.of(f3));
        function.deliver(List.of(f2));
        function.awaitIdle(IDLE);
        assertThat(document("11")).isNull();

        Reconciler.StreamReport report = sweep(stream);
        function.awaitIdle(IDLE);

        assertThat(report.finding()).isEqualTo(Finding.FOUND_LOST_NOTIFICATION);
        assertThat(report.registered()).isEqualTo(1);
        assertThat(ledger.cursor(id(stream)).nextSeq()).isEqualTo(4);
        assertThat(statuses("11")).containsExactly("NEW", "PAID", "SHIPPED");
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("lost S3 notification found");
    }

    @Test
    void aStalledContinuationIsReDrivenFromWhereTheStreamStopped() throws Exception {
        String stream = "cdc/stalled/shop.orders";
        LocalS3Function.Uploaded f1 = upload(stream + "_1.json", CdcFiles.upsert("I", 21, "NEW"));
        LocalS3Function.Uploaded f2 = upload(stream + "_2.json", CdcFiles.upsert("U", 21, "PAID"));
        // The invocation recorded both arrivals, took the lease and died; its continuation never ran.
        ledger.recordArrival(id(stream), 1, f1.key(), f1.eTag(), f1.size(), Instant.now());
        ledger.recordArrival(id(stream), 2, f2.key(), f2.eTag(), f2.size(), Instant.now());
        ledger.tryAcquireLease(id(stream), "dead-invocation", Duration.ofMillis(1)).orElseThrow();
        Thread.sleep(5);

        Reconciler.StreamReport report = sweep(stream);
        function.awaitIdle(IDLE);

        assertThat(report.finding()).isEqualTo(Finding.REDRIVEN);
        assertThat(ledger.cursor(id(stream)).nextSeq()).isEqualTo(3);
        assertThat(statuses("21")).containsExactly("NEW", "PAID");
    }

    @Test
    void aGapWhoseFileIsNowhereIsReportedWithItsAgeAndLeftWaiting() {
        String stream = "cdc/real-gap/shop.orders";
        function.deliver(List.of(upload(stream + "_2.json", CdcFiles.upsert("I", 31, "PAID"))));
        function.awaitIdle(IDLE);

        Reconciler.StreamReport report = sweep(stream);

        assertThat(report.finding()).isEqualTo(Finding.GAP);
        assertThat(report.missingSeq()).hasValue(1);
        assertThat(report.waitingSince()).isPresent();
        assertThat(report.registered()).isZero();
        assertThat(ledger.cursor(id(stream)).nextSeq()).isEqualTo(1);
        assertThat(document("31")).isNull();
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("stream waits for a missing file");
    }

    @Test
    void aStreamSomeoneIsDrainingIsLeftAlone() {
        String stream = "cdc/busy/shop.orders";
        LocalS3Function.Uploaded f1 = upload(stream + "_1.json", CdcFiles.upsert("I", 41, "NEW"));
        ledger.recordArrival(id(stream), 1, f1.key(), f1.eTag(), f1.size(), Instant.now());
        ledger.tryAcquireLease(id(stream), "live-invocation", Duration.ofMinutes(5)).orElseThrow();

        Reconciler.StreamReport report = sweep(stream);
        function.awaitIdle(IDLE);

        assertThat(report.finding()).isEqualTo(Finding.DRAINING);
        assertThat(document("41")).isNull();
    }

    @Test
    void anUpToDateStreamIsIdle() {
        String stream = "cdc/idle/shop.orders";
        function.deliver(List.of(upload(stream + "_1.json", CdcFiles.upsert("I", 51, "NEW"))));
        function.awaitIdle(IDLE);

        assertThat(sweep(stream).finding()).isEqualTo(Finding.IDLE);
    }

    private Reconciler.StreamReport sweep(String stream) {
        return function.reconcile().stream().filter(r -> r.stream().equals(id(stream))).findFirst()
                .orElseThrow(() -> new AssertionError("the sweep did not list " + id(stream)));
    }

    private static String id(String stream) {
        return LocalS3Function.LANDING_BUCKET + "/" + stream;
    }

    private LocalS3Function.Uploaded upload(String key, String... records) {
        return function.upload(LocalS3Function.LANDING_BUCKET, key,
                String.join("", records).getBytes(StandardCharsets.UTF_8));
    }

    private ObjectNode document(String id) {
        return stack.emulator().documents("commons", "orders").get(id);
    }

    /** The statuses written for one id, in the order the emulator applied them. */
    private List<String> statuses(String id) {
        return stack.emulator().applyLog("commons", "orders").stream().filter(op -> id.equals(op.id()))
                .map(ReconcilerTest::status).filter(s -> s != null).toList();
    }

    /** The status an applied add or patch set, if any. */
    private static String status(AppliedOp op) {
        JsonNode p = op.payload();
        if (p == null) {
            return null;
        }
        if (p.isObject()) {
            return p.has("status") ? p.get("status").asText() : null;
        }
        for (JsonNode patch : p) {
            if ("/status".equals(patch.path("path").asText())) {
                return patch.path("value").asText();
            }
        }
        return null;
    }
}
