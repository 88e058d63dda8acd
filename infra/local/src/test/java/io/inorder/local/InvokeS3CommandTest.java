package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InvokeS3CommandTest {

    @TempDir
    Path tmp;

    @Test
    void theMultiRecordSampleAppliesWhatIsInOrderAndNamesTheGapItLeaves() throws Exception {
        Path files = tmp.resolve("files");
        CdcFiles.write(files, "cdc/shop.orders_1.json", CdcFiles.upsert("I", 1, "NEW"));
        CdcFiles.write(files, "cdc/shop.orders_3.json", CdcFiles.upsert("U", 1, "SHIPPED"));
        CdcFiles.write(files, "cdc/shop.order_items_1.csv", CdcFiles.itemsCsv(1, 1, 5));
        Path dump = tmp.resolve("state.json");

        ReplayCommandTest.Run r = ReplayCommandTest.run("invoke", "s3", "../../events/s3-put-multi.json", "--config",
                config().toString(), "--files", files.toString(), "--dump", dump.toString());

        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("set eTag and size of 3 of 3 record(s)")
                .contains("inorder invoke s3: 1 stream(s) wait");
        assertThat(r.out()).contains("response:     notifications=3 filesApplied=2")
                .contains("inorder-landing/cdc/shop.orders waits for seq 2 (seq 3 has arrived)");
        JsonNode state = new ObjectMapper().readTree(dump.toFile());
        assertThat(state.path("commons.orders").path("1").path("status").asText()).isEqualTo("NEW");
        assertThat(state.path("commons.order_items").size()).isEqualTo(1);
    }

    @Test
    void theSinglePutSampleIsAppliedAndExitsZero() throws Exception {
        Path files = tmp.resolve("files");
        CdcFiles.write(files, "cdc/shop.orders_1.json", CdcFiles.upsert("I", 4, "NEW"), CdcFiles.delete(4),
                CdcFiles.upsert("I", 5, "NEW"));

        ReplayCommandTest.Run r = ReplayCommandTest.run("invoke", "s3", "../../events/s3-put.json", "--config",
                config().toString(), "--files", files.toString());

        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("notifications=1 filesApplied=1 streamsWaitingOnGap=0")
                .contains("applied:      1 files, 3 records").contains("commons.orders 1 documents")
                .contains("pending gaps: none");
    }

    @Test
    void withoutTheFilesTheInvocationFailsAfterLambdasRetriesAndExitsOne() throws Exception {
        ReplayCommandTest.Run r = ReplayCommandTest.run("invoke", "s3", "../../events/s3-put.json", "--config",
                config().toString());

        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("no --files");
        assertThat(r.out()).contains("invocations:  3 (2 Lambda-style retries, 1 failed after all retries)")
                .contains("failed:");
    }

    private Path config() throws Exception {
        return Files.writeString(tmp.resolve("tables.json"), CdcFiles.TABLES);
    }
}
