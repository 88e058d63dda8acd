package io.inorder.emulator;

import static io.inorder.emulator.RocksetHttp.docs;
import static io.inorder.emulator.WriteApiContractTest.ERROR_KEYS;
import static io.inorder.emulator.WriteApiContractTest.assertErrorBody;
import static io.inorder.emulator.WriteApiContractTest.keys;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Collection and workspace setup routes (rockset-write-api.md §4). */
class CollectionsAndWorkspacesTest {

    static final Set<String> COLLECTION_KEYS = Set.of("created_at", "created_by", "name", "workspace", "status",
            "sources", "stats", "field_mappings", "field_partitions", "clustering_key", "aliases", "field_schemas",
            "ingest_virtual_instance_id", "read_only", "storage_type", "storage_compression_type",
            "created_by_apikey_name", "insert_only");

    Emulator emulator;
    RocksetHttp http;

    @BeforeEach
    void start() throws Exception {
        emulator = Emulator.start(EmulatorSettings.defaults());
        http = new RocksetHttp(emulator);
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    @Test
    void aCreatedCollectionAnswersCreatedWithTheObservedKeysAndWithNoReadyDelayTakesWritesAtOnce() throws Exception {
        try (Emulator noDelay = Emulator.start(EmulatorSettings.defaults().withReadyDelay(Duration.ZERO))) {
            RocksetHttp api = new RocksetHttp(noDelay);
            assertThat(api.post("/v1/orgs/self/ws", "{\"name\":\"ws\"}").status()).isEqualTo(200);
            RocksetHttp.Reply created = api.post("/v1/orgs/self/ws/ws/collections", "{\"name\":\"c1\"}");

            assertThat(created.status()).isEqualTo(200);
            JsonNode collection = created.json().get("data");
            assertThat(keys(created.json())).containsExactly("data");
            assertThat(keys(collection)).isEqualTo(COLLECTION_KEYS);
            assertThat(collection.get("name").asText()).isEqualTo("c1");
            assertThat(collection.get("workspace").asText()).isEqualTo("ws");
            assertThat(collection.get("status").asText()).isEqualTo("CREATED");
            assertThat(collection.get("storage_type").asText()).isEqualTo("HOT");

            assertThat(api.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\"},{\"_id\":\"b\"}]}").status())
                    .isEqualTo(200);
            JsonNode fetched = api.get("/v1/orgs/self/ws/ws/collections/c1").json().get("data");
            assertThat(keys(fetched)).isEqualTo(COLLECTION_KEYS);
            assertThat(fetched.get("status").asText()).isEqualTo("READY");
            assertThat(fetched.get("stats").get("doc_count").asInt()).isEqualTo(2);
        }
    }

    @Test
    void creatingACollectionTwiceAnswers409AlreadyExists() throws Exception {
        emulator.createCollection("ws", "c1");
        RocksetHttp.Reply again = http.post("/v1/orgs/self/ws/ws/collections", "{\"name\":\"c1\"}");

        assertThat(again.status()).isEqualTo(409);
        assertErrorBody(again.json(), "ALREADYEXISTS", null, "Collection \"c1\" already exists in workspace \"ws\"");
    }

    @Test
    void aCollectionInAMissingWorkspaceAnswers404WorkspaceNotFound() throws Exception {
        RocksetHttp.Reply reply = http.post("/v1/orgs/self/ws/nows/collections", "{\"name\":\"c1\"}");

        assertThat(reply.status()).isEqualTo(404);
        assertErrorBody(reply.json(), "NOTFOUND", "WORKSPACE_NOT_FOUND", "Workspace \"nows\" does not exist");
    }

    @Test
    void aDeletedCollectionAnswersDeletedThen404AndRejectsWrites() throws Exception {
        emulator.createCollection("ws", "c1");
        RocksetHttp.Reply deleted = http.send("DELETE", "/v1/orgs/self/ws/ws/collections/c1", null);

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("data").get("status").asText()).isEqualTo("DELETED");
        RocksetHttp.Reply gone = http.get("/v1/orgs/self/ws/ws/collections/c1");
        assertThat(gone.status()).isEqualTo(404);
        assertErrorBody(gone.json(), "NOTFOUND", "COLLECTION_DOES_NOT_EXIST",
                "Collection \"c1\" does not exist in workspace \"ws\"");
        assertThat(http.post(docs("ws", "c1"), "{\"data\":[]}").status()).isEqualTo(404);
    }

    @Test
    void workspacesAreCreatedFetchedAndDeletedOnlyWhenEmpty() throws Exception {
        JsonNode created = http.post("/v1/orgs/self/ws", "{\"name\":\"w2\",\"description\":\"test\"}").json().get("data");
        assertThat(keys(created)).containsExactlyInAnyOrder("created_at", "created_by", "name", "description",
                "collection_count");
        assertThat(http.post("/v1/orgs/self/ws", "{\"name\":\"w2\"}").status()).isEqualTo(409);

        emulator.createCollection("w2", "c");
        assertThat(http.get("/v1/orgs/self/ws/w2").json().get("data").get("collection_count").asInt()).isEqualTo(1);
        RocksetHttp.Reply notEmpty = http.send("DELETE", "/v1/orgs/self/ws/w2", null);
        assertThat(notEmpty.status()).isEqualTo(409);
        assertThat(keys(notEmpty.json())).isEqualTo(ERROR_KEYS);

        emulator.deleteCollection("w2", "c");
        assertThat(http.send("DELETE", "/v1/orgs/self/ws/w2", null).status()).isEqualTo(200);
        RocksetHttp.Reply missing = http.get("/v1/orgs/self/ws/w2");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("message_key").asText()).isEqualTo("WORKSPACE_NOT_FOUND");
    }

    @Test
    void setupRoutesNeedTheApiKeyToo() throws Exception {
        RocksetHttp.Reply reply = http.withAuthorization(null).post("/v1/orgs/self/ws", "{\"name\":\"w\"}");

        assertThat(reply.status()).isEqualTo(401);
        assertThat(http.get("/v1/orgs/self/ws/w").status()).isEqualTo(404);
    }

    @Test
    void anInvalidCollectionNameAnswers400() throws Exception {
        emulator.createWorkspace("ws");
        RocksetHttp.Reply reply = http.post("/v1/orgs/self/ws/ws/collections", "{\"name\":\"bad name\"}");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("type").asText()).isEqualTo("INVALIDINPUT");
    }
}
