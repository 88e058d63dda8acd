package io.inorder.arcion;

import static io.inorder.arcion.Reading.assertEvent;
import static io.inorder.arcion.Reading.bad;
import static io.inorder.arcion.Reading.cols;
import static io.inorder.arcion.Reading.contentOf;
import static io.inorder.arcion.Reading.event;
import static io.inorder.arcion.Reading.gzip;
import static io.inorder.arcion.Reading.lineStarts;
import static io.inorder.arcion.Reading.readAll;
import static io.inorder.arcion.Reading.resource;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.IntNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonFormatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ReaderOptions AUTO = ReaderOptions.defaults();

    // ------------------------------------------------------------------ NATIVE

    @Test
    void nativeRealtimeEnvelopesBecomeEventsWithTableOpImagesCursorAndOrigin() throws IOException {
        byte[] file = resource("native/realtime.ndjson");
        List<ReadResult> rs = readAll(file, "native/realtime.ndjson", AUTO);
        assertThat(rs).hasSize(6);

        ChangeEvent update = assertEvent(rs.get(0), "shop.orders", Op.UPDATE,
                cols("id", "17", "status", "NEW", "total", "9.50"),
                cols("id", "17", "status", "PAID", "total", "9.50"), Completeness.UNSTATED, 1700000000000L);
        // NATIVE has no exists map: whether an update's images are whole rows is Arcion's image format to say.
        assertThat(update.beforeCompleteness()).isEqualTo(Completeness.UNSTATED);
        assertThat(update.position()).isEqualTo("{\"extractorId\":0,\"timestamp\":1700000000000,"
                + "\"extractionTimestamp\":1700000000420,\"log\":\"binlog.000042\",\"position\":98765,"
                + "\"logSeqNum\":1,\"slaveServerId\":1,\"v\":2}");
        assertThat(update.origin()).isEqualTo(Origin.fileRecord("native/realtime.ndjson", 0, 0));
        assertThat(update.messageKey()).isNull();

        assertEvent(rs.get(1), "shop.sales.order_lines", Op.INSERT, null,
                cols("order_id", "17", "line_no", "1", "sku", "A-1", "qty", "2", "note", null), true,
                1700000001000L);
        // A key-changing update is one event; the mapper turns it into delete + upsert.
        assertEvent(rs.get(2), "shop.orders", Op.UPDATE, cols("id", "17", "status", "PAID", "total", "9.50"),
                cols("id", "18", "status", "PAID", "total", "9.50"), Completeness.UNSTATED, 1700000002000L);
        assertEvent(rs.get(3), "shop.orders", Op.DELETE, cols("id", "18", "status", "PAID", "total", "9.50"),
                null, false, 1700000003000L);

        // NATIVE has no exists map: the text "null" is text, a JSON null is SQL NULL; other JSON keeps its type.
        ChangeEvent typed = assertEvent(rs.get(4), "shop.orders", Op.INSERT, null,
                cols("id", "19", "status", "null", "total", IntNode.valueOf(3),
                        "tags", JSON.readTree("[\"a\",\"b\"]"), "meta", JSON.readTree("{\"gift\":true}"),
                        "ratio", DecimalNode.valueOf(new BigDecimal("0.125"))), true, 1700000004000L);
        assertThat(typed.origin().position()).as("the blank line before it is whitespace, not a record")
                .isEqualTo(4);

        ChangeEvent flat = assertEvent(rs.get(5), null, Op.SNAPSHOT_ROW, null,
                cols("id", "20", "status", "NEW", "total", "1.00"), true, -1);
        assertThat(flat.position()).isNull();

        List<Long> lines = lineStarts(file);
        for (int i = 0; i < 4; i++) {
            assertThat(rs.get(i).origin().byteOffset()).isEqualTo(lines.get(i));
        }
        assertThat(rs.get(4).origin().byteOffset()).isEqualTo(lines.get(5));
    }

    @Test
    void nativeSnapshotRowsAreFlatEvenWithColumnsNamedLikeEnvelopeFields() {
        List<ReadResult> auto = readAll("native/snapshot.ndjson", AUTO);
        assertThat(auto).hasSize(4);
        assertEvent(auto.get(0), null, Op.SNAPSHOT_ROW, null, cols("id", "1", "status", "NEW", "total", "9.50"),
                true, -1);
        assertEvent(auto.get(1), null, Op.SNAPSHOT_ROW, null, cols("id", "2", "status", null, "total", "null"),
                true, -1);
        // Under AUTO an opType makes an envelope, and an envelope insert needs an 'after' image.
        assertThat(bad(auto.get(2)).reason()).contains("opType I without an 'after' image");
        ObjectMapper m = JSON;
        assertEvent(auto.get(3), null, Op.SNAPSHOT_ROW, null,
                cols("id", "4", "after", m.valueToTree(java.util.Map.of("y", 2)), "source", "s", "payload", "p"),
                true, -1);

        List<ReadResult> forced = readAll("native/snapshot.ndjson",
                AUTO.withFormat(ArcionFormat.NATIVE_SNAPSHOT));
        assertEvent(forced.get(2), null, Op.SNAPSHOT_ROW, null,
                cols("id", "3", "before", m.valueToTree(java.util.Map.of("x", 1)), "opType", "I", "cursor", "c"),
                true, -1);
    }

    // ------------------------------------------------------------------ S3 JSON

    @Test
    void s3JsonPartialImagesKeepOnlyColumnsMarkedPresentAndReadNullPlaceholdersAsSqlNull() {
        List<ReadResult> rs = readAll("s3json/realtime.json", AUTO);
        assertThat(rs).hasSize(5);

        ChangeEvent update = assertEvent(rs.get(0), "shop.orders", Op.UPDATE, cols("id", "17"),
                cols("status", "PAID"), false, 1700000000000L);
        assertThat(update.position()).as("the S3 cursor string is kept as the position")
                .isEqualTo("{\"extractorId\":0,\"timestamp\":1700000000000,\"extractionTimestamp\":1700000000420,"
                        + "\"log\":\"binlog.000042\",\"position\":98765,\"logSeqNum\":1,\"slaveServerId\":1,\"v\":2}");
        assertThat(update.origin().byteOffset()).isZero();

        ChangeEvent insert = assertEvent(rs.get(1), "shop.orders", Op.INSERT, null,
                cols("id", "18", "status", "NEW", "total", null), true, 1700000001000L);
        assertThat(insert.origin().byteOffset()).isEqualTo(
                new String(resource("s3json/realtime.json"), StandardCharsets.UTF_8).indexOf("{\n  \"tableName\""));

        assertEvent(rs.get(2), "shop.orders", Op.UPDATE, cols("id", "18", "status", "NEW", "total", null),
                cols("id", "18", "status", "PAID", "total", "12.00"), true, 1700000002000L);
        assertEvent(rs.get(3), "shop.orders", Op.DELETE, cols("id", "17"), null, false, 1700000003000L);
        // Composite key, key column changed under KEY/UPDATED images: the after image lacks order_id.
        assertEvent(rs.get(4), "shop.sales.order_lines", Op.UPDATE, cols("order_id", "17", "line_no", "1"),
                cols("line_no", "2"), false, 1700000004000L);
    }

    @Test
    void nullPlaceholderIsSqlNullOnlyWithAnExistsMapOrWhenS3JsonIsForced() {
        byte[] record = ("{\"tableName\":{\"namespace\":{\"catalog\":\"shop\"},\"name\":\"orders\"},\"opType\":\"I\","
                + "\"cursor\":\"{\\\"timestamp\\\":5}\",\"before\":null,"
                + "\"after\":{\"id\":\"1\",\"status\":\"null\"}}").getBytes(StandardCharsets.UTF_8);
        assertEvent(readAll(record, "r", AUTO).get(0), "shop.orders", Op.INSERT, null,
                cols("id", "1", "status", "null"), true, 5);
        assertEvent(readAll(record, "r", AUTO.withFormat(ArcionFormat.S3_JSON)).get(0), "shop.orders", Op.INSERT,
                null, cols("id", "1", "status", null), true, 5);
    }

    @Test
    void s3JsonWithoutWhitespaceOrAsNdjsonOrGzippedReadsTheSameEvents() throws IOException {
        byte[] pretty = resource("s3json/realtime.json");
        ByteArrayOutputStream ndjson = new ByteArrayOutputStream();
        ByteArrayOutputStream glued = new ByteArrayOutputStream();
        try (var parser = JSON.getFactory().createParser(pretty)) {
            Iterator<JsonNode> it = JSON.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                byte[] compact = JSON.writeValueAsBytes(it.next());
                ndjson.write(compact);
                ndjson.write('\n');
                glued.write(compact);
            }
        }
        List<String> expected = contentOf(readAll(pretty, "p", AUTO));
        assertThat(contentOf(readAll(ndjson.toByteArray(), "n", AUTO))).isEqualTo(expected);
        assertThat(contentOf(readAll(glued.toByteArray(), "g", AUTO))).isEqualTo(expected);
        List<ReadResult> zipped = readAll(gzip(pretty), "z.gz", AUTO);
        assertThat(contentOf(zipped)).isEqualTo(expected);
        assertThat(zipped.get(1).origin().byteOffset()).as("offsets count decompressed bytes")
                .isEqualTo(readAll(pretty, "p", AUTO).get(1).origin().byteOffset());
        assertThat(contentOf(readAll(gzip(ndjson.toByteArray(), ndjson.toByteArray()), "two-members.gz", AUTO)))
                .as("concatenated gzip members are one stream").hasSize(10);
    }

    // ------------------------------------------------------------------ JSON CDC

    @Test
    void jsonCdcValuesMapOpsImagesSourceAndTombstones() {
        List<ReadResult> rs = readAll("jsoncdc/values.ndjson", AUTO);
        assertThat(rs).hasSize(8);

        ChangeEvent snap = assertEvent(rs.get(0), "shop.orders", Op.SNAPSHOT_ROW, null,
                cols("id", IntNode.valueOf(1), "status", "NEW", "total", "9.50"), true, -1);
        assertThat(snap.position()).isEqualTo("{\"version\":\"1.0\",\"connector\":\"MYSQL\","
                + "\"name\":\"KAFKA_snapshot_connector\",\"ts_ms\":null,\"db\":\"shop\",\"table\":\"orders\","
                + "\"snapshot\":\"true\",\"server_id\":0,\"gtid\":null,\"file\":\"\",\"pos\":0,\"row\":0,"
                + "\"thread\":null}");
        ChangeEvent insert = assertEvent(rs.get(1), "shop.orders", Op.INSERT, null,
                cols("id", IntNode.valueOf(17), "status", "NEW", "total", "9.50"), true, 1700000000000L);
        assertThat(insert.position()).as("the synthesized query is not part of the position")
                .doesNotContain("query").contains("\"pos\":98700");
        assertEvent(rs.get(2), "shop.orders", Op.UPDATE,
                cols("id", IntNode.valueOf(17), "status", "NEW", "total", "9.50"),
                cols("id", IntNode.valueOf(17), "status", "PAID", "total", null), Completeness.UNSTATED,
                1700000001000L);
        assertEvent(rs.get(3), "shop.orders", Op.DELETE,
                cols("id", IntNode.valueOf(17), "status", "PAID", "total", "9.50"), null, false, 1700000002000L);
        assertEvent(rs.get(4), null, Op.TOMBSTONE, null, null, false, -1);
        // A key-changing update arrives as delete + tombstone + insert.
        assertEvent(rs.get(5), "shop.sales.order_lines", Op.DELETE,
                cols("order_id", IntNode.valueOf(17), "line_no", IntNode.valueOf(1), "qty", IntNode.valueOf(2)),
                null, false, 1700000003000L);
        assertEvent(rs.get(6), null, Op.TOMBSTONE, null, null, false, -1);
        assertEvent(rs.get(7), "shop.sales.order_lines", Op.INSERT, null,
                cols("order_id", IntNode.valueOf(17), "line_no", IntNode.valueOf(2), "qty", IntNode.valueOf(2)),
                true, 1700000003000L);
    }

    @Test
    void kafkaTombstoneIsANullValueAndCarriesTheKeyPayload() throws IOException {
        byte[] key = "{\"schema\":{\"type\":\"struct\"},\"payload\":{\"id\":17}}".getBytes(StandardCharsets.UTF_8);
        Origin at = Origin.kafka("shop_orders", 0, 42);
        ChangeEvent tomb = assertEvent(ArcionReaders.readKafkaValue(key, null, at, AUTO), null, Op.TOMBSTONE, null,
                null, false, -1);
        assertThat(tomb.messageKey()).isEqualTo(JSON.readTree("{\"id\":17}"));
        assertThat(tomb.origin()).isEqualTo(at);

        byte[] bareKey = "{\"id\":17}".getBytes(StandardCharsets.UTF_8);
        byte[] value = lineOf("jsoncdc/values.ndjson", 3);
        ChangeEvent delete = assertEvent(ArcionReaders.readKafkaValue(bareKey, value, at, AUTO), "shop.orders",
                Op.DELETE, cols("id", IntNode.valueOf(17), "status", "PAID", "total", "9.50"), null, false,
                1700000002000L);
        assertThat(delete.messageKey()).isEqualTo(JSON.readTree("{\"id\":17}"));

        assertThat(bad(ArcionReaders.readKafkaValue(key, new byte[0], at, AUTO)).reason())
                .contains("empty Kafka value (0 bytes)");
        BadRecord badKey = bad(ArcionReaders.readKafkaValue("{id".getBytes(StandardCharsets.UTF_8), value, at, AUTO));
        assertThat(badKey.reason()).startsWith("message key is not JSON");
        assertThat(badKey.origin()).isEqualTo(at);
    }

    @Test
    void kafkaNativeValueIsReadWithTheKafkaOrigin() {
        Origin at = Origin.kafka("shop_orders_cdc_logs", 3, 7);
        ChangeEvent e = assertEvent(ArcionReaders.readKafkaValue(null, lineOf("native/realtime.ndjson", 0), at,
                AUTO), "shop.orders", Op.UPDATE, cols("id", "17", "status", "NEW", "total", "9.50"),
                cols("id", "17", "status", "PAID", "total", "9.50"), Completeness.UNSTATED, 1700000000000L);
        assertThat(e.origin()).isEqualTo(at);
        BadRecord twoObjects = bad(ArcionReaders.readKafkaValue(null,
                "{\"id\":\"1\"}{\"id\":\"2\"}".getBytes(StandardCharsets.UTF_8), at, AUTO));
        assertThat(twoObjects.reason()).contains("after the record's closing brace");
    }

    @Test
    void jsonCdcUnknownOpIsABadRecordNeverASkip() {
        byte[] in = "{\"payload\":{\"op\":\"t\",\"before\":{},\"after\":{},\"source\":{\"db\":\"shop\"}}}\n{\"id\":\"1\"}\n"
                .getBytes(StandardCharsets.UTF_8);
        List<ReadResult> rs = readAll(in, "cdc", AUTO.withFormat(ArcionFormat.JSON_CDC));
        assertThat(bad(rs.get(0)).reason()).contains("unknown JSON CDC op 't'");
        assertThat(bad(rs.get(1)).reason()).contains("JSON CDC record without a string 'op'");
    }

    private static byte[] lineOf(String resource, int line) {
        String[] lines = new String(resource(resource), StandardCharsets.UTF_8).split("\n");
        return lines[line].getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anEmptyInputHasNoRecordsAndNoError() {
        assertThat(readAll(new byte[0], "empty", AUTO)).isEmpty();
        assertThat(readAll(" \n\n\t ".getBytes(StandardCharsets.UTF_8), "blank", AUTO)).isEmpty();
        assertThat(readAll(gzip(new byte[0]), "empty.gz", AUTO)).isEmpty();
        assertThat(readAll(new byte[0], "empty.csv", AUTO.withFormat(ArcionFormat.CSV))).isEmpty();
        event(readAll("{}".getBytes(StandardCharsets.UTF_8), "one", AUTO).get(0));
    }

    @Test
    void aPrettyPrintedNativeCursorBecomesCompactTextWithItsStringsIntact() {
        String record = "{\n  \"tableName\" : { \"name\" : \"orders\" },\n  \"opType\" : \"I\",\n"
                + "  \"cursor\" : {\n    \"timestamp\" : 42,\n    \"log\" : \"bin log \\\" 1\",\n"
                + "    \"nested\" : { \"timestamp\" : 7 }\n  },\n  \"after\" : { \"id\" : \"1\" }\n}\n";
        ChangeEvent e = assertEvent(readAll(record.getBytes(StandardCharsets.UTF_8), "p", AUTO).get(0), "orders",
                Op.INSERT, null, cols("id", "1"), true, 42);
        assertThat(e.position()).isEqualTo("{\"timestamp\":42,\"log\":\"bin log \\\" 1\",\"nested\":{\"timestamp\":7}}");
    }

    @Test
    void theCursorTimestampIsTheTopLevelIntegerOrMinusOne() {
        assertThat(JsonRecordDecoder.timestampInCursorText("{\"extractionTimestamp\":1,\"timestamp\":1700000000000}"))
                .isEqualTo(1700000000000L);
        assertThat(JsonRecordDecoder.timestampInCursorText("{\"a\":{\"timestamp\":5},\"timestamp\" : \"6\"}"))
                .isEqualTo(6);
        assertThat(JsonRecordDecoder.timestampInCursorText("{\"note\":\"\\\"timestamp\\\":9\"}")).isEqualTo(-1);
        assertThat(JsonRecordDecoder.timestampInCursorText("{\"timestamp\":1.5}")).isEqualTo(-1);
        assertThat(JsonRecordDecoder.timestampInCursorText("{\"timestamp\":null}")).isEqualTo(-1);
        assertThat(JsonRecordDecoder.timestampInCursorText("not json")).isEqualTo(-1);
        assertThat(JsonRecordDecoder.timestampInCursorText(null)).isEqualTo(-1);
    }
}
