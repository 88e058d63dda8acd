package io.inorder.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class FileLedgerTest {

    private static final Duration LEASE = Duration.ofMinutes(16);

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
    void newStream() {
        clock = TestClock.atEpochPlusDays(0);
        ledger = new FileLedger(db, table, clock);
        stream = "bucket/orders-" + UUID.randomUUID();
    }

    private ArrivalOutcome arrive(long seq, String eTag) {
        return ledger.recordArrival(stream, seq, "cdc/orders_" + seq + ".json", eTag, 100 + seq, clock.instant());
    }

    @Test
    void firstArrivalIsNewAndCreatesTheCursorAtTheFirstSequence() {
        assertThat(arrive(3, "e3")).isEqualTo(ArrivalOutcome.NEW);

        StreamCursor cursor = ledger.cursor(stream);
        assertThat(cursor.nextSeq()).isEqualTo(1);
        assertThat(cursor.inFileRecord()).isZero();
        assertThat(cursor.leaseOwner()).isNull();
        Arrival arrival = ledger.arrival(stream, 3).orElseThrow();
        assertThat(arrival.key()).isEqualTo("cdc/orders_3.json");
        assertThat(arrival.eTag()).isEqualTo("e3");
        assertThat(arrival.size()).isEqualTo(103);
        assertThat(arrival.arrivedAt()).isEqualTo(clock.instant());
        assertThat(ledger.arrival(stream, 2)).isEmpty();
    }

    @Test
    void configuredFirstSequenceIsWhereANewStreamStarts() {
        FileLedger fromZero = new FileLedger(db, table, clock, 0, Duration.ofDays(1));
        fromZero.recordArrival(stream, 5, "k", "e", 1, clock.instant());

        assertThat(fromZero.cursor(stream).nextSeq()).isZero();
        assertThat(fromZero.recordArrival(stream, 0, "k0", "e0", 1, clock.instant())).isEqualTo(ArrivalOutcome.NEW);
    }

    @Test
    void sameETagAgainIsADuplicateAndChangesNothing() {
        arrive(2, "e2");
        assertThat(arrive(2, "e2")).isEqualTo(ArrivalOutcome.DUPLICATE);
        assertThat(ledger.arrival(stream, 2).orElseThrow().conflicts()).isZero();
    }

    @Test
    void otherETagUnderTheSameSequenceIsAConflictThatKeepsTheFirstUpload() {
        arrive(2, "first");
        assertThat(ledger.recordArrival(stream, 2, "cdc/other_2.json", "second", 7, clock.instant()))
                .isEqualTo(ArrivalOutcome.CONFLICT);

        Arrival kept = ledger.arrival(stream, 2).orElseThrow();
        assertThat(kept.eTag()).isEqualTo("first");
        assertThat(kept.key()).isEqualTo("cdc/orders_2.json");
        assertThat(kept.conflicts()).isEqualTo(1);
        Map<String, AttributeValue> item = rawFileItem(2);
        assertThat(item.get("lastConflictKey").s()).isEqualTo("cdc/other_2.json");
        assertThat(item.get("lastConflictETag").s()).isEqualTo("second");
    }

    private void applyFile(long seq) {
        Lease lease = ledger.tryAcquireLease(stream, "applier", LEASE).orElseThrow();
        ledger.completeFile(lease, seq, 10);
        ledger.release(lease);
    }

    @Test
    void reUploadWithAnotherETagBelowTheCursorIsAConflictRecordedOnTheAppliedArrival() {
        arrive(1, "e1");
        applyFile(1);

        ArrivalOutcome corrected = ledger.recordArrival(stream, 1, "cdc/orders_1.json", "corrected", 7,
                clock.instant());

        assertThat(corrected).isEqualTo(ArrivalOutcome.CONFLICT_WITH_APPLIED);
        Arrival applied = ledger.arrival(stream, 1).orElseThrow();
        assertThat(applied.eTag()).as("the applied file stays the applied one").isEqualTo("e1");
        assertThat(applied.conflicts()).isEqualTo(1);
        assertThat(rawFileItem(1).get("lastConflictETag").s()).isEqualTo("corrected");
        assertThat(ledger.conflict(stream, 1)).hasValueSatisfying(c -> {
            assertThat(c.recordedKey()).isEqualTo("cdc/orders_1.json");
            assertThat(c.recordedETag()).isEqualTo("e1");
            assertThat(c.lastKey()).isEqualTo("cdc/orders_1.json");
            assertThat(c.lastETag()).isEqualTo("corrected");
            assertThat(c.lastAt()).isEqualTo(clock.instant());
            assertThat(c.count()).isEqualTo(1);
        });
        assertThat(ledger.cursor(stream).nextSeq()).isEqualTo(2);
    }

    @Test
    void theAppliedObjectAgainBelowTheCursorIsARedeliveryThatRecordsNothing() {
        arrive(1, "e1");
        applyFile(1);

        assertThat(arrive(1, "e1")).isEqualTo(ArrivalOutcome.ALREADY_APPLIED);
        assertThat(arrive(1, "e1")).isEqualTo(ArrivalOutcome.ALREADY_APPLIED);

        assertThat(ledger.conflict(stream, 1)).isEmpty();
        assertThat(rawFileItem(1)).doesNotContainKeys("conflictCount", "lastConflictETag");
    }

    @Test
    void aRedeliveredNotificationOfTheSameConflictingObjectIsCountedOnceWhereverTheCursorIs() {
        arrive(1, "e1");
        applyFile(1);
        arrive(2, "e2");

        assertThat(arrive(1, "other")).isEqualTo(ArrivalOutcome.CONFLICT_WITH_APPLIED);
        assertThat(arrive(1, "other")).isEqualTo(ArrivalOutcome.ALREADY_APPLIED);
        assertThat(arrive(1, "third")).isEqualTo(ArrivalOutcome.CONFLICT_WITH_APPLIED);
        assertThat(arrive(2, "other")).isEqualTo(ArrivalOutcome.CONFLICT);
        assertThat(arrive(2, "other")).isEqualTo(ArrivalOutcome.DUPLICATE);

        assertThat(ledger.conflict(stream, 1).orElseThrow().count()).isEqualTo(2);
        assertThat(ledger.conflict(stream, 1).orElseThrow().lastETag()).isEqualTo("third");
        assertThat(ledger.conflict(stream, 2).orElseThrow().count()).isEqualTo(1);
    }

    @Test
    void anUploadUnderAnAppliedNumberWhoseArrivalExpiredIsAConflictWithTheAppliedETagUnknown() {
        arrive(1, "e1");
        applyFile(1);
        // What DynamoDB's TTL does once the applied arrival's retention has passed.
        db.deleteItem(b -> b.tableName(table).key(Items.key(FileLedger.partitionKey(stream),
                FileLedger.fileSortKey(1))));
        clock.advance(Duration.ofDays(40));

        assertThat(arrive(1, "new")).isEqualTo(ArrivalOutcome.CONFLICT_WITH_APPLIED);
        assertThat(arrive(1, "new")).as("its redelivery").isEqualTo(ArrivalOutcome.ALREADY_APPLIED);

        assertThat(ledger.conflict(stream, 1)).hasValueSatisfying(c -> {
            assertThat(c.recordedKnown()).isFalse();
            assertThat(c.recordedKey()).isNull();
            assertThat(c.lastETag()).isEqualTo("new");
            assertThat(c.count()).isEqualTo(1);
        });
        assertThat(ledger.arrival(stream, 1)).as("the conflict record is no arrival").isEmpty();
        assertThat(ledger.cursor(stream).nextSeq()).isEqualTo(2);
        assertThat(Long.parseLong(rawFileItem(1).get(LedgerTable.TTL_ATTRIBUTE).n()))
                .as("the conflict record expires like an applied arrival")
                .isEqualTo(clock.instant().plus(FileLedger.DEFAULT_ARRIVAL_RETENTION).getEpochSecond());
    }

    @Test
    void aFileThatArrivesAfterItWasSkippedIsRecordedAsAConflictNotApplied() {
        arrive(2, "e2");
        ledger.skip(stream, 1, 2, "file 1 lost", "alice");

        assertThat(arrive(1, "late")).isEqualTo(ArrivalOutcome.CONFLICT_WITH_APPLIED);

        assertThat(ledger.conflict(stream, 1).orElseThrow().recordedKnown()).isFalse();
        assertThat(ledger.cursor(stream).nextSeq()).isEqualTo(2);
    }

    @Test
    void leaseIsExclusiveUntilItExpiresThenAnotherOwnerTakesItOver() {
        Lease a = ledger.tryAcquireLease(stream, "a", LEASE).orElseThrow();
        assertThat(a.expiresAt()).isEqualTo(clock.instant().plus(LEASE));
        assertThat(ledger.tryAcquireLease(stream, "b", LEASE)).isEmpty();

        clock.advance(LEASE.minusMillis(1));
        assertThat(ledger.tryAcquireLease(stream, "b", LEASE)).isEmpty();

        clock.advance(Duration.ofMillis(1));
        Lease b = ledger.tryAcquireLease(stream, "b", LEASE).orElseThrow();
        assertThat(ledger.cursor(stream).liveLeaseOwner(clock.instant())).contains("b");
        assertThat(ledger.tryAcquireLease(stream, "a", LEASE)).isEmpty();
        assertThat(ledger.release(a)).isFalse();
        assertThat(ledger.cursor(stream).leaseOwner()).isEqualTo(b.owner());
    }

    @Test
    void holderMayRetakeItsOwnLeaseAndReleaseFreesItForOthers() {
        Lease first = ledger.tryAcquireLease(stream, "a", LEASE).orElseThrow();
        clock.advance(Duration.ofSeconds(5));
        Lease again = ledger.tryAcquireLease(stream, "a", LEASE).orElseThrow();
        assertThat(again.expiresAt()).isAfter(first.expiresAt());

        assertThat(ledger.release(again)).isTrue();
        assertThat(ledger.cursor(stream).leaseOwner()).isNull();
        assertThat(ledger.tryAcquireLease(stream, "b", LEASE)).isPresent();
    }

    @Test
    void renewExtendsALiveLeaseButNotALostOne() {
        Lease a = ledger.tryAcquireLease(stream, "a", LEASE).orElseThrow();
        clock.advance(Duration.ofMinutes(10));
        Lease renewed = ledger.renew(a, LEASE).orElseThrow();
        assertThat(renewed.expiresAt()).isEqualTo(clock.instant().plus(LEASE));

        clock.advance(LEASE);
        assertThat(ledger.renew(renewed, LEASE)).isEmpty();
    }

    @Test
    void checkpointsCountTheQuarantinedRecordsOfTheirWindowsOnTheCursor() {
        arrive(1, "e1");
        Lease lease = ledger.tryAcquireLease(stream, "a", LEASE).orElseThrow();

        ledger.checkpoint(lease, 1, 4, new Counters(4, 1, 1, 3), null);
        ledger.checkpoint(lease, 1, 9, new Counters(5, 5, 1, 0), null);
        ledger.checkpoint(lease, 1, 12, new Counters(3, 1, 1, 2), null);

        assertThat(ledger.cursor(stream).totals().quarantined()).isEqualTo(5);
        assertThat(ledger.cursors(List.of(stream, stream + "-never-seen"))).hasSize(2)
                .hasEntrySatisfying(stream, c -> assertThat(c.totals()).isEqualTo(new Counters(12, 7, 3, 5)))
                .hasEntrySatisfying(stream + "-never-seen", c -> assertThat(c.nextSeq()).isEqualTo(1));
    }

    @Test
    void aStreamsStateIsReadFromItsCursorWithOneQueryForTheNextOrFirstWaitingFile() {
        arrive(2, "e2");
        arrive(4, "e4");

        StreamState blocked = ledger.state(ledger.cursor(stream));
        arrive(1, "e1");
        StreamState ready = ledger.state(ledger.cursor(stream));

        assertThat(blocked.next()).isEmpty();
        assertThat(blocked.firstWaiting()).get().extracting(Arrival::seq).isEqualTo(2L);
        assertThat(ready.next()).get().extracting(Arrival::eTag).isEqualTo("e1");
        assertThat(ready.firstWaiting()).isEmpty();
    }

    @Test
    void checkpointMovesInFileRecordForwardAndAddsCounters() {
        arrive(1, "e1");
        Lease lease = ledger.tryAcquireLease(stream, "a", LEASE).orElseThrow();

        ledger.checkpoint(lease, 1, 4, new Counters(4, 3, 1), "pos-4");
        ledger.checkpoint(lease, 1, 9, new Counters(5, 5, 2), "pos-9");

        StreamCursor cursor = ledger.cursor(stream);
        assertThat(cursor.nextSeq()).isEqualTo(1);
        assertThat(cursor.inFileRecord()).isEqualTo(9);
        assertThat(cursor.totals()).isEqualTo(new Counters(9, 8, 3));
        assertThat(cursor.lastPosition()).isEqualTo("pos-9");
        assertThat(cursor.updatedAt()).isEqualTo(clock.instant());
    }

    @Test
    void checkpointBehindTheCursorOrForAnotherFileIsRefusedAsACallerBug() {
        arrive(1, "e1");
        Lease lease = ledger.tryAcquireLease(stream, "a", LEASE).orElseThrow();
        ledger.checkpoint(lease, 1, 5, Counters.ZERO, null);

        assertThatThrownBy(() -> ledger.checkpoint(lease, 1, 4, Counters.ZERO, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("file 1 record 5");
        assertThatThrownBy(() -> ledger.checkpoint(lease, 2, 1, Counters.ZERO, null))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ledger.completeFile(lease, 1, 4))
                .isInstanceOf(IllegalStateException.class);
        assertThat(ledger.cursor(stream).inFileRecord()).isEqualTo(5);
    }

    @Test
    void completeFileAdvancesNextSeqResetsInFileRecordAndExpiresOnlyTheArrival() {
        arrive(1, "e1");
        Lease lease = ledger.tryAcquireLease(stream, "a", LEASE).orElseThrow();
        ledger.checkpoint(lease, 1, 7, new Counters(7, 7, 1), null);
        ledger.completeFile(lease, 1, 7);

        StreamCursor cursor = ledger.cursor(stream);
        assertThat(cursor.nextSeq()).isEqualTo(2);
        assertThat(cursor.inFileRecord()).isZero();
        assertThat(cursor.filesApplied()).isEqualTo(1);
        Map<String, AttributeValue> file = rawFileItem(1);
        assertThat(Long.parseLong(file.get(LedgerTable.TTL_ATTRIBUTE).n()))
                .isEqualTo(clock.instant().plus(Duration.ofDays(30)).getEpochSecond());
        assertThat(file.get("appliedRecords").n()).isEqualTo("7");
        assertThat(rawCursorItem()).doesNotContainKey(LedgerTable.TTL_ATTRIBUTE);
    }

    @Test
    void afterTakeoverTheFormerHolderCanNeitherCheckpointNorComplete() {
        arrive(1, "e1");
        Lease a = ledger.tryAcquireLease(stream, "a", LEASE).orElseThrow();
        ledger.checkpoint(a, 1, 2, Counters.ZERO, null);
        clock.advance(LEASE);
        ledger.tryAcquireLease(stream, "b", LEASE).orElseThrow();

        assertThatThrownBy(() -> ledger.checkpoint(a, 1, 3, new Counters(1, 1, 1), null))
                .isInstanceOf(LeaseLostException.class).hasMessageContaining("now held by b");
        assertThatThrownBy(() -> ledger.completeFile(a, 1, 3)).isInstanceOf(LeaseLostException.class);
        assertThatThrownBy(() -> ledger.cursorUnder(a)).isInstanceOf(LeaseLostException.class);

        StreamCursor cursor = ledger.cursor(stream);
        assertThat(cursor.nextSeq()).isEqualTo(1);
        assertThat(cursor.inFileRecord()).isEqualTo(2);
        assertThat(cursor.totals()).isEqualTo(Counters.ZERO);
    }

    @Test
    void anExpiredLeaseRefusesWritesEvenBeforeAnyoneTakesItOver() {
        arrive(1, "e1");
        Lease a = ledger.tryAcquireLease(stream, "a", LEASE).orElseThrow();
        clock.advance(LEASE);

        assertThatThrownBy(() -> ledger.checkpoint(a, 1, 1, Counters.ZERO, null))
                .isInstanceOf(LeaseLostException.class).hasMessageContaining("now held by nobody");
        assertThat(ledger.cursor(stream).inFileRecord()).isZero();
    }

    @Test
    void afterReleaseTheFormerHolderCannotCheckpoint() {
        arrive(1, "e1");
        Lease a = ledger.tryAcquireLease(stream, "a", LEASE).orElseThrow();
        ledger.release(a);

        assertThatThrownBy(() -> ledger.checkpoint(a, 1, 1, Counters.ZERO, null))
                .isInstanceOf(LeaseLostException.class);
    }

    @Test
    void firstArrivalAfterFindsTheLowestLaterFileOnly() {
        arrive(5, "e5");
        arrive(3, "e3");
        arrive(9, "e9");

        assertThat(ledger.firstArrivalAfter(stream, 1)).hasValue(3);
        assertThat(ledger.firstArrivalAfter(stream, 3)).hasValue(5);
        assertThat(ledger.firstArrivalAfter(stream, 9)).isEmpty();
    }

    @Test
    void streamsAreIndependent() {
        arrive(1, "e1");
        String other = stream + "-other";
        ledger.tryAcquireLease(stream, "a", LEASE).orElseThrow();

        assertThat(ledger.tryAcquireLease(other, "b", LEASE)).isPresent();
        assertThat(ledger.arrival(other, 1)).isEmpty();
        assertThat(ledger.recordArrival(other, 1, "k", "other-etag", 1, Instant.EPOCH)).isEqualTo(ArrivalOutcome.NEW);
    }

    private Map<String, AttributeValue> rawFileItem(long seq) {
        return db.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Items.key(FileLedger.partitionKey(stream), FileLedger.fileSortKey(seq)))).item();
    }

    private Map<String, AttributeValue> rawCursorItem() {
        return db.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Items.key(FileLedger.partitionKey(stream), FileLedger.CURSOR))).item();
    }
}
