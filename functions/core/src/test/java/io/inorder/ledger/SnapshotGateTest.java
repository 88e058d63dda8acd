package io.inorder.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/** The snapshot gate of split-topic tables, on DynamoDB Local. */
class SnapshotGateTest {

    private static String stateTable;
    private final TestClock clock = TestClock.atEpochPlusDays(20_000);
    private SnapshotGate gate;
    private String table;

    @BeforeAll
    static void startDynamo() {
        stateTable = LocalDynamoDb.newTable();
    }

    @BeforeEach
    void newTable() {
        gate = new SnapshotGate(LocalDynamoDb.client(), stateTable, clock);
        table = "shop.orders_" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Instant in(Duration d) {
        return clock.instant().plus(d);
    }

    @Test
    void aTableNothingWasRecordedForIsLoading() {
        assertThat(gate.isComplete(table)).isFalse();
        assertThat(gate.status(table).state()).isEqualTo(SnapshotGate.State.LOADING);
    }

    @Test
    void completionIsRefusedWhileASnapshotWriterLeaseIsLiveAndGrantedOnceItLeft() {
        assertThat(gate.enterSnapshot(table, "shop_orders#0", in(Duration.ofMinutes(6)))).isTrue();
        gate.held(table, "shop_orders_cdc_logs#0");

        assertThat(gate.complete(table, "ops")).isInstanceOfSatisfying(SnapshotGate.WritersActive.class,
                w -> assertThat(w.writers()).containsOnlyKeys("shop_orders#0"));
        assertThat(gate.status(table).held()).containsOnlyKeys("shop_orders_cdc_logs#0");

        gate.leaveSnapshot(table, "shop_orders#0");
        assertThat(gate.complete(table, "ops")).isInstanceOf(SnapshotGate.Completed.class);

        SnapshotGate.Status status = gate.status(table);
        assertThat(status.state()).isEqualTo(SnapshotGate.State.COMPLETE);
        assertThat(status.completedBy()).isEqualTo("ops");
        assertThat(status.writers()).isEmpty();
        assertThat(status.held()).as("holds are history once complete").isEmpty();
        assertThat(gate.isComplete(table)).isTrue();
    }

    @Test
    void completeIsFinalNoSnapshotWriterEntersAfterItAndCompletingAgainSaysSo() {
        assertThat(gate.complete(table, "ops")).isInstanceOf(SnapshotGate.Completed.class);

        assertThat(gate.enterSnapshot(table, "shop_orders#1", in(Duration.ofMinutes(6)))).isFalse();
        gate.held(table, "shop_orders_cdc_logs#0");
        assertThat(gate.status(table).held()).isEmpty();
        assertThat(gate.complete(table, "someone else")).isInstanceOfSatisfying(SnapshotGate.AlreadyComplete.class,
                a -> assertThat(a.by()).isEqualTo("ops"));
    }

    @Test
    void aWriterThatDiedLeavesALeaseThatStopsBlockingOnceExpiredPastTheClockSkewAllowance() {
        gate.enterSnapshot(table, "shop_orders#0", in(Duration.ofMinutes(6)));
        clock.advance(Duration.ofMinutes(6).plus(SnapshotGate.CLOCK_SKEW).minusSeconds(1));
        assertThat(gate.complete(table, "ops")).isInstanceOf(SnapshotGate.WritersActive.class);

        clock.advance(Duration.ofSeconds(2));
        assertThat(gate.complete(table, "ops")).isInstanceOf(SnapshotGate.Completed.class);
    }

    @Test
    void aWriterEnteringBetweenCompletionsReadAndWriteMakesTheCompletionSeeItAndRefuse() {
        // The race the version guards: completion read the gate with no writer, then a snapshot partition entered
        // before completion wrote COMPLETE. Completion must not succeed past that writer.
        AtomicBoolean once = new AtomicBoolean();
        SnapshotGate racing = new SnapshotGate(new Racing(LocalDynamoDb.client(), () -> {
            if (once.compareAndSet(false, true)) {
                assertThat(gate.enterSnapshot(table, "shop_orders#2", in(Duration.ofMinutes(6)))).isTrue();
            }
        }), stateTable, clock);
        gate.enterSnapshot(table, "shop_orders#0", in(Duration.ofMinutes(6)));
        gate.leaveSnapshot(table, "shop_orders#0");

        assertThat(racing.complete(table, "ops")).isInstanceOfSatisfying(SnapshotGate.WritersActive.class,
                w -> assertThat(w.writers()).containsOnlyKeys("shop_orders#2"));
        assertThat(gate.isComplete(table)).isFalse();
    }

    /** DynamoDB Local, running {@code beforeUpdate} before each update (after the caller's read). */
    private record Racing(DynamoDbClient real, Runnable beforeUpdate) implements DynamoDbClient {
        @Override
        public GetItemResponse getItem(GetItemRequest request) {
            return real.getItem(request);
        }

        @Override
        public UpdateItemResponse updateItem(UpdateItemRequest request) {
            beforeUpdate.run();
            return real.updateItem(request);
        }

        @Override
        public String serviceName() {
            return real.serviceName();
        }

        @Override
        public void close() {
        }
    }
}
