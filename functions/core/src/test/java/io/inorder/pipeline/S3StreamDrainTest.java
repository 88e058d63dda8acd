package io.inorder.pipeline;

import io.inorder.writeapi.Deadline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.inorder.ledger.ArrivalOutcome;
import io.inorder.ledger.Counters;
import io.inorder.ledger.FileLedger;
import io.inorder.ledger.Lease;
import io.inorder.ledger.LocalDynamoDb;
import io.inorder.ledger.StreamCursor;
import io.inorder.ledger.TestClock;

class S3StreamDrainTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final DrainSettings SETTINGS = DrainSettings.forFunctionTimeout(TIMEOUT);
    private static final String BUCKET = "cdc-bucket";

    private static String table;

    private TestClock clock;
    private FileLedger ledger;
    private String streamName;
    private final List<String> continuations = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger invocations = new AtomicInteger();

    @BeforeAll
    static void startDynamo() {
        table = LocalDynamoDb.newTable();
    }

    @BeforeEach
    void newStream() {
        clock = TestClock.atEpochPlusDays(0);
        ledger = new FileLedger(LocalDynamoDb.client(), table, clock);
        streamName = "orders-" + UUID.randomUUID();
    }

    private String stream() {
        return BUCKET + "/" + streamName;
    }

    private S3Arrival file(long seq) {
        return file(seq, "etag-" + seq);
    }

    private S3Arrival file(long seq, String eTag) {
        return new S3Arrival(BUCKET, "cdc/" + streamName + "_" + seq + ".json", eTag, 1000 + seq, streamName, seq,
                clock.instant());
    }

    private S3StreamDrain drain(RecordingApplier applier) {
        return new S3StreamDrain(ledger, applier, continuations::add, SETTINGS);
    }

    private DrainSummary deliver(S3StreamDrain drain, S3Arrival arrival) {
        return drain.onArrival(arrival, "invocation-" + invocations.incrementAndGet(), Deadline.after(clock, TIMEOUT));
    }

    private RecordingApplier applier(Map<Long, Integer> sizes, int window) {
        return new RecordingApplier(sizes, window, clock, Duration.ZERO);
    }

    @Test
    void filesArrivingThreeOneTwoAreAppliedOneTwoThree() {
        Map<Long, Integer> sizes = Map.of(1L, 4, 2L, 2, 3L, 5);
        RecordingApplier applier = applier(sizes, 2);
        S3StreamDrain drain = drain(applier);

        DrainSummary third = deliver(drain, file(3));
        assertThat(third.arrival()).contains(ArrivalOutcome.NEW);
        assertThat(third.filesApplied()).isZero();
        assertThat(third.waitingOnSeq()).hasValue(1);
        assertThat(third.gapBefore()).hasValue(3);

        DrainSummary first = deliver(drain, file(1));
        assertThat(first.filesApplied()).isEqualTo(1);
        assertThat(first.waitingOnSeq()).hasValue(2);
        assertThat(first.hasGap()).isTrue();

        DrainSummary second = deliver(drain, file(2));
        assertThat(second.filesApplied()).isEqualTo(2);
        assertThat(second.waitingOnSeq()).hasValue(4);
        assertThat(second.hasGap()).isFalse();

        assertThat(applier.acknowledged).containsExactlyElementsOf(RecordingApplier.inOrder(sizes));
        assertThat(applier.violations).isEmpty();
        StreamCursor cursor = ledger.cursor(stream());
        assertThat(cursor.nextSeq()).isEqualTo(4);
        assertThat(cursor.filesApplied()).isEqualTo(3);
        assertThat(cursor.totals().records()).isEqualTo(11);
        assertThat(cursor.leaseOwner()).isNull();
        assertThat(cursor.lastPosition()).isEqualTo("pos-3-4");
    }

    @Test
    void redeliveredNotificationsApplyNothingTwice() {
        Map<Long, Integer> sizes = Map.of(1L, 3, 2L, 3);
        RecordingApplier applier = applier(sizes, 2);
        S3StreamDrain drain = drain(applier);

        DrainSummary pending = deliver(drain, file(2));
        DrainSummary pendingAgain = deliver(drain, file(2));
        assertThat(pendingAgain.arrival()).contains(ArrivalOutcome.DUPLICATE);
        assertThat(pendingAgain.duplicates()).isEqualTo(1);
        assertThat(pendingAgain.waitingOnSeq()).hasValue(1);
        deliver(drain, file(1));
        DrainSummary applied = deliver(drain, file(1));
        DrainSummary appliedAgain = deliver(drain, file(2));

        assertThat(pending.arrival()).contains(ArrivalOutcome.NEW);
        assertThat(applied.arrival()).contains(ArrivalOutcome.ALREADY_APPLIED);
        assertThat(appliedAgain.arrival()).contains(ArrivalOutcome.ALREADY_APPLIED);
        assertThat(applied.filesApplied() + appliedAgain.filesApplied()).isZero();
        assertThat(applier.acknowledged).containsExactlyElementsOf(RecordingApplier.inOrder(sizes));
        assertThat(applier.sent).containsExactlyElementsOf(RecordingApplier.inOrder(sizes));
    }

    @Test
    void conflictingReuploadIsFlaggedAndTheFirstRecordedObjectIsApplied() {
        RecordingApplier applier = applier(Map.of(1L, 1, 2L, 1), 1);
        S3StreamDrain drain = drain(applier);

        deliver(drain, file(2, "original"));
        DrainSummary conflict = deliver(drain, file(2, "reupload"));
        deliver(drain, file(1));

        assertThat(conflict.arrival()).contains(ArrivalOutcome.CONFLICT);
        assertThat(conflict.conflicts()).isEqualTo(1);
        assertThat(applier.eTagsApplied).containsExactly("1=etag-1", "2=original");
        assertThat(ledger.arrival(stream(), 2).orElseThrow().conflicts()).isEqualTo(1);
    }

    @Test
    void aGapBlocksLaterFilesUntilItFills() {
        Map<Long, Integer> sizes = Map.of(1L, 1, 2L, 1, 3L, 1, 4L, 1);
        RecordingApplier applier = applier(sizes, 1);
        S3StreamDrain drain = drain(applier);

        deliver(drain, file(1));
        deliver(drain, file(3));
        DrainSummary blocked = deliver(drain, file(4));
        assertThat(blocked.waitingOnSeq()).hasValue(2);
        assertThat(blocked.gapBefore()).hasValue(3);
        assertThat(applier.acknowledged).containsExactly("1:0");

        DrainSummary filled = deliver(drain, file(2));
        assertThat(filled.filesApplied()).isEqualTo(3);
        assertThat(applier.acknowledged).containsExactlyElementsOf(RecordingApplier.inOrder(sizes));
    }

    @Test
    void emptyFileAdvancesTheStream() {
        Map<Long, Integer> sizes = Map.of(1L, 0, 2L, 2);
        RecordingApplier applier = applier(sizes, 5);
        S3StreamDrain drain = drain(applier);

        deliver(drain, file(2));
        deliver(drain, file(1));

        assertThat(applier.acknowledged).containsExactly("2:0", "2:1");
        assertThat(ledger.cursor(stream()).nextSeq()).isEqualTo(3);
    }

    @Test
    void applierCrashMidFileReleasesTheLeaseAndTheRetryResumesAtTheCheckpoint() {
        Map<Long, Integer> sizes = Map.of(1L, 10, 2L, 2);
        RecordingApplier applier = applier(sizes, 3);
        applier.crashAt(new RecordingApplier.CrashPoint(1, 7, false));
        S3StreamDrain drain = drain(applier);
        deliver(drain, file(2));

        assertThatThrownBy(() -> deliver(drain, file(1))).isInstanceOf(RecordingApplier.Crash.class);
        StreamCursor afterCrash = ledger.cursor(stream());
        assertThat(afterCrash.nextSeq()).isEqualTo(1);
        assertThat(afterCrash.inFileRecord()).isEqualTo(6);
        assertThat(afterCrash.leaseOwner()).isNull();

        DrainSummary retry = deliver(drain, file(1));
        assertThat(retry.arrival()).contains(ArrivalOutcome.DUPLICATE);
        assertThat(retry.filesApplied()).isEqualTo(2);
        assertThat(applier.violations).isEmpty();
        assertThat(applier.acknowledged).containsExactlyElementsOf(RecordingApplier.inOrder(sizes));
        // Only the unacknowledged window is sent again.
        assertThat(applier.sent.stream().filter("1:6"::equals)).hasSize(2);
        assertThat(applier.sent).hasSize(12 + 1);
        assertThat(ledger.cursor(stream()).totals().records()).isEqualTo(12);
    }

    @Test
    void retryOfAnInvocationThatFailedOnALaterFileResumesTheStreamThoughItsOwnFileIsApplied() {
        Map<Long, Integer> sizes = Map.of(1L, 1, 2L, 3);
        RecordingApplier applier = applier(sizes, 1);
        applier.crashAt(new RecordingApplier.CrashPoint(2, 1, false));
        S3StreamDrain drain = drain(applier);
        deliver(drain, file(2));

        assertThatThrownBy(() -> deliver(drain, file(1))).isInstanceOf(RecordingApplier.Crash.class);
        DrainSummary retry = deliver(drain, file(1));

        assertThat(retry.arrival()).contains(ArrivalOutcome.ALREADY_APPLIED);
        assertThat(retry.filesApplied()).isEqualTo(1);
        assertThat(applier.acknowledged).containsExactlyElementsOf(RecordingApplier.inOrder(sizes));
        assertThat(applier.violations).isEmpty();
    }

    @Test
    void deadHolderBlocksTheStreamUntilItsLeaseExpiresThenTheNextDrainResumesAtItsCheckpoint() {
        Map<Long, Integer> sizes = Map.of(1L, 6);
        RecordingApplier applier = applier(sizes, 2);
        S3StreamDrain drain = drain(applier);
        ledger.recordArrival(stream(), 1, "cdc/x_1.json", "etag-1", 1, clock.instant());
        Lease dead = ledger.tryAcquireLease(stream(), "dead-invocation", SETTINGS.leaseDuration()).orElseThrow();
        ledger.checkpoint(dead, 1, 2, new Counters(2, 2, 1), null);
        applier.acknowledged.addAll(List.of("1:0", "1:1"));

        DrainSummary blocked = deliver(drain, file(1));
        assertThat(blocked.leaseBusy()).isTrue();
        assertThat(blocked.filesApplied()).isZero();

        clock.advance(SETTINGS.leaseDuration());
        DrainSummary resumed = drain.drain(stream(), "reconciler", Deadline.after(clock, TIMEOUT));

        assertThat(resumed.filesApplied()).isEqualTo(1);
        assertThat(applier.violations).isEmpty();
        assertThat(applier.acknowledged).containsExactlyElementsOf(RecordingApplier.inOrder(sizes));
        assertThat(applier.sent).containsExactly("1:2", "1:3", "1:4", "1:5");
    }

    @Test
    void holderThatLosesItsLeaseMidFileStopsWithoutWritingAndTheNewHolderResumes() {
        Map<Long, Integer> sizes = Map.of(1L, 6);
        RecordingApplier applier = applier(sizes, 2);
        S3StreamDrain drain = drain(applier);
        AtomicInteger windows = new AtomicInteger();
        applier.beforeEachCheckpoint = () -> {
            if (windows.incrementAndGet() == 2) {
                // The holder stalls past its lease and another invocation takes over.
                clock.advance(SETTINGS.leaseDuration());
                ledger.tryAcquireLease(stream(), "successor", SETTINGS.leaseDuration()).orElseThrow();
            }
        };

        DrainSummary stalled = deliver(drain, file(1));

        assertThat(stalled.leaseLost()).isTrue();
        assertThat(stalled.filesApplied()).isZero();
        assertThat(applier.acknowledged).containsExactly("1:0", "1:1");
        StreamCursor cursor = ledger.cursor(stream());
        assertThat(cursor.inFileRecord()).isEqualTo(2);
        assertThat(cursor.leaseOwner()).isEqualTo("successor");

        DrainSummary successor = drain.drain(stream(), "successor", Deadline.after(clock, TIMEOUT));
        assertThat(successor.filesApplied()).isEqualTo(1);
        assertThat(applier.violations).isEmpty();
        assertThat(applier.acknowledged).containsExactlyElementsOf(RecordingApplier.inOrder(sizes));
    }

    @Test
    void nearTheDeadlineTheDrainStopsAtAWindowBoundaryReleasesAndContinues() {
        Map<Long, Integer> sizes = Map.of(1L, 14, 2L, 3);
        RecordingApplier applier = new RecordingApplier(sizes, 2, clock, Duration.ofSeconds(10));
        S3StreamDrain drain = drain(applier);
        deliver(drain, file(2));

        DrainSummary first = deliver(drain, file(1));

        assertThat(first.stoppedForTime()).isTrue();
        assertThat(continuations).containsExactly(stream());
        StreamCursor stopped = ledger.cursor(stream());
        assertThat(stopped.leaseOwner()).isNull();
        assertThat(stopped.nextSeq()).isEqualTo(1);
        // 60 s timeout, 12 s margin: windows end at 10, 20, 30, 40, 50 s; the first to end past 48 s is the last.
        assertThat(stopped.inFileRecord()).isEqualTo(10).isEqualTo(applier.acknowledgedOf(1));
        assertThat(first.filesApplied()).isZero();

        DrainSummary continued = drain.drain(stream(), "continuation", Deadline.after(clock, TIMEOUT));
        assertThat(continued.filesApplied()).isEqualTo(2);
        assertThat(applier.acknowledged).containsExactlyElementsOf(RecordingApplier.inOrder(sizes));
        assertThat(applier.violations).isEmpty();
    }

    @Test
    void deadlinePassedBetweenFilesContinuesBeforeStartingTheNextFile() {
        Map<Long, Integer> sizes = Map.of(1L, 1, 2L, 1);
        RecordingApplier applier = new RecordingApplier(sizes, 1, clock, Duration.ofSeconds(50));
        S3StreamDrain drain = drain(applier);
        deliver(drain, file(2));

        DrainSummary first = deliver(drain, file(1));

        assertThat(first.filesApplied()).isEqualTo(1);
        assertThat(first.stoppedForTime()).isTrue();
        assertThat(continuations).containsExactly(stream());
        assertThat(applier.acknowledged).containsExactly("1:0");
        assertThat(ledger.cursor(stream()).leaseOwner()).isNull();
    }

    @Test
    void arrivalRecordedJustBeforeTheHolderReleasesIsPickedUpByTheHolderOnRecheck() {
        Map<Long, Integer> sizes = Map.of(1L, 2, 2L, 2);
        RecordingApplier applier = applier(sizes, 1);
        InterceptedDynamoDb db = new InterceptedDynamoDb(LocalDynamoDb.client());
        FileLedger intercepted = new FileLedger(db, table, clock);
        S3StreamDrain holder = new S3StreamDrain(intercepted, applier, continuations::add, SETTINGS);
        S3StreamDrain other = drain(applier);
        AtomicReference<DrainSummary> latecomer = new AtomicReference<>();
        db.aroundNextRelease(afterRelease -> {
            if (!afterRelease) {
                latecomer.set(deliver(other, file(2)));
            }
        });

        DrainSummary holderSummary = deliver(holder, file(1));

        assertThat(latecomer.get().leaseBusy()).isTrue();
        assertThat(latecomer.get().filesApplied()).isZero();
        assertThat(holderSummary.filesApplied()).isEqualTo(2);
        assertThat(applier.acknowledged).containsExactlyElementsOf(RecordingApplier.inOrder(sizes));
        assertThat(ledger.cursor(stream()).leaseOwner()).isNull();
    }

    @Test
    void arrivalRecordedJustAfterTheHolderReleasesIsAppliedByItsOwnInvocation() {
        Map<Long, Integer> sizes = Map.of(1L, 2, 2L, 2);
        RecordingApplier applier = applier(sizes, 1);
        InterceptedDynamoDb db = new InterceptedDynamoDb(LocalDynamoDb.client());
        S3StreamDrain holder = new S3StreamDrain(new FileLedger(db, table, clock), applier, continuations::add,
                SETTINGS);
        S3StreamDrain other = drain(applier);
        AtomicReference<DrainSummary> latecomer = new AtomicReference<>();
        db.aroundNextRelease(afterRelease -> {
            if (afterRelease) {
                latecomer.set(deliver(other, file(2)));
            }
        });

        DrainSummary holderSummary = deliver(holder, file(1));

        assertThat(latecomer.get().filesApplied()).isEqualTo(1);
        assertThat(holderSummary.filesApplied()).isEqualTo(1);
        assertThat(holderSummary.waitingOnSeq()).hasValue(3);
        assertThat(applier.acknowledged).containsExactlyElementsOf(RecordingApplier.inOrder(sizes));
    }

    @Test
    void invocationsRacingOnOneStreamApplyEveryFileOnceInOrderOneDrainerAtATime() throws Exception {
        int files = 8;
        int threads = 4;
        Map<Long, Integer> sizes = new java.util.HashMap<>();
        for (long seq = 1; seq <= files; seq++) {
            sizes.put(seq, (int) (seq % 3) + 1);
        }
        RecordingApplier applier = applier(sizes, 2);
        S3StreamDrain drain = drain(applier);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<Long> order = new ArrayList<>(sizes.keySet());
                Collections.shuffle(order, new Random(t));
                done.add(pool.submit(() -> {
                    start.await();
                    for (long seq : order) {
                        deliver(drain, file(seq));
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

        assertThat(applier.maxActive.get()).isEqualTo(1);
        assertThat(applier.violations).isEmpty();
        assertThat(applier.acknowledged).containsExactlyElementsOf(RecordingApplier.inOrder(sizes));
        assertThat(applier.sent).containsExactlyElementsOf(RecordingApplier.inOrder(sizes));
        StreamCursor cursor = ledger.cursor(stream());
        assertThat(cursor.nextSeq()).isEqualTo(files + 1);
        assertThat(cursor.leaseOwner()).isNull();
    }

    @Test
    void leaseShorterThanTheFunctionTimeoutIsRejected() {
        assertThatThrownBy(() -> new DrainSettings(TIMEOUT, TIMEOUT, Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must exceed the function timeout");
        assertThat(DrainSettings.forFunctionTimeout(Duration.ofSeconds(900)))
                .isEqualTo(new DrainSettings(Duration.ofSeconds(900), Duration.ofSeconds(960), Duration.ofSeconds(60)));
        assertThat(SETTINGS.leaseDuration()).isEqualTo(Duration.ofSeconds(120));
        assertThat(SETTINGS.stopMargin()).isEqualTo(Duration.ofSeconds(12));
    }
}
