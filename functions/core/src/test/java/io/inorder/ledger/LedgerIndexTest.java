package io.inorder.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class LedgerIndexTest {

    @Test
    void listsEveryStreamPartitionAndTableCursorButNoArrival() {
        DynamoDbClient db = LocalDynamoDb.client();
        String table = LocalDynamoDb.newTable();
        TestClock clock = TestClock.atEpochPlusDays(0);
        FileLedger files = new FileLedger(db, table, clock);
        for (int seq = 1; seq <= 30; seq++) {
            files.recordArrival("landing/db/orders", seq, "db/orders_" + seq, "e", 1, Instant.EPOCH);
        }
        files.recordArrival("landing/db/customers", 1, "db/customers_1", "e", 1, Instant.EPOCH);
        files.tryAcquireLease("landing/db/items", "me", java.time.Duration.ofMinutes(1));
        PartitionCursor partitions = new PartitionCursor(db, table, clock);
        partitions.advance("cdc.orders", 10, 5);
        partitions.advance("cdc.orders", 2, 5);
        partitions.advance("cdc-items", 0, 1);
        TableCursor tables = new TableCursor(db, table, clock);
        tables.recordApplied("db.orders", "p1", 1, Counters.ZERO);
        tables.recordApplied("db.orders", "p0", 0, Counters.ZERO); // mark does not move, counters do
        tables.recordVisible("db.items", "p1", 1);

        LedgerIndex index = new LedgerIndex(db, table);

        assertThat(index.streams()).containsExactly("landing/db/customers", "landing/db/items", "landing/db/orders");
        assertThat(index.partitions()).containsExactly(new LedgerIndex.Partition("cdc-items", 0),
                new LedgerIndex.Partition("cdc.orders", 2), new LedgerIndex.Partition("cdc.orders", 10));
        assertThat(index.tables()).containsExactly("db.items", "db.orders");
    }
}
