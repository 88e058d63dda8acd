package io.inorder.writeapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.inorder.writeapi.CoalescingWindow.Admission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Limits and packing of sealed windows, for random operation streams fed the way the batcher feeds them. */
class WindowPackingTest {

    /** A generated operation: kind 0 upsert, 1 patch, 2 delete; id from a small pool so coalescing happens. */
    record Gen(int kind, int id, int size) { }

    @Provide
    Arbitrary<List<Gen>> streams() {
        Arbitrary<Gen> gen = Combinators.combine(Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 40), Arbitraries.integers().between(0, 700)).as(Gen::new);
        return gen.list().ofMinSize(1).ofMaxSize(300);
    }

    private static WriteOp op(Ops ops, Gen g) {
        String id = "id-" + g.id();
        return switch (g.kind()) {
            case 0 -> ops.upsert(id, "payload", "p".repeat(g.size()), "n", g.size());
            case 1 -> ops.set(id, "f" + (g.size() % 5), "v".repeat(g.size() / 3));
            default -> ops.delete(id);
        };
    }

    /** Feeds the stream through windows as the batcher does; returns every sealed window's requests. */
    static List<List<WriteRequest>> feed(List<WriteOp> stream, int maxBytes, int maxDocs, int perEndpoint,
                                         List<io.inorder.arcion.BadRecord> rejected) {
        List<List<WriteRequest>> windows = new ArrayList<>();
        CoalescingWindow w = new CoalescingWindow(maxBytes, maxDocs, perEndpoint);
        for (WriteOp op : stream) {
            Admission a = w.add(op);
            if (a == Admission.FLUSH_FIRST) {
                rejected.addAll(w.rejected());
                windows.add(w.seal());
                w = new CoalescingWindow(maxBytes, maxDocs, perEndpoint);
                a = w.add(op);
                assertThat(a).as("an empty window takes any operation that fits a request")
                        .isNotEqualTo(Admission.FLUSH_FIRST);
            }
        }
        rejected.addAll(w.rejected());
        windows.add(w.seal());
        return windows;
    }

    @Property(tries = 300)
    void noRequestEverExceedsEitherLimit(@ForAll("streams") List<Gen> stream,
                                         @ForAll @IntRange(min = 300, max = 3000) int maxBytes,
                                         @ForAll @IntRange(min = 1, max = 8) int maxDocs,
                                         @ForAll @IntRange(min = 1, max = 3) int perEndpoint) {
        Ops ops = new Ops("c");
        List<WriteOp> writes = stream.stream().map(g -> op(ops, g)).toList();
        List<io.inorder.arcion.BadRecord> rejected = new ArrayList<>();

        List<List<WriteRequest>> windows = feed(writes, maxBytes, maxDocs, perEndpoint, rejected);

        int sent = 0;
        for (List<WriteRequest> requests : windows) {
            Set<String> ids = new HashSet<>();
            for (WriteRequest r : requests) {
                assertThat(r.bodyBytes()).isLessThanOrEqualTo(maxBytes);
                assertThat(r.items().size()).isLessThanOrEqualTo(maxDocs);
                long framed = 0;
                for (byte[] part : r.bodyParts()) {
                    framed += part.length;
                }
                assertThat(framed).isEqualTo(r.bodyBytes());
                for (WriteRequest.Item item : r.items()) {
                    assertThat(ids.add(item.id())).as("window is key-disjoint").isTrue();
                }
                sent += r.items().size();
            }
            assertThat(requests.stream().filter(r -> r.endpoint() == Endpoint.ADD).count())
                    .isLessThanOrEqualTo(perEndpoint);
        }
        assertThat(sent + rejected.size()).isLessThanOrEqualTo(writes.size());
        for (io.inorder.arcion.BadRecord b : rejected) {
            assertThat(b.raw().length + RequestItems.BODY_OVERHEAD).isGreaterThan(maxBytes);
        }
    }

    @Property(tries = 40)
    void singleEndpointWorkloadsComeOutNearlyFull(@ForAll @IntRange(min = 50, max = 4000) int docBytes,
                                                  @ForAll @IntRange(min = 1, max = 4) int perEndpoint) {
        // Scaled-down limits (64 KiB, 200 documents) keep the test fast; the packing arithmetic is the same.
        int maxBytes = 65_536;
        int maxDocs = 200;
        Ops ops = new Ops("c");
        List<WriteOp> writes = new ArrayList<>();
        java.util.Random random = new java.util.Random(docBytes);
        for (int i = 0; i < 3000; i++) {
            writes.add(ops.upsert("id-" + i, "payload", "p".repeat(docBytes / 2 + random.nextInt(docBytes))));
        }

        List<List<WriteRequest>> windows = feed(writes, maxBytes, maxDocs, perEndpoint, new ArrayList<>());

        long bytes = 0;
        long docs = 0;
        int requests = 0;
        for (List<WriteRequest> w : windows) {
            for (WriteRequest r : w) {
                bytes += r.bodyBytes();
                docs += r.items().size();
                requests++;
            }
        }
        long bound = Math.max((bytes + maxBytes - 1) / maxBytes, (docs + maxDocs - 1) / maxDocs);
        assertThat(docs).isEqualTo(3000);
        assertThat((double) requests).as("requests %d vs lower bound %d", requests, bound)
                .isLessThanOrEqualTo(Math.max(bound + 1, 1.05 * bound + (perEndpoint > 1 ? 1 : 0)));
    }
}
