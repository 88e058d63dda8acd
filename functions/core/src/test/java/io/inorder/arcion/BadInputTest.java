package io.inorder.arcion;

import static io.inorder.arcion.Reading.assertEvent;
import static io.inorder.arcion.Reading.bad;
import static io.inorder.arcion.Reading.cols;
import static io.inorder.arcion.Reading.event;
import static io.inorder.arcion.Reading.gzip;
import static io.inorder.arcion.Reading.readAll;
import static io.inorder.arcion.Reading.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bad-input corpus: each case yields a BadRecord with its origin, and reading goes on wherever it can. */
class BadInputTest {

    /** Defaults, with the table key a CSV header must name to be taken for one ({@code id}). */
    private static final ReaderOptions AUTO = ReaderOptions.defaults().withCsvTable("shop.orders", List.of("id"));

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static final String ROW1 = "{\"id\":\"1\",\"status\":\"NEW\"}\n";
    private static final String ROW2 = "{\"id\":\"2\",\"status\":\"PAID\"}\n";

    // ------------------------------------------------------------------ truncated JSON

    @Test
    void truncatedJsonAtTheEndOfTheInputIsOneBadRecordAfterTheGoodOnes() {
        byte[] in = utf8(ROW1 + ROW2 + "{\"id\":\"3\",\"sta");
        List<ReadResult> rs = readAll(in, "t.json", AUTO);
        assertThat(rs).hasSize(3);
        BadRecord b = bad(rs.get(2));
        assertThat(b.origin()).isEqualTo(Origin.fileRecord("t.json", 2, (ROW1 + ROW2).length()));
        assertThat(b.reason()).contains("malformed JSON: Unexpected end-of-input");
        assertThat(new String(b.raw(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"3\",\"sta");
    }

    @Test
    void aTruncatedLineInNewlineDelimitedJsonIsBadAndTheNextLineIsRead() {
        String truncated = "{\"id\":\"9\",\"status\":{\"x\":\"unterminated\n";
        List<ReadResult> rs = readAll(utf8(ROW1 + truncated + ROW2), "t.ndjson", AUTO);
        assertThat(rs).hasSize(3);
        assertThat(bad(rs.get(1)).reason()).startsWith("malformed JSON: ");
        assertThat(new String(bad(rs.get(1)).raw(), StandardCharsets.UTF_8)).isEqualTo(truncated.strip());
        assertThat(rs.get(1).origin().byteOffset()).isEqualTo(ROW1.length());
        assertEvent(rs.get(2), null, Op.SNAPSHOT_ROW, null, cols("id", "2", "status", "PAID"), true, -1);
    }

    @Test
    void aTruncatedFirstLineIsRecoveredWhereTheNextLineStartsAnObject() {
        List<ReadResult> rs = readAll(utf8("{\"id\":\"0\",\"st\n" + ROW1 + ROW2), "t.ndjson", AUTO);
        assertThat(rs).hasSize(3);
        assertThat(bad(rs.get(0)).reason()).contains("truncated record");
        event(rs.get(1));
        event(rs.get(2));
    }

    @Test
    void aTruncatedObjectInPrettyPrintedInputResumesAtTheNextObjectInColumnZero() {
        String pretty1 = "{\n  \"id\" : \"1\",\n  \"nested\" : {\n    \"a\" : \"b\"\n  }\n}\n";
        String cut = "{\n  \"id\" : \"2\",\n  \"nested\" : {\n    \"a\" : \"";
        String pretty3 = "{\n  \"id\" : \"3\"\n}\n";
        List<ReadResult> rs = readAll(utf8(pretty1 + cut + "\n" + pretty3), "p.json", AUTO);
        assertThat(rs).hasSize(3);
        assertThat(bad(rs.get(1)).origin().byteOffset()).isEqualTo(pretty1.length());
        assertEvent(rs.get(2), null, Op.SNAPSHOT_ROW, null, cols("id", "3"), true, -1);
    }

    @Test
    void anObjectThatNeverClosesIsOneBadRecordForTheRestAndTheReaderEnds() {
        // Indented continuation lines give no resynchronization point: braces are the only framing left.
        String pretty1 = "{\n  \"id\" : \"1\"\n}\n";
        String rest = "{\n  \"id\" : \"2\",\n  \"x\" : {\n  \"y\" : 1\n }\n";
        List<ReadResult> rs = readAll(utf8(pretty1 + rest), "p.json", AUTO);
        assertThat(rs).hasSize(2);
        assertThat(bad(rs.get(1)).reason()).contains("input ends inside a JSON object");
        assertThat(bad(rs.get(1)).raw()).hasSize(rest.length());
    }

    @Test
    void malformedJsonWithBalancedBracesIsBadAndTheNextRecordIsRead() {
        List<ReadResult> rs = readAll(utf8("{\"id\":\"1\",,}\n" + ROW2), "m.json", AUTO);
        BadRecord b = bad(rs.get(0));
        assertThat(b.reason()).startsWith("malformed JSON").contains("at byte");
        assertThat(new String(b.raw(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"1\",,}");
        event(rs.get(1));
    }

    @Test
    void bytesThatAreNotAJsonObjectAreBadUpToTheEndOfTheirLine() {
        List<ReadResult> rs = readAll(utf8(ROW1 + "[1,2]\nnull\n" + ROW2), "g.json", AUTO);
        assertThat(rs).hasSize(4);
        assertThat(new String(bad(rs.get(1)).raw(), StandardCharsets.UTF_8)).isEqualTo("[1,2]");
        assertThat(bad(rs.get(2)).reason()).contains("expected '{' starting a JSON object");
        assertThat(new String(bad(rs.get(2)).raw(), StandardCharsets.UTF_8)).isEqualTo("null");
        assertThat(rs.get(2).origin().byteOffset()).isEqualTo(ROW1.length() + 6);
        event(rs.get(3));
    }

    // ------------------------------------------------------------------ encoding

    @Test
    void nonUtf8BytesInAJsonRecordMakeItBadAndTheNextRecordIsRead() {
        byte[] in = concat(utf8(ROW1), utf8("{\"id\":\"x"), new byte[] {(byte) 0xff, (byte) 0xfe}, utf8("\"}\n"),
                utf8(ROW2));
        List<ReadResult> rs = readAll(in, "u.json", AUTO);
        assertThat(rs).hasSize(3);
        assertThat(bad(rs.get(1)).reason()).contains("UTF-8");
        assertThat(rs.get(1).origin().byteOffset()).isEqualTo(ROW1.length());
        event(rs.get(2));
    }

    @Test
    void nonUtf8BytesInACsvLineMakeItBadAndTheNextLineIsRead() {
        byte[] in = concat(utf8("id,name\n1,a\n2,"), new byte[] {(byte) 0xc3, (byte) 0x28}, utf8("\n3,c\n"));
        List<ReadResult> rs = readAll(in, "u.csv", AUTO);
        assertThat(rs).hasSize(3);
        BadRecord b = bad(rs.get(1));
        assertThat(b.reason()).contains("field 2 is not valid UTF-8");
        assertThat(b.origin()).isEqualTo(Origin.fileRecord("u.csv", 1, "id,name\n1,a\n".length()));
        assertEvent(rs.get(2), null, Op.SNAPSHOT_ROW, null, cols("id", "3", "name", "c"), true, -1);
    }

    // ------------------------------------------------------------------ op types and shapes

    @Test
    void anUnknownOpTypeIsABadRecordInJsonAndCsvNeverASkip() {
        String json = "{\"tableName\":{\"name\":\"orders\"},\"opType\":\"R\",\"cursor\":\"{}\","
                + "\"before\":null,\"after\":{\"id\":\"1\"}}\n";
        List<ReadResult> rs = readAll(utf8(json + ROW2), "op.json", AUTO);
        assertThat(bad(rs.get(0)).reason()).contains("unknown opType 'R'").contains("never skipped silently");
        event(rs.get(1));

        String csv = "1,NULL,1,I,{},{}\n1,NULL,1,X,{},{}\n2,NULL,1,I,{},{}\n";
        List<ReadResult> cs = readAll(utf8(csv), "op.csv", AUTO.withCsvColumns(List.of("id")));
        assertThat(cs).hasSize(3);
        assertThat(bad(cs.get(1)).reason()).contains("unknown opType 'X'");
        assertEvent(cs.get(2), null, Op.INSERT, null, cols("id", "2"), true, -1);
    }

    @Test
    void rowsLackingKeyColumnsPassThroughForTheMapperToJudge() {
        String json = "{\"tableName\":{\"name\":\"orders\"},\"opType\":\"U\",\"cursor\":{\"timestamp\":1},"
                + "\"before\":{\"status\":\"NEW\"},\"after\":{\"status\":\"PAID\"}}\n";
        assertEvent(readAll(utf8(json), "k.json", AUTO).get(0), "orders", Op.UPDATE, cols("status", "NEW"),
                cols("status", "PAID"), Completeness.UNSTATED, 1);
    }

    @Test
    void anExistsFlagOutsideZeroToThreeIsABadRecord() {
        String json = "{\"tableName\":{\"name\":\"orders\"},\"opType\":\"U\",\"cursor\":\"{}\","
                + "\"before\":{\"id\":\"1\"},\"after\":{\"id\":\"1\"},\"exists\":{\"id\":\"7\"}}\n";
        assertThat(bad(readAll(utf8(json + ROW2), "e.json", AUTO).get(0)).reason())
                .contains("exists value '7' for column 'id'");
        List<ReadResult> cs = readAll(utf8("1,1,9,U,{},{}\n"), "e.csv", AUTO.withCsvColumns(List.of("id")));
        assertThat(bad(cs.get(0)).reason()).contains("EXISTS flag '9' for column 'id'");
    }

    // ------------------------------------------------------------------ CSV structure

    @Test
    void aCsvLineWithTheWrongColumnCountIsBadAndTheNextLineIsRead() {
        List<ReadResult> rs = readAll(utf8("id,status\n1,NEW\n2,PAID,extra\n3,OLD\n"), "w.csv", AUTO);
        assertThat(rs).hasSize(3);
        assertThat(bad(rs.get(1)).reason()).contains("wrong column count: the header has 2 columns, this line has 3");
        assertThat(new String(bad(rs.get(1)).raw(), StandardCharsets.UTF_8)).isEqualTo("2,PAID,extra");
        event(rs.get(2));

        List<ReadResult> noHeader = readAll(utf8("1,NEW\n1,2,3,4\n"), "w.csv",
                AUTO.withCsvColumns(List.of("id", "status")));
        assertThat(bad(noHeader.get(1)).reason()).contains("expected 2 (snapshot) or 9 (realtime)");
    }

    @Test
    void aStrayCharacterAfterAClosingQuoteIsBadAndTheNextLineIsRead() {
        List<ReadResult> rs = readAll(utf8("id,note\n1,\"a\"b\n2,ok\n"), "q.csv", AUTO);
        assertThat(bad(rs.get(0)).reason()).contains("after the closing quote of field 2");
        assertEvent(rs.get(1), null, Op.SNAPSHOT_ROW, null, cols("id", "2", "note", "ok"), true, -1);
    }

    @Test
    void anUnterminatedQuoteAtTheEndIsOneBadRecordForTheRest() {
        List<ReadResult> rs = readAll(utf8("id,note\n1,ok\n2,\"never closed\n3,x\n"), "q.csv", AUTO);
        assertThat(rs).hasSize(2);
        assertThat(bad(rs.get(1)).reason()).contains("input ends inside a quoted field");
    }

    @Test
    void anUnreadableCsvHeaderIsOneBadRecordAndTheFileEnds() {
        List<ReadResult> rs = readAll(utf8("id,id\n1,2\n"), "h.csv", AUTO.withCsvHeader(ReaderOptions.CsvHeader.PRESENT));
        assertThat(rs).hasSize(1);
        assertThat(bad(rs.get(0)).reason()).contains("unreadable CSV header (duplicate column names)")
                .contains("\"csvHeader\": \"absent\"").contains("\"csvColumns\"").contains("table 'shop.orders'");
        assertThat(readAll(utf8("id,status\n"), "only-header.csv", AUTO)).isEmpty();
        // Under AUTO such a line is no header beyond doubt: it is data, and with no columns to name it, every line is
        // refused with the settings to give.
        List<ReadResult> auto = readAll(utf8("id,id\n1,2\n"), "h.csv", AUTO);
        assertThat(auto).hasSize(2).allSatisfy(r -> assertThat(bad(r).reason()).contains("\"csvColumns\""));
    }

    // ------------------------------------------------------------------ 0-byte records

    @Test
    void blankLinesInJsonAreWhitespaceButAnEmptyCsvLineIsABadRecord() {
        assertThat(readAll(utf8("\n\n" + ROW1 + "\n\r\n\n" + ROW2 + "\n"), "b.json", AUTO)).hasSize(2);
        List<ReadResult> rs = readAll(utf8("id,status\n1,NEW\n\n2,PAID\n"), "b.csv", AUTO);
        assertThat(rs).hasSize(3);
        assertThat(bad(rs.get(1)).reason()).contains("empty line (0 bytes)");
        assertThat(rs.get(1).origin().byteOffset()).isEqualTo("id,status\n1,NEW\n".length());
        event(rs.get(2));
    }

    // ------------------------------------------------------------------ huge records

    @Test
    void aRecordOverTheLimitIsBadWithItsFirst64KiBAndTheNextRecordIsRead() {
        String huge = "{\"id\":\"h\",\"blob\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}\n";
        ReaderOptions opts = AUTO.withMaxRecordBytes(1024 * 1024);
        for (String framing : List.of("ndjson", "pretty")) {
            String first = framing.equals("ndjson") ? ROW1 : "{\n  \"id\" : \"1\"\n}\n";
            List<ReadResult> rs = readAll(utf8(first + huge + ROW2), framing, opts);
            assertThat(rs).as(framing).hasSize(3);
            BadRecord b = bad(rs.get(1));
            assertThat(b.reason()).contains("record exceeds 1048576 bytes (it has " + (huge.length() - 1) + ")");
            assertThat(b.raw()).hasSize(RecordBytes.RAW_CAP);
            assertThat(b.origin().byteOffset()).isEqualTo(first.length());
            event(rs.get(2));
        }
        String csvHuge = "2,\"" + "y\n".repeat(1024 * 1024) + "\"\n";
        List<ReadResult> cs = readAll(utf8("id,blob\n1,a\n" + csvHuge + "3,c\n"), "h.csv", opts);
        assertThat(cs).hasSize(3);
        assertThat(bad(cs.get(1)).reason()).contains("record exceeds 1048576 bytes");
        assertEvent(cs.get(2), null, Op.SNAPSHOT_ROW, null, cols("id", "3", "blob", "c"), true, -1);
    }

    @Test
    void theDefaultLimitIs16MiB() {
        assertThat(AUTO.maxRecordBytes()).isEqualTo(16 * 1024 * 1024);
        String over = "{\"blob\":\"" + "z".repeat(16 * 1024 * 1024) + "\"}";
        assertThat(bad(readAll(utf8(over + "\n" + ROW2), "big", AUTO).get(0)).reason())
                .contains("record exceeds 16777216 bytes");
        assertThat(bad(ArcionReaders.readKafkaValue(null, utf8(over), Origin.kafka("t", 0, 1), AUTO)).reason())
                .contains("record exceeds 16777216 bytes");
    }

    // ------------------------------------------------------------------ gzip

    @Test
    void aTruncatedGzipStreamYieldsTheRecordsBeforeTheCutThenOneBadRecord() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            sb.append("{\"id\":\"").append(i).append("\",\"v\":\"").append(Integer.toHexString(i * 7919)).append("\"}\n");
        }
        byte[] zipped = gzip(utf8(sb.toString()));
        byte[] cut = Arrays.copyOf(zipped, zipped.length / 2);
        List<ReadResult> rs = readAll(cut, "cut.json.gz", AUTO);
        assertThat(rs.size()).isBetween(2, 20_000);
        for (int i = 0; i < rs.size() - 1; i++) {
            event(rs.get(i));
        }
        BadRecord last = bad(rs.get(rs.size() - 1));
        assertThat(last.reason()).contains("corrupt gzip stream");
        assertThat(last.origin().source()).isEqualTo("cut.json.gz");
    }

    @Test
    void aGzipStreamWithDamagedBytesEndsWithABadRecordNotAnException() {
        byte[] zipped = gzip(resource("native/realtime.ndjson"));
        for (int at : new int[] {12, zipped.length / 2, zipped.length - 6}) {
            byte[] damaged = zipped.clone();
            damaged[at] ^= (byte) 0x5a;
            List<ReadResult> rs = readAll(damaged, "d.gz", AUTO);
            assertThat(rs).as("damage at byte %d", at).isNotEmpty();
            assertThat(rs.stream().filter(r -> r instanceof BadRecord).count()).as("damage at byte %d", at)
                    .isGreaterThanOrEqualTo(1);
        }
        List<ReadResult> header = readAll(new byte[] {0x1f, (byte) 0x8b, 0x01, 0x00, 0x00}, "h.gz", AUTO);
        assertThat(header).hasSize(1);
        assertThat(bad(header.get(0)).reason()).contains("corrupt gzip stream");
    }

    @Test
    void aFailingTransportIsAnIOExceptionNotABadRecordSoTheCallerRetries() throws IOException {
        InputStream failing = new InputStream() {
            private int served;

            @Override
            public int read() throws IOException {
                if (served < ROW1.length()) {
                    return ROW1.charAt(served++);
                }
                throw new IOException("connection reset");
            }
        };
        try (ArcionReader r = ArcionReaders.open(failing, "s3://b/k", AUTO)) {
            event(r.next());
            assertThatThrownBy(r::next).isInstanceOf(IOException.class).hasMessage("connection reset");
        }
    }

    @Test
    void inNewlineDelimitedInputTwoObjectsOnOneLineAreTwoRecordsAndTrailingJunkIsAThird() {
        String line = "{\"id\":\"a\"}{\"id\":\"b\"} junk\n";
        List<ReadResult> rs = readAll(utf8(ROW1 + line + ROW2), "two.ndjson", AUTO);
        assertThat(rs).hasSize(5);
        assertEvent(rs.get(1), null, Op.SNAPSHOT_ROW, null, cols("id", "a"), true, -1);
        assertEvent(rs.get(2), null, Op.SNAPSHOT_ROW, null, cols("id", "b"), true, -1);
        assertThat(rs.get(2).origin().byteOffset()).isEqualTo(ROW1.length() + 10);
        BadRecord junk = bad(rs.get(3));
        assertThat(new String(junk.raw(), StandardCharsets.UTF_8)).isEqualTo("junk");
        assertThat(junk.origin().byteOffset()).isEqualTo(ROW1.length() + line.indexOf("junk"));
        event(rs.get(4));
    }

    @Test
    void objectsGluedOnOneLineAreConcatenatedJsonNotNdjson() {
        List<ReadResult> rs = readAll(utf8("{\"id\":\"a\"}{\"id\":\"b\"} {\"id\":\"c\"}\n"), "glued.json", AUTO);
        assertThat(rs).hasSize(3).allMatch(r -> r instanceof ChangeEvent);
    }

    @Test
    void aTruncatedGzippedCsvYieldsItsLinesBeforeTheCutThenOneBadRecord() {
        StringBuilder sb = new StringBuilder("id,v\n");
        for (int i = 0; i < 20_000; i++) {
            sb.append(i).append(",\"").append(Integer.toHexString(i * 7919)).append("\"\n");
        }
        byte[] zipped = gzip(utf8(sb.toString()));
        List<ReadResult> rs = readAll(Arrays.copyOf(zipped, zipped.length / 2), "cut.csv.gz", AUTO);
        assertThat(rs.size()).isBetween(2, 20_000);
        for (int i = 0; i < rs.size() - 1; i++) {
            event(rs.get(i));
        }
        assertThat(bad(rs.get(rs.size() - 1)).reason()).contains("corrupt gzip stream");
    }

    @Test
    void newlineDelimitedLinesLongerThanTheReadWindowAreReadWhole() {
        StringBuilder sb = new StringBuilder();
        List<Long> starts = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            starts.add((long) sb.length());
            String pad = "p".repeat(i % 2 == 0 ? 10 : 150_000);
            sb.append("{\"id\":\"").append(i).append("\",\"pad\":\"").append(pad).append("\"}\n");
        }
        List<ReadResult> rs = readAll(utf8(sb.toString()), "long.ndjson", AUTO);
        assertThat(rs).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(event(rs.get(i)).after().get("id")).isEqualTo(Integer.toString(i));
            assertThat(rs.get(i).origin().byteOffset()).isEqualTo(starts.get(i));
        }
    }
}
