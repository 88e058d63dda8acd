package io.inorder.local;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.amazonaws.services.lambda.runtime.events.KafkaEvent.KafkaEventRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link KafkaEvent} an MSK event source mapping would deliver: values base64, grouped per partition, in
 * the order added. For tests and benchmarks that hand batches to {@link LocalMskFunction}.
 */
public final class KafkaBatch {

    private final Map<String, List<KafkaEventRecord>> records = new LinkedHashMap<>();

    public KafkaBatch add(String topic, int partition, long offset, String value) {
        return add(topic, partition, offset, null, value);
    }

    public KafkaBatch add(String topic, int partition, long offset, String key, String value) {
        records.computeIfAbsent(topic + "-" + partition, k -> new ArrayList<>()).add(KafkaEventRecord.builder()
                .withTopic(topic).withPartition(partition).withOffset(offset).withTimestamp(1_763_892_000_000L + offset)
                .withTimestampType("CREATE_TIME").withKey(base64(key)).withValue(base64(value))
                .withHeaders(List.of()).build());
        return this;
    }

    /** Consecutive offsets from {@code first}, one per value. */
    public KafkaBatch addAll(String topic, int partition, long first, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            add(topic, partition, first + i, values.get(i));
        }
        return this;
    }

    public KafkaEvent build() {
        Map<String, List<KafkaEventRecord>> copy = new LinkedHashMap<>();
        records.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return KafkaEvent.builder().withEventSource("aws:kafka")
                .withEventSourceArn("arn:aws:kafka:us-east-1:123456789012:cluster/inorder-test/1")
                .withBootstrapServers("b-1.inorder-test:9098").withRecords(copy).build();
    }

    private static String base64(String text) {
        return text == null ? null : Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
