package io.inorder.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inorder.arcion.BadRecord;
import io.inorder.arcion.Origin;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
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
