package io.inorder.emulator;

import static io.inorder.emulator.RocksetHttp.docs;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The unauthenticated /_emulator routes tests use to look inside. */
class InspectionTest {

    @Test
    void documentsApplyLogAndRequestsAreDumpedWithoutAnApiKey() throws Exception {
        try (Emulator emulator = Emulator.start(EmulatorSettings.defaults())) {
            emulator.createCollection("ws", "c1");
            RocksetHttp http = new RocksetHttp(emulator);
            http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\",\"v\":1},{\"_id\":\"b\"}]}");
            http.send("PATCH", docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\",\"patch\":[{\"op\":\"add\",\"path\":\"/v\",\"value\":2}]}]}");
            http.send("DELETE", docs("ws", "c1"), "{\"data\":[{\"_id\":\"b\"}]}");
            RocksetHttp anonymous = http.withAuthorization(null);

            JsonNode documents = anonymous.get("/_emulator/ws/ws/collections/c1/documents").json().get("data");
            assertThat(documents.toString()).isEqualTo("[{\"_id\":\"a\",\"v\":2}]");

            JsonNode log = anonymous.get("/_emulator/ws/ws/collections/c1/apply-log?id=a").json().get("data");
            assertThat(log).hasSize(2);
            assertThat(log.get(0).get("kind").asText()).isEqualTo("add");
            assertThat(log.get(1).get("kind").asText()).isEqualTo("patch");
            assertThat(log.get(1).get("partition_offset").asLong()).isEqualTo(2);
            assertThat(log.get(1).get("payload").get(0).get("op").asText()).isEqualTo("add");
            assertThat(anonymous.get("/_emulator/ws/ws/collections/c1/apply-log").json().get("data")).hasSize(4);

            JsonNode requests = anonymous.get("/_emulator/requests").json().get("data");
            assertThat(requests).hasSize(3);
            assertThat(requests.get(0).get("method").asText()).isEqualTo("POST");
            assertThat(requests.get(0).get("status").asInt()).isEqualTo(200);
            assertThat(requests.get(0).get("documents").asInt()).isEqualTo(2);
            assertThat(requests.get(2).get("method").asText()).isEqualTo("DELETE");
            assertThat(emulator.requests().entries()).allMatch(RequestLog.Entry::isWrite);
        }
    }

    @Test
    void theRequestLogRecordsErrorsWithTheirStatusAndBodySize() throws Exception {
        try (Emulator emulator = Emulator.start(EmulatorSettings.defaults().withMaxDocuments(2))) {
            emulator.createCollection("ws", "c1");
            RocksetHttp http = new RocksetHttp(emulator);
            String three = "{\"data\":[{},{},{}]}";
            http.post(docs("ws", "c1"), three);
            http.withAuthorization("ApiKey nope").post(docs("ws", "c1"), "{}");

            assertThat(emulator.requests().entries()).extracting(RequestLog.Entry::status).containsExactly(400, 401);
            RequestLog.Entry first = emulator.requests().entries().get(0);
            assertThat(first.bodyBytes()).isEqualTo(three.length());
            assertThat(first.documents()).isEqualTo(3);
        }
    }

    @Test
    void resetEmptiesCollectionsAndOffsetsButKeepsThem() throws Exception {
        try (Emulator emulator = Emulator.start(EmulatorSettings.defaults().withApplyLag(Duration.ofHours(1)))) {
            emulator.createCollection("ws", "c1");
            RocksetHttp http = new RocksetHttp(emulator);
            http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\"}]}");
            assertThat(http.post("/_emulator/apply", "").status()).isEqualTo(200);
            assertThat(emulator.documents("ws", "c1")).containsOnlyKeys("a");
            http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"b\"}]}");

            assertThat(http.post("/_emulator/reset", "").status()).isEqualTo(200);

            assertThat(emulator.documents("ws", "c1")).isEmpty();
            assertThat(emulator.applyLog("ws", "c1")).isEmpty();
            assertThat(emulator.committedOffsets("ws", "c1")).isEqualTo(Offsets.of(0L, 0L, 0L, 0L));
            assertThat(emulator.requests().entries()).isEmpty();
            emulator.awaitApplied(Duration.ofMillis(100));
            String offset = http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\"}]}").json().get("last_offset").asText();
            assertThat(offset).startsWith("f2:0:1:0:");
        }
    }

    @Test
    void unknownInspectionRoutesAnswer404() throws Exception {
        try (Emulator emulator = Emulator.start(EmulatorSettings.defaults())) {
            RocksetHttp http = new RocksetHttp(emulator);
            assertThat(http.get("/_emulator/nothing").status()).isEqualTo(404);
            assertThat(http.get("/_emulator/ws/ws/collections/zz/documents").status()).isEqualTo(404);
        }
    }
}
