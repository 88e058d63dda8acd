package io.inorder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.inorder.arcion.ChangeEvent;
import io.inorder.arcion.Completeness;
import io.inorder.arcion.Op;
import io.inorder.arcion.Origin;
import io.inorder.arcion.Row;
import io.inorder.mapping.MappingResult.Apply;
import io.inorder.mapping.MappingResult.Reject;
import io.inorder.mapping.MappingResult.Skip;
import io.inorder.writeapi.Delete;
import io.inorder.writeapi.Patch;
import io.inorder.writeapi.PatchOperation;
import io.inorder.writeapi.Upsert;
import io.inorder.writeapi.WriteOp;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeMapperTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Origin ORIGIN = Origin.fileRecord("cdc/shop.orders_7", 3, 120);

    private final ChangeMapper mapper = new ChangeMapper(TableConfig.parse("""
            {"workspace": "commons",
             "tables": {"shop.orders": {"collection": "orders", "primaryKey": ["id"]},
                        "shop.order_items": {"collection": "order_items", "primaryKey": ["order_id", "line_no"]},
                        "shop.typed": {"collection": "typed", "primaryKey": ["id"], "idFormat": "sha256",
                                       "eventTime": false,
                                       "types": {"total": "number", "paid": "boolean", "meta": "json"}},
                        "shop.events": {"collection": "events", "primaryKey": []}}}
            """, "test"));

    @Test
    void insertWithFullImageIsAnUpsertOfTheAfterImageWithEventTimeInMicroseconds() {
        Row after = row("id", "17", "status", "NEW", "total", "9.50");
        List<WriteOp> ops = apply(event("shop.orders", Op.INSERT, null, after, true, 1_700_000_000_000L));

        assertThat(ops).containsExactly(new Upsert("orders", "17", after, 1_700_000_000_000_000L, ORIGIN));
    }

    @Test
    void snapshotRowIsAnUpsertWithoutEventTime() {
        Row after = row("id", "17", "status", "NEW");
        List<WriteOp> ops = apply(event("shop.orders", Op.SNAPSHOT_ROW, null, after, true, 1_700_000_000_000L));

        assertThat(ops).containsExactly(new Upsert("orders", "17", after, -1, ORIGIN));
    }

    @Test
    void updateWithCompleteAfterImageIsAnUpsertWithoutEventTime() {
        Row before = row("id", "17", "status", "NEW");
        Row after = row("id", "17", "status", "PAID");
        List<WriteOp> ops = apply(event("shop.orders", Op.UPDATE, before, after, true, 5));

        assertThat(ops).containsExactly(new Upsert("orders", "17", after, -1, ORIGIN));
    }

    @Test
    void updateWithPartialAfterImagePatchesOnlyThePresentColumnsTakingTheKeyFromBefore() {
        Row before = row("id", "17");
        Row after = row("status", "PAID", "note", null);
        List<WriteOp> ops = apply(event("shop.orders", Op.UPDATE, before, after, false, 5));

        assertThat(ops).containsExactly(new Patch("orders", "17", List.of(
                PatchOperation.addField("status", "PAID"), PatchOperation.addField("note", null)), ORIGIN));
    }

    @Test
    void partialUpdateThatChangesNothingIsSkippedAsNoChange() {
        MappingResult r = mapper.map(event("shop.orders", Op.UPDATE, row("id", "17"), Row.empty(), false, 5));

        assertThat(r).isEqualTo(new Skip(MappingResult.SkipReason.NO_CHANGE, "shop.orders"));
    }

    @Test
    void patchPathsEscapeSlashAndTildeInColumnNames() {
        List<WriteOp> ops = apply(event("shop.orders", Op.UPDATE, row("id", "1"), row("a/b~c", "x"), false, -1));

        assertThat(((Patch) ops.get(0)).operations().get(0).path()).isEqualTo("/a~1b~0c");
    }

    @Test
    void deleteTakesTheKeyFromTheBeforeImage() {
        List<WriteOp> ops = apply(event("shop.orders", Op.DELETE, row("id", "17"), null, false, 5));

        assertThat(ops).containsExactly(new Delete("orders", "17", ORIGIN));
    }

    @Test
    void updateThatChangesTheKeyDeletesTheOldIdThenUpsertsTheNew() {
        Row before = row("id", "17", "status", "NEW");
        Row after = row("id", "18", "status", "NEW");
        List<WriteOp> ops = apply(event("shop.orders", Op.UPDATE, before, after, true, 5));

        assertThat(ops).containsExactly(new Delete("orders", "17", ORIGIN), new Upsert("orders", "18", after, -1,
                ORIGIN));
    }

    @Test
    void keyChangingUpdateWithPartialAfterImageIsRejectedAskingForFullImages() {
        MappingResult r = mapper.map(event("shop.orders", Op.UPDATE, row("id", "17"), row("id", "18"), false, 5));

        assertThat(reason(r)).contains("changes the key from 17 to 18").contains("after-image-format to ALL");
    }

    // ------------------------------------------------------------------ images without an exists map

    private final ChangeMapper declared = new ChangeMapper(TableConfig.parse("""
            {"workspace": "commons",
             "tables": {"shop.orders": {"collection": "orders", "primaryKey": ["id"]},
                        "shop.full": {"collection": "full", "primaryKey": ["id"], "afterImage": "all",
                                      "beforeImage": "all"},
                        "shop.keyed": {"collection": "keyed", "primaryKey": ["id"], "beforeImage": "all"}}}
            """, "test"));

    /** An update as NATIVE or JSON CDC carry it: nothing says whether the images are whole rows. */
    private static ChangeEvent unstated(String table, Row before, Row after) {
        return new ChangeEvent(table, Op.UPDATE, before, after, Completeness.UNSTATED, Completeness.UNSTATED, 5, null,
                null, ORIGIN);
    }

    @Test
    void anUpdateWithoutExistsIsAPatchUnderArcionsDefaultImagesEvenWhenItsAfterImageLooksWhole() {
        Row after = row("id", "17", "status", "PAID");
        assertThat(declared.map(unstated("shop.orders", row("id", "17"), after))).isEqualTo(new Apply(List.of(
                new Patch("orders", "17", List.of(PatchOperation.addField("id", "17"),
                        PatchOperation.addField("status", "PAID")), ORIGIN))));
    }

    @Test
    void anUpdateWithoutExistsIsAnUpsertWhenTheTableSaysArcionWritesWholeAfterImages() {
        Row after = row("id", "17", "status", "PAID", "total", "9.50");
        assertThat(declared.map(unstated("shop.full", row("id", "17"), after)))
                .isEqualTo(new Apply(List.of(new Upsert("full", "17", after, -1, ORIGIN))));
    }

    @Test
    void anAfterImageDeclaredWholeThatLacksTheKeyIsRefusedRatherThanWipingTheDocument() {
        MappingResult r = declared.map(unstated("shop.full", row("id", "17"), row("status", "PAID")));

        assertThat(reason(r)).contains("\"afterImage\" is \"all\"").contains("\"afterImage\": \"updated\"");
    }

    @Test
    void aKeyChangeWithAPartialAfterImageIsRebuiltFromAWholeBeforeImage() {
        Row before = row("id", "17", "status", "NEW", "total", "9.50");
        List<WriteOp> ops = ((Apply) declared.map(unstated("shop.keyed", before, row("id", "18", "status", "PAID"))))
                .ops();

        assertThat(ops).containsExactly(new Delete("keyed", "17", ORIGIN), new Upsert("keyed", "18",
                row("id", "18", "status", "PAID", "total", "9.50"), -1, ORIGIN));
    }

    @Test
    void aKeyChangeThatCannotBeRebuiltIsRefusedNamingArcionsSettingAndTheTableSetting() {
        MappingResult r = declared.map(unstated("shop.orders", row("id", "17"), row("id", "18", "status", "PAID")));

        assertThat(reason(r)).contains("changes the key from 17 to 18").contains("after-image-format to ALL")
                .contains("\"afterImage\": \"all\"").contains("\"beforeImage\": \"all\"");
    }

    @Test
    void compositeKeyIsAJsonArrayOfTheKeyTextsInConfiguredOrder() {
        Row after = row("line_no", "3", "order_id", "17", "sku", "A-1");
        List<WriteOp> ops = apply(event("shop.order_items", Op.INSERT, null, after, true, -1));

        assertThat(ops.get(0).id()).isEqualTo("[\"17\",\"3\"]");
    }

    @Test
    void numericKeyValuesAreWrittenAsTheSourceWroteThem() {
        Row after = row("order_id", JSON.getNodeFactory().numberNode(new BigDecimal("17.50")),
                "line_no", JSON.getNodeFactory().numberNode(3L));
        List<WriteOp> ops = apply(event("shop.order_items", Op.INSERT, null, after, true, -1));

        assertThat(ops.get(0).id()).isEqualTo("[\"17.50\",\"3\"]");
    }

    @Test
    void sameKeyAsStringOrNumberGivesTheSameId() {
        String fromText = apply(event("shop.orders", Op.INSERT, null, row("id", "17"), true, -1)).get(0).id();
        String fromNumber = apply(event("shop.orders", Op.INSERT, null,
                row("id", JSON.getNodeFactory().numberNode(17L)), true, -1)).get(0).id();

        assertThat(fromNumber).isEqualTo(fromText).isEqualTo("17");
    }

    @Test
    void missingKeyColumnIsRejectedNamingTheTableAndTheColumn() {
        MappingResult r = mapper.map(event("shop.order_items", Op.INSERT, null, row("order_id", "17"), true, -1));

        assertThat(reason(r)).contains("key column 'line_no'").contains("shop.order_items").contains("primaryKey");
        assertThat(((Reject) r).badRecord().origin()).isEqualTo(ORIGIN);
        assertThat(new String(((Reject) r).badRecord().raw())).contains("\"order_id\":\"17\"");
    }

    @Test
    void nullKeyValueIsRejected() {
        MappingResult r = mapper.map(event("shop.orders", Op.INSERT, null, row("id", null), true, -1));

        assertThat(reason(r)).contains("is NULL");
    }

    @Test
    void updateWithKeyInNeitherImageIsRejected() {
        MappingResult r = mapper.map(event("shop.orders", Op.UPDATE, Row.empty(), row("status", "X"), false, -1));

        assertThat(reason(r)).contains("in neither image");
    }

    @Test
    void tombstoneMapsToNothing() {
        MappingResult r = mapper.map(event("shop.orders", Op.TOMBSTONE, null, null, false, -1));

        assertThat(r).isInstanceOf(Skip.class);
        assertThat(((Skip) r).reason()).isEqualTo(MappingResult.SkipReason.TOMBSTONE);
    }

    @Test
    void unconfiguredTableIsRejectedByDefaultSoATypoLosesNothing() {
        MappingResult r = mapper.map(event("shop.ordrs", Op.INSERT, null, row("id", "1"), true, -1));

        assertThat(reason(r)).contains("'shop.ordrs' is not in the table config");
    }

    @Test
    void unconfiguredTableIsSkippedWhenTheConfigSaysIgnore() {
        ChangeMapper lenient = new ChangeMapper(TableConfig.parse("""
                {"workspace": "w", "unknownTables": "ignore", "tables": {"a": {"collection": "a", "primaryKey": ["id"]}}}
                """, "test"));

        assertThat(lenient.map(event("b", Op.INSERT, null, row("id", "1"), true, -1))).isInstanceOf(Skip.class);
    }

    @Test
    void arcionHeartbeatTableIsAlwaysSkipped() {
        MappingResult r = mapper.map(event("shop.REPLICATE_IO_CDC_HEARTBEAT", Op.UPDATE, row("id", "1"),
                row("id", "1"), true, -1));

        assertThat(r).isEqualTo(new Skip(MappingResult.SkipReason.UNCONFIGURED_TABLE,
                "shop.REPLICATE_IO_CDC_HEARTBEAT"));
    }

    @Test
    void recordWithoutTableIsRejectedAskingForTableOrPrefixes() {
        MappingResult r = mapper.map(event(null, Op.SNAPSHOT_ROW, null, row("id", "1"), true, -1));

        assertThat(reason(r)).contains("--table").contains("prefixes");
    }

    @Test
    void tableNamesMatchCaseInsensitivelyWhenUnambiguous() {
        List<WriteOp> ops = apply(event("SHOP.ORDERS", Op.INSERT, null, row("id", "1"), true, -1));

        assertThat(ops.get(0).collection()).isEqualTo("orders");
    }

    @Test
    void typeHintsConvertTextToNumbersBooleansAndJsonAndSha256IdsAreHex() {
        Row after = row("id", "7", "total", "9.50", "paid", "1", "meta", "{\"a\":[1,2]}", "qty", "3");
        Upsert u = (Upsert) apply(event("shop.typed", Op.INSERT, null, after, true, 1000)).get(0);

        assertThat(u.eventTimeMicros()).isEqualTo(-1);
        assertThat(u.id()).hasSize(64).matches("[0-9a-f]+")
                .isEqualTo("7902699be42c8a8e46fbbb4501726517e86b22c56a189f7625a6da49081b2451");
        Map<String, Object> doc = u.document().toMap();
        assertThat(((JsonNode) doc.get("total")).decimalValue()).isEqualByComparingTo("9.50");
        assertThat(doc.get("total").toString()).isEqualTo("9.50");
        assertThat(((JsonNode) doc.get("paid")).booleanValue()).isTrue();
        assertThat(doc.get("meta").toString()).isEqualTo("{\"a\":[1,2]}");
        assertThat(doc.get("qty")).isEqualTo("3");
    }

    @Test
    void badValueForATypeHintIsRejectedNamingTheColumn() {
        MappingResult r = mapper.map(event("shop.typed", Op.INSERT, null, row("id", "7", "total", "n/a"), true, -1));

        assertThat(reason(r)).contains("column 'total'").contains("not a number");
    }

    @Test
    void emptyPrimaryKeyUsesTheJsonCdcMessageKey() {
        JsonNode key = JsonNodeFactory.instance.objectNode().put("tenant", "t1").put("seq", 9);
        ChangeEvent e = new ChangeEvent("shop.events", Op.DELETE, row("tenant", "t1", "seq", "9"), null,
                Completeness.UNSTATED, Completeness.PARTIAL, -1, null, key, ORIGIN);

        assertThat(apply(e)).containsExactly(new Delete("events", "[\"t1\",\"9\"]", ORIGIN));
    }

    @Test
    void emptyPrimaryKeyWithoutMessageKeyIsRejectedAskingForPrimaryKey() {
        MappingResult r = mapper.map(event("shop.events", Op.INSERT, null, row("x", "1"), true, -1));

        assertThat(reason(r)).contains("no \"primaryKey\"");
    }

    private List<WriteOp> apply(ChangeEvent e) {
        MappingResult r = mapper.map(e);
        assertThat(r).as("mapping of %s", e).isInstanceOf(Apply.class);
        return ((Apply) r).ops();
    }

    private static String reason(MappingResult r) {
        assertThat(r).isInstanceOf(Reject.class);
        return ((Reject) r).badRecord().reason();
    }

    @Test
    void aRefusedChangeRenderedForTheQuarantineReadsBackAsTheSameChange() {
        ChangeEvent refused = new ChangeEvent("shop.unknown", Op.UPDATE, row("id", "17", "meta", null),
                row("id", "17", "total", JsonNodeFactory.instance.numberNode(9), "status", "PAID"),
                Completeness.UNSTATED, Completeness.PARTIAL, 1_700_000_000_000L, "{\"position\":42}", JSON.createObjectNode().put("id", 17), ORIGIN);
        byte[] rendered = ((Reject) mapper.map(refused)).badRecord().raw();

        assertThat(ChangeMapper.renderedChange(rendered, ORIGIN)).contains(refused);
    }

    @Test
    void bytesThatAreNotARenderedChangeAreNotTakenForOne() {
        assertThat(ChangeMapper.renderedChange("{\"opType\":\"I\",\"after\":{}}".getBytes(), ORIGIN)).isEmpty();
        assertThat(ChangeMapper.renderedChange("{\"_id\":\"1\",\"status\":\"NEW\"}".getBytes(), ORIGIN)).isEmpty();
        assertThat(ChangeMapper.renderedChange("id,status\n1,NEW".getBytes(), ORIGIN)).isEmpty();
        assertThat(ChangeMapper.renderedChange(("{\"table\":\"t\",\"op\":\"MERGE\",\"before\":null,"
                + "\"after\":{},\"afterComplete\":true}").getBytes(), ORIGIN)).isEmpty();
    }

    /** An event as the exists-bearing formats (S3 JSON, CSV) read it: {@code complete} says what the flags say. */
    private static ChangeEvent event(String table, Op op, Row before, Row after, boolean complete, long time) {
        return new ChangeEvent(table, op, before, after, Completeness.PARTIAL,
                complete ? Completeness.COMPLETE : Completeness.PARTIAL, time, null, null, ORIGIN);
    }

    private static Row row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return Row.of(m);
    }
}
