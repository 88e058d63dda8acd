package io.inorder.local;

import static io.inorder.local.NativeChanges.insert;
import static io.inorder.local.NativeChanges.update;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inorder.ledger.CursorReset;
import io.inorder.ledger.PartitionCursor;
import io.inorder.pipeline.KafkaIngest;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code inorder reset-cursor} against the embedded stack, as an operator runs it after a Kafka topic was recreated:
 * the new topic's records are skipped below the old cursor until the cursor is moved back, and then they apply. The
 * reset is audited like {@code skip} and shown by {@code inorder status}.
 */
class ResetCursorCommandTest {

    private static final String TOPIC = "shop_orders_cdc_logs";
    private static LocalStack stack;
    private static LocalMskFunction function;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        function = new LocalMskFunction(stack, NativeChanges.TABLE_CONFIG, Map.of(), KafkaIngest.DEFAULT_PARALLELISM,
                quiet, quiet);
        function.tables().tables().forEach(t -> function.completeSnapshot(t.table()));
    }

    @AfterAll
    static void stop() throws Exception {
        function.close();
        stack.close();
    }

    @Test
    void aRecreatedTopicAppliesAfterItsCursorIsResetWithAReasonThatTheLedgerAndStatusKeep() throws Exception {
        function.invoke(new KafkaBatch().add(TOPIC, 0, 40_000, insert(1, "OLD")).build());
        List<String> recreated = List.of(insert(2, "NEW"), update(2, "NEW", "PAID"));
        function.invoke(new KafkaBatch().addAll(TOPIC, 0, 0, recreated).build());
        assertThat(function.collections().path("commons.orders").has("2")).as("skipped below the old cursor")
                .isFalse();

        OperatorRun noReason = run("reset-cursor", "--topic", TOPIC, "--partition", "0", "--to-offset", "0");
        OperatorRun forward = run("reset-cursor", "--topic", TOPIC, "--partition", "0", "--to-offset", "40001",
                "--reason", "why not");
        OperatorRun noCursor = run("reset-cursor", "--topic", TOPIC, "--partition", "3", "--to-offset", "0",
                "--reason", "topic recreated");

        assertThat(noReason.code()).as(noReason.toString()).isEqualTo(2);
        assertThat(noReason.err()).contains("--reason is required");
        assertThat(forward.code()).as(forward.toString()).isEqualTo(1);
        assertThat(forward.err()).contains("refused: a reset only moves a cursor back");
        assertThat(noCursor.code()).as(noCursor.toString()).isEqualTo(1);
        assertThat(noCursor.err()).contains(TOPIC + "/3 has no cursor");
        assertThat(function.cursor(TOPIC, 0)).isEqualTo(OptionalLong.of(40_000));

        OperatorRun reset = run("reset-cursor", "--topic", TOPIC, "--partition", "0", "--to-offset", "0",
                "--reason", "topic recreated by the Arcion upgrade", "--by", "alice");

        assertThat(reset.code()).as(reset.toString()).isZero();
        assertThat(reset.out()).contains("reset:   " + TOPIC + "/0 last applied offset 40000 -> -1 by alice: topic "
                + "recreated by the Arcion upgrade").contains("--reset-offsets --to-offset 0");
        assertThat(new PartitionCursor(stack.dynamoDbClient(), LocalS3Function.STATE_TABLE, Clock.systemUTC())
                .resets(TOPIC, 0)).extracting(CursorReset::previousOffset, CursorReset::lastOffset,
                        CursorReset::reason, CursorReset::resetBy)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(40_000L, -1L,
                        "topic recreated by the Arcion upgrade", "alice"));
        OperatorRun status = run("status");
        assertThat(status.out()).contains("reset " + TOPIC + "/0 from offset 40000 to -1 by alice at ")
                .contains(": topic recreated by the Arcion upgrade");
        JsonNode json = new ObjectMapper().readTree(run("status", "--json").out());
        assertThat(json.path("partitions").get(0).path("lastReset").path("previousOffset").asLong())
                .isEqualTo(40_000);

        function.invoke(new KafkaBatch().addAll(TOPIC, 0, 0, recreated).build());

        assertThat(function.collections().path("commons.orders").path("2").path("status").asText())
                .isEqualTo("PAID");
        assertThat(function.cursor(TOPIC, 0)).isEqualTo(OptionalLong.of(1));
    }

    private static OperatorRun run(String... args) {
        return OperatorRun.on(stack, args);
    }
}
