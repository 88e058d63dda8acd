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
import java.util.TreeMap;

/**
 * The demo's MSK batch path: a second seeded Arcion workload (S3 JSON envelopes only, the records Arcion's Kafka
 * target writes too) published as one topic per table ({@code <db>_<table>_cdc_logs}, partition 0), delivered to the
 * real {@code MskIngestHandler} in batches of several partitions the way an event source mapping does, with
 * redeliveries of batches already applied (at-least-once) and resuming from each partial-batch failure. Its tables
 * land in collections of their own ({@value #COLLECTION_PREFIX}{@code <collection>}) under a state table of their
 * own, so the S3 and MSK paths never share a document or a cursor.
 */
final class MskDemo {

    static final String COLLECTION_PREFIX = "msk_";
    static final String STATE_TABLE = "inorder-msk-state";
    private static final double REDELIVERY = 0.25;
    private static final int MIN_BATCH = 10;
    private static final int MAX_BATCH = 80;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PojoSerializer<KafkaEvent> SERIALIZER =
            LambdaEventSerializers.serializerFor(KafkaEvent.class, MskDemo.class.getClassLoader());

    /** What the MSK path delivered. */
    record Result(int topics, long records, long batches, long redeliveries, long itemFailures,
                  long failedInvocations) { }

    private final Workload workload;
    /** Per topic, its records' values in offset order (offsets from 0). */
    private final Map<String, List<String>> topics = new LinkedHashMap<>();

    private MskDemo(Workload workload) throws IOException {
        this.workload = workload;
        for (Map.Entry<String, List<WorkloadFile>> stream : workload.streams().entrySet()) {
            List<String> values = new ArrayList<>();
            String table = null;
            for (WorkloadFile f : stream.getValue()) {
                table = f.table();
                try (JsonParser parser = JSON.createParser(workload.bytes(f));
                     MappingIterator<JsonNode> records = JSON.readValues(parser, JsonNode.class)) {
                    while (records.hasNext()) {
                        values.add(JSON.writeValueAsString(records.next()));
                    }
                }
            }
            topics.put(topic(table), values);
        }
    }

    /** The MSK workload for {@code base}: a different seed, fewer changes, only S3 JSON envelopes. */
    static MskDemo of(WorkloadSpec base) throws IOException {
        WorkloadSpec spec = base.withSeed(base.seed() + 1).withChanges(Math.max(1, base.changes() / 4))
                .withFormatMix(0, 0, 0).withFlatSnapshotShare(0);
        return new MskDemo(Workload.generate(spec));
    }

    int topicCount() {
        return topics.size();
    }

    long recordCount() {
        return topics.values().stream().mapToLong(List::size).sum();
    }

    /** Arcion's default realtime topic of a table: {@code <db>_<table>_cdc_logs}. */
    static String topic(String table) {
        return table.replace('.', '_') + "_cdc_logs";
    }

    /** The table config of the MSK function: the workload's tables into {@value #COLLECTION_PREFIX} collections. */
    String tableConfigJson() throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(workload.tableConfigJson());
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("tables").fields(); it.hasNext(); ) {
            ObjectNode t = (ObjectNode) it.next().getValue();
            t.put("collection", COLLECTION_PREFIX + t.path("collection").asText());
            t.remove("prefixes");
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
        try (LocalMskFunction function = new LocalMskFunction(stack, tableConfigJson(), env,
                KafkaIngest.DEFAULT_PARALLELISM, logs, metrics)) {
            Map<String, Integer> next = new TreeMap<>();
            topics.keySet().forEach(t -> next.put(t, 0));
            int rounds = 0;
            while (next.entrySet().stream().anyMatch(e -> e.getValue() < topics.get(e.getKey()).size())) {
                if (++rounds > 100_000) {
                    throw new IllegalStateException("the MSK path makes no progress: positions " + next);
                }
                Map<String, int[]> ranges = new LinkedHashMap<>();
                boolean redelivery = false;
                for (Map.Entry<String, Integer> e : next.entrySet()) {
                    int size = topics.get(e.getKey()).size();
                    int from = e.getValue();
                    if (from > 0 && random.nextDouble() < REDELIVERY) {
                        from = Math.max(0, from - 1 - random.nextInt(MAX_BATCH));
                        redelivery = true;
                    }
                    if (from < size) {
                        int to = Math.min(size, from + MIN_BATCH + random.nextInt(MAX_BATCH - MIN_BATCH + 1));
                        ranges.put(e.getKey(), new int[] {from, to});
                    }
                }
                KafkaBatchResponse response;
                try {
                    response = function.invoke(SERIALIZER.fromJson(event(ranges)));
                } catch (RuntimeException failed) {
                    // The event source mapping retries a batch whose invocation failed, from the same offsets.
                    batches++;
                    failedInvocations++;
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
                    Long resume = failed.get(r.getKey() + "-0");
                    int reached = resume != null ? (int) (long) resume : r.getValue()[1];
                    next.put(r.getKey(), Math.max(next.get(r.getKey()), reached));
                }
            }
            function.awaitApplied();
        }
        return new Result(topics.size(), recordCount(), batches, redeliveries, itemFailures, failedInvocations);
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

    /** An MSK event (as the event source mapping sends it) holding {@code ranges} of each topic's partition 0. */
    private String event(Map<String, int[]> ranges) throws IOException {
        ObjectNode event = JSON.createObjectNode();
        event.put("eventSource", "aws:kafka");
        event.put("eventSourceArn", "arn:aws:kafka:us-east-1:123456789012:cluster/inorder-demo/1");
        event.put("bootstrapServers", "b-1.inorder-demo.local:9098");
        ObjectNode records = event.putObject("records");
        for (Map.Entry<String, int[]> r : ranges.entrySet()) {
            ArrayNode list = records.putArray(r.getKey() + "-0");
            List<String> values = topics.get(r.getKey());
            for (int offset = r.getValue()[0]; offset < r.getValue()[1]; offset++) {
                ObjectNode rec = list.addObject();
                rec.put("topic", r.getKey());
                rec.put("partition", 0);
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
