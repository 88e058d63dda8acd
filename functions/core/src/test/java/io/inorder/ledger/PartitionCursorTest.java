package io.inorder.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PartitionCursorTest {

    private static String table;
    private PartitionCursor cursor;
    private String topic;

    @BeforeAll
    static void startDynamo() {
        table = LocalDynamoDb.newTable();
    }

    @BeforeEach
    void newTopic() {
        cursor = new PartitionCursor(LocalDynamoDb.client(), table, TestClock.atEpochPlusDays(0));
        topic = "cdc-orders-" + UUID.randomUUID();
    }

    @Test
    void resetMovesTheCursorBackSoTheOffsetsApplyAgainAndRecordsWhoWhenWhyAndFromWhere() {
        cursor.advance(topic, 0, 50_000);

        CursorReset reset = cursor.reset(topic, 0, 0, 50_000, " topic recreated ", "alice");

        assertThat(reset.previousOffset()).isEqualTo(50_000);
        assertThat(reset.lastOffset()).isEqualTo(-1);
        assertThat(reset.fromOffset()).isZero();
        assertThat(cursor.lastOffset(topic, 0)).hasValue(-1);
        assertThat(cursor.advance(topic, 0, 0)).as("offset 0 of the new topic applies").isTrue();
        assertThat(cursor.resets(topic, 0)).containsExactly(new CursorReset(topic, 0, 50_000, -1, "topic recreated",
                "alice", reset.resetAt()));
        assertThat(cursor.progress(topic, 0).orElseThrow().lastReset()).contains(reset);
        assertThat(cursor.resets(topic, 1)).isEmpty();
        assertThat(cursor.progress(topic, 0).orElseThrow().lastOffset()).isZero();
    }

    @Test
    void resetIsRefusedWithNothingChangedWithoutAReasonForwardWithoutACursorOrWhenTheCursorMovedMeanwhile() {
        cursor.advance(topic, 0, 100);

        assertThatThrownBy(() -> cursor.reset(topic, 0, 0, 100, " ", "alice"))
                .isInstanceOf(CursorResetRefusedException.class).hasMessageContaining("needs a reason");
        assertThatThrownBy(() -> cursor.reset(topic, 0, 101, 100, "why", "alice"))
                .isInstanceOf(CursorResetRefusedException.class).hasMessageContaining("only moves a cursor back");
        assertThatThrownBy(() -> cursor.reset(topic, 0, 50, 90, "why", "alice"))
                .isInstanceOf(CursorResetRefusedException.class)
                .hasMessageContaining("moved from 90 to 100 meanwhile").hasMessageContaining("Disable");
        assertThatThrownBy(() -> cursor.reset(topic, 7, 0, 100, "why", "alice"))
                .isInstanceOf(CursorResetRefusedException.class).hasMessageContaining("has no cursor");

        assertThat(cursor.lastOffset(topic, 0)).hasValue(100);
        assertThat(cursor.lastOffset(topic, 7)).isEmpty();
        assertThat(cursor.resets(topic, 0)).isEmpty();
        assertThat(cursor.progress(topic, 0).orElseThrow().lastReset()).isEmpty();
    }

    @Test
    void untouchedPartitionHasNoOffset() {
        assertThat(cursor.lastOffset(topic, 0)).isEmpty();
    }

    @Test
    void advanceMovesForwardOnlyAndReportsWhenSomeoneWentFurther() {
        assertThat(cursor.advance(topic, 0, 0)).isTrue();
        assertThat(cursor.advance(topic, 0, 41)).isTrue();
        assertThat(cursor.lastOffset(topic, 0)).hasValue(41);

        assertThat(cursor.advance(topic, 0, 41)).isFalse();
        assertThat(cursor.advance(topic, 0, 17)).isFalse();
        assertThat(cursor.lastOffset(topic, 0)).hasValue(41);
    }

    @Test
    void quarantinedRecordsAreCountedWithTheOffsetMoveThatPassesThemAndNotAgainOnARedeliveredWindow() {
        cursor.advance(topic, 0, 10, 3);
        cursor.advance(topic, 0, 20, 0);
        // A redelivered window: the cursor is already past it, so neither the offset nor the count moves.
        assertThat(cursor.advance(topic, 0, 10, 3)).isFalse();
        cursor.advance(topic, 0, 25, 2);

        assertThat(cursor.progress(topic, 0)).get().satisfies(p -> {
            assertThat(p.lastOffset()).isEqualTo(25);
            assertThat(p.quarantined()).isEqualTo(5);
        });
    }

    @Test
    void partitionsOfOneTopicAreIndependent() {
        cursor.advance(topic, 0, 100);
        cursor.advance(topic, 1, 5);

        assertThat(cursor.lastOffset(topic, 0)).hasValue(100);
        assertThat(cursor.lastOffset(topic, 1)).hasValue(5);
        assertThat(cursor.lastOffset(topic, 2)).isEmpty();
    }

    @Test
    void negativeOffsetIsRejectedWithTheTopicNamed() {
        assertThatThrownBy(() -> cursor.advance(topic, 3, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(topic + "/3");
    }

    @Test
    void racingAdvancesEndAtTheHighestOffsetAndEachOffsetWinsAtMostOnce() throws Exception {
        int threads = 4;
        int offsets = 40;
        Map<Long, AtomicInteger> wins = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (long offset = 0; offset < offsets; offset++) {
                        if (cursor.advance(topic, 0, offset)) {
                            wins.computeIfAbsent(offset, o -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(cursor.lastOffset(topic, 0)).hasValue(offsets - 1);
        assertThat(wins.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
        assertThat(wins).containsKey((long) offsets - 1);
    }
}
