package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NormalizeCommandTest {

    private static final String DIR = "src/test/resources/normalize/";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Inorder.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private List<String> stdout() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsOneOperationPerLineInSourceOrderAndBadRecordsWithTheSummaryOnStderr() {
        int code = run("normalize", "--config", DIR + "tables.json", DIR + "orders_1.json");

        assertThat(code).isZero();
        assertThat(stdout()).containsExactly(
                "{\"collection\":\"orders\",\"op\":\"upsert\",\"_id\":\"17\",\"document\":{\"id\":\"17\","
                        + "\"status\":\"NEW\",\"total\":\"9.50\",\"_event_time\":1700000000000000}}",
                "{\"collection\":\"orders\",\"op\":\"patch\",\"_id\":\"17\",\"patch\":[{\"op\":\"add\","
                        + "\"path\":\"/status\",\"value\":\"PAID\"}]}",
                "{\"collection\":\"orders\",\"op\":\"delete\",\"_id\":\"17\"}");
        assertThat(stderr()).contains("{\"origin\":\"" + DIR + "orders_1.json#2 (byte ")
                .contains("unknown opType 'X'")
                .contains("normalize: 1 file, 4 records → 1 upsert, 1 patch, 1 delete, 0 skipped, 1 bad");
    }

    @Test
    void headerlessCsvTakesItsColumnsFromTheTableGivenByTable() {
        int code = run("normalize", "--config", DIR + "tables.json", "--table", "shop.order_items",
                DIR + "items_1.csv");

        assertThat(code).isZero();
        assertThat(stdout()).containsExactly(
                "{\"collection\":\"order_items\",\"op\":\"upsert\",\"_id\":\"[\\\"17\\\",\\\"1\\\"]\","
                        + "\"document\":{\"order_id\":\"17\",\"line_no\":\"1\",\"sku\":\"A-1\"}}",
                "{\"collection\":\"order_items\",\"op\":\"upsert\",\"_id\":\"[\\\"17\\\",\\\"2\\\"]\","
                        + "\"document\":{\"order_id\":\"17\",\"line_no\":\"2\",\"sku\":\"B,2\"}}");
    }

    /** Arcion's CSV samples as Replicant writes them by default (fixtures and their doc pages: arcion/documented/). */
    private static final String ARCION_DOCS = "../../functions/core/src/test/resources/arcion/documented/";

    @Test
    void headerlessArcionCsvWithoutColumnsIsRefusedLineByLineNamingTheSettingNotSilentlyShortened(@TempDir Path tmp)
            throws Exception {
        Path config = tmp.resolve("tables.json");
        Files.writeString(config, "{\"workspace\": \"commons\", \"tables\": {\"tpch.region\": {\"collection\": "
                + "\"region\", \"primaryKey\": [\"r_regionkey\"], \"prefixes\": [\"region_\"]}}}");

        int code = run("normalize", "--config", config.toString(), ARCION_DOCS + "region_snapshot_1.csv");

        assertThat(code).isZero();
        assertThat(stdout()).isEmpty();
        assertThat(stderr().lines().filter(l -> l.startsWith("{\"origin\"")).toList()).hasSize(3)
                .allMatch(l -> l.contains("\\\"csvColumns\\\"") && l.contains("tpch.region"));
        assertThat(stderr()).contains("normalize: 1 file, 3 records → 0 upserts, 0 patches, 0 deletes, 0 skipped, 3 bad");
    }

    @Test
    void arcionSnapshotAndRealtimeCsvWithTheirOwnColumnOrdersAndBackslashEscapesMapToTheRightIds(@TempDir Path tmp)
            throws Exception {
        // The page's snapshot line lists r_regionkey, r_name, r_comment (table order); its realtime triplets come as
        // r_comment, r_name, r_regionkey. One column list cannot describe both.
        Path config = tmp.resolve("tables.json");
        Files.writeString(config, """
                {"workspace": "commons",
                 "tables": {"tpch.region": {"collection": "region", "primaryKey": ["r_regionkey"],
                                            "prefixes": ["region_"],
                                            "csvHeader": "absent",
                                            "csvColumns": ["r_regionkey", "r_name", "r_comment"],
                                            "csvRealtimeColumns": ["r_comment", "r_name", "r_regionkey"],
                                            "csvDelimiter": ",", "csvQuote": "\\"", "csvEscape": "\\\\",
                                            "csvNull": "NULL"}}}""");

        int code = run("normalize", "--config", config.toString(), ARCION_DOCS + "region_snapshot_1.csv",
                ARCION_DOCS + "region_realtime_2.csv");

        assertThat(stderr()).contains("normalize: 2 files, 6 records → 4 upserts, 1 patch, 1 delete, 0 skipped, 0 bad");
        assertThat(code).isZero();
        assertThat(stdout()).containsExactly(
                "{\"collection\":\"region\",\"op\":\"upsert\",\"_id\":\"0\",\"document\":{\"r_regionkey\":\"0\","
                        + "\"r_name\":\"AFRICA\",\"r_comment\":\"quiet, special region\"}}",
                "{\"collection\":\"region\",\"op\":\"upsert\",\"_id\":\"1\",\"document\":{\"r_regionkey\":\"1\","
                        + "\"r_name\":\"AMERICA\",\"r_comment\":null}}",
                "{\"collection\":\"region\",\"op\":\"upsert\",\"_id\":\"2\",\"document\":{\"r_regionkey\":\"2\","
                        + "\"r_name\":\"ASIA\",\"r_comment\":\"plain\"}}",
                "{\"collection\":\"region\",\"op\":\"upsert\",\"_id\":\"10\",\"document\":{\"r_comment\":\"India\","
                        + "\"r_name\":\"India\",\"r_regionkey\":\"10\",\"_event_time\":1700000100000000}}",
                "{\"collection\":\"region\",\"op\":\"patch\",\"_id\":\"10\",\"patch\":[{\"op\":\"add\","
                        + "\"path\":\"/r_comment\",\"value\":\"USA, \\\"east\\\"\"}]}",
                "{\"collection\":\"region\",\"op\":\"delete\",\"_id\":\"10\"}");
    }

    @Test
    void flatRowsTakeTheirTableFromTheConfiguredPrefix() {
        int code = run("normalize", "--config", DIR + "tables.json", DIR + "snap/orders_1.ndjson");

        assertThat(code).isZero();
        assertThat(stdout()).containsExactly("{\"collection\":\"orders\",\"op\":\"upsert\",\"_id\":\"20\","
                + "\"document\":{\"id\":\"20\",\"status\":\"NEW\"}}");
    }

    @Test
    void gzippedInputIsDetectedByItsMagicBytes(@TempDir Path tmp) throws Exception {
        Path gz = tmp.resolve("orders_1.json.gz");
        try (GZIPOutputStream z = new GZIPOutputStream(Files.newOutputStream(gz))) {
            z.write(Files.readAllBytes(Path.of(DIR + "orders_1.json")));
        }

        assertThat(run("normalize", "--config", DIR + "tables.json", gz.toString())).isZero();
        assertThat(stdout()).hasSize(3);
    }

    @Test
    void usageAndConfigurationErrorsExitTwoWithAMessage(@TempDir Path tmp) throws Exception {
        assertThat(run("normalize", DIR + "orders_1.json")).isEqualTo(2);
        assertThat(stderr()).contains("--config is required");

        assertThat(run("normalize", "--config", DIR + "tables.json", "--format", "xml", DIR + "orders_1.json"))
                .isEqualTo(2);
        assertThat(stderr()).contains("unknown format 'xml'");

        assertThat(run("normalize", "--config", DIR + "tables.json", tmp.resolve("missing.json").toString()))
                .isEqualTo(2);
        assertThat(stderr()).contains("missing.json: no such file");

        Path bad = tmp.resolve("tables.json");
        Files.writeString(bad, "{\"workspace\":\"w\",\"tables\":{\"a\":{\"collection\":\"a\"}}}");
        assertThat(run("normalize", "--config", bad.toString(), DIR + "orders_1.json")).isEqualTo(2);
        assertThat(stderr()).contains("\"primaryKey\" is required");

        assertThat(run("normalize", "--config", DIR + "tables.json", "--table", "shop.nope", DIR + "orders_1.json"))
                .isEqualTo(2);
        assertThat(stderr()).contains("--table shop.nope is not in");
    }

    @Test
    void unknownCommandsExitTwoAndListTheCommands() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(stderr()).contains("unknown command 'frobnicate'").contains("normalize");
    }
}
