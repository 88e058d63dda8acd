package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.emulator.AppliedOp;
import io.inorder.ledger.SnapshotGate;
import io.inorder.msk.KafkaBatchResponse;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.KafkaIngest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Split topics (Arcion's default {@code split-topic: true}, Kafka.md): a table's snapshot rows on {@code shop_orders}
 * (two partitions, as Replicant shards snapshot topics) and its changes on {@code shop_orders_cdc_logs}, NATIVE with
 * Arcion's default image formats (updates carry the key and the changed columns only, deletes the key), delivered to
 * the real MSK function on the local stack one topic-partition batch at a time, the two topics' batches interleaved in
 * every order, with redeliveries, the way two event source mappings deliver them. An operator declares the snapshot
 * complete once the snapshot topic was applied. Whatever the interleaving, the collection ends equal to the in-order
 * model (the whole snapshot, then every change in order) and no snapshot row ever reaches the Write API after a change
 * of its document.
 */
class SplitTopicOrderingPropertiesTest {

    private static final String SNAPSHOT = "shop_orders";
    private static final String CHANGES = "shop_orders_cdc_logs";
    private static final String TABLE_CONFIG = """
            {"workspace": "commons",
             "tables": {"shop.orders": {"collection": "orders", "primaryKey": ["id"]}}}""";
    private static final String[] STATUSES = {"NEW", "PAID", "SHIPPED", "CLOSED"};

    private static LocalStack stack;

    /** The shared local stack; the class runs under both jqwik and JUnit, so it is fetched on first use. */
    private static synchronized LocalStack stack() {
        if (stack == null) {
            try {
                stack = TestStack.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return stack;
    }

    /** One trial's source: the snapshot (two partitions) and the changes after it, with the in-order model. */
    static final class Source {
        final List<List<String>> snapshot = List.of(new ArrayList<>(), new ArrayList<>());
        final List<String> changes = new ArrayList<>();
        final Map<String, Map<String, String>> expected = new TreeMap<>();

        Source(Random r, int rows, int changeCount) {
            Map<String, Map<String, String>> live = new TreeMap<>();
            Set<String> deleted = new LinkedHashSet<>();
            for (int i = 1; i <= rows; i++) {
                Map<String, String> row = row(Integer.toString(i), STATUSES[r.nextInt(4)], (i * 3) + ".00", "0");
                live.put(row.get("id"), row);
                snapshot.get(r.nextInt(2)).add(json(row));
            }
            for (int k = 1; k <= changeCount; k++) {
                String rev = Integer.toString(k);
                double p = r.nextDouble();
                if (live.isEmpty() || p < 0.2) {
                    Map<String, String> row = row(Integer.toString(rows + k), STATUSES[r.nextInt(4)], k + ".50", rev);
                    live.put(row.get("id"), row);
                    changes.add(envelope("I", null, row, k));
                } else if (p < 0.35) {
                    String id = pick(r, live.keySet());
                    live.remove(id);
                    deleted.add(id);
                    changes.add(envelope("D", Map.of("id", id), null, k));
                } else if (p < 0.45 && !deleted.isEmpty()) {
                    String id = pick(r, deleted);
                    deleted.remove(id);
                    Map<String, String> row = row(id, "BACK", k + ".25", rev);
                    live.put(id, row);
                    changes.add(envelope("I", null, row, k));
                } else {
                    // Arcion's defaults: before-image-format KEY, after-image-format UPDATED.
                    String id = pick(r, live.keySet());
                    Map<String, String> after = new LinkedHashMap<>();
                    after.put("status", STATUSES[r.nextInt(4)]);
                    after.put("rev", rev);
                    live.get(id).putAll(after);
                    changes.add(envelope("U", Map.of("id", id), after, k));
                }
            }
            live.forEach((id, row) -> expected.put(id, new LinkedHashMap<>(row)));
        }

        private static String pick(Random r, Set<String> ids) {
            List<String> list = new ArrayList<>(ids);
            return list.get(r.nextInt(list.size()));
        }

        private static Map<String, String> row(String id, String status, String total, String rev) {
            Map<String, String> row = new LinkedHashMap<>();
            row.put("id", id);
            row.put("status", status);
            row.put("total", total);
            row.put("rev", rev);
            return row;
        }

        private static String json(Map<String, String> m) {
            StringBuilder b = new StringBuilder("{");
            m.forEach((k, v) -> b.append(b.length() == 1 ? "" : ",").append('"').append(k).append("\":\"").append(v)
                    .append('"'));
            return b.append('}').toString();
        }

        /** A NATIVE realtime envelope (native-format.md) of {@code shop.orders}. */
        private static String envelope(String op, Map<String, String> before, Map<String, String> after, int k) {
            return "{\"tableName\":{\"namespace\":{\"catalog\":\"shop\",\"schema\":null,\"hash\":11},\"name\":"
                    + "\"orders\",\"hash\":22},\"opType\":\"" + op + "\",\"cursor\":{\"extractorId\":0,\"timestamp\":"
                    + (1_767_225_600_000L + 1000L * k) + ",\"extractionTimestamp\":" + (1_767_225_600_300L + 1000L * k)
                    + ",\"log\":\"binlog.000042\",\"position\":" + (4000 + 100 * k) + ",\"logSeqNum\":" + k
                    + ",\"slaveServerId\":1,\"v\":2},\"before\":" + (before == null ? "null" : json(before))
                    + ",\"after\":" + (after == null ? "null" : json(after)) + "}";
        }

        List<String> partition(String topic, int p) {
            return topic.equals(SNAPSHOT) ? snapshot.get(p) : changes;
        }
    }

    /** The event source side: a position per topic-partition that moves only past what the function accepted. */
    static final class Delivery implements AutoCloseable {
        final Source source;
        final LocalMskFunction function;
        final Map<String, Integer> position = new HashMap<>();
        int held;

        Delivery(Source source) {
            this.source = source;
            String run = UUID.randomUUID().toString().substring(0, 8);
            PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            this.function = new LocalMskFunction(stack(), TABLE_CONFIG, Map.of(IngestConfig.STATE_TABLE.name(),
                    "split-" + run, IngestConfig.QUARANTINE_BUCKET.name(), "split-q-" + run,
                    IngestConfig.REPORT_BATCH_ITEM_FAILURES.name(), "true"), KafkaIngest.DEFAULT_PARALLELISM, quiet,
                    quiet);
        }

        int at(String topic, int p) {
            return position.getOrDefault(topic + "-" + p, 0);
        }

        boolean done(String topic, int p) {
            return at(topic, p) >= source.partition(topic, p).size();
        }

        boolean snapshotDelivered() {
            return done(SNAPSHOT, 0) && done(SNAPSHOT, 1);
        }

        /** Delivers {@code size} records of a partition from {@code from} (a redelivery when below its position). */
        void deliver(String topic, int p, int from, int size) {
            List<String> values = source.partition(topic, p);
            int to = Math.min(values.size(), from + size);
            if (from >= to) {
                return;
            }
            KafkaBatchResponse response = function.invoke(new KafkaBatch()
                    .addAll(topic, p, from, values.subList(from, to)).build());
            int reached = to;
            for (KafkaBatchResponse.ItemFailure f : response.getBatchItemFailures()) {
                reached = (int) (long) f.getItemIdentifier().getOffset();
                held++;
            }
            position.put(topic + "-" + p, Math.max(at(topic, p), reached));
        }

        void next(String topic, int p, int size) {
            deliver(topic, p, at(topic, p), size);
        }

        SnapshotGate.Completion complete() {
            return function.completeSnapshot("shop.orders");
        }

        void drain() {
            for (int guard = 0; !done(CHANGES, 0); guard++) {
                assertThat(guard).as("the change topic makes no progress").isLessThan(1000);
                next(CHANGES, 0, 3);
            }
        }

        @Override
        public void close() {
            function.close();
        }
    }

    @Property(tries = 25)
    void everyInterleavingOfBothTopicsBatchesWithRedeliveriesEndsInTheInOrderModel(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 8) int rows,
            @ForAll @IntRange(min = 1, max = 14) int changes) {
        Random r = new Random(seed);
        Source source = new Source(r, rows, changes);
        stack().emulator().reset();
        try (Delivery d = new Delivery(source)) {
            boolean complete = false;
            for (int step = 0; step < 500; step++) {
                List<String[]> open = new ArrayList<>();
                for (int p = 0; p < 2; p++) {
                    if (!d.done(SNAPSHOT, p)) {
                        open.add(new String[] {SNAPSHOT, Integer.toString(p)});
                    }
                }
                if (!d.done(CHANGES, 0)) {
                    open.add(new String[] {CHANGES, "0"});
                }
                if (open.isEmpty()) {
                    break;
                }
                if (!complete && d.snapshotDelivered() && r.nextInt(3) == 0) {
                    assertThat(d.complete()).isInstanceOf(SnapshotGate.Completed.class);
                    complete = true;
                    continue;
                }
                String[] pick = open.get(r.nextInt(open.size()));
                int p = Integer.parseInt(pick[1]);
                int size = 1 + r.nextInt(4);
                if (d.at(pick[0], p) > 0 && r.nextInt(5) == 0) {
                    d.deliver(pick[0], p, r.nextInt(d.at(pick[0], p) + 1), size + 2);
                } else {
                    d.next(pick[0], p, size);
                }
            }
            if (!complete) {
                assertThat(d.snapshotDelivered()).isTrue();
                assertThat(d.complete()).isInstanceOf(SnapshotGate.Completed.class);
            }
            d.drain();
            // A full redelivery of everything changes nothing.
            for (int p = 0; p < 2; p++) {
                d.deliver(SNAPSHOT, p, 0, source.snapshot.get(p).size());
            }
            d.deliver(CHANGES, 0, 0, source.changes.size());
            check(d, source, true);
        }
    }

    /**
     * Every order of two snapshot batches (one per partition), two change batches, and the operator's completion after
     * the snapshot: the change batches offered before completion are held and offered again.
     */
    @Test
    void everyOrderOfTwoSnapshotBatchesTwoChangeBatchesAndTheCompletion() {
        Source source = new Source(new Random(7), 6, 8);
        List<List<String>> orders = new ArrayList<>();
        permutations(new ArrayList<>(List.of("S0", "S1", "C", "C", "X")), new ArrayList<>(), orders);
        orders.removeIf(o -> o.indexOf("X") < Math.max(o.indexOf("S0"), o.indexOf("S1")));
        assertThat(orders).hasSize(20);
        int changeBatch = (source.changes.size() + 1) / 2;
        for (List<String> order : orders) {
            stack().emulator().reset();
            try (Delivery d = new Delivery(source)) {
                for (String step : order) {
                    switch (step) {
                        case "S0" -> d.next(SNAPSHOT, 0, 100);
                        case "S1" -> d.next(SNAPSHOT, 1, 100);
                        case "C" -> d.next(CHANGES, 0, changeBatch);
                        default -> assertThat(d.complete()).as(order.toString())
                                .isInstanceOf(SnapshotGate.Completed.class);
                    }
                }
                int heldBeforeCompletion = (int) order.subList(0, order.indexOf("X")).stream()
                        .filter("C"::equals).count();
                assertThat(d.held).as("%s: change batches offered before completion are held", order)
                        .isEqualTo(heldBeforeCompletion);
                d.drain();
                check(d, source, true);
            }
        }
    }

    @Test
    void anOperatorWhoCompletesTooEarlyLosesSnapshotRowsToTheQuarantineNeverToAnOverwrite() throws Exception {
        Source source = new Source(new Random(11), 8, 10);
        stack().emulator().reset();
        try (Delivery d = new Delivery(source)) {
            d.next(SNAPSHOT, 0, 100);
            assertThat(d.complete()).isInstanceOf(SnapshotGate.Completed.class);
            d.drain();
            d.next(SNAPSHOT, 1, 100);

            check(d, source, false);
            List<ObjectNode> quarantined = d.function.quarantined();
            assertThat(quarantined).hasSize(source.snapshot.get(1).size())
                    .allSatisfy(q -> assertThat(q.path("reason").asText())
                            .contains("arrived after the table's snapshot was declared complete"));
        }
    }

    /**
     * The invariants: no snapshot row (rev 0) reaches the Write API after a change (rev above 0, or a delete) of its
     * document; and, when the snapshot was complete before completion was declared, the collection equals the model.
     */
    private static void check(Delivery d, Source source, boolean complete) {
        d.function.awaitApplied();
        Map<String, Boolean> changed = new HashMap<>();
        for (AppliedOp op : stack().emulator().applyLog("commons", "orders")) {
            String rev = rev(op);
            if (!"0".equals(rev)) {
                changed.put(op.id(), true);
            } else {
                assertThat(changed.getOrDefault(op.id(), false))
                        .as("snapshot row of %s applied after a change of it: %s", op.id(), op).isFalse();
            }
        }
        if (complete) {
            Map<String, Map<String, String>> actual = new TreeMap<>();
            stack().emulator().documents("commons", "orders").forEach((id, doc) -> actual.put(id, fields(doc)));
            assertThat(actual).isEqualTo(source.expected);
        }
    }

    /** The revision an applied operation writes: a document's or a patch's {@code rev}; a delete is a change. */
    private static String rev(AppliedOp op) {
        JsonNode p = op.payload();
        if (op.kind().equals("add")) {
            return p.path("rev").asText();
        }
        if (op.kind().equals("patch")) {
            for (JsonNode o : p) {
                if (o.path("path").asText().equals("/rev")) {
                    return o.path("value").asText();
                }
            }
            return "?";
        }
        return "delete";
    }

    private static Map<String, String> fields(ObjectNode doc) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getKey().startsWith("_")) {
                out.put(f.getKey(), f.getValue().asText());
            }
        }
        return out;
    }

    private static void permutations(List<String> rest, List<String> prefix, List<List<String>> out) {
        if (rest.isEmpty()) {
            if (!out.contains(prefix)) {
                out.add(List.copyOf(prefix));
            }
            return;
        }
        for (int i = 0; i < rest.size(); i++) {
            List<String> r = new ArrayList<>(rest);
            String next = r.remove(i);
            List<String> p = new ArrayList<>(prefix);
            p.add(next);
            permutations(r, p, out);
        }
    }
}
