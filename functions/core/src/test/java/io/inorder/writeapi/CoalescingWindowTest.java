package io.inorder.writeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.inorder.writeapi.CoalescingWindow.Admission;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoalescingWindowTest {

    private final Ops ops = new Ops("orders");

    private static CoalescingWindow window() {
        return new CoalescingWindow(10_485_760, 20_000, 1);
    }

    private static JsonNode body(WriteRequest r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : r.bodyParts()) {
            out.write(part);
        }
        assertThat((long) out.size()).as("exact body size").isEqualTo(r.bodyBytes());
        return RequestItems.JSON.readTree(out.toByteArray());
    }

    private static JsonNode only(CoalescingWindow w, Endpoint endpoint) throws IOException {
        List<WriteRequest> requests = w.seal();
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).endpoint()).isEqualTo(endpoint);
        JsonNode data = body(requests.get(0)).get("data");
        assertThat(data).hasSize(1);
        return data.get(0);
    }

    @Test
    void upsertItemCarriesIdColumnsAndEventTime() throws IOException {
        CoalescingWindow w = window();
        w.add(ops.upsertAt("1", 1_700_000_000_000_000L, "name", "Ann", "qty", 3, "note", null));

        assertThat(only(w, Endpoint.ADD).toString())
                .isEqualTo("{\"_id\":\"1\",\"name\":\"Ann\",\"qty\":3,\"note\":null,\"_event_time\":1700000000000000}");
    }

    @Test
    void upsertWithoutEventTimeOmitsIt() throws IOException {
        CoalescingWindow w = window();
        w.add(ops.upsert("1", "name", "Ann"));

        assertThat(only(w, Endpoint.ADD).has("_event_time")).isFalse();
    }

    @Test
    void patchItemWritesFromOnlyWhenPresentAndNoValueForRemove() throws IOException {
        CoalescingWindow w = window();
        w.add(ops.patch("1", PatchOperation.addField("a/b", null), new PatchOperation("remove", "/c", null, null),
                new PatchOperation("move", "/d", null, "/e")));

        assertThat(only(w, Endpoint.PATCH).toString()).isEqualTo("{\"_id\":\"1\",\"patch\":["
                + "{\"op\":\"add\",\"path\":\"/a~1b\",\"value\":null},{\"op\":\"remove\",\"path\":\"/c\"},"
                + "{\"op\":\"move\",\"path\":\"/d\",\"from\":\"/e\"}]}");
    }

    @Test
    void deleteAfterUpsertOfSameIdInOneWindowSendsOnlyTheDelete() throws IOException {
        CoalescingWindow w = window();
        assertThat(w.add(ops.upsert("1", "a", 1))).isEqualTo(Admission.ABSORBED);
        assertThat(w.add(ops.delete("1"))).isEqualTo(Admission.ABSORBED);

        assertThat(only(w, Endpoint.DELETE).toString()).isEqualTo("{\"_id\":\"1\"}");
    }

    @Test
    void upsertAfterDeleteAsksToFlushFirstSoTheReinsertGetsItsOwnEventTime() throws IOException {
        CoalescingWindow w = window();
        w.add(ops.upsertAt("1", 5, "a", 1));
        w.add(ops.delete("1"));

        assertThat(w.add(ops.upsertAt("1", 9, "a", 2))).isEqualTo(Admission.FLUSH_FIRST);
        assertThat(only(w, Endpoint.DELETE).toString()).isEqualTo("{\"_id\":\"1\"}");
    }

    @Test
    void laterUpsertWithoutEventTimeKeepsTheFirstUpsertsEventTime() throws IOException {
        CoalescingWindow w = window();
        w.add(ops.upsertAt("1", 5, "a", 1));
        w.add(ops.upsert("1", "a", 2));

        JsonNode doc = only(w, Endpoint.ADD);
        assertThat(doc.get("a").asInt()).isEqualTo(2);
        assertThat(doc.get("_event_time").asLong()).isEqualTo(5);
    }

    @Test
    void laterUpsertWithAnotherEventTimeStillKeepsTheFirstBecauseItIsImmutable() throws IOException {
        CoalescingWindow w = window();
        w.add(ops.upsertAt("1", 5, "a", 1));
        w.add(ops.upsertAt("1", 9, "a", 2));

        assertThat(only(w, Endpoint.ADD).get("_event_time").asLong()).isEqualTo(5);
    }

    @Test
    void topLevelAddPatchAfterUpsertIsFoldedIntoTheUpsert() throws IOException {
        CoalescingWindow w = window();
        w.add(ops.upsertAt("1", 5, "a", 1, "b", "x"));
        w.add(ops.set("1", "b", "y"));
        w.add(ops.set("1", "c", null));

        JsonNode doc = only(w, Endpoint.ADD);
        assertThat(doc.toString()).isEqualTo("{\"_id\":\"1\",\"a\":1,\"b\":\"y\",\"_event_time\":5,\"c\":null}");
        assertThat(w.operations()).isEqualTo(3);
        assertThat(w.documents()).isEqualTo(1);
    }

    @Test
    void foldingKeepsExactDecimals() throws IOException {
        CoalescingWindow w = window();
        w.add(new Upsert("orders", "1", Ops.row("price", RequestItems.JSON.readTree("1.10")), -1, ops.origin()));
        w.add(ops.set("1", "qty", "2"));

        assertThat(only(w, Endpoint.ADD).toString()).isEqualTo("{\"_id\":\"1\",\"price\":1.10,\"qty\":\"2\"}");
    }

    @Test
    void patchAfterPatchConcatenatesTheOperations() throws IOException {
        CoalescingWindow w = window();
        w.add(ops.set("1", "a", 1));
        w.add(ops.patch("1", Ops.add("b", 2), Ops.add("a", 3)));

        assertThat(only(w, Endpoint.PATCH).toString()).isEqualTo("{\"_id\":\"1\",\"patch\":["
                + "{\"op\":\"add\",\"path\":\"/a\",\"value\":1},{\"op\":\"add\",\"path\":\"/b\",\"value\":2},"
                + "{\"op\":\"add\",\"path\":\"/a\",\"value\":3}]}");
    }

    @Test
    void patchesThatCanFailAreNotMergedBecauseAFailureWouldVoidBoth() {
        CoalescingWindow w = window();
        w.add(ops.set("1", "a", 1));
        assertThat(w.add(ops.patch("1", new PatchOperation("remove", "/c", null, null))))
                .isEqualTo(Admission.FLUSH_FIRST);

        CoalescingWindow next = window();
        next.add(ops.patch("1", new PatchOperation("replace", "/c", "x", null)));
        assertThat(next.add(ops.set("1", "a", 2))).isEqualTo(Admission.FLUSH_FIRST);
    }

    @Test
    void upsertAfterPatchReplacesThePatch() throws IOException {
        CoalescingWindow w = window();
        w.add(ops.set("1", "a", 1));
        w.add(ops.upsert("1", "b", 2));

        assertThat(only(w, Endpoint.ADD).toString()).isEqualTo("{\"_id\":\"1\",\"b\":2}");
    }

    @Test
    void patchAfterDeleteAsksToFlushFirstAndLeavesTheWindowUnchanged() throws IOException {
        CoalescingWindow w = window();
        w.add(ops.delete("1"));

        assertThat(w.add(ops.set("1", "a", 1))).isEqualTo(Admission.FLUSH_FIRST);
        assertThat(w.operations()).isEqualTo(1);
        assertThat(only(w, Endpoint.DELETE).toString()).isEqualTo("{\"_id\":\"1\"}");
    }

    @Test
    void nonAddPatchAfterUpsertAsksToFlushFirst() {
        CoalescingWindow w = window();
        w.add(ops.upsert("1", "a", 1));

        assertThat(w.add(ops.patch("1", new PatchOperation("remove", "/a", null, null))))
                .isEqualTo(Admission.FLUSH_FIRST);
        assertThat(w.add(ops.patch("1", new PatchOperation("add", "/a/0", "1", null))))
                .as("nested path").isEqualTo(Admission.FLUSH_FIRST);
        assertThat(w.add(ops.patch("1", PatchOperation.addField("_id", "2"))))
                .as("special field").isEqualTo(Admission.FLUSH_FIRST);
    }

    @Test
    void patchesWithTestOperationsAreNotMerged() {
        CoalescingWindow w = window();
        w.add(ops.patch("1", new PatchOperation("test", "/a", "1", null), Ops.add("b", 1)));

        assertThat(w.add(ops.set("1", "c", 1))).isEqualTo(Admission.FLUSH_FIRST);
    }

    @Test
    void sameIdInDifferentCollectionsIsNotCoalesced() {
        CoalescingWindow w = window();
        w.add(ops.upsert("1", "a", 1));
        w.add(new Ops("customers").delete("1"));

        assertThat(w.documents()).isEqualTo(2);
        assertThat(w.seal()).extracting(WriteRequest::collection).containsExactlyInAnyOrder("orders", "customers");
    }

    @Test
    void documentLargerThanTheRequestLimitIsRejectedAsBadRecord() {
        CoalescingWindow w = new CoalescingWindow(200, 10, 1);
        Upsert big = ops.upsert("1", "blob", "x".repeat(300));

        assertThat(w.add(big)).isEqualTo(Admission.REJECTED);
        assertThat(w.documents()).isZero();
        assertThat(w.rejected()).singleElement().satisfies(b -> {
            assertThat(b.origin()).isEqualTo(big.origin());
            assertThat(b.reason()).contains("exceeds the 200-byte request limit").contains("_id 1");
            assertThat(new String(b.raw())).startsWith("{\"_id\":\"1\",\"blob\":\"xxx");
        });
    }

    @Test
    void windowAsksToFlushWhenTheNextDocumentWouldOverflowItsRequests() {
        CoalescingWindow w = new CoalescingWindow(10_485_760, 3, 2);
        for (int i = 0; i < 6; i++) {
            assertThat(w.add(ops.upsert("id" + i, "a", i))).isEqualTo(Admission.ABSORBED);
        }
        assertThat(w.add(ops.upsert("id6", "a", 6))).isEqualTo(Admission.FLUSH_FIRST);
        assertThat(w.add(ops.upsert("id0", "a", 7))).as("replacing a document frees its place")
                .isEqualTo(Admission.ABSORBED);
        assertThat(w.add(ops.delete("x"))).as("another endpoint has its own budget").isEqualTo(Admission.ABSORBED);

        List<WriteRequest> requests = w.seal();
        assertThat(requests).extracting(r -> r.items().size()).containsExactlyInAnyOrder(3, 3, 1);
    }

    @Test
    void mergeThatWouldOverflowAsksToFlushAndKeepsTheEarlierOperation() throws IOException {
        CoalescingWindow w = new CoalescingWindow(120, 10, 1);
        w.add(ops.upsert("1", "a", "x".repeat(60)));

        assertThat(w.add(ops.set("1", "b", "y".repeat(60)))).isEqualTo(Admission.FLUSH_FIRST);
        assertThat(only(w, Endpoint.ADD).get("a").asText()).hasSize(60);
    }

    @Test
    void sealedWindowRefusesMoreOperations() {
        CoalescingWindow w = window();
        w.seal();

        assertThatThrownBy(() -> w.add(ops.delete("1"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("open a new one");
    }

    @Test
    void windowTakesItsLimitsFromTheSettings() {
        WriteApiSettings s = WriteApiSettings.defaults(URI.create("http://127.0.0.1:1"), "commons")
                .withLimits(1000, 2).withWindowRequestsPerEndpoint(1);
        CoalescingWindow w = new CoalescingWindow(s);
        w.add(ops.delete("1"));
        w.add(ops.delete("2"));

        assertThat(w.add(ops.delete("3"))).isEqualTo(Admission.FLUSH_FIRST);
    }
}
