package io.inorder.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class SkipTest {

    private static DynamoDbClient db;
    private static String table;

    private TestClock clock;
    private FileLedger ledger;
    private String stream;

    @BeforeAll
    static void startDynamo() {
        db = LocalDynamoDb.client();
        table = LocalDynamoDb.newTable();
    }

    @BeforeEach
    void blockedStream() {
        clock = TestClock.atEpochPlusDays(0);
        ledger = new FileLedger(db, table, clock);
        stream = "bucket/orders-" + UUID.randomUUID();
        // Files 1 and 2 never came; 3 and 4 wait.
        arrive(3);
        arrive(4);
    }

    private void arrive(long seq) {
        ledger.recordArrival(stream, seq, "cdc/orders_" + seq + ".json", "e" + seq, 10, clock.instant());
    }

    @Test
    void aSkipOverMissingFilesMovesTheStreamAndRecordsWhoWhenWhyAndWhat() {
        clock.advance(Duration.ofMinutes(30));
        SkipRecord skip = ledger.skip(stream, 1, 3, "files 1-2 lost in the Arcion crash of 11-20", "alice");

        assertThat(ledger.cursor(stream).nextSeq()).isEqualTo(3);
        assertThat(skip.files()).isEqualTo(2);
        assertThat(ledger.skips(stream)).singleElement().satisfies(s -> {
            assertThat(s.fromSeq()).isEqualTo(1);
            assertThat(s.toSeq()).isEqualTo(3);
            assertThat(s.reason()).isEqualTo("files 1-2 lost in the Arcion crash of 11-20");
            assertThat(s.skippedBy()).isEqualTo("alice");
            assertThat(s.skippedAt()).isEqualTo(clock.instant());
        });
    }

    @Test
    void aSkipWithoutAReasonIsRefusedAndChangesNothing() {
        assertThatThrownBy(() -> ledger.skip(stream, 1, 3, "  ", "alice"))
                .isInstanceOf(SkipRefusedException.class).hasMessageContaining("needs a reason");
        assertThat(ledger.cursor(stream).nextSeq()).isEqualTo(1);
        assertThat(ledger.skips(stream)).isEmpty();
    }

    @Test
    void aSkipFromAnywhereButWhereTheStreamWaitsIsRefused() {
        assertThatThrownBy(() -> ledger.skip(stream, 2, 3, "wrong place", "alice"))
                .isInstanceOf(SkipRefusedException.class).hasMessageContaining("not blocked at file 2")
                .hasMessageContaining("waits for file 1");
        assertThat(ledger.cursor(stream).nextSeq()).isEqualTo(1);
    }

    @Test
    void aSkipOverAFileThatHasArrivedIsRefused() {
        assertThatThrownBy(() -> ledger.skip(stream, 1, 4, "too far", "alice"))
                .isInstanceOf(SkipRefusedException.class).hasMessageContaining("file 3 of " + stream + " has arrived")
                .hasMessageContaining("cdc/orders_3.json");
        assertThat(ledger.cursor(stream).nextSeq()).isEqualTo(1);
        assertThat(ledger.skips(stream)).isEmpty();
    }

    @Test
    void aSkipOfAStreamBeingDrainedIsRefused() {
        ledger.tryAcquireLease(stream, "invocation-1", Duration.ofMinutes(16)).orElseThrow();
        assertThatThrownBy(() -> ledger.skip(stream, 1, 3, "busy", "alice"))
                .isInstanceOf(SkipRefusedException.class).hasMessageContaining("lease held by invocation-1");
        clock.advance(Duration.ofMinutes(17));
        assertThat(ledger.skip(stream, 1, 3, "the holder died", "alice").toSeq()).isEqualTo(3);
    }

    @Test
    void aSkipOntoAFileThatHasNotArrivedIsRefused() {
        ledger.skip(stream, 1, 3, "lost", "alice");
        ledger.recordArrival(stream, 7, "cdc/orders_7.json", "e7", 10, clock.instant());
        clock.advance(Duration.ofMinutes(1));
        // The stream applies 3 and 4 (simulated), then waits at 5 with 7 behind it: 6 has not arrived.
        var lease = ledger.tryAcquireLease(stream, "inv", Duration.ofMinutes(16)).orElseThrow();
        ledger.completeFile(lease, 3, 0);
        ledger.completeFile(lease, 4, 0);
        ledger.release(lease);

        assertThatThrownBy(() -> ledger.skip(stream, 5, 6, "too short", "alice"))
                .isInstanceOf(SkipRefusedException.class).hasMessageContaining("file 6 of " + stream
                        + " has not arrived");
        assertThat(ledger.skip(stream, 5, 7, "5 and 6 lost", "alice").files()).isEqualTo(2);
        assertThat(ledger.skips(stream)).extracting(SkipRecord::fromSeq).containsExactly(1L, 5L);
    }

    @Test
    void theStateOfABlockedStreamNamesTheMissingFileAndWhatWaits() {
        clock.advance(Duration.ofMinutes(10));
        StreamState state = ledger.state(stream);

        assertThat(state.condition(clock.instant())).isEqualTo(StreamState.Condition.BLOCKED);
        assertThat(state.cursor().nextSeq()).isEqualTo(1);
        assertThat(state.firstWaiting().orElseThrow().seq()).isEqualTo(3);
        assertThat(state.gapAge(clock.instant())).hasValue(Duration.ofMinutes(10));
        ledger.skip(stream, 1, 3, "lost", "alice");
        assertThat(ledger.state(stream).condition(clock.instant())).isEqualTo(StreamState.Condition.READY);
    }

    @Test
    void aSkipThatDoesNotMoveForwardIsRefused() {
        assertThatThrownBy(() -> ledger.skip(stream, 1, 1, "nothing", "alice"))
                .isInstanceOf(SkipRefusedException.class).hasMessageContaining("must be above");
    }

    @Test
    void aSkipOfMoreFilesThanOneTransactionChecksIsRefused() {
        assertThatThrownBy(() -> ledger.skip(stream, 1, 1 + FileLedger.MAX_SKIP + 1, "huge", "alice"))
                .isInstanceOf(SkipRefusedException.class).hasMessageContaining("skip in steps");
    }

    @Test
    void skipRecordsDoNotLookLikeArrivals() {
        ledger.skip(stream, 1, 3, "lost", "alice");
        assertThat(ledger.firstArrivalAfter(stream, 4)).isEmpty();
        assertThat(ledger.firstArrivalAfter(stream, 2)).hasValue(3);
        assertThat(ledger.arrivalsFrom(stream, 3)).isEqualTo(2);
        assertThat(ledger.arrivalsFrom(stream, 5)).isZero();
    }
}
