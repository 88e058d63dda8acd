package io.inorder.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever the grouping of writes into requests and whenever the lagged apply catches up, a collection ends equal to
 * applying every accepted write in acceptance order, each id sees its writes in that order, and each request advances
 * exactly the partitions it touched by one.
 */
class CollectionOrderingTest {

    private static final ScheduledThreadPoolExecutor NEVER_DUE =
            (ScheduledThreadPoolExecutor) Executors.newScheduledThreadPool(1, runnable -> {
                Thread thread = new Thread(runnable, "never-due");
                thread.setDaemon(true);
                return thread;
            });

    static {
        NEVER_DUE.setRemoveOnCancelPolicy(true);
        NEVER_DUE.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    record Write(String kind, String id, int value) {
    }

    @Property(tries = 150)
    void appliedStateCatchesUpToInOrderApplicationOfEveryAcceptedWrite(
            @ForAll("requests") List<List<Write>> requests, @ForAll("applyPoints") List<Boolean> applyAfter) {
        CollectionState collection = new CollectionState("ws", "c", Instant.EPOCH, Instant.EPOCH, 4, Duration.ofHours(1),
                NEVER_DUE);
        Map<String, Integer> model = new TreeMap<>();
        Map<String, List<String>> acceptedKinds = new HashMap<>();
        long[] partitionOffsets = new long[4];

        for (int r = 0; r < requests.size(); r++) {
            List<Write> request = requests.get(r);
            List<CollectionState.Intent> intents = new ArrayList<>();
            boolean[] touched = new boolean[4];
            for (Write write : request) {
                intents.add(intent(write));
                touched[CollectionState.partitionOf(write.id(), 4)] = true;
                acceptedKinds.computeIfAbsent(write.id(), id -> new ArrayList<>()).add(write.kind());
                switch (write.kind()) {
                    case "add" -> model.put(write.id(), write.value());
                    case "patch" -> model.computeIfPresent(write.id(), (id, v) -> v + write.value());
                    default -> model.remove(write.id());
                }
            }
            CollectionState.WriteResult result = collection.accept(intents);

            assertThat(result.items()).extracting(CollectionState.ItemResult::status).doesNotContain("ERROR");
            Offsets expected = Offsets.none(4);
            for (int p = 0; p < 4; p++) {
                if (touched[p]) {
                    expected = expected.with(p, ++partitionOffsets[p]);
                }
            }
            assertThat(Offsets.parse(result.lastOffset(), 4)).isEqualTo(expected);
            if (applyAfter.get(r % applyAfter.size())) {
                collection.applyAll();
            }
        }
        collection.applyAll();

        Map<String, Integer> applied = new TreeMap<>();
        collection.documents().forEach((id, document) -> applied.put(id, document.get("v").intValue()));
        assertThat(applied).isEqualTo(model);
        Map<String, List<String>> appliedKinds = new HashMap<>();
        collection.applyLog().forEach(op -> appliedKinds.computeIfAbsent(op.id(), id -> new ArrayList<>()).add(op.kind()));
        assertThat(appliedKinds).isEqualTo(acceptedKinds);
        assertThat(collection.commit()).isEqualTo(Offsets.of(partitionOffsets[0], partitionOffsets[1],
                partitionOffsets[2], partitionOffsets[3]));
    }

    private static CollectionState.Intent intent(Write write) {
        switch (write.kind()) {
            case "add" -> {
                ObjectNode document = JsonNodeFactory.instance.objectNode().put("_id", write.id()).put("v", write.value());
                return new CollectionState.AddIntent(write.id(), document);
            }
            case "patch" -> {
                ArrayNode operations = JsonNodeFactory.instance.arrayNode();
                operations.addObject().put("op", "increment").put("path", "/v").put("value", write.value());
                return new CollectionState.PatchIntent(write.id(), operations);
            }
            default -> {
                return new CollectionState.DeleteIntent(write.id());
            }
        }
    }

    @Provide
    Arbitrary<List<List<Write>>> requests() {
        Arbitrary<Write> write = Combinators.combine(
                Arbitraries.of("add", "add", "patch", "delete"),
                Arbitraries.of("a", "b", "c", "d", "e", "f", "g", "h"),
                Arbitraries.integers().between(-5, 5)).as(Write::new);
        return write.list().ofMinSize(1).ofMaxSize(6).list().ofMinSize(1).ofMaxSize(25);
    }

    @Provide
    Arbitrary<List<Boolean>> applyPoints() {
        return Arbitraries.of(true, false).list().ofMinSize(1).ofMaxSize(10);
    }
}
