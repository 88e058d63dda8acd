package io.inorder.emulator;

import static io.inorder.emulator.RocksetHttp.commit;
import static io.inorder.emulator.RocksetHttp.docs;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The recorded Write API contract (rockset-write-api.md §2-5, §7), pinned over real HTTP. */
class WriteApiContractTest {

    static final Set<String> STATUS_KEYS = Set.of("_collection", "_id", "status", "error", "patch_id");
    static final Set<String> ERROR_KEYS = Set.of("message", "message_key", "type", "line", "column", "trace_id",
            "error_id", "query_id", "internal_errors");
    static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    Emulator emulator;
    RocksetHttp http;

    @BeforeEach
    void start() throws Exception {
        emulator = Emulator.start(EmulatorSettings.defaults());
        emulator.createCollection("ws", "c1");
        http = new RocksetHttp(emulator);
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    static Set<String> keys(JsonNode node) {
        Set<String> keys = new TreeSet<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    static void assertErrorBody(JsonNode body, String type, String messageKey, String message) {
        assertThat(keys(body)).isEqualTo(ERROR_KEYS);
        assertThat(body.get("type").asText()).isEqualTo(type);
        if (messageKey == null) {
            assertThat(body.get("message_key").isNull()).isTrue();
        } else {
            assertThat(body.get("message_key").asText()).isEqualTo(messageKey);
        }
        assertThat(body.get("message").asText()).isEqualTo(message);
        assertThat(body.get("trace_id").asText()).matches(UUID);
        for (String key : List.of("line", "column", "error_id", "query_id", "internal_errors")) {
            assertThat(body.get(key).isNull()).as(key).isTrue();
        }
    }

    String expectedOffset(String... ids) {
        Offsets offsets = Offsets.none(4);
        for (String id : ids) {
            int p = CollectionState.partitionOf(id, 4);
            offsets = offsets.with(p, emulator.committedOffsets("ws", "c1").offset(p).getAsLong());
        }
        return offsets.encode();
    }

    @Test
    void addAnswersAddedForEachDocumentWithEveryKeyAndExplicitNulls() throws Exception {
        RocksetHttp.Reply reply = http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\",\"x\":1},{\"_id\":\"b\",\"x\":2}]}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).isEqualTo("application/json");
        JsonNode body = reply.json();
        assertThat(keys(body)).containsExactly("data", "last_offset");
        assertThat(body.get("data")).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode item = body.get("data").get(i);
            assertThat(keys(item)).isEqualTo(STATUS_KEYS);
            assertThat(item.get("_collection").asText()).isEqualTo("c1");
            assertThat(item.get("_id").asText()).isEqualTo(i == 0 ? "a" : "b");
            assertThat(item.get("status").asText()).isEqualTo("ADDED");
            assertThat(item.get("error").isNull()).isTrue();
            assertThat(item.get("patch_id").isNull()).isTrue();
        }
        assertThat(body.get("last_offset").asText()).isEqualTo(expectedOffset("a", "b"));
        assertThat(emulator.documents("ws", "c1")).containsOnlyKeys("a", "b");
        assertThat(emulator.documents("ws", "c1").get("a").toString()).isEqualTo("{\"_id\":\"a\",\"x\":1}");
    }

    @Test
    void aFirstSingleDocumentWriteAnswersTheRecordedOffsetShape() throws Exception {
        JsonNode body = http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"abc\"}]}").json();

        String offset = body.get("last_offset").asText();
        assertThat(offset).matches("f2:0:1:0:[-0]{4}");
        assertThat(offset.substring(9).chars().filter(c -> c == '0').count()).isEqualTo(1);
        assertThat(offset.charAt(9 + CollectionState.partitionOf("abc", 4))).isEqualTo('0');
    }

    @Test
    void addPatchDeleteOfOneIdAdvanceItsPartitionByOneEach() throws Exception {
        String first = http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"k\",\"n\":1}]}").json().get("last_offset").asText();
        String second = http.send("PATCH", docs("ws", "c1"),
                "{\"data\":[{\"_id\":\"k\",\"patch\":[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]}]}")
                .json().get("last_offset").asText();
        String third = http.send("DELETE", docs("ws", "c1"), "{\"data\":[{\"_id\":\"k\"}]}").json().get("last_offset").asText();

        int p = CollectionState.partitionOf("k", 4);
        assertThat(Offsets.parse(first, 4)).isEqualTo(Offsets.none(4).with(p, 1));
        assertThat(Offsets.parse(second, 4)).isEqualTo(Offsets.none(4).with(p, 2));
        assertThat(Offsets.parse(third, 4)).isEqualTo(Offsets.none(4).with(p, 3));
    }

    @Test
    void oneRequestAdvancesEachTouchedPartitionByExactlyOneWhateverItsDocumentCount() throws Exception {
        List<String> ids = IntStream.range(0, 40).mapToObj(i -> "id-" + i).toList();
        String body = ids.stream().map(id -> "{\"_id\":\"" + id + "\"}").collect(Collectors.joining(",", "{\"data\":[", "]}"));
        Offsets offsets = Offsets.parse(http.post(docs("ws", "c1"), body).json().get("last_offset").asText(), 4);

        Set<Integer> touched = ids.stream().map(id -> CollectionState.partitionOf(id, 4)).collect(Collectors.toSet());
        assertThat(touched).hasSizeGreaterThan(1);
        for (int p = 0; p < 4; p++) {
            if (touched.contains(p)) {
                assertThat(offsets.offset(p)).hasValue(1);
            } else {
                assertThat(offsets.offset(p)).isEmpty();
            }
        }
    }

    @Test
    void anEmptyWriteAnswersNoItemsAndAnOffsetWithNoPartition() throws Exception {
        JsonNode body = http.post(docs("ws", "c1"), "{\"data\":[]}").json();

        assertThat(body.get("data")).isEmpty();
        assertThat(body.get("last_offset").asText()).isEqualTo("f2:0:0:0:----");
    }

    @Test
    void aDocumentWithoutIdGetsAGeneratedUuidIdWithAPositionSuffix() throws Exception {
        JsonNode item = http.post(docs("ws", "c1"), "{\"data\":[{\"x\":1}]}").json().get("data").get(0);

        String id = item.get("_id").asText();
        assertThat(id).matches(UUID + "-1");
        assertThat(item.get("status").asText()).isEqualTo("ADDED");
        assertThat(emulator.documents("ws", "c1").get(id).get("x").asInt()).isEqualTo(1);
    }

    @Test
    void addOverwritesTheWholeDocumentWithThatId() throws Exception {
        http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\",\"x\":1,\"y\":2}]}");
        http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\",\"z\":3}]}");

        assertThat(emulator.documents("ws", "c1").get("a").toString()).isEqualTo("{\"_id\":\"a\",\"z\":3}");
    }

    @Test
    void eventTimeKeepsItsFirstValueWhenTheDocumentIsOverwritten() throws Exception {
        http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\",\"_event_time\":100,\"v\":1}]}");
        http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\",\"_event_time\":200,\"v\":2}]}");

        ObjectNode document = emulator.documents("ws", "c1").get("a");
        assertThat(document.get("_event_time").asLong()).isEqualTo(100);
        assertThat(document.get("v").asInt()).isEqualTo(2);
    }

    @Test
    void patchAnswersPatchedWithAUuidPatchIdAndAppliesEveryOperationKind() throws Exception {
        http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"p\",\"n\":1,\"f\":1.5,\"list\":[1,2],\"obj\":{\"a\":1},\"gone\":true}]}");
        String patch = "{\"data\":[{\"_id\":\"p\",\"patch\":["
                + "{\"op\":\"ADD\",\"path\":\"/list/-\",\"value\":3},"
                + "{\"op\":\"add\",\"path\":\"/list/0\",\"value\":0},"
                + "{\"op\":\"Replace\",\"path\":\"/obj/a\",\"value\":2,\"from\":null},"
                + "{\"op\":\"remove\",\"path\":\"/gone\"},"
                + "{\"op\":\"copy\",\"from\":\"/obj\",\"path\":\"/copied\"},"
                + "{\"op\":\"move\",\"from\":\"/copied/a\",\"path\":\"/moved\"},"
                + "{\"op\":\"test\",\"path\":\"/n\",\"value\":1.0},"
                + "{\"op\":\"increment\",\"path\":\"/n\",\"value\":41},"
                + "{\"op\":\"INCREMENT\",\"path\":\"/f\",\"value\":1},"
                + "{\"op\":\"increment\",\"path\":\"/fresh\",\"value\":5}]}]}";
        JsonNode body = http.send("PATCH", docs("ws", "c1"), patch).json();

        JsonNode item = body.get("data").get(0);
        assertThat(keys(item)).isEqualTo(STATUS_KEYS);
        assertThat(item.get("status").asText()).isEqualTo("PATCHED");
        assertThat(item.get("patch_id").asText()).matches(UUID);
        assertThat(item.get("error").isNull()).isTrue();
        assertThat(body.get("last_offset").asText()).startsWith("f2:0:");
        assertThat(emulator.documents("ws", "c1").get("p").toString()).isEqualTo(
                "{\"_id\":\"p\",\"n\":42,\"f\":2.5,\"list\":[0,1,2,3],\"obj\":{\"a\":2},\"copied\":{},\"moved\":2,\"fresh\":5}");
    }

    @Test
    void aFailingTestOrBadPathMakesOnlyThatItemAnErrorAndLeavesItsDocumentUntouched() throws Exception {
        http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\",\"n\":1},{\"_id\":\"b\",\"n\":1},{\"_id\":\"c\",\"n\":1}]}");
        String patch = "{\"data\":["
                + "{\"_id\":\"a\",\"patch\":[{\"op\":\"replace\",\"path\":\"/n\",\"value\":9},{\"op\":\"test\",\"path\":\"/n\",\"value\":1}]},"
                + "{\"_id\":\"b\",\"patch\":[{\"op\":\"remove\",\"path\":\"/missing/deep\"}]},"
                + "{\"_id\":\"c\",\"patch\":[{\"op\":\"increment\",\"path\":\"/n\",\"value\":1}]}]}";
        RocksetHttp.Reply reply = http.send("PATCH", docs("ws", "c1"), patch);

        assertThat(reply.status()).isEqualTo(200);
        JsonNode data = reply.json().get("data");
        for (int i = 0; i < 2; i++) {
            JsonNode item = data.get(i);
            assertThat(keys(item)).isEqualTo(STATUS_KEYS);
            assertThat(item.get("status").asText()).isEqualTo("ERROR");
            assertThat(item.get("patch_id").isNull()).isTrue();
            assertThat(keys(item.get("error"))).isEqualTo(ERROR_KEYS);
            assertThat(item.get("error").get("type").asText()).isEqualTo("INVALIDINPUT");
        }
        assertThat(data.get(0).get("error").get("message").asText()).contains("test failed");
        assertThat(data.get(2).get("status").asText()).isEqualTo("PATCHED");
        Map<String, ObjectNode> documents = emulator.documents("ws", "c1");
        assertThat(documents.get("a").get("n").asInt()).isEqualTo(1);
        assertThat(documents.get("b").get("n").asInt()).isEqualTo(1);
        assertThat(documents.get("c").get("n").asInt()).isEqualTo(2);
    }

    @Test
    void patchAndDeleteOfAMissingIdAreAcceptedAndChangeNothing() throws Exception {
        JsonNode patched = http.send("PATCH", docs("ws", "c1"),
                "{\"data\":[{\"_id\":\"nobody\",\"patch\":[{\"op\":\"add\",\"path\":\"/x\",\"value\":1}]}]}").json();
        JsonNode deleted = http.send("DELETE", docs("ws", "c1"), "{\"data\":[{\"_id\":\"nobody\"}]}").json();

        assertThat(patched.get("data").get(0).get("status").asText()).isEqualTo("PATCHED");
        assertThat(deleted.get("data").get(0).get("status").asText()).isEqualTo("DELETED");
        assertThat(emulator.documents("ws", "c1")).isEmpty();
    }

    @Test
    void deleteAnswersDeletedWithExplicitNullsAndRemovesTheDocument() throws Exception {
        http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\"},{\"_id\":\"b\"}]}");
        JsonNode body = http.send("DELETE", docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\"}]}").json();

        JsonNode item = body.get("data").get(0);
        assertThat(keys(item)).isEqualTo(STATUS_KEYS);
        assertThat(item.get("status").asText()).isEqualTo("DELETED");
        assertThat(item.get("error").isNull()).isTrue();
        assertThat(item.get("patch_id").isNull()).isTrue();
        assertThat(body.get("last_offset").asText()).isEqualTo(expectedOffset("a"));
        assertThat(emulator.documents("ws", "c1")).containsOnlyKeys("b");
    }

    @Test
    void anUnknownCollectionAnswers404WithTheRecordedErrorBody() throws Exception {
        RocksetHttp.Reply reply = http.post(docs("ws", "nope"), "{\"data\":[{\"_id\":\"a\"}]}");

        assertThat(reply.status()).isEqualTo(404);
        assertErrorBody(reply.json(), "NOTFOUND", "COLLECTION_DOES_NOT_EXIST",
                "Collection \"nope\" does not exist in workspace \"ws\"");
    }

    @Test
    void aMissingOrWrongApiKeyAnswers401AndTheSchemeIsCaseInsensitive() throws Exception {
        String body = "{\"data\":[{\"_id\":\"a\"}]}";
        for (String authorization : new String[] {null, "ApiKey wrong", "Bearer " + emulator.apiKey(), emulator.apiKey()}) {
            RocksetHttp.Reply reply = http.withAuthorization(authorization).post(docs("ws", "c1"), body);
            assertThat(reply.status()).as(String.valueOf(authorization)).isEqualTo(401);
            assertThat(keys(reply.json())).isEqualTo(ERROR_KEYS);
            assertThat(reply.json().get("type").asText()).isEqualTo("AUTHEXCEPTION");
        }
        for (String scheme : new String[] {"ApiKey", "apikey", "APIKEY"}) {
            RocksetHttp.Reply reply = http.withAuthorization(scheme + " " + emulator.apiKey()).post(docs("ws", "c1"), body);
            assertThat(reply.status()).as(scheme).isEqualTo(200);
        }
        assertThat(emulator.documents("ws", "c1")).containsOnlyKeys("a");
    }

    @Test
    void moreThanTwentyThousandDocumentsAnswers400WithTheDocumentedMessage() throws Exception {
        String tooMany = String.join(",", Collections.nCopies(20_001, "{}"));
        RocksetHttp.Reply reply = http.post(docs("ws", "c1"), "{\"data\":[" + tooMany + "]}");

        assertThat(reply.status()).isEqualTo(400);
        assertErrorBody(reply.json(), "INVALIDINPUT", "RECEIVER_REQUEST_MAX_DOCUMENT_LIMIT",
                "The number of documents specified in this request exceeds the maximum allowed limit of 20,000 documents.");
        assertThat(emulator.documents("ws", "c1")).isEmpty();
    }

    @Test
    void exactlyTwentyThousandDocumentsAreAccepted() throws Exception {
        String ids = IntStream.range(0, 20_000).mapToObj(i -> "{\"_id\":\"" + i + "\"}").collect(Collectors.joining(","));
        RocksetHttp.Reply reply = http.post(docs("ws", "c1"), "{\"data\":[" + ids + "]}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(emulator.documents("ws", "c1")).hasSize(20_000);
    }

    @Test
    void aBodyOneByteOverTheLimitAnswers413AndOneAtTheLimitIsAccepted() throws Exception {
        String prefix = "{\"data\":[{\"_id\":\"big\",\"pad\":\"";
        String suffix = "\"}]}";
        int padding = 10_485_760 - prefix.length() - suffix.length();
        String atLimit = prefix + "x".repeat(padding) + suffix;
        String overLimit = prefix + "x".repeat(padding + 1) + suffix;

        RocksetHttp.Reply tooLarge = http.post(docs("ws", "c1"), overLimit);
        assertThat(tooLarge.status()).isEqualTo(413);
        assertErrorBody(tooLarge.json(), "CONTENTTOOLARGE", null, "Payload size exceeds limit of 10,485,760 bytes");
        assertThat(emulator.documents("ws", "c1")).isEmpty();

        assertThat(http.post(docs("ws", "c1"), atLimit).status()).isEqualTo(200);
        assertThat(emulator.documents("ws", "c1")).containsOnlyKeys("big");
    }

    @Test
    void malformedBodiesAnswer400InvalidInput() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"POST", "not json"},
                new String[] {"POST", ""},
                new String[] {"POST", "[]"},
                new String[] {"POST", "{\"docs\":[]}"},
                new String[] {"POST", "{\"data\":[1]}"},
                new String[] {"DELETE", "{\"data\":[{}]}"},
                new String[] {"DELETE", "{\"data\":[{\"_id\":7}]}"},
                new String[] {"PATCH", "{\"data\":[{\"_id\":\"a\"}]}"},
                new String[] {"PATCH", "{\"data\":[{\"patch\":[]}]}"},
                new String[] {"PATCH", "{\"data\":[{\"_id\":\"a\",\"patch\":[{\"op\":\"merge\",\"path\":\"/x\"}]}]}"},
                new String[] {"PATCH", "{\"data\":[{\"_id\":\"a\",\"patch\":[{\"op\":\"add\",\"value\":1}]}]}"});
        for (String[] c : cases) {
            RocksetHttp.Reply reply = http.send(c[0], docs("ws", "c1"), c[1]);
            assertThat(reply.status()).as(c[0] + " " + c[1]).isEqualTo(400);
            assertThat(keys(reply.json())).isEqualTo(ERROR_KEYS);
            assertThat(reply.json().get("type").asText()).isEqualTo("INVALIDINPUT");
        }
        assertThat(emulator.committedOffsets("ws", "c1")).isEqualTo(Offsets.of(0L, 0L, 0L, 0L));
    }

    @Test
    void aNonStringIdOnAddIsAnItemErrorWhileTheOthersAreAdded() throws Exception {
        JsonNode data = http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":5},{\"_id\":\"ok\"}]}").json().get("data");

        assertThat(data.get(0).get("status").asText()).isEqualTo("ERROR");
        assertThat(data.get(0).get("_id").isNull()).isTrue();
        assertThat(keys(data.get(0).get("error"))).isEqualTo(ERROR_KEYS);
        assertThat(data.get(1).get("status").asText()).isEqualTo("ADDED");
    }

    @Test
    void unknownRoutesAnswer404AndWrongMethodsAnswer405WithTheErrorBody() throws Exception {
        RocksetHttp.Reply unknown = http.get("/v1/orgs/self/nothing");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(keys(unknown.json())).isEqualTo(ERROR_KEYS);

        RocksetHttp.Reply wrongMethod = http.send("PUT", docs("ws", "c1"), "{\"data\":[]}");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(keys(wrongMethod.json())).isEqualTo(ERROR_KEYS);
        assertThat(wrongMethod.json().get("type").asText()).isEqualTo("METHODNOTALLOWED");

        assertThat(http.get(commit("ws", "c1")).status()).isEqualTo(405);
    }

    @Test
    void commitOfNoOffsetsHasPassed() throws Exception {
        for (String body : List.of("{\"name\":[]}", "{}")) {
            JsonNode reply = http.post(commit("ws", "c1"), body).json();
            assertThat(keys(reply)).containsExactly("data", "offsets");
            assertThat(keys(reply.get("data"))).containsExactly("fence", "passed");
            assertThat(reply.get("data").get("passed").asBoolean()).isTrue();
            assertThat(reply.get("data").get("fence").asText()).isEqualTo("f2:0:0:0:----");
            assertThat(keys(reply.get("offsets"))).containsExactly("commit");
            assertThat(reply.get("offsets").get("commit").asText()).isEqualTo("f2:0:0:0:0000");
        }
    }

    @Test
    void commitAnswersThePerPartitionMaximumAsFence() throws Exception {
        JsonNode reply = http.post(commit("ws", "c1"), "{\"name\":[\"f2:0:100:5:5-0-\",\"f2:0:100:37:-02N2\"]}").json();

        assertThat(reply.get("data").get("fence").asText()).isEqualTo("f2:0:100:37:502N2");
        assertThat(reply.get("data").get("passed").asBoolean()).isFalse();
    }

    @Test
    void commitAnswersTheFenceInTheVersionItWasGivenAsInTheSpecExample() throws Exception {
        // rockset-write-api.md §3: {"name": ["f1:0:14:9:7092", "f1:0:14:9:7093"]} → fence "f1:0:14:9:7093".
        JsonNode reply = http.post(commit("ws", "c1"), "{\"name\":[\"f1:0:14:9:7092\",\"f1:0:14:9:7093\"]}").json();

        assertThat(reply.get("data").get("fence").asText()).isEqualTo("f1:0:14:9:7093");
        assertThat(reply.get("data").get("passed").asBoolean()).isFalse();
        assertThat(reply.get("offsets").get("commit").asText()).startsWith("f2:0:");
    }

    @Test
    void commitOfTheEmulatorsOwnOffsetsAnswersThemUnchanged() throws Exception {
        String offset = http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\"}]}").json().get("last_offset").asText();

        JsonNode reply = http.post(commit("ws", "c1"), "{\"name\":[\"" + offset + "\"]}").json();

        assertThat(reply.get("data").get("fence").asText()).isEqualTo(offset);
        assertThat(reply.get("data").get("passed").asBoolean()).isTrue();
    }

    @Test
    void aMalformedOffsetInCommitAnswers400NamingIt() throws Exception {
        for (String body : List.of("{\"name\":[\"garbage\"]}", "{\"name\":[\"f2:0:1:0:--0\"]}", "{\"name\":\"f2:0:1:0:---0\"}",
                "{\"name\":[7]}")) {
            RocksetHttp.Reply reply = http.post(commit("ws", "c1"), body);
            assertThat(reply.status()).as(body).isEqualTo(400);
            assertThat(keys(reply.json())).isEqualTo(ERROR_KEYS);
            assertThat(reply.json().get("type").asText()).isEqualTo("INVALIDINPUT");
        }
        assertThat(http.post(commit("ws", "c1"), "{\"name\":[\"garbage\"]}").json().get("message").asText())
                .contains("\"garbage\"");
    }

    @Test
    void commitOfUnknownCollectionAnswers404() throws Exception {
        RocksetHttp.Reply reply = http.post(commit("ws", "zz"), "{\"name\":[]}");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().get("message_key").asText()).isEqualTo("COLLECTION_DOES_NOT_EXIST");
    }

    // ---- the collection lifecycle (rockset-write-api.md §4: CREATED at once, READY about 64 s later) -----------

    static final String CREATE_WS = "/v1/orgs/self/ws";
    static final String CREATE_C2 = "/v1/orgs/self/ws/w2/collections";
    static final String C2 = "/v1/orgs/self/ws/w2/collections/c2";

    static String status(RocksetHttp http) throws Exception {
        return http.get(C2).json().get("data").get("status").asText();
    }

    /** Creates workspace w2 and collection c2 through the API, as a client would; the create's reply. */
    static RocksetHttp.Reply createC2(RocksetHttp api) throws Exception {
        api.post(CREATE_WS, "{\"name\":\"w2\"}");
        return api.post(CREATE_C2, "{\"name\":\"c2\"}");
    }

    @Test
    void aCollectionCreatedThroughTheApiIsCreatedForTheRecordedMinuteThenReady() throws Exception {
        ControlledClock clock = new ControlledClock();
        try (Emulator service = Emulator.start(EmulatorSettings.defaults().withClock(clock))) {
            RocksetHttp api = new RocksetHttp(service);

            RocksetHttp.Reply created = createC2(api);

            assertThat(created.status()).isEqualTo(200);
            assertThat(created.json().get("data").get("status").asText()).isEqualTo("CREATED");
            assertThat(status(api)).isEqualTo("CREATED");
            assertThat(api.get(CREATE_C2).json().get("data").get(0).get("status").asText()).isEqualTo("CREATED");
            clock.advance(Duration.ofSeconds(63));
            assertThat(status(api)).isEqualTo("CREATED");
            clock.advance(Duration.ofSeconds(1));
            assertThat(status(api)).isEqualTo("READY");
            assertThat(api.get(CREATE_C2).json().get("data").get(0).get("status").asText()).isEqualTo("READY");
        }
    }

    @Test
    void writesBeforeTheCollectionIsReadyAnswer503NotReadyAndChangeNothing() throws Exception {
        ControlledClock clock = new ControlledClock();
        try (Emulator service = Emulator.start(EmulatorSettings.defaults().withClock(clock))) {
            RocksetHttp api = new RocksetHttp(service);
            createC2(api);
            String one = "{\"data\":[{\"_id\":\"a\"}]}";
            String patch = "{\"data\":[{\"_id\":\"a\",\"patch\":[{\"op\":\"add\",\"path\":\"/x\",\"value\":1}]}]}";

            for (String[] write : new String[][] {{"POST", one}, {"PATCH", patch}, {"DELETE", one}}) {
                RocksetHttp.Reply refused = api.send(write[0], docs("w2", "c2"), write[1]);
                assertThat(refused.status()).as(write[0]).isEqualTo(503);
                assertErrorBody(refused.json(), "NOT_READY", null, "Collection \"c2\" in workspace \"w2\" is not "
                        + "ready to accept writes: its status is CREATED (a new collection turns READY about a minute "
                        + "after it is created). Retry later.");
            }
            assertThat(service.documents("w2", "c2")).isEmpty();
            assertThat(service.committedOffsets("w2", "c2")).isEqualTo(Offsets.of(0L, 0L, 0L, 0L));
            assertThat(api.post(commit("w2", "c2"), "{\"name\":[]}").status()).isEqualTo(200);

            clock.advance(Duration.ofSeconds(64));
            assertThat(api.post(docs("w2", "c2"), one).status()).isEqualTo(200);
            assertThat(service.documents("w2", "c2")).containsOnlyKeys("a");
        }
    }

    @Test
    void collectionsThatExistWhenTheEmulatorStartsAreReadyAtOnce() throws Exception {
        RocksetHttp.Reply collection = http.get("/v1/orgs/self/ws/ws/collections/c1");

        assertThat(collection.json().get("data").get("status").asText()).isEqualTo("READY");
        assertThat(http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\"}]}").status()).isEqualTo(200);
    }

    @Test
    void theReadyDelayIsASetting() throws Exception {
        assertThat(EmulatorSettings.defaults().readyDelay()).isEqualTo(Duration.ofSeconds(64));
        ControlledClock clock = new ControlledClock();
        try (Emulator service = Emulator.start(EmulatorSettings.defaults().withClock(clock)
                .withReadyDelay(Duration.ofSeconds(5)))) {
            RocksetHttp api = new RocksetHttp(service);
            createC2(api);

            clock.advance(Duration.ofMillis(4_999));
            assertThat(api.post(docs("w2", "c2"), "{\"data\":[]}").status()).isEqualTo(503);
            clock.advance(Duration.ofMillis(1));
            assertThat(status(api)).isEqualTo("READY");
            assertThat(api.post(docs("w2", "c2"), "{\"data\":[]}").status()).isEqualTo(200);
        }
    }

    // ---- request latency: a fixed part plus a part per MiB of body, spent before the request is processed -----

    @Test
    void writesAndCommitsTakeTheFixedLatencyPlusThePartForTheirBodySize() throws Exception {
        try (Emulator slow = Emulator.start(EmulatorSettings.defaults()
                .withRequestLatency(Duration.ofMillis(40), Duration.ofMillis(200)))) {
            slow.createCollection("ws", "c1");
            RocksetHttp api = new RocksetHttp(slow);
            // Half a MiB of body: 40 ms + 100 ms.
            String prefix = "{\"data\":[{\"_id\":\"big\",\"pad\":\"";
            String suffix = "\"}]}";
            String halfMiB = prefix + "x".repeat(524_288 - prefix.length() - suffix.length()) + suffix;

            long started = System.nanoTime();
            String offset = api.post(docs("ws", "c1"), halfMiB).json().get("last_offset").asText();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            String name = "{\"name\":[\"" + offset + "\"]}";
            api.post(commit("ws", "c1"), name);

            List<RequestLog.Entry> log = slow.requests().entries();
            assertThat(log).extracting(RequestLog.Entry::latency)
                    .containsExactly(Duration.ofMillis(140), slow.settings().latencyFor(name.length()));
            assertThat(log.get(1).latency()).isBetween(Duration.ofMillis(40), Duration.ofMillis(41));
            // A lower bound only: the emulator waits at least this long; how much longer depends on the machine.
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(140));
            assertThat(api.withAuthorization(null).get("/_emulator/requests").json().get("data").get(0)
                    .get("latency_ms").asLong()).isEqualTo(140);
        }
    }

    @Test
    void theDefaultEmulatorTakesNoRequestLatency() throws Exception {
        http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\"}]}");

        assertThat(emulator.requests().entries()).extracting(RequestLog.Entry::latency).containsExactly(Duration.ZERO);
        assertThat(EmulatorSettings.defaults().latencyFor(10_485_760)).isEqualTo(Duration.ZERO);
    }

    @Test
    void writesToOneIdAreAppliedInTheOrderTheyWereAccepted() throws Exception {
        List<String> expected = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"x\",\"round\":" + round + "},{\"_id\":\"y\"}]}");
            expected.add("add");
            http.send("PATCH", docs("ws", "c1"),
                    "{\"data\":[{\"_id\":\"x\",\"patch\":[{\"op\":\"increment\",\"path\":\"/round\",\"value\":10}]}]}");
            expected.add("patch");
            if (round % 2 == 0) {
                http.send("DELETE", docs("ws", "c1"), "{\"data\":[{\"_id\":\"x\"},{\"_id\":\"y\"}]}");
                expected.add("delete");
            }
        }

        List<AppliedOp> forX = emulator.applyLog("ws", "c1").stream().filter(op -> op.id().equals("x")).toList();
        assertThat(forX).extracting(AppliedOp::kind).isEqualTo(expected);
        assertThat(forX).extracting(AppliedOp::partitionOffset).isSorted().doesNotHaveDuplicates();
        assertThat(forX).extracting(AppliedOp::partition).containsOnly(CollectionState.partitionOf("x", 4));
        assertThat(emulator.documents("ws", "c1").get("x").get("round").asInt()).isEqualTo(15);
    }
}
