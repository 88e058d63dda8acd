package io.inorder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.inorder.arcion.ArcionReaders;
import io.inorder.arcion.ChangeEvent;
import io.inorder.arcion.Op;
import io.inorder.arcion.Origin;
import io.inorder.arcion.ReadResult;
import io.inorder.arcion.ReaderOptions;
import io.inorder.mapping.MappingResult.Apply;
import io.inorder.writeapi.Delete;
import io.inorder.writeapi.Patch;
import io.inorder.writeapi.PatchOperation;
import io.inorder.writeapi.WriteOp;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Kafka values as Replicant writes them with its default image formats ({@code before-image-format: KEY},
 * {@code after-image-format: UPDATED}, applier-reference.md) and its older JSON CDC tombstones; the fixtures in
 * {@code arcion/documented/} cite the doc page of each shape. Nothing in a NATIVE or JSON CDC record says that an
 * image is partial, so the default must never turn an update into an upsert that wipes the columns it omits.
 */
class ArcionDefaultImagesTest {

    private static final String TOPIC = "tpch_region_cdc_logs";
    private static final String KEY_1 = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":"
            + "false,\"field\":\"r_regionkey\"}],\"optional\":false,\"name\":\"KAFKA_Connector.tpch.region.Key\"},"
            + "\"payload\":{\"r_regionkey\":1}}";

    private final ChangeMapper mapper = new ChangeMapper(TableConfig.parse("""
            {"workspace": "commons",
             "tables": {"tpch.region": {"collection": "region", "primaryKey": ["r_regionkey"]}}}
            """, "test"));

    private static byte[] fixture(String name) {
        try (InputStream in = ArcionDefaultImagesTest.class.getResourceAsStream("/arcion/documented/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ReadResult kafka(String key, byte[] value, long offset) {
        return ArcionReaders.readKafkaValue(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value,
                Origin.kafka(TOPIC, 0, offset), ReaderOptions.defaults());
    }

    private List<WriteOp> ops(ReadResult r) {
        assertThat(r).isInstanceOf(ChangeEvent.class);
        MappingResult m = mapper.map((ChangeEvent) r);
        assertThat(m).as("mapping of %s", r).isInstanceOf(Apply.class);
        return ((Apply) m).ops();
    }

    @Test
    void aNativeUpdateUnderDefaultImagesPatchesOnlyTheColumnItCarriesWithTheKeyFromBefore() {
        ReadResult r = kafka(null, fixture("native-update-key-updated.json"), 5);

        assertThat(ops(r)).containsExactly(new Patch("region", "2",
                List.of(PatchOperation.addField("r_comment", "Testing_Replication")), Origin.kafka(TOPIC, 0, 5)));
    }

    @Test
    void aNativeDeleteUnderTheKeyImageDeletesByTheKey() {
        assertThat(ops(kafka(null, fixture("native-delete-key.json"), 6)))
                .containsExactly(new Delete("region", "2", Origin.kafka(TOPIC, 0, 6)));
    }

    @Test
    void aJsonCdcUpdateUnderDefaultImagesPatchesOnlyTheColumnItCarries() {
        ReadResult r = kafka(KEY_1, fixture("jsoncdc-update-key-updated.json"), 7);

        assertThat(ops(r)).containsExactly(new Patch("region", "1",
                List.of(PatchOperation.addField("r_comment", "TestReplication")), Origin.kafka(TOPIC, 0, 7)));
    }

    @Test
    void theStringDefaultIsATombstoneWhereverANullValueIsOne() {
        for (byte[] value : List.of(fixture("jsoncdc-tombstone-default.value"),
                "default".getBytes(StandardCharsets.UTF_8),
                ("{\"schema\":null,\"payload\":\"default\"}").getBytes(StandardCharsets.UTF_8))) {
            ReadResult r = kafka(KEY_1, value, 8);
            assertThat(r).as(new String(value, StandardCharsets.UTF_8)).isInstanceOf(ChangeEvent.class);
            assertThat(((ChangeEvent) r).op()).isEqualTo(Op.TOMBSTONE);
            assertThat(mapper.map((ChangeEvent) r)).isInstanceOf(MappingResult.Skip.class);
        }
    }

    @Test
    void theKeyDefaultOfATableWithoutKeyIsNoKeyRatherThanABadRecord() {
        // json-cdc-format.md before 6307bf5: "In the absence of primary key ... Replicant uses the "default" string as
        // a key". The configured primaryKey then names the document; the key must not make the record bad.
        for (String key : List.of("\"default\"", "default")) {
            ReadResult r = kafka(key, fixture("native-delete-key.json"), 9);
            assertThat(ops(r)).containsExactly(new Delete("region", "2", Origin.kafka(TOPIC, 0, 9)));
        }
    }
}
