package io.inorder.arcion;

import static io.inorder.arcion.Reading.assertEvent;
import static io.inorder.arcion.Reading.bad;
import static io.inorder.arcion.Reading.cols;
import static io.inorder.arcion.Reading.contentOf;
import static io.inorder.arcion.Reading.gzip;
import static io.inorder.arcion.Reading.readAll;
import static io.inorder.arcion.Reading.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CsvFormatTest {

    private static final ReaderOptions AUTO = ReaderOptions.defaults();
    /** Defaults for a table keyed by {@code id}: a first line naming {@code id} is its header. */
    private static final ReaderOptions KEYED = AUTO.withCsvTable("shop.orders", List.of("id"));
    private static final List<String> ORDER_COLUMNS = List.of("id", "status", "total");
    private static final List<String> NOTE_COLUMNS = List.of("id", "status", "note");
    private static final String CURSOR_1 = "{\"extractorId\":0,\"timestamp\":1700000000000,"
            + "\"extractionTimestamp\":1700000000420,\"log\":\"binlog.000042\",\"position\":98765,\"logSeqNum\":1,"
            + "\"slaveServerId\":1,\"v\":2}";

    private static void assertSnapshotRows(List<ReadResult> rs) {
        assertThat(rs).hasSize(4);
        assertEvent(rs.get(0), null, Op.SNAPSHOT_ROW, null, cols("id", "1", "status", "NEW", "note", "hello, world"),
                true, -1);
        assertEvent(rs.get(1), null, Op.SNAPSHOT_ROW, null, cols("id", "2", "status", "PAID", "note", "say \"hi\""),
                true, -1);
        // Unquoted NULL is SQL NULL; quoted "NULL" is the text.
        assertEvent(rs.get(2), null, Op.SNAPSHOT_ROW, null, cols("id", "3", "status", null, "note", "NULL"), true,
                -1);
        assertEvent(rs.get(3), null, Op.SNAPSHOT_ROW, null, cols("id", "4", "status", "", "note", "multi\nline"),
                true, -1);
    }

    @Test
    void snapshotWithHeaderTakesColumnNamesFromTheHeaderWhichIsNotARecord() {
        List<ReadResult> rs = readAll("csv/snapshot-header.csv", KEYED);
        assertSnapshotRows(rs);
        assertThat(rs.get(0).origin()).isEqualTo(Origin.fileRecord("csv/snapshot-header.csv", 0,
                "id,status,note\n".length()));
        assertThat(rs.get(3).origin().byteOffset()).isEqualTo(
                new String(resource("csv/snapshot-header.csv"), StandardCharsets.UTF_8).indexOf("4,,"));
        assertSnapshotRows(readAll("csv/snapshot-header.csv", AUTO.withCsvColumns(NOTE_COLUMNS)));
        // The configured columns in another order still make the line a header, whose order then wins.
        assertSnapshotRows(readAll("csv/snapshot-header.csv", AUTO.withCsvColumns(List.of("note", "id", "status"))));
        assertSnapshotRows(readAll("csv/snapshot-header.csv",
                AUTO.withCsvHeader(ReaderOptions.CsvHeader.PRESENT).withCsvColumns(List.of("a", "b", "c"))));
    }

    @Test
    void snapshotWithoutHeaderUsesTheConfiguredColumns() {
        List<ReadResult> rs = readAll("csv/snapshot-noheader.csv", AUTO.withCsvColumns(NOTE_COLUMNS));
        assertSnapshotRows(rs);
        assertThat(rs.get(0).origin().byteOffset()).isZero();
        assertSnapshotRows(readAll("csv/snapshot-noheader.csv",
                AUTO.withCsvColumns(NOTE_COLUMNS).withCsvHeader(ReaderOptions.CsvHeader.ABSENT)));
    }

    @Test
    void headerlessCsvWithoutConfiguredColumnsRefusesEveryLineWithAMessageSayingWhatToGive() {
        List<ReadResult> rs = readAll("csv/snapshot-noheader.csv", KEYED.withCsvHeader(ReaderOptions.CsvHeader.ABSENT));
        assertThat(rs).hasSize(4).allSatisfy(r -> assertThat(bad(r).reason()).contains("\"csvHeader\" is \"absent\"")
                .contains("\"csvColumns\"").contains("table 'shop.orders'"));
    }

    @Test
    void aFirstLineNamingNoKeyColumnIsDataNotAHeader() {
        // Without configured columns a line is a header only when it names the key: "1,NEW,..." does not.
        List<ReadResult> rs = readAll("csv/snapshot-noheader.csv", KEYED);
        assertThat(rs).hasSize(4).allSatisfy(r -> assertThat(bad(r).reason()).contains("\"csvColumns\""));
        // With them, the same line is the first row.
        assertSnapshotRows(readAll("csv/snapshot-noheader.csv", KEYED.withCsvColumns(NOTE_COLUMNS)));
    }

    @Test
    void realtimeTripletsMayComeInAnOrderOfTheirOwn() {
        // Arcion's samples: snapshot lines in table order, realtime triplets in another (arcion-internal-cdc-format.md).
        ReaderOptions opts = AUTO.withCsvColumns(List.of("status", "total", "id"))
                .withCsvRealtimeColumns(ORDER_COLUMNS);
        List<ReadResult> rs = readAll("csv/realtime-noheader.csv", opts);
        assertRealtimeRows(rs);
        assertEvent(rs.get(4), null, Op.SNAPSHOT_ROW, null, cols("status", "20", "total", "NEW", "id", "1.00"), true,
                -1);
        assertThatThrownBy(() -> AUTO.withCsvColumns(ORDER_COLUMNS).withCsvRealtimeColumns(List.of("id", "status")))
                .hasMessageContaining("must name the same columns");
    }

    /**
     * Arcion's S3 applier writes no header unless {@code include-header: true}, and its published sample sets it
     * false (amazon-s3.md); a snapshot line of data must never be taken for a header (fixture: arcion/documented/).
     */
    @Test
    void aHeaderlessFileWhoseColumnsCannotBeNamedLosesNoLineAndEachSaysWhatToSet() {
        List<ReadResult> rs = readAll("documented/region_snapshot_1.csv", AUTO);

        assertThat(rs).hasSize(3);
        for (ReadResult r : rs) {
            assertThat(bad(r).reason()).contains("\"csvColumns\"").contains("\"csvHeader\"");
        }
        assertThat(rs.get(0).origin().byteOffset()).isZero();
    }

    private static void assertRealtimeRows(List<ReadResult> rs) {
        ChangeEvent update = assertEvent(rs.get(0), null, Op.UPDATE, cols("id", "17"), cols("status", "PAID"), false,
                1700000000000L);
        assertThat(update.position()).isEqualTo(CURSOR_1);
        assertEvent(rs.get(1), null, Op.INSERT, null, cols("id", "18", "status", "NEW", "total", null), true,
                1700000001000L);
        assertEvent(rs.get(2), null, Op.DELETE, cols("id", "17"), null, false, 1700000002000L);
        // Key-changing update with full images (EXISTS 3): both sides complete.
        assertEvent(rs.get(3), null, Op.UPDATE, cols("id", "18", "status", "NEW", "total", null),
                cols("id", "19", "status", "PAID, late", "total", "NULL"), true, 1700000003000L);
    }

    @Test
    void realtimeWithHeaderReadsTripletsByExistsFlag() {
        List<ReadResult> rs = readAll("csv/realtime-header.csv", AUTO);
        assertThat(rs).hasSize(4);
        assertRealtimeRows(rs);
        assertRealtimeRows(readAll("csv/realtime-header.csv", AUTO.withCsvColumns(ORDER_COLUMNS)));
    }

    @Test
    void realtimeWithoutHeaderTellsRealtimeFromSnapshotLinesByFieldCount() {
        List<ReadResult> rs = readAll("csv/realtime-noheader.csv", AUTO.withCsvColumns(ORDER_COLUMNS));
        assertThat(rs).hasSize(5);
        assertRealtimeRows(rs);
        assertEvent(rs.get(4), null, Op.SNAPSHOT_ROW, null, cols("id", "20", "status", "NEW", "total", "1.00"), true,
                -1);
    }

    @Test
    void realtimeHeaderNamesMayUsePrefixesOrAnOpTypeColumn() {
        assertThat(CsvFileReader.isRealtimeHeader(new String[] {"NEW_id", "OLD_id", "EXISTS_id", "op", "c", "n"}))
                .isTrue();
        assertThat(CsvFileReader.tripletNames(new String[] {"NEW_id", "OLD_id", "EXISTS_id", "op", "c", "n"}))
                .containsExactly("id");
        assertThat(CsvFileReader.isRealtimeHeader(new String[] {"a", "b", "c", "OP_TYPE", "cursor", "counts"}))
                .isTrue();
        assertThat(CsvFileReader.isRealtimeHeader(new String[] {"a", "b", "c", "d", "e", "f"})).isFalse();
        assertThat(CsvFileReader.isRealtimeHeader(new String[] {"id.new", "id.old", "id.exists", "x", "y"}))
                .as("not 3X+3").isFalse();
    }

    @Test
    void crlfLineEndsAndGzipReadLikePlainLf() {
        List<ReadResult> rs = readAll("csv/snapshot-crlf.csv", KEYED);
        assertThat(rs).hasSize(2);
        assertEvent(rs.get(1), null, Op.SNAPSHOT_ROW, null, cols("id", "2", "status", "PAID", "total", "1,00"), true,
                -1);
        byte[] plain = resource("csv/realtime-header.csv");
        assertThat(contentOf(readAll(gzip(plain), "r.csv.gz", AUTO))).isEqualTo(contentOf(readAll(plain, "r", AUTO)));
    }

    @Test
    void customDelimiterQuoteAndBackslashEscapeAreHonoured() {
        byte[] in = "id;note;x\n1;'it\\'s; ok';NULL\n2;'a''b';\n3;'C:\\dir\\\\';x\n".getBytes(StandardCharsets.UTF_8);
        ReaderOptions opts = KEYED.withCsvDelimiter(';').withCsvQuote('\'').withCsvEscape('\\');
        List<ReadResult> rs = readAll(in, "semi.csv", opts);
        assertEvent(rs.get(0), null, Op.SNAPSHOT_ROW, null, cols("id", "1", "note", "it's; ok", "x", null), true,
                -1);
        // A doubled quote is one quote with any escape: Arcion's samples double the quotes of the cursor column while
        // its applier sample escapes with a backslash.
        assertEvent(rs.get(1), null, Op.SNAPSHOT_ROW, null, cols("id", "2", "note", "a'b", "x", ""), true, -1);
        // The escape escapes the quote and itself; before anything else it stays.
        assertEvent(rs.get(2), null, Op.SNAPSHOT_ROW, null, cols("id", "3", "note", "C:\\dir\\", "x", "x"), true,
                -1);
        assertThat(opts.withCsvQuote('"').csvEscape()).as("explicit escape kept").isEqualTo('\\');
        assertThat(AUTO.withCsvQuote('\'').csvEscape()).as("doubled-quote escape follows the quote").isEqualTo('\'');
    }

    @Test
    void nonAsciiTextSurvivesIntact() {
        byte[] in = "id,name\n1,\"Zoë, 東京 🚀\"\n".getBytes(StandardCharsets.UTF_8);
        assertEvent(readAll(in, "u.csv", KEYED).get(0), null, Op.SNAPSHOT_ROW, null,
                cols("id", "1", "name", "Zoë, 東京 🚀"), true, -1);
    }

    @Test
    void csvMetadataColumnsAreNotPartOfTheImages() {
        Map<String, Object> after = Reading.map(Reading.event(
                readAll("csv/realtime-header.csv", AUTO).get(1)).after());
        assertThat(after).doesNotContainKeys("opType", "cursor", "operationcount");
    }
}
