package io.inorder.local;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.local.workload.Workload;
import io.inorder.local.workload.WorkloadFile;
import io.inorder.local.workload.WorkloadSpec;
import io.inorder.msk.KafkaBatchResponse;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.KafkaIngest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.TreeMap;

/**
 * The demo's MSK batch path: a second seeded Arcion workload in Arcion's Kafka NATIVE format (flat snapshot rows,
 * realtime envelopes without an {@code exists} map; some tables with whole-row images, the others with Replicant's
 * default KEY/UPDATED images, which the table config declares), published the way Replicant's default
 * {@code split-topic: true} does: a table's snapshot rows on {@code <db>_<table>} (two partitions) and its changes on
 * {@code <db>_<table>_cdc_logs}. One table is published with {@code split-topic: false} instead: snapshot and changes
 * on one topic, in order. Each topic is delivered by an event source mapping of its own, in batches of its partitions,
 * interleaved with the other topics' batches, with redeliveries of batches already applied (at-least-once) and
 * retries of failed ones. A change topic is held until its table's snapshot is complete; the demo plays the operator
 * and declares a table's snapshot complete ({@code inorder snapshot complete}) once its snapshot topic was delivered.
 * Its tables land in collections of their own ({@value #COLLECTION_PREFIX}{@code <collection>}) under a state table of
 * their own, so the S3 and MSK paths never share a document or a cursor.
 */
final class MskDemo {

    static final String COLLECTION_PREFIX = "msk_";
    static final String STATE_TABLE = "inorder-msk-state";
    private static final double REDELIVERY = 0.25;
    private static final int MIN_BATCH = 10;
    private static final int MAX_BATCH = 80;
    private static final int SNAPSHOT_PARTITIONS = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PojoSerializer<KafkaEvent> SERIALIZER =
            LambdaEventSerializers.serializerFor(KafkaEvent.class, MskDemo.class.getClassLoader());

    /**
     * What the MSK path delivered.
     *
     * @param held               change-topic deliveries held because their table's snapshot was not complete yet
     * @param snapshotsCompleted tables whose snapshot the demo declared complete, as an operator would
     */
    record Result(int topics, long records, long batches, long redeliveries, long itemFailures,
                  long failedInvocations, long held, int snapshotsCompleted) { }

    /** One topic: its table, whether it carries that table's split snapshot, and its partitions' values in order. */
    private record Topic(String table, boolean snapshot, List<List<String>> partitions) {
        int size() {
            return partitions.stream().mapToInt(List::size).sum();
        }
    }

    private final Workload workload;
    private final Map<String, Topic> topics = new LinkedHashMap<>();
    /** The table published with split-topic false (snapshot and changes on one topic), or null. */
    private final String combined;

    private MskDemo(Workload workload) throws IOException {
        this.workload = workload;
        List<String> tables = new ArrayList<>();
        workload.streams().values().forEach(files -> tables.add(files.get(0).table()));
        this.combined = tables.size() >= 3 ? tables.get(2) : null;
        for (Map.Entry<String, List<WorkloadFile>> stream : workload.streams().entrySet()) {
            String table = stream.getValue().get(0).table();
            boolean split = !table.equals(combined);
            for (WorkloadFile f : stream.getValue()) {
                boolean toSnapshotTopic = f.snapshot() && split;
                String name = split && !f.snapshot() ? changeTopic(table) : snapshotTopic(table);
                Topic topic = topics.computeIfAbsent(name, n -> new Topic(table, toSnapshotTopic,
                        partitions(toSnapshotTopic ? SNAPSHOT_PARTITIONS : 1)));
                try (JsonParser parser = JSON.createParser(workload.bytes(f));
                     MappingIterator<JsonNode> records = JSON.readValues(parser, JsonNode.class)) {
                    int i = 0;
                    while (records.hasNext()) {
                        // Snapshot rows spread over the partitions as Replicant shards a snapshot topic.
                        topic.partitions().get(i++ % topic.partitions().size())
                                .add(JSON.writeValueAsString(records.next()));
                    }
                }
            }
        }
    }

    private static List<List<String>> partitions(int n) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ArrayList<>());
        }
        return out;
    }

    /**
     * The MSK workload for {@code base}: a different seed, fewer changes, NATIVE envelopes and flat snapshot rows
     * (every realtime file NATIVE, every snapshot file flat rows).
     */
    static MskDemo of(WorkloadSpec base) throws IOException {
        WorkloadSpec spec = base.withSeed(base.seed() + 1).withChanges(Math.max(1, base.changes() / 4))
                .withFormatMix(0, 0, 0).withFlatSnapshotShare(1).withNativeShare(1);
        return new MskDemo(Workload.generate(spec));
    }

    int topicCount() {
        return topics.size();
    }

    long recordCount() {
        return topics.values().stream().mapToLong(Topic::size).sum();
    }

    /** Arcion's default snapshot topic of a table: {@code <db>_<table>}. */
    static String snapshotTopic(String table) {
        return table.replace('.', '_');
    }

    /** Arcion's default realtime topic of a table: {@code <db>_<table>_cdc_logs}. */
    static String changeTopic(String table) {
        return table.replace('.', '_') + "_cdc_logs";
    }

    /**
     * The table config of the MSK function: the workload's tables into {@value #COLLECTION_PREFIX} collections, the
     * one published on a single topic with {@code "splitTopic": false}.
     */
    String tableConfigJson() throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(workload.tableConfigJson());
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("tables").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            ObjectNode t = (ObjectNode) e.getValue();
            t.put("collection", COLLECTION_PREFIX + t.path("collection").asText());
            t.remove("prefixes");
            if (e.getKey().equals(combined)) {
                t.put("splitTopic", false);
            }
        }
        return JSON.writeValueAsString(root);
    }

    /** Deploys the MSK function on {@code stack} and delivers every topic to its end; compare with {@link #actual}. */
    Result run(LocalStack stack, Map<String, String> overrides, Random random, PrintStream logs,
            PrintStream metrics) throws IOException {
        Map<String, String> env = new HashMap<>(overrides);
        env.put(IngestConfig.STATE_TABLE.name(), STATE_TABLE);
        long batches = 0;
        long redeliveries = 0;
        long itemFailures = 0;
        long failedInvocations = 0;
        long held = 0;
        Set<String> completed = new TreeSet<>();
        try (LocalMskFunction function = new LocalMskFunction(stack, tableConfigJson(), env,
                KafkaIngest.DEFAULT_PARALLELISM, logs, metrics)) {
            // The event source's position in each topic-partition ("topic-p"): it moves only past accepted records.
            Map<String, Integer> next = new TreeMap<>();
            topics.forEach((name, t) -> {
                for (int p = 0; p < t.partitions().size(); p++) {
                    next.put(name + "-" + p, 0);
                }
            });
            int rounds = 0;
            while (true) {
                // The operator: a table whose snapshot topic was delivered to its end is declared complete.
                for (Topic t : topics.values()) {
                    if (t.snapshot() && !completed.contains(t.table()) && delivered(t, snapshotTopic(t.table()), next)) {
                        function.completeSnapshot(t.table());
                        completed.add(t.table());
                    }
                }
                List<String> open = new ArrayList<>();
                topics.forEach((name, t) -> {
                    if (!delivered(t, name, next)) {
                        open.add(name);
                    }
                });
                if (open.isEmpty()) {
                    break;
                }
                if (++rounds > 100_000) {
                    throw new IllegalStateException("the MSK path makes no progress: positions " + next);
                }
                // One event source mapping per topic: a batch holds some of one topic's partitions.
                String name = open.get(random.nextInt(open.size()));
                Topic topic = topics.get(name);
                Map<String, int[]> ranges = new LinkedHashMap<>();
                boolean redelivery = false;
                for (int p = 0; p < topic.partitions().size(); p++) {
                    String key = name + "-" + p;
                    int size = topic.partitions().get(p).size();
                    int from = next.get(key);
                    if (from > 0 && random.nextDouble() < REDELIVERY) {
                        from = Math.max(0, from - 1 - random.nextInt(MAX_BATCH));
                        redelivery = true;
                    }
                    if (from < size) {
                        int to = Math.min(size, from + MIN_BATCH + random.nextInt(MAX_BATCH - MIN_BATCH + 1));
                        ranges.put(key, new int[] {from, to});
                    }
                }
                if (ranges.isEmpty()) {
                    continue;
                }
                KafkaBatchResponse response;
                try {
                    response = function.invoke(SERIALIZER.fromJson(event(name, ranges)));
                } catch (RuntimeException failed) {
                    // The event source mapping retries a batch whose invocation failed, from the same offsets.
                    batches++;
                    failedInvocations++;
                    if (String.valueOf(failed.getMessage()).contains("held: the snapshot")) {
                        held++;
                    }
                    continue;
                }
                batches++;
                redeliveries += redelivery ? 1 : 0;
                Map<String, Long> failed = new HashMap<>();
                for (KafkaBatchResponse.ItemFailure f : response.getBatchItemFailures()) {
                    failed.put(f.getItemIdentifier().getPartition(), f.getItemIdentifier().getOffset());
                }
                itemFailures += failed.size();
                for (Map.Entry<String, int[]> r : ranges.entrySet()) {
                    Long resume = failed.get(r.getKey());
                    int reached = resume != null ? (int) (long) resume : r.getValue()[1];
                    next.put(r.getKey(), Math.max(next.get(r.getKey()), reached));
                }
            }
            function.awaitApplied();
        }
        return new Result(topics.size(), recordCount(), batches, redeliveries, itemFailures, failedInvocations, held,
                completed.size());
    }

    private static boolean delivered(Topic t, String name, Map<String, Integer> next) {
        for (int p = 0; p < t.partitions().size(); p++) {
            Integer at = next.get(name + "-" + p);
            if (at == null || at < t.partitions().get(p).size()) {
                return false;
            }
        }
        return true;
    }

    /** The MSK workload's collections as they are now, under the workload's collection names. */
    Map<String, Map<String, ObjectNode>> actual(LocalStack stack) {
        Map<String, Map<String, ObjectNode>> actual = new TreeMap<>();
        for (String c : workload.expected().keySet()) {
            actual.put(c, stack.emulator().documents(Workload.WORKSPACE, COLLECTION_PREFIX + c));
        }
        return actual;
    }

    /** What {@code actual} (from {@link #actual}) should be: the MSK workload applied in order. */
    Map<String, Map<String, ObjectNode>> expected() {
        return workload.expected();
    }

    /** How {@code actual} differs from {@link #expected()}, each line naming its {@value #COLLECTION_PREFIX} collection. */
    List<String> differences(Map<String, Map<String, ObjectNode>> actual) {
        return workload.differences(actual, DemoVerdict.LIMIT).stream().map(d -> COLLECTION_PREFIX + d).toList();
    }

    /** An MSK event (as the event source mapping of {@code topic} sends it) holding {@code ranges} of its partitions. */
    private String event(String topic, Map<String, int[]> ranges) throws IOException {
        ObjectNode event = JSON.createObjectNode();
        event.put("eventSource", "aws:kafka");
        event.put("eventSourceArn", "arn:aws:kafka:us-east-1:123456789012:cluster/inorder-demo/1");
        event.put("bootstrapServers", "b-1.inorder-demo.local:9098");
        ObjectNode records = event.putObject("records");
        for (Map.Entry<String, int[]> r : ranges.entrySet()) {
            int partition = Integer.parseInt(r.getKey().substring(r.getKey().lastIndexOf('-') + 1));
            ArrayNode list = records.putArray(r.getKey());
            List<String> values = topics.get(topic).partitions().get(partition);
            for (int offset = r.getValue()[0]; offset < r.getValue()[1]; offset++) {
                ObjectNode rec = list.addObject();
                rec.put("topic", topic);
                rec.put("partition", partition);
                rec.put("offset", offset);
                rec.put("timestamp", 1_767_225_600_000L + offset);
                rec.put("timestampType", "CREATE_TIME");
                rec.put("value", Base64.getEncoder().encodeToString(values.get(offset)
                        .getBytes(StandardCharsets.UTF_8)));
                rec.putArray("headers");
            }
        }
        return JSON.writeValueAsString(event);
    }
}
