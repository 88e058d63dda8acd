package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.inorder.msk.KafkaBatchResponse;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.KafkaIngest;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code inorder snapshot status|complete} against the embedded stack, as an operator runs them while the MSK function
 * applies a split-topic table: its change partition held, its snapshot applied, then declared complete.
 */
class SnapshotCommandTest {

    private static LocalStack stack;
    private static LocalMskFunction function;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        function = new LocalMskFunction(stack, NativeChanges.TABLE_CONFIG,
                Map.of(IngestConfig.REPORT_BATCH_ITEM_FAILURES.name(), "true"), KafkaIngest.DEFAULT_PARALLELISM, quiet,
                quiet);
    }

    @AfterAll
    static void stop() throws Exception {
        function.close();
        stack.close();
    }

    @Test
    void anOperatorSeesTheHeldChangesAndTheSnapshotOffsetsThenDeclaresTheSnapshotComplete() throws Exception {
        KafkaBatchResponse held = function.invoke(new KafkaBatch()
                .add("shop_orders_cdc_logs", 0, 0, NativeChanges.update(1, "NEW", "PAID")).build());
        assertThat(held.getBatchItemFailures()).hasSize(1);
        function.invoke(new KafkaBatch().add("shop_orders", 0, 0, "{\"id\":\"1\",\"status\":\"NEW\"}")
                .add("shop_orders", 0, 1, "{\"id\":\"2\",\"status\":\"NEW\"}").build());

        OperatorRun status = run("snapshot", "status");
        assertThat(status.code()).as(status.toString()).isZero();
        assertThat(status.out()).contains("shop.orders: loading — changes are held until `inorder snapshot complete "
                + "shop.orders`").contains("changes held on shop_orders_cdc_logs#0 since")
                .contains("last applied offsets: shop_orders-0 at 1");

        OperatorRun complete = run("snapshot", "complete", "shop.orders", "--by", "ops-test");
        assertThat(complete.code()).as(complete.toString()).isZero();
        assertThat(complete.out()).contains("shop.orders: snapshot complete (declared by ops-test");
        assertThat(run("snapshot", "status", "shop.orders").out()).contains("shop.orders: complete since")
                .contains("(declared by ops-test)");
        assertThat(run("snapshot", "complete", "shop.orders").out()).contains("shop.orders: already complete");

        assertThat(function.invoke(new KafkaBatch().add("shop_orders_cdc_logs", 0, 0,
                NativeChanges.update(1, "NEW", "PAID")).build()).getBatchItemFailures()).isEmpty();
        assertThat(function.collections().path("commons.orders").path("1").path("status").asText())
                .isEqualTo("PAID");
    }

    @Test
    void completeNeedsATableAndTheCommandNeedsAVerb() throws Exception {
        assertThat(run("snapshot", "complete").code()).isEqualTo(2);
        assertThat(run("snapshot").err()).contains("inorder snapshot status|complete");
    }

    private static OperatorRun run(String... args) {
        return OperatorRun.on(stack, args);
    }
}
