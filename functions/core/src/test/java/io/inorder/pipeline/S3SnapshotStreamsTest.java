package io.inorder.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.inorder.ledger.LocalDynamoDb;
import io.inorder.ledger.SnapshotGate;
import io.inorder.ledger.TestClock;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.ResponseTransformer;

/**
 * The S3 side of "snapshot before changes": a table whose snapshot files form streams of their own
 * ({@code snapshotPrefixes}) has its change streams wait at their first change until its snapshot is declared
 * complete, exactly as split Kafka topics do; snapshot files arriving after that are quarantined. Over S3Proxy,
 * DynamoDB Local and the emulator.
 */
class S3SnapshotStreamsTest {

    @RegisterExtension
    static final S3ProxyExtension S3_PROXY = S3ProxyExtension.builder().withCredentials("local", "secret").build();

    @RegisterExtension
    static final StackEmulator EMULATOR = new StackEmulator();

    private static final String CONFIG = "{\"workspace\":\"commons\",\"tables\":{\"shop.orders\":{\"collection\":"
            + "\"orders\",\"primaryKey\":[\"id\"],\"prefixes\":[\"cdc/\"],\"snapshotPrefixes\":[\"snapshot/\"]}}}";

    private S3IngestStack stack;
    private final OrdersChanges changes = new OrdersChanges();

    @BeforeEach
    void newStack() {
        stack = new S3IngestStack(EMULATOR.emulator(), S3_PROXY.getUri());
    }

    private static byte[] rows(String... rows) {
        return (String.join("\n", rows) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aChangeStreamWaitsForTheSnapshotStreamAndALateSnapshotFileIsQuarantinedNotApplied() throws Exception {
        S3Ingest ingest = stack.ingest(Map.of("TABLE_CONFIG", CONFIG));
        // The changes after the snapshot: "a" (in the snapshot) gets a partial update, "b" is deleted.
        changes.insert("a", "NEW", "1.00");
        changes.insert("b", "NEW", "2.00");
        S3Ingest.Notification change = stack.upload("cdc/shop.orders_1.json", OrdersChanges.file(List.of(
                changes.changeStatus("a", "PAID"), changes.delete("b"))));
        S3Ingest.Notification snapshot = stack.upload("snapshot/shop.orders_1.json",
                rows("{\"id\":\"a\",\"status\":\"NEW\",\"total\":\"1.00\",\"rev\":\"1\"}",
                        "{\"id\":\"b\",\"status\":\"NEW\",\"total\":\"2.00\",\"rev\":\"2\"}"));

        DrainSummary held = stack.deliver(ingest, change).get(0);
        assertThat(held.heldFor()).hasValueSatisfying(r -> assertThat(r).contains("snapshot of table 'shop.orders'"));
        assertThat(held.filesApplied()).isZero();
        assertThat(stack.documents()).isEmpty();

        stack.deliver(ingest, snapshot);
        assertThat(stack.documents()).containsOnlyKeys("a", "b");
        SnapshotGate gate = new SnapshotGate(LocalDynamoDb.client(), stack.stateTable, TestClock.followingSystemTime());
        assertThat(gate.status("shop.orders").held()).containsOnlyKeys(stack.bucket + "/cdc/shop.orders");
        assertThat(gate.complete("shop.orders", "test")).isInstanceOf(SnapshotGate.Completed.class);

        // The stream resumes where it stopped (its next notification, or the reconciler's sweep).
        DrainSummary resumed = ingest.drain(stack.bucket + "/cdc/shop.orders", "reconciler", java.time.Duration
                .ofSeconds(60));
        assertThat(resumed.filesApplied()).isEqualTo(1);
        assertThat(stack.documents()).isEqualTo(changes.documents());

        S3Ingest.Notification late = stack.upload("snapshot/shop.orders_2.json",
                rows("{\"id\":\"a\",\"status\":\"STALE\",\"total\":\"1.00\",\"rev\":\"1\"}"));
        stack.deliver(ingest, late);
        assertThat(stack.documents()).isEqualTo(changes.documents());
        String quarantined = stack.s3.listObjectsV2(l -> l.bucket(stack.quarantineBucket)).contents().stream()
                .map(o -> stack.s3.getObject(g -> g.bucket(stack.quarantineBucket).key(o.key()),
                        ResponseTransformer.toBytes()).asUtf8String()).reduce("", String::concat);
        assertThat(quarantined).contains("snapshot/shop.orders_2.json").contains("declared complete");
    }

    @Test
    void aTableWithoutSnapshotPrefixesKeepsOneStreamInSuffixOrderAndIsNeverHeld() {
        S3Ingest ingest = stack.ingest(Map.of("TABLE_CONFIG", CONFIG.replace(",\"snapshotPrefixes\":[\"snapshot/\"]",
                "")));
        S3Ingest.Notification one = stack.upload(1, List.of(changes.insert("a", "NEW", "1.00")));

        assertThat(stack.deliver(ingest, one).get(0).heldFor()).isEmpty();
        assertThat(stack.documents()).isEqualTo(changes.documents());
    }
}
