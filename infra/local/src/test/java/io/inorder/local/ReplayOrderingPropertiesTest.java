package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.emulator.AppliedOp;
import io.inorder.emulator.RequestLog;
import io.inorder.local.workload.Change;
import io.inorder.local.workload.Workload;
import io.inorder.local.workload.WorkloadFile;
import io.inorder.local.workload.WorkloadSpec;
import io.inorder.observe.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Invariants 1, 2 and 5 of the architecture through the real S3 handler on the local stack: a generated workload's
 * files are uploaded and their S3 events delivered in a random permutation, some twice, with one Write API request
 * failing (500, 502 or a dropped connection). The client gives up after one attempt, so that invocation fails and is
 * retried as Lambda retries an asynchronous event. Whatever the arrival order, duplication and crash point, every
 * collection ends equal to the generator's oracle, each {@code _id} goes through its source states in source order
 * in the emulator's apply log (windows may skip intermediate states, never reorder them), and no request exceeds the
 * document limit.
 */
class ReplayOrderingPropertiesTest {

    private static final int MAX_DOCUMENTS = 4;
    private static final AtomicInteger RUN = new AtomicInteger();
    private static LocalStack stack;

    @BeforeContainer
    static void start() throws Exception {
        stack = LocalStack.start();
    }

    @AfterContainer
    static void stop() throws Exception {
        stack.close();
    }

    @Property(tries = 20)
    void anyArrivalOrderDuplicationAndCrashEndsInTheOracleStateWithPerIdSourceOrder(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 3) int tables,
            @ForAll @IntRange(min = 5, max = 40) int changes,
            @ForAll @IntRange(min = 1, max = 8) int recordsPerFile,
            @ForAll @IntRange(min = 0, max = 100) int duplicatePercent,
            @ForAll @IntRange(min = 0, max = 12) int crashAtRequest,
            @ForAll("crashes") String crash) throws IOException {
        stack.emulator().reset();
        String prefix = "cdc/run" + RUN.incrementAndGet() + "/";
        Workload workload = Workload.generate(WorkloadSpec.defaults().withSeed(seed).withTables(tables)
                .withChanges(changes).withRecordsPerFile(1, recordsPerFile).withKeyPrefix(prefix)
                .withOperationMix(0.3, 0.15, 0.05));
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        try (LocalS3Function function = LocalS3Function.deploy(stack, workload.tableConfigJson(),
                Map.of("RETRY_MAX_ATTEMPTS", "1", "MAX_REQUEST_DOCUMENTS", Integer.toString(MAX_DOCUMENTS)),
                new PrintStream(logs, true, StandardCharsets.UTF_8), Log.Level.WARN)) {
            List<LocalS3Function.Uploaded> events = new ArrayList<>();
            for (WorkloadFile f : workload.files()) {
                events.add(function.upload(LocalS3Function.LANDING_BUCKET, f.key(), workload.bytes(f)));
            }
            Random random = new Random(seed);
            Collections.shuffle(events, random);
            for (LocalS3Function.Uploaded u : List.copyOf(events)) {
                if (random.nextInt(100) < duplicatePercent) {
                    events.add(random.nextInt(events.size() + 1), u);
                }
            }
            stack.emulator().faults().script("200,".repeat(crashAtRequest) + crash);

            for (LocalS3Function.Uploaded e : events) {
                function.deliver(List.of(e));
            }
            function.awaitIdle(Duration.ofSeconds(60));

            String context = workload + " events=" + events.size() + " crash=" + crash + "@" + crashAtRequest;
            LocalS3Function.Summary summary = function.summary();
            assertThat(summary.clean()).as(context + " " + summary + "\n" + logs).isTrue();
            assertThat(summary.filesApplied()).as(context).isEqualTo(workload.files().size());
            assertThat(summary.quarantined()).as(context).isZero();
            Statistics.label("an invocation failed and was retried").collect(summary.lambdaRetries() > 0);

            Map<String, Map<String, ObjectNode>> actual = new TreeMap<>();
            for (String c : function.collections()) {
                actual.put(c, stack.emulator().documents(Workload.WORKSPACE, c));
            }
            assertThat(workload.differences(actual, 10)).as(context).isEmpty();

            Map<String, Map<String, List<ObjectNode>>> sourceStates = sourceStates(workload);
            for (String c : function.collections()) {
                Map<String, List<ObjectNode>> applied = appliedStates(stack.emulator().applyLog(Workload.WORKSPACE, c));
                for (Map.Entry<String, List<ObjectNode>> e : applied.entrySet()) {
                    List<ObjectNode> source = sourceStates.getOrDefault(c, Map.of()).getOrDefault(e.getKey(),
                            List.of());
                    assertThat(inSourceOrder(e.getValue(), source))
                            .as("%s: %s/%s applied states %s are not in the source order %s", context, c, e.getKey(),
                                    e.getValue(), source)
                            .isTrue();
                }
            }
            List<RequestLog.Entry> writes = stack.emulator().requests().entries(RequestLog.Entry::isWrite);
            assertThat(writes).as(context).allSatisfy(w -> {
                assertThat(w.documents()).isLessThanOrEqualTo(MAX_DOCUMENTS);
                assertThat(w.bodyBytes()).isLessThanOrEqualTo(10_485_760L);
            });
        }
        Statistics.label("an invocation failed and was retried")
                .coverage(c -> c.check(true).percentage(p -> p >= 20));
    }

    /** How the crashing request fails: a server error, or a connection closed without an answer (nothing applied). */
    @Provide
    Arbitrary<String> crashes() {
        return Arbitraries.of("500", "502", "drop");
    }

    /** Per collection and {@code _id}: the document after each source change, in source order ({@code null} = gone). */
    private static Map<String, Map<String, List<ObjectNode>>> sourceStates(Workload workload) {
        Map<String, String> collectionOf = new HashMap<>();
        JsonNode tables;
        try {
            tables = new com.fasterxml.jackson.databind.ObjectMapper().readTree(workload.tableConfigJson())
                    .get("tables");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        tables.fields().forEachRemaining(t -> collectionOf.put(t.getKey(), t.getValue().get("collection").asText()));
        Map<String, Map<String, ObjectNode>> current = new HashMap<>();
        Map<String, Map<String, List<ObjectNode>>> states = new HashMap<>();
        for (Change ch : workload.changes()) {
            String c = collectionOf.get(ch.table());
            Map<String, ObjectNode> rows = current.computeIfAbsent(c, k -> new HashMap<>());
            Map<String, List<ObjectNode>> byId = states.computeIfAbsent(c, k -> new HashMap<>());
            switch (ch.kind()) {
                case DELETE_KEY_ONLY, DELETE_FULL -> {
                    rows.remove(ch.id());
                    byId.computeIfAbsent(ch.id(), k -> new ArrayList<>()).add(null);
                }
                case UPDATE_PARTIAL -> {
                    ObjectNode doc = rows.get(ch.id()).deepCopy();
                    ch.values().forEach((k, v) -> doc.put(k, v));
                    rows.put(ch.id(), doc);
                    byId.computeIfAbsent(ch.id(), k -> new ArrayList<>()).add(doc);
                }
                default -> {
                    if (ch.kind() == Change.Kind.KEY_CHANGE) {
                        rows.remove(ch.previousId());
                        byId.computeIfAbsent(ch.previousId(), k -> new ArrayList<>()).add(null);
                    }
                    ObjectNode doc = JsonNodeFactory.instance.objectNode();
                    ch.values().forEach((k, v) -> doc.put(k, v));
                    rows.put(ch.id(), doc);
                    byId.computeIfAbsent(ch.id(), k -> new ArrayList<>()).add(doc);
                }
            }
        }
        return states;
    }

    /** Per {@code _id}: the document after each applied operation, in apply order ({@code null} = deleted). */
    private static Map<String, List<ObjectNode>> appliedStates(List<AppliedOp> log) {
        Map<String, ObjectNode> docs = new HashMap<>();
        Map<String, List<ObjectNode>> states = new HashMap<>();
        for (AppliedOp op : log) {
            ObjectNode after;
            switch (op.kind()) {
                case "add" -> {
                    after = ((ObjectNode) op.payload()).deepCopy();
                    after.remove(List.of("_id", "_event_time", "_meta"));
                }
                case "patch" -> {
                    after = docs.get(op.id()).deepCopy();
                    for (JsonNode p : op.payload()) {
                        String field = p.get("path").asText().substring(1).replace("~1", "/").replace("~0", "~");
                        if (p.get("op").asText().equals("remove")) {
                            after.remove(field);
                        } else {
                            after.set(field, p.get("value"));
                        }
                    }
                }
                default -> after = null;
            }
            if (after == null) {
                docs.remove(op.id());
            } else {
                docs.put(op.id(), after);
            }
            states.computeIfAbsent(op.id(), k -> new ArrayList<>()).add(after);
        }
        return states;
    }

    /**
     * Whether {@code applied} walks through {@code source} forwards: each applied state is a source state at or after
     * the previous one's place (at, because a window re-sent after a failed invocation repeats its states).
     */
    private static boolean inSourceOrder(List<ObjectNode> applied, List<ObjectNode> source) {
        int at = 0;
        for (ObjectNode state : applied) {
            int found = -1;
            for (int i = at; i < source.size(); i++) {
                if (java.util.Objects.equals(source.get(i), state)) {
                    found = i;
                    break;
                }
            }
            if (found < 0) {
                return false;
            }
            at = found;
        }
        return true;
    }
}
