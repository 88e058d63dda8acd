package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.inorder.pipeline.S3KeyPattern;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCommandTest {

    @TempDir
    Path tmp;

    @Test
    void replayInReverseWithDuplicatesAppliesEveryFileAndDumpsTheFinalState() throws Exception {
        Path dir = tmp.resolve("files");
        CdcFiles.write(dir, "cdc/shop.orders_1.json", CdcFiles.upsert("I", 1, "NEW"), CdcFiles.upsert("I", 2, "NEW"));
        CdcFiles.write(dir, "cdc/shop.orders_2.json", CdcFiles.upsert("U", 1, "PAID"), CdcFiles.delete(2));
        CdcFiles.write(dir, "cdc/shop.orders_3.json", CdcFiles.upsert("U", 1, "SHIPPED"), CdcFiles.upsert("I", 3,
                "NEW"));
        CdcFiles.write(dir, "cdc/shop.order_items_1.csv", CdcFiles.itemsCsv(1, 1, 5, 1, 2, 7));
        CdcFiles.write(dir, "cdc/shop.order_items_2.csv", CdcFiles.itemsCsv(3, 1, 9));
        Path dump = tmp.resolve("out/state.json");

        Run run = run("replay", "--config", config().toString(), "--dir", dir.toString(), "--order", "reverse",
                "--duplicates", "--seed", "7", "--dump", dump.toString());

        assertThat(run.code).as(run.toString()).isZero();
        assertThat(run.out).contains("5 files uploaded, 10 events delivered (order reverse, duplicates, seed 7)")
                .contains("applied:      5 files, 9 records").contains("pending gaps: none");
        assertThat(new ObjectMapper().readTree(dump.toFile())).isEqualTo(new ObjectMapper().readTree("""
                {"commons.order_items": {"[\\"1\\",\\"1\\"]": {"order_id": "1", "line_no": "1", "qty": "5"},
                                         "[\\"1\\",\\"2\\"]": {"order_id": "1", "line_no": "2", "qty": "7"},
                                         "[\\"3\\",\\"1\\"]": {"order_id": "3", "line_no": "1", "qty": "9"}},
                 "commons.orders": {"1": {"id": "1", "status": "SHIPPED"}, "3": {"id": "3", "status": "NEW"}}}"""));
    }

    @Test
    void aMissingFileExitsThreeNamingTheStreamAndTheReplayPassesOnceItIsThere() throws Exception {
        Path dir = tmp.resolve("files");
        CdcFiles.write(dir, "cdc/shop.orders_1.json", CdcFiles.upsert("I", 1, "NEW"));
        CdcFiles.write(dir, "cdc/shop.orders_3.json", CdcFiles.upsert("U", 1, "SHIPPED"));

        Run gap = run("replay", "--config", config().toString(), "--dir", dir.toString(), "--order", "shuffled");

        assertThat(gap.code).as(gap.toString()).isEqualTo(3);
        assertThat(gap.out).contains("inorder-landing/cdc/shop.orders waits for seq 2 (seq 3 has arrived)")
                .contains("applied:      1 files").containsPattern("seed -?\\d+");
        assertThat(gap.err).contains("wait on a missing file");

        CdcFiles.write(dir, "cdc/shop.orders_2.json", CdcFiles.upsert("U", 1, "PAID"));
        Run filled = run("replay", "--config", config().toString(), "--dir", dir.toString(), "--order", "reverse");

        assertThat(filled.code).as(filled.toString()).isZero();
        assertThat(filled.out).contains("applied:      3 files").contains("pending gaps: none");
    }

    @Test
    void sortedOrderIsByStreamThenNumericSequenceAndDuplicatesAddOneCopyOfEach() {
        List<LocalS3Function.Uploaded> files = new ArrayList<>();
        for (String key : List.of("b_10.json", "b_9.json", "a_2.json", "notes.txt", "a_10.json", "a_1.json")) {
            files.add(new LocalS3Function.Uploaded("bucket", key, "e", 1));
        }
        S3KeyPattern pattern = S3KeyPattern.defaultPattern();

        List<String> sorted = keys(ReplayCommand.arrivalOrder(files, ReplayCommand.Order.SORTED, false,
                new Random(1), pattern));
        List<String> reverse = keys(ReplayCommand.arrivalOrder(files, ReplayCommand.Order.REVERSE, false,
                new Random(1), pattern));
        List<String> doubled = keys(ReplayCommand.arrivalOrder(files, ReplayCommand.Order.SHUFFLED, true,
                new Random(1), pattern));

        assertThat(sorted).containsExactly("a_1.json", "a_2.json", "a_10.json", "b_9.json", "b_10.json", "notes.txt");
        assertThat(reverse).containsExactly("notes.txt", "b_10.json", "b_9.json", "a_10.json", "a_2.json", "a_1.json");
        assertThat(doubled).hasSize(12).containsAll(sorted);
        assertThat(doubled.stream().distinct().count()).isEqualTo(6);
        assertThat(doubled.stream().filter("a_1.json"::equals).count()).isEqualTo(2);
    }

    @Test
    void usageErrorsExitTwoAndSayWhatIsWrong() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        Path badConfig = Files.writeString(tmp.resolve("bad.json"), "{\"workspace\": \"w\"");
        String cfg = config().toString();
        String[][] cases = {
            {"replay", "--dir", dir.toString()},
            {"replay", "--config", cfg},
            {"replay", "--config", cfg, "--dir", tmp.resolve("missing").toString()},
            {"replay", "--config", cfg, "--dir", dir.toString(), "--order", "random"},
            {"replay", "--config", cfg, "--dir", dir.toString(), "--seed", "x"},
            {"replay", "--config", cfg, "--dir", dir.toString(), "--seed"},
            {"replay", "--config", cfg, "--dir", dir.toString(), "--bogus"},
            {"replay", "--config", badConfig.toString(), "--dir", dir.toString()},
            {"invoke"},
            {"invoke", "sqs", "e.json"},
            {"invoke", "s3", "--config", cfg},
            {"invoke", "s3", tmp.resolve("missing.json").toString(), "--config", cfg},
            {"invoke", "s3", "../../events/s3-put.json"},
            {"invoke", "s3", "../../events/s3-put.json", "--config", cfg, "--files", tmp.resolve("nope").toString()},
        };
        for (String[] args : cases) {
            Run r = run(args);
            assertThat(r.code).as(String.join(" ", args) + "\n" + r).isEqualTo(2);
            assertThat(r.err).as(String.join(" ", args)).startsWith("inorder " + args[0] + ": ");
        }
        Run unknown = run("invoke", "sqs", "e.json");
        assertThat(unknown.err).contains("unknown event kind 'sqs': use one of s3, msk");
        Run badOrder = run("replay", "--config", cfg, "--dir", dir.toString(), "--order", "random");
        assertThat(badOrder.err).contains("--order 'random' must be sorted, reverse or shuffled");
    }

    @Test
    void anEmptyDirectoryIsAUsageError() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty"));

        Run r = run("replay", "--config", config().toString(), "--dir", dir.toString());

        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("no files to replay");
    }

    private Path config() throws Exception {
        Path c = tmp.resolve("tables.json");
        if (!Files.exists(c)) {
            Files.writeString(c, CdcFiles.TABLES);
        }
        return c;
    }

    private static List<String> keys(List<LocalS3Function.Uploaded> files) {
        return files.stream().map(LocalS3Function.Uploaded::key).toList();
    }

    record Run(int code, String out, String err) { }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Inorder.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
