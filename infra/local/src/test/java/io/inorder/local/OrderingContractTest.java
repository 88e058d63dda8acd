package io.inorder.local;

import static io.inorder.local.NativeChanges.delete;
import static io.inorder.local.NativeChanges.insert;
import static io.inorder.local.NativeChanges.update;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ordering, dedupe and delete contract every ingest path keeps (architecture §4), written once and run against
 * each path by a subclass, as Debezium runs its shared connector tests: the same logical changes of
 * {@code shop.orders} (NATIVE envelopes) are delivered as the path's units — the next file of an S3 stream, or the
 * next offsets of a Kafka partition — and the collection must end as applying the changes in source order.
 */
abstract class OrderingContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    protected LocalStack stack;
    /** A name unique to the test, for its ledger table, buckets, stream or topic. */
    protected String run;

    /** Prepares the path over {@link #stack} with a fresh ledger. */
    protected abstract void preparePath() throws Exception;

    /** Delivers the changes, in order, as the path's next unit, once. */
    protected abstract void deliver(List<String> changes) throws Exception;

    /** Delivers the last unit again, as a duplicate S3 notification or a redelivered Kafka batch would. */
    protected abstract void redeliverLast() throws Exception;

    /** Records the path quarantined. */
    protected abstract int quarantined() throws Exception;

    protected abstract void closePath() throws Exception;

    @BeforeEach
    void prepare() throws Exception {
        stack = TestStack.get();
        stack.emulator().reset();
        run = UUID.randomUUID().toString().substring(0, 8);
        preparePath();
    }

    @AfterEach
    void close() throws Exception {
        closePath();
    }

    private JsonNode orders() {
        stack.emulator().awaitApplied(Duration.ofSeconds(30));
        return JSON.valueToTree(stack.emulator().documents("commons", "orders")).deepCopy();
    }

    private JsonNode statuses() {
        com.fasterxml.jackson.databind.node.ObjectNode out = JSON.createObjectNode();
        orders().fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().get("status").asText()));
        return out;
    }

    private int writes() {
        stack.emulator().awaitApplied(Duration.ofSeconds(30));
        return stack.emulator().applyLog("commons", "orders").size();
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void updatesOfEachIdApplyInSourceOrderWithinAndAcrossUnits() throws Exception {
        deliver(List.of(insert(1, "NEW"), update(1, "NEW", "PAID"), insert(2, "NEW")));
        deliver(List.of(update(1, "PAID", "SHIPPED"), update(2, "NEW", "PAID"), update(1, "SHIPPED", "DELIVERED")));

        assertThat(statuses()).isEqualTo(json("{\"1\":\"DELIVERED\",\"2\":\"PAID\"}"));
    }

    @Test
    void duplicateDeliveryIsHarmless() throws Exception {
        deliver(List.of(insert(1, "NEW"), insert(2, "NEW")));
        deliver(List.of(update(1, "NEW", "PAID"), delete(2, "NEW")));
        JsonNode once = orders();
        int writes = writes();

        redeliverLast();

        assertThat(orders()).isEqualTo(once);
        assertThat(writes()).as("the duplicate sends nothing").isEqualTo(writes);
        assertThat(statuses()).isEqualTo(json("{\"1\":\"PAID\"}"));
    }

    @Test
    void deleteThenReinsertOfTheSameIdEndsPresent() throws Exception {
        deliver(List.of(insert(1, "NEW"), delete(1, "NEW"), insert(1, "AGAIN")));
        deliver(List.of(insert(2, "NEW")));
        deliver(List.of(delete(2, "NEW")));
        deliver(List.of(insert(2, "BACK")));

        assertThat(statuses()).isEqualTo(json("{\"1\":\"AGAIN\",\"2\":\"BACK\"}"));
    }

    @Test
    void deleteOfAnIdNeverInsertedIsHarmless() throws Exception {
        deliver(List.of(delete(9, "GONE"), insert(1, "NEW")));

        assertThat(statuses()).isEqualTo(json("{\"1\":\"NEW\"}"));
        assertThat(quarantined()).isZero();
    }
}
