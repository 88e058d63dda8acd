package io.inorder.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inorder.arcion.BadRecord;
import io.inorder.arcion.Origin;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

class S3QuarantineTest {

    @RegisterExtension
    static final S3ProxyExtension S3_PROXY = S3ProxyExtension.builder().withCredentials("local", "secret").build();

    private S3Client s3;
    private S3Quarantine quarantine;

    @BeforeEach
    void setUp() {
        s3 = S3Client.builder().endpointOverride(S3_PROXY.getUri()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "secret")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        s3.createBucket(b -> b.bucket("quarantine"));
        quarantine = new S3Quarantine(s3, "quarantine", "q/",
                Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC));
    }

    @Test
    void writesOneLinePerRecordWithOriginReasonAndRawBytes() throws Exception {
        byte[] notUtf8 = {(byte) 0xC3, (byte) 0x28};
        String where = quarantine.put(List.of(
                new BadRecord(Origin.fileRecord("cdc/orders_3.json", 4, 900), "unknown opType 'X'",
                        "{\"opType\":\"X\"}".getBytes(StandardCharsets.UTF_8)),
                new BadRecord(Origin.fileRecord("cdc/orders_3.json", 9, 2100), "not UTF-8", notUtf8)));

        assertThat(where).isEqualTo("s3://quarantine/q/s3/cdc/orders_3.json/"
                + "00000000000000000004-00000000000000000009.ndjson");
        List<JsonNode> lines = read(where.substring("s3://quarantine/".length()));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).at("/origin/source").asText()).isEqualTo("cdc/orders_3.json");
        assertThat(lines.get(0).at("/origin/record").asLong()).isEqualTo(4);
        assertThat(lines.get(0).at("/origin/byteOffset").asLong()).isEqualTo(900);
        assertThat(lines.get(0).get("reason").asText()).isEqualTo("unknown opType 'X'");
        assertThat(lines.get(0).get("rawText").asText()).isEqualTo("{\"opType\":\"X\"}");
        assertThat(lines.get(0).get("quarantinedAt").asText()).isEqualTo("2026-11-23T10:00:00Z");
        assertThat(Base64.getDecoder().decode(lines.get(1).get("raw").asText())).isEqualTo(notUtf8);
        assertThat(lines.get(1).has("rawText")).as("invalid UTF-8 is kept only as base64").isFalse();
    }

    @Test
    void kafkaRecordsAreFiledByTopicAndPartitionWithTheirOffsets() throws Exception {
        String where = quarantine.put(List.of(new BadRecord(Origin.kafka("shop_orders_cdc_logs", 2, 42), "bad")));

        assertThat(where).endsWith("q/kafka/shop_orders_cdc_logs/2/00000000000000000042-00000000000000000042.ndjson");
        JsonNode line = read(where.substring("s3://quarantine/".length())).get(0);
        assertThat(line.at("/origin/offset").asLong()).isEqualTo(42);
        assertThat(line.at("/origin/partition").asInt()).isEqualTo(2);
    }

    @Test
    void theSameWindowQuarantinedTwiceLeavesOneObject() {
        List<BadRecord> window = List.of(new BadRecord(Origin.fileRecord("k_1", 0, 0), "bad"));
        quarantine.put(window);
        quarantine.put(window);

        assertThat(s3.listObjectsV2(l -> l.bucket("quarantine")).contents()).hasSize(1);
    }

    @Test
    void aLargeWindowIsWrittenInBoundedChunksThatARedeliveryOverwrites() {
        List<BadRecord> window = new ArrayList<>();
        int records = 2 * S3Quarantine.CHUNK_RECORDS + 1;
        for (int i = 0; i < records; i++) {
            window.add(new BadRecord(Origin.fileRecord("k_1", i, i * 10L), "bad", utf8("{\"n\":" + i + "}")));
        }
        // Three records each large enough to fill a chunk by bytes: a chunk closes once it has that many bytes.
        byte[] large = new byte[(int) S3Quarantine.CHUNK_BYTES];
        for (int i = 0; i < 3; i++) {
            window.add(new BadRecord(Origin.fileRecord("k_1", records + i, -1), "too large", large));
        }
        String where = quarantine.put(window);
        List<String> keys = s3.listObjectsV2(l -> l.bucket("quarantine")).contents().stream()
                .map(o -> o.key()).toList();
        quarantine.put(window);

        assertThat(where).endsWith("00000000000000000000-00000000000000001999.ndjson and 4 more objects");
        assertThat(keys).containsExactly("q/s3/k_1/00000000000000000000-00000000000000001999.ndjson",
                "q/s3/k_1/00000000000000002000-00000000000000003999.ndjson",
                "q/s3/k_1/00000000000000004000-00000000000000004001.ndjson",
                "q/s3/k_1/00000000000000004002-00000000000000004002.ndjson",
                "q/s3/k_1/00000000000000004003-00000000000000004003.ndjson");
        assertThat(s3.listObjectsV2(l -> l.bucket("quarantine")).contents()).map(o -> o.key())
                .as("the redelivered window wrote the same objects").containsExactlyElementsOf(keys);
        List<Long> positions = new ArrayList<>();
        quarantine.forEach(null, r -> positions.add(r.origin().position()));
        assertThat(positions).hasSize(records + 3).doesNotHaveDuplicates();
    }

    @Test
    void whatIsWrittenIsReadBackWithOriginReasonTimeAndRawBytes() {
        byte[] notUtf8 = {(byte) 0xC3, (byte) 0x28};
        quarantine.put(List.of(
                new BadRecord(Origin.fileRecord("cdc/orders_3.json", 4, 900), "unknown opType 'X'", utf8("{\"x\":1}")),
                new BadRecord(Origin.fileRecord("cdc/orders_3.json", 9, -1), "not UTF-8", notUtf8)));
        quarantine.put(List.of(new BadRecord(Origin.kafka("orders_cdc_logs", 2, 42), "empty value")));

        List<QuarantinedRecord> all = new ArrayList<>();
        quarantine.forEach(null, all::add);

        assertThat(all).extracting(QuarantinedRecord::origin).containsExactly(
                Origin.kafka("orders_cdc_logs", 2, 42), Origin.fileRecord("cdc/orders_3.json", 4, 900),
                Origin.fileRecord("cdc/orders_3.json", 9, -1));
        QuarantinedRecord first = all.get(1);
        assertThat(first.id()).isEqualTo("s3/cdc/orders_3.json/00000000000000000004-00000000000000000009.ndjson#4");
        assertThat(first.reason()).isEqualTo("unknown opType 'X'");
        assertThat(first.quarantinedAt()).isEqualTo(Instant.parse("2026-11-23T10:00:00Z"));
        assertThat(first.raw()).isEqualTo(utf8("{\"x\":1}"));
        assertThat(all.get(2).raw()).isEqualTo(notUtf8);
        assertThat(quarantine.find(first.id())).contains(first);
        assertThat(quarantine.find("kafka/orders_cdc_logs/2/00000000000000000042-00000000000000000042.ndjson#42"))
                .map(QuarantinedRecord::reason).contains("empty value");
    }

    @Test
    void aSourceFilterReturnsOnlyThatSourcesRecords() {
        quarantine.put(List.of(new BadRecord(Origin.fileRecord("a", 0, 0), "bad a")));
        quarantine.put(List.of(new BadRecord(Origin.fileRecord("a/b", 0, 0), "bad a/b")));
        quarantine.put(List.of(new BadRecord(Origin.kafka("t", 1, 5), "bad t1")));
        quarantine.put(List.of(new BadRecord(Origin.kafka("t", 2, 5), "bad t2")));

        assertThat(reasons("a")).containsExactly("bad a");
        assertThat(reasons("t")).containsExactly("bad t1", "bad t2");
        assertThat(reasons("t/2")).containsExactly("bad t2");
        assertThat(reasons("nowhere")).isEmpty();
    }

    @Test
    void anUnknownIdIsEmptyAndAMalformedIdIsRefused() {
        assertThat(quarantine.find("s3/k/00000000000000000000-00000000000000000000.ndjson#0")).isEmpty();
        assertThatThrownBy(() -> quarantine.find("orders#3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a quarantine id");
    }

    @Test
    void removingSomeLinesKeepsTheOthersAndTheirIds() {
        quarantine.put(List.of(new BadRecord(Origin.fileRecord("k_1", 0, 0), "bad 0", utf8("zero")),
                new BadRecord(Origin.fileRecord("k_1", 3, 10), "bad 3", utf8("three")),
                new BadRecord(Origin.fileRecord("k_1", 5, 20), "bad 5", utf8("five"))));
        List<QuarantinedRecord> before = all();

        S3Quarantine.Rewrite r = quarantine.rewrite(before.get(0).objectKey(), before.get(0).objectETag(),
                Set.of(before.get(1).id()), Map.of(before.get(2).id(), "still bad: new reason"));

        assertThat(r).isEqualTo(S3Quarantine.Rewrite.REWRITTEN);
        List<QuarantinedRecord> after = all();
        assertThat(after).extracting(QuarantinedRecord::id).containsExactly(before.get(0).id(), before.get(2).id());
        assertThat(after.get(0).raw()).isEqualTo(utf8("zero"));
        assertThat(after.get(0).reason()).isEqualTo("bad 0");
        assertThat(after.get(1).reason()).isEqualTo("still bad: new reason");
        assertThat(after.get(1).raw()).isEqualTo(utf8("five"));
        assertThat(after.get(1).quarantinedAt()).isEqualTo(before.get(2).quarantinedAt());
    }

    @Test
    void removingEveryLineDeletesTheObject() {
        quarantine.put(List.of(new BadRecord(Origin.kafka("t", 0, 7), "bad", utf8("{}"))));
        QuarantinedRecord only = all().get(0);

        assertThat(quarantine.rewrite(only.objectKey(), only.objectETag(), Set.of(only.id()), Map.of()))
                .isEqualTo(S3Quarantine.Rewrite.DELETED);
        assertThat(s3.listObjectsV2(l -> l.bucket("quarantine")).contents()).isEmpty();
    }

    @Test
    void anObjectQuarantinedAgainSinceItWasReadIsNotRewritten() {
        List<BadRecord> window = List.of(new BadRecord(Origin.fileRecord("k_2", 0, 0), "bad", utf8("a")),
                new BadRecord(Origin.fileRecord("k_2", 1, 5), "bad", utf8("b")));
        quarantine.put(window);
        QuarantinedRecord read = all().get(0);
        // The window is quarantined again (a redelivery) with another reason: a new object version, a new eTag.
        quarantine.put(List.of(new BadRecord(Origin.fileRecord("k_2", 0, 0), "bad again", utf8("a")),
                new BadRecord(Origin.fileRecord("k_2", 1, 5), "bad again", utf8("b"))));

        assertThat(quarantine.rewrite(read.objectKey(), read.objectETag(), Set.of(read.id()), Map.of()))
                .isEqualTo(S3Quarantine.Rewrite.CHANGED);
        assertThat(all()).extracting(QuarantinedRecord::reason).containsExactly("bad again", "bad again");
    }

    @Test
    void anObjectRemovedSinceItWasReadIsReportedChanged() {
        quarantine.put(List.of(new BadRecord(Origin.fileRecord("k_3", 0, 0), "bad", utf8("a"))));
        QuarantinedRecord read = all().get(0);
        s3.deleteObject(d -> d.bucket("quarantine").key(read.objectKey()));

        assertThat(quarantine.rewrite(read.objectKey(), read.objectETag(), Set.of(read.id()), Map.of()))
                .isEqualTo(S3Quarantine.Rewrite.CHANGED);
        assertThat(quarantine.find(read.id())).isEmpty();
    }

    private List<QuarantinedRecord> all() {
        List<QuarantinedRecord> all = new ArrayList<>();
        quarantine.forEach(null, all::add);
        return all;
    }

    private List<String> reasons(String source) {
        List<String> reasons = new ArrayList<>();
        quarantine.forEach(source, r -> reasons.add(r.reason()));
        return reasons;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<JsonNode> read(String key) throws Exception {
        String body = s3.getObject(g -> g.bucket("quarantine").key(key), ResponseTransformer.toBytes()).asUtf8String();
        ObjectMapper json = new ObjectMapper();
        return body.lines().map(l -> {
            try {
                return json.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }
}
