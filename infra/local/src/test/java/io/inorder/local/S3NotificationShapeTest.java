package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class S3NotificationShapeTest {

    @Test
    void deliveredRecordsHaveExactlyTheFieldsOfTheSampleS3Event() throws Exception {
        JsonNode sample = new ObjectMapper().readTree(Path.of("../../events/s3-put.json").toFile())
                .get("Records").get(0);
        JsonNode built = LocalS3Function.notificationRecord(new LocalS3Function.Uploaded("inorder-landing",
                "cdc/tenant=acme/shop orders_12.json", "9b2cf535f27731c974343645a3985328", 42), 7,
                Instant.parse("2026-11-23T10:00:00.123456Z"));

        assertThat(paths(built, "")).isEqualTo(paths(sample, ""));
        assertThat(built.get("eventTime").asText()).isEqualTo("2026-11-23T10:00:00.123Z");
    }

    @Test
    void theLambdaSerializerReadsTheBuiltRecordBackWithTheDecodedKey() {
        JsonNode built = LocalS3Function.notificationRecord(new LocalS3Function.Uploaded("inorder-landing",
                "cdc/tenant=acme/shop orders_12.json", "abc", 42), 7, Instant.parse("2026-11-23T10:00:00Z"));
        S3Event event = LambdaEventSerializers.serializerFor(S3Event.class, getClass().getClassLoader())
                .fromJson("{\"Records\":[" + built + "]}");

        var object = event.getRecords().get(0).getS3().getObject();
        assertThat(object.getKey()).isEqualTo("cdc/tenant%3Dacme/shop+orders_12.json");
        assertThat(object.getUrlDecodedKey()).isEqualTo("cdc/tenant=acme/shop orders_12.json");
        assertThat(object.getSizeAsLong()).isEqualTo(42);
        assertThat(object.geteTag()).isEqualTo("abc");
        assertThat(event.getRecords().get(0).getEventName()).isEqualTo("ObjectCreated:Put");
    }

    private static Set<String> paths(JsonNode node, String prefix) {
        Set<String> out = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix + "/" + e.getKey();
            out.add(path + ":" + e.getValue().getNodeType());
            out.addAll(paths(e.getValue(), path));
        }
        return out;
    }
}
