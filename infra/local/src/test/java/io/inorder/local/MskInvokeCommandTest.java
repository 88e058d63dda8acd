package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MskInvokeCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Inorder.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void runsAnEventFileOnTheLocalStackAndDumpsTheFinalCollections(@TempDir Path dir) throws Exception {
        Path dump = dir.resolve("state.json");

        int exit = run("invoke", "msk", "../../events/msk-poison.json", "--config", "../../events/tables.json",
                "--snapshots-complete", "--dump", dump.toString());

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed).contains("{\"batchItemFailures\":[]}")
                .contains("cursors {\"shop_orders_cdc_logs-0\":203}")
                .contains("\"offset\":201").contains("malformed JSON");
        assertThat(new ObjectMapper().readTree(dump.toFile())).isEqualTo(new ObjectMapper().readTree("""
                {"commons.customers": {}, "commons.order_items": {},
                 "commons.orders": {"3": {"id": "3", "status": "PAID", "total": "5.00"},
                                    "5": {"id": "5", "status": "NEW", "total": "7.25"}},
                 "commons.payments": {}}"""));
    }

    @Test
    void aWriteApiThatStaysDownFailsTheInvocationOrReportsTheFirstUnwrittenOffset() {
        int failed = run("invoke", "msk", "../../events/msk-native-realtime.json", "--config",
                "../../events/tables.json", "--snapshots-complete", "--faults", "503:1.0", "--retry-max-attempts",
                "2");

        assertThat(failed).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("shop_orders_cdc_logs-0 from offset 100");

        out.reset();
        int reported = run("invoke", "msk", "../../events/msk-native-realtime.json", "--config",
                "../../events/tables.json", "--snapshots-complete", "--faults", "503:1.0", "--retry-max-attempts", "2",
                "--report-batch-item-failures");

        assertThat(reported).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(
                "{\"batchItemFailures\":[{\"itemIdentifier\":{\"partition\":\"shop_orders_cdc_logs-0\",\"offset\":100}}]}");
    }

    @Test
    void aChangeTopicOfASplitTopicTableIsHeldUntilItsSnapshotIsDeclaredComplete() {
        int held = run("invoke", "msk", "../../events/msk-native-realtime.json", "--config", "../../events/tables.json",
                "--report-batch-item-failures");

        assertThat(held).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(
                "{\"batchItemFailures\":[{\"itemIdentifier\":{\"partition\":\"shop_orders_cdc_logs-0\",\"offset\":100}}]}")
                .contains("cursors {\"shop_orders_cdc_logs-0\":null}");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("held until its table's snapshot is complete");
    }

    @Test
    void aMissingConfigIsAUsageError() {
        assertThat(run("invoke", "msk", "../../events/msk-poison.json")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("need an event file and --config");
    }
}
