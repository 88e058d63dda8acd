package io.inorder.pipeline;

import io.inorder.writeapi.Deadline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.BeforeContainer;

import io.inorder.ledger.FileLedger;
import io.inorder.ledger.LocalDynamoDb;
import io.inorder.ledger.StreamCursor;
import io.inorder.ledger.TestClock;

/**
 * Invariants 1 and 3 of the architecture for the S3 protocol: whatever the arrival order, duplication, crash points
 * (including holders that die without releasing the lease) and deadlines, every record of every file is acknowledged exactly once, in order, and the cursor never passes a
 * record that was not acknowledged.
 */
class S3StreamDrainPropertyTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String BUCKET = "cdc-bucket";
    private static String table;

    @BeforeContainer
    static void startDynamo() {
        table = LocalDynamoDb.newTable();
    }

    /** One Lambda invocation waiting in the queue: an S3 notification or a continuation. */
    private record Task(long seq) {
        static final long CONTINUATION = -1;
    }

    @Property(tries = 40)
    void anyArrivalOrderDuplicationAndCrashAppliesEveryRecordOnceInOrder(
            @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 6) Integer> fileSizes,
            @ForAll @IntRange(min = 1, max = 3) int window,
            @ForAll @IntRange(min = 0, max = 30) int secondsPerWindow,
            @ForAll long seed) {
        Random random = new Random(seed);
        Map<Long, Integer> sizes = new HashMap<>();
        for (int i = 0; i < fileSizes.size(); i++) {
            sizes.put(i + 1L, fileSizes.get(i));
        }
        TestClock clock = TestClock.atEpochPlusDays(0);
        RecordingApplier applier = new RecordingApplier(sizes, window, clock, Duration.ofSeconds(secondsPerWindow));
        Set<RecordingApplier.CrashPoint> hardCrashes = plantCrashes(applier, sizes, random);
        InterceptedDynamoDb db = new InterceptedDynamoDb(LocalDynamoDb.client());
        AtomicBoolean holderDied = new AtomicBoolean();
        applier.onCrash = point -> {
            if (hardCrashes.contains(point)) {
                holderDied.set(true);
                db.dropNextRelease();
            }
        };
        FileLedger ledger = new FileLedger(db, table, clock);
        DrainSettings settings = DrainSettings.forFunctionTimeout(TIMEOUT);
        String streamName = "s-" + UUID.randomUUID();
        String stream = BUCKET + "/" + streamName;
        Deque<Task> queue = new ArrayDeque<>(deliveries(sizes, random));
        int[] continuations = {0};
        S3StreamDrain drain = new S3StreamDrain(ledger, applier, s -> {
            continuations[0]++;
            queue.add(new Task(Task.CONTINUATION));
        }, settings);

        int invocations = 0;
        while (!queue.isEmpty() || unfinished(ledger.cursor(stream), sizes)) {
            if (queue.isEmpty()) {
                // A dead holder's lease blocks the stream until it expires; then the reconciler re-drives it.
                // Anything else that leaves the stream unfinished is a stranded arrival.
                assertThat(holderDied).as("stream stalled with no dead holder").isTrue();
                clock.advance(settings.leaseDuration());
                queue.add(new Task(Task.CONTINUATION));
            }
            assertThat(++invocations).as("invocations needed").isLessThan(500);
            Task task = queue.poll();
            String owner = "invocation-" + invocations;
            Deadline deadline = Deadline.after(clock, TIMEOUT);
            try {
                if (task.seq() == Task.CONTINUATION) {
                    drain.drain(stream, owner, deadline);
                } else {
                    drain.onArrival(new S3Arrival(BUCKET, "cdc/" + streamName + "_" + task.seq(), "etag-" + task.seq(),
                            10, streamName, task.seq(), clock.instant()), owner, deadline);
                }
            } catch (RecordingApplier.Crash crash) {
                queue.add(task); // Lambda retries a failed asynchronous invocation
            }
            // A retry that found the dead holder's lease just ends (leaseBusy); the loop above plays the reconciler.
            assertCursorMatchesAcknowledged(ledger.cursor(stream), applier, sizes);
            clock.advance(Duration.ofSeconds(1));
        }

        Statistics.label("holder died").collect(holderDied.get());
        Statistics.label("continuations").collect(continuations[0] > 0);
        assertThat(applier.violations).isEmpty();
        assertThat(applier.acknowledged).containsExactlyElementsOf(RecordingApplier.inOrder(sizes));
        assertThat(applier.maxActive.get()).isLessThanOrEqualTo(1);
        StreamCursor end = ledger.cursor(stream);
        assertThat(end.nextSeq()).isEqualTo(sizes.size() + 1L);
        assertThat(end.inFileRecord()).isZero();
        assertThat(end.leaseOwner()).isNull();
        assertThat(end.totals().records()).isEqualTo(RecordingApplier.inOrder(sizes).size());
    }

    /** Every file at least once, some twice or three times, in random order (S3 is at-least-once, unordered). */
    private static List<Task> deliveries(Map<Long, Integer> sizes, Random random) {
        List<Task> tasks = new ArrayList<>();
        for (long seq : sizes.keySet()) {
            int copies = 1 + (random.nextInt(3) == 0 ? 1 + random.nextInt(2) : 0);
            for (int c = 0; c < copies; c++) {
                tasks.add(new Task(seq));
            }
        }
        Collections.shuffle(tasks, random);
        return tasks;
    }

    /**
     * Up to three failures at random records, before sending or right after acknowledging; some are hard (the process
     * dies without releasing the lease). Returns the hard ones.
     */
    private static Set<RecordingApplier.CrashPoint> plantCrashes(RecordingApplier applier, Map<Long, Integer> sizes,
                                                                 Random random) {
        Set<RecordingApplier.CrashPoint> hard = new HashSet<>();
        int crashes = random.nextInt(4);
        for (int c = 0; c < crashes; c++) {
            long seq = 1 + random.nextInt(sizes.size());
            int size = sizes.get(seq);
            if (size > 0) {
                RecordingApplier.CrashPoint point =
                        new RecordingApplier.CrashPoint(seq, random.nextInt(size), random.nextBoolean());
                applier.crashAt(point);
                if (random.nextInt(3) == 0) {
                    hard.add(point);
                }
            }
        }
        return hard;
    }

    private static boolean unfinished(StreamCursor cursor, Map<Long, Integer> sizes) {
        return cursor.nextSeq() <= sizes.size();
    }

    /** Between invocations the cursor sits exactly after the last acknowledged record: never ahead, never behind. */
    private static void assertCursorMatchesAcknowledged(StreamCursor cursor, RecordingApplier applier,
                                                        Map<Long, Integer> sizes) {
        for (Map.Entry<Long, Integer> file : sizes.entrySet()) {
            long seq = file.getKey();
            long expected = seq < cursor.nextSeq() ? file.getValue()
                    : seq == cursor.nextSeq() ? cursor.inFileRecord() : 0;
            assertThat(applier.acknowledgedOf(seq)).as("acknowledged records of file %d with cursor at %d/%d",
                    seq, cursor.nextSeq(), cursor.inFileRecord()).isEqualTo(expected);
        }
    }
}
