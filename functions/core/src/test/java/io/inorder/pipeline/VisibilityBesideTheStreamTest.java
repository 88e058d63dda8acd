package io.inorder.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.inorder.emulator.Emulator;
import io.inorder.emulator.EmulatorSettings;
import io.inorder.ledger.TableProgress;
import io.inorder.observe.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The commit fence off the critical path (issue 16, items 2 and 5), over the real local components: the emulator over
 * HTTP with an apply lag (a write turns queryable 150 ms after its acknowledgement), DynamoDB Local and S3Proxy.
 * Checkpoints follow the acknowledgement while the window is not yet queryable; every {@code visibleThrough} the
 * table cursor is given is queryable in the emulator at that moment and never moves back; by the end of the unit it
 * has caught up; and a table's cursor is written once per unit (per fence that passed at most), not per window.
 */
class VisibilityBesideTheStreamTest {

    @RegisterExtension
    static final S3ProxyExtension S3_PROXY = S3ProxyExtension.builder().withCredentials("local", "secret").build();

    private static final Duration APPLY_LAG = Duration.ofMillis(150);
    private static final Pattern SEQ_NUM = Pattern.compile("\"logSeqNum\":(\\d+)");
    private static final String TOPIC = "shop_orders_cdc";
    private static final String KAFKA_TABLE_CONFIG = "{\"workspace\":\"" + S3IngestStack.WORKSPACE + "\",\"tables\":{\""
            + S3IngestStack.SOURCE_TABLE + "\":{\"collection\":\"" + S3IngestStack.COLLECTION + "\",\"primaryKey\":"
            + "[\"id\"],\"topics\":[\"" + TOPIC + "\"],\"splitTopic\":false}}}";

    private static Emulator emulator;

    private S3IngestStack stack;
    private final OrdersChanges changes = new OrdersChanges();
    /** The id each source record (by rev, from 1) inserted: every record here is an insert of a fresh id. */
    private final List<String> inserted = new ArrayList<>();
    private final List<Boolean> visibleAtCheckpoint = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> visibleMarks = Collections.synchronizedList(new ArrayList<>());
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void startEmulator() throws IOException {
        emulator = Emulator.start(EmulatorSettings.defaults().withApplyLag(APPLY_LAG));
        emulator.createCollection(S3IngestStack.WORKSPACE, S3IngestStack.COLLECTION);
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @BeforeEach
    void newStack() {
        stack = new S3IngestStack(emulator, S3_PROXY.getUri());
    }

    @Test
    void s3CheckpointsFollowTheAcknowledgementAndVisibleThroughTrailsOnlyToWhatIsQueryableThenCatchesUp() {
        S3Ingest ingest = stack.ingest(Map.of("MAX_REQUEST_DOCUMENTS", "2"));
        List<S3Ingest.Notification> files = new ArrayList<>();
        for (int f = 1; f <= 4; f++) {
            files.add(stack.upload(f, inserts("f" + f + "-", 5)));
        }
        watch("SET inFileRecord = :record", request -> {
            int seq = Integer.parseInt(request.expressionAttributeValues().get(":seq").n());
            int record = Integer.parseInt(request.expressionAttributeValues().get(":record").n());
            return (seq - 1) * 5 + record;
        });
        // Files 2-4 first: each waits for file 1, whose invocation then drains the backlog as one unit.
        stack.deliver(ingest, files.get(1), files.get(2), files.get(3));
        stack.deliver(ingest, files.get(0));

        assertThat(stack.cursor().nextSeq()).isEqualTo(5);
        assertThat(violations).isEmpty();
        assertThat(visibleAtCheckpoint).as("every checkpoint waited until its window was queryable: the fence sits "
                + "before the checkpoint, on the stream's critical path").contains(false);
        assertVisibleThroughMonotonicAndCaughtUp();
        emulator.awaitApplied(Duration.ofSeconds(5));
        assertThat(stack.documents()).isEqualTo(changes.documents());
    }

    @Test
    void kafkaPartitionAdvancesAfterEachAcknowledgementAndVisibleThroughTrailsOnlyToWhatIsQueryable() {
        IngestConfig config = stack.config(Map.of("TABLE_CONFIG", KAFKA_TABLE_CONFIG, "MAX_REQUEST_DOCUMENTS", "2"));
        List<KafkaIngest.Message> batch = new ArrayList<>();
        List<String> records = inserts("k", 16);
        for (int i = 0; i < records.size(); i++) {
            batch.add(new KafkaIngest.Message(TOPIC, 0, i, 0, null,
                    Base64.getEncoder().encodeToString(records.get(i).getBytes(StandardCharsets.UTF_8))));
        }
        watch("SET lastOffset = :offset", request ->
                Integer.parseInt(request.expressionAttributeValues().get(":offset").n()) + 1);

        try (KafkaIngest kafka = KafkaIngest.create(config, stack.services(config,
                new Log("msk-ingest", Log.Level.ERROR, System.out, stack.clock)), stack.dynamoDb, stack.clock)) {
            KafkaIngest.Outcome outcome = kafka.handle(batch, Duration.ofSeconds(60));
            assertThat(outcome.unwritten()).isEmpty();
        }

        assertThat(violations).isEmpty();
        assertThat(visibleAtCheckpoint).as("every partition-cursor advance waited until its window was queryable: "
                + "the fence sits before it").contains(false);
        assertVisibleThroughMonotonicAndCaughtUp();
    }

    @Test
    void dynamoDbCallsAreThreePerFilePlusOnePerWindowAndOneTableWritePerDrain() {
        S3Ingest ingest = stack.ingest(Map.of("MAX_REQUEST_DOCUMENTS", "1", "COMMIT_CHECK", "off"));
        List<S3Ingest.Notification> files = new ArrayList<>();
        int fileCount = 4;
        for (int f = 1; f <= fileCount; f++) {
            files.add(stack.upload(f, inserts("d" + f + "-", 2 + 5 * (f % 2))));
        }
        stack.deliver(ingest, files.subList(1, fileCount).toArray(S3Ingest.Notification[]::new));
        stack.dynamoDb.clearCalls();
        List<String> tableWrites = Collections.synchronizedList(new ArrayList<>());
        List<String> checkpoints = Collections.synchronizedList(new ArrayList<>());
        stack.dynamoDb.beforeEveryUpdate(request -> {
            if (request.key().get("pk").s().startsWith("TABLE#")) {
                tableWrites.add(request.updateExpression());
            }
            if (request.updateExpression().startsWith("SET inFileRecord = :record")) {
                checkpoints.add(request.expressionAttributeValues().get(":record").n());
            }
        });

        int commitsBefore = commitRequests();
        stack.deliver(ingest, files.get(0));

        assertThat(stack.cursor().nextSeq()).isEqualTo(fileCount + 1);
        assertThat(commitRequests()).as("COMMIT_CHECK=off: no fence, so no offsets/commit request")
                .isEqualTo(commitsBefore);
        assertThat(Thread.getAllStackTraces().keySet()).as("COMMIT_CHECK=off: no fence thread")
                .noneMatch(t -> t.getName().equals("inorder-commit-fence"));
        int windows = checkpoints.size();
        assertThat(windows).as("files of 7 records span several windows").isGreaterThan(fileCount);
        // Per invocation: the arrival (2), the lease (1), the cursor under it (1), the missing next file (1), the
        // release (1), the recheck (cursor and state, 2) and the table's marks (1). Per file: its arrival (1) and
        // its completion (2, cursor and arrival TTL). Per window: its checkpoint (1).
        assertThat(stack.dynamoDb.callCount()).as(stack.dynamoDb.calls().toString())
                .isEqualTo(9 + 3L * fileCount + windows);
        assertThat(tableWrites).as("one write of the table's marks for the whole drain").hasSize(1);
    }

    private static int commitRequests() {
        return emulator.requests().entries(e -> e.path().endsWith("/offsets/commit")).size();
    }

    /** {@code count} inserts of fresh ids {@code prefix0..}, recorded in source order. */
    private List<String> inserts(String prefix, int count) {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            inserted.add(prefix + i);
            records.add(changes.insert(prefix + i, "NEW", i + ".00"));
        }
        return records;
    }

    /**
     * Watches every ledger write: at each cursor write that {@code checkpoint} recognizes (by its update expression
     * prefix; it returns how many source records the cursor then covers), whether those records are queryable yet;
     * at each table-cursor write that sets {@code visibleThrough}, that every record through it is queryable now.
     */
    private void watch(String checkpointPrefix, java.util.function.ToIntFunction<UpdateItemRequest> checkpoint) {
        stack.dynamoDb.beforeEveryUpdate(request -> {
            String expression = request.updateExpression();
            Map<String, AttributeValue> values = request.expressionAttributeValues();
            if (expression.startsWith(checkpointPrefix)) {
                int covered = checkpoint.applyAsInt(request);
                visibleAtCheckpoint.add(stack.documents().keySet().containsAll(inserted.subList(0, covered)));
            }
            AttributeValue visible = expression.contains("visiblePosition = :visible") ? values.get(":visible")
                    : expression.startsWith("SET visiblePosition = :position") ? values.get(":position") : null;
            if (visible != null) {
                Matcher m = SEQ_NUM.matcher(visible.s());
                if (!m.find()) {
                    violations.add("visible mark without a logSeqNum: " + visible.s());
                    return;
                }
                int through = Integer.parseInt(m.group(1));
                visibleMarks.add((long) through);
                List<String> shouldBeQueryable = inserted.subList(0, through);
                if (!stack.documents().keySet().containsAll(shouldBeQueryable)) {
                    violations.add("visibleThrough set to record " + through + " while the emulator shows only "
                            + stack.documents().keySet());
                }
            }
        });
    }

    private void assertVisibleThroughMonotonicAndCaughtUp() {
        assertThat(visibleMarks).as("visibleThrough was written").isNotEmpty();
        assertThat(visibleMarks).as("visibleThrough never moves back").isSorted();
        TableProgress progress = stack.tables().progress(S3IngestStack.SOURCE_TABLE).orElseThrow();
        assertThat(progress.applied().orElseThrow().position()).isEqualTo(changes.lastCursor());
        assertThat(progress.visible().orElseThrow().position()).as("visibleThrough caught up by the unit's end")
                .isEqualTo(changes.lastCursor());
    }
}
