package io.inorder.writeapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.arcion.Origin;
import io.inorder.emulator.AppliedOp;
import io.inorder.emulator.Emulator;
import io.inorder.emulator.EmulatorSettings;
import io.inorder.emulator.RequestLog;
import io.inorder.writeapi.CoalescingWindow.Admission;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The batcher's central promise, checked on the emulator over real HTTP: for random operation sequences over a few
 * ids, sending coalesced windows gives, after every window, the same documents as sending the same operations one by
 * one; the per-id order of applied writes is preserved; no record is rejected that one-by-one would accept; and no
 * request exceeds either limit (small limits, 2 KiB and 5 documents, so splitting happens all the time).
 */
class CoalescingEquivalenceTest {

    private static final String WS = "props";
    private static final int MAX_BYTES = 2048;
    private static final int MAX_DOCS = 5;
    private static final AtomicInteger TRY = new AtomicInteger();
    private static final Map<Integer, WriteApiClient> CLIENTS = new java.util.concurrent.ConcurrentHashMap<>();
    private static Emulator emulator;

    @BeforeContainer
    static void start() throws IOException {
        emulator = Emulator.start(EmulatorSettings.defaults().withMaxDocuments(MAX_DOCS).withMaxBodyBytes(MAX_BYTES));
    }

    @AfterContainer
    static void stop() {
        CLIENTS.clear();
        emulator.close();
    }

    /**
     * A generated operation. kind: 0-2 upsert (payload {@code size} bytes, {@code flag} = with _event_time), 3-5
     * top-level add patch (field {@code field}), 6 remove patch (may fail), 7 replace patch (may fail), 8-9 delete.
     */
    record Gen(int kind, int id, int field, int size, boolean flag) { }

    @Provide
    Arbitrary<List<Gen>> sequences() {
        Arbitrary<Gen> gen = Combinators.combine(Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 500), Arbitraries.of(true, false)).as(Gen::new);
        return gen.list().ofMinSize(1).ofMaxSize(40);
    }

    private static WriteOp op(Gen g, String collection, Origin origin) {
        String id = "doc-" + g.id();
        String field = "f" + g.field();
        Object value = g.size() % 3 == 0 ? null : g.size() % 3 == 1 ? "v" + g.size()
                : com.fasterxml.jackson.databind.node.IntNode.valueOf(g.size());
        return switch (g.kind()) {
            case 0, 1, 2 -> new Upsert(collection, id, Ops.row("payload", "p".repeat(g.size()), field, value),
                    g.flag() ? 1_000_000L + g.size() : -1, origin);
            case 3, 4, 5 -> new Patch(collection, id, List.of(PatchOperation.addField(field, value)), origin);
            case 6 -> new Patch(collection, id, List.of(new PatchOperation("remove", "/" + field, null, null)),
                    origin);
            case 7 -> new Patch(collection, id, List.of(new PatchOperation("replace", "/" + field, value, null)),
                    origin);
            default -> new Delete(collection, id, origin);
        };
    }

    @Property(tries = 40)
    void coalescedWindowsLandLikeTheOperationsOneByOne(@ForAll("sequences") List<Gen> sequence,
                                                       @ForAll("perEndpoint") int perEndpoint) {
        int n = TRY.incrementAndGet();
        String serial = "serial" + n;
        String coalesced = "coalesced" + n;
        emulator.createCollection(WS, serial);
        emulator.createCollection(WS, coalesced);
        WriteApiClient client = CLIENTS.computeIfAbsent(perEndpoint, k -> {
            WriteApiSettings settings = WriteApiSettings.defaults(emulator.baseUrl(), WS)
                    .withLimits(MAX_BYTES, MAX_DOCS).withWindowRequestsPerEndpoint(k);
            ManualTime time = new ManualTime();
            return new WriteApiClient(settings, ApiKeySource.fixed(emulator.apiKey()), time, time, new Random(k));
        });

        List<WriteOp> serialOps = new ArrayList<>();
        List<WriteOp> coalescedOps = new ArrayList<>();
        for (int i = 0; i < sequence.size(); i++) {
            Origin origin = Origin.fileRecord("s3://b/k_" + n, i, -1);
            serialOps.add(op(sequence.get(i), serial, origin));
            coalescedOps.add(op(sequence.get(i), coalesced, origin));
        }

        Set<Origin> serialBad = new HashSet<>();
        Set<Origin> coalescedBad = new HashSet<>();
        CoalescingWindow window = client.newWindow();
        int windowStart = 0;
        for (int i = 0; i <= coalescedOps.size(); i++) {
            Admission admission = i < coalescedOps.size() ? window.add(coalescedOps.get(i)) : Admission.FLUSH_FIRST;
            if (admission != Admission.FLUSH_FIRST) {
                continue;
            }
            // Close the window: the same source operations one by one on the serial collection, then the window.
            for (int j = windowStart; j < i; j++) {
                CoalescingWindow single = client.newWindow();
                single.add(serialOps.get(j));
                client.send(single, Deadline.none()).badRecords().forEach(b -> serialBad.add(b.origin()));
            }
            client.send(window, Deadline.none()).badRecords().forEach(b -> coalescedBad.add(b.origin()));
            assertThat(strip(emulator.documents(WS, coalesced)))
                    .as("documents after source operation %d", i - 1)
                    .isEqualTo(strip(emulator.documents(WS, serial)));
            if (i < coalescedOps.size()) {
                window = client.newWindow();
                windowStart = i;
                assertThat(window.add(coalescedOps.get(i))).isEqualTo(Admission.ABSORBED);
            }
        }

        // Never a rejection that one-by-one would not have had. Fewer is allowed: a failing patch superseded by a
        // later upsert or delete in the same window is never sent, and the documents come out the same (checked).
        assertThat(serialBad).containsAll(coalescedBad);
        Map<String, List<String>> serialKinds = kindsById(emulator.applyLog(WS, serial));
        Map<String, List<String>> coalescedKinds = kindsById(emulator.applyLog(WS, coalesced));
        coalescedKinds.forEach((id, kinds) -> assertThat(isSubsequence(kinds, serialKinds.getOrDefault(id, List.of())))
                .as("per-id order for %s: coalesced %s within serial %s", id, kinds, serialKinds.get(id)).isTrue());
        for (RequestLog.Entry e : emulator.requests().entries(e -> e.isWrite() && e.path().contains("/"
                + coalesced + "/"))) {
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.bodyBytes()).isLessThanOrEqualTo(MAX_BYTES);
            assertThat(e.documents()).isLessThanOrEqualTo(MAX_DOCS);
        }
    }

    @Provide
    Arbitrary<Integer> perEndpoint() {
        return Arbitraries.integers().between(1, 3);
    }

    /** Documents keyed by id, without the collection-specific parts (there are none but _id, which is the key). */
    private static Map<String, String> strip(Map<String, ObjectNode> docs) {
        return docs.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> canonical(e.getValue())));
    }

    /** Field order differs when a patch is folded into an upsert; compare as sorted JSON. */
    private static String canonical(ObjectNode doc) {
        Map<String, Object> fields = RequestItems.JSON.convertValue(doc,
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
        return new java.util.TreeMap<>(fields).toString();
    }

    private static Map<String, List<String>> kindsById(List<AppliedOp> log) {
        Map<String, List<String>> m = new java.util.HashMap<>();
        for (AppliedOp op : log) {
            m.computeIfAbsent(op.id(), k -> new ArrayList<>()).add(op.kind());
        }
        return m;
    }

    private static boolean isSubsequence(List<String> small, List<String> big) {
        int j = 0;
        for (String s : small) {
            while (j < big.size() && !big.get(j).equals(s)) {
                j++;
            }
            if (j == big.size()) {
                return false;
            }
            j++;
        }
        return true;
    }

}
