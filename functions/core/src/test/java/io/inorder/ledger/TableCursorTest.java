package io.inorder.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TableCursorTest {

    private static String table;
    private TestClock clock;
    private TableCursor cursor;
    private String sourceTable;

    @BeforeAll
    static void startDynamo() {
        table = LocalDynamoDb.newTable();
    }

    @BeforeEach
    void newSourceTable() {
        clock = TestClock.atEpochPlusDays(0);
        cursor = new TableCursor(LocalDynamoDb.client(), table, clock);
        sourceTable = "shop.orders-" + UUID.randomUUID();
    }

    @Test
    void unknownTableHasNoProgress() {
        assertThat(cursor.progress(sourceTable)).isEmpty();
    }

    @Test
    void appliedMarkMovesToNewerSourceTimesAndCountersAddUp() {
        assertThat(cursor.recordApplied(sourceTable, "cursor-1", 1_000, new Counters(10, 8, 1))).isTrue();
        clock.advance(Duration.ofSeconds(3));
        assertThat(cursor.recordApplied(sourceTable, "cursor-2", 2_000, new Counters(5, 5, 2))).isTrue();

        TableProgress progress = cursor.progress(sourceTable).orElseThrow();
        assertThat(progress.applied()).hasValueSatisfying(mark -> {
            assertThat(mark.position()).isEqualTo("cursor-2");
            assertThat(mark.sourceTimeMillis()).isEqualTo(2_000);
            assertThat(mark.recordedAt()).isEqualTo(clock.instant());
        });
        assertThat(progress.visible()).isEmpty();
        assertThat(progress.totals()).isEqualTo(new Counters(15, 13, 3));
    }

    @Test
    void olderSourceTimeLeavesTheMarkButStillCountsTheWork() {
        cursor.recordApplied(sourceTable, "cursor-9", 9_000, new Counters(1, 1, 1));

        assertThat(cursor.recordApplied(sourceTable, "cursor-3", 3_000, new Counters(2, 2, 1))).isFalse();

        TableProgress progress = cursor.progress(sourceTable).orElseThrow();
        assertThat(progress.applied().orElseThrow().position()).isEqualTo("cursor-9");
        assertThat(progress.totals()).isEqualTo(new Counters(3, 3, 2));
    }

    @Test
    void equalSourceTimeStillMovesTheMarkBecauseTimesTieWithinATransaction() {
        cursor.recordApplied(sourceTable, "a", 5_000, Counters.ZERO);
        assertThat(cursor.recordApplied(sourceTable, "b", 5_000, Counters.ZERO)).isTrue();
        assertThat(cursor.progress(sourceTable).orElseThrow().applied().orElseThrow().position()).isEqualTo("b");
    }

    @Test
    void visibleMarkIsMonotonicAndIndependentOfTheAppliedMark() {
        cursor.recordApplied(sourceTable, "applied-5", 5_000, Counters.ZERO);
        assertThat(cursor.recordVisible(sourceTable, "visible-4", 4_000)).isTrue();
        assertThat(cursor.recordVisible(sourceTable, "visible-2", 2_000)).isFalse();

        TableProgress progress = cursor.progress(sourceTable).orElseThrow();
        assertThat(progress.visible().orElseThrow().position()).isEqualTo("visible-4");
        assertThat(progress.applied().orElseThrow().position()).isEqualTo("applied-5");
    }
}
