package io.inorder.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.inorder.ledger.StreamCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Concurrent invocations of {@link S3Ingest} on one stream, over the real local components: one container's
 * {@link S3Ingest} per invocation (as separate Lambda containers), real threads, the DynamoDB lease deciding.
 */
class S3IngestRaceTest {

    @RegisterExtension
    static final S3ProxyExtension S3_PROXY = S3ProxyExtension.builder().withCredentials("local", "secret").build();

    @RegisterExtension
    static final StackEmulator EMULATOR = new StackEmulator();

    private S3IngestStack stack;
    private final OrdersChanges changes = new OrdersChanges();
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @BeforeEach
    void newStack() {
        stack = new S3IngestStack(EMULATOR.emulator(), S3_PROXY.getUri());
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void twoInvocationsRacingOnOneStreamLetExactlyOneDrainIt() throws Exception {
        S3Ingest.Notification one = stack.upload(1, changes.busyFile("a", 8));
        S3Ingest.Notification two = stack.upload(2, changes.busyFile("b", 8));
        S3Ingest.Notification three = stack.upload(3, changes.busyFile("c", 8));
        stack.deliver(stack.ingest(), three, two);
        // Slow Write API: whoever takes the lease holds it long enough for the other to find it taken.
        EMULATOR.emulator().faults().set("slow:1.0:5ms");

        List<DrainSummary> summaries = race(List.of(
                () -> stack.deliver(stack.ingest(), one),
                () -> stack.deliver(stack.ingest(), one)));

        assertThat(summaries).filteredOn(s -> s.filesApplied() > 0).singleElement()
                .extracting(DrainSummary::filesApplied).isEqualTo(3);
        assertThat(summaries).filteredOn(s -> s.filesApplied() == 0).singleElement()
                .satisfies(s -> assertThat(s.leaseBusy() || s.duplicates() == 1).isTrue());
        assertThat(stack.documents()).isEqualTo(changes.documents());
        assertThat(stack.appliedRevisions()).allSatisfy((id, revs) -> assertThat(revs).isSorted()
                .doesNotHaveDuplicates());
        StreamCursor cursor = stack.cursor();
        assertThat(cursor.nextSeq()).isEqualTo(4);
        assertThat(cursor.filesApplied()).isEqualTo(3);
        assertThat(cursor.leaseOwner()).isNull();
    }

    @Test
    void arrivalRecordedWhileTheHolderIsReleasingIsAppliedByTheHolder() throws Exception {
        S3Ingest holder = stack.ingest();
        S3Ingest latecomer = stack.ingest();
        S3Ingest.Notification one = stack.upload(1, changes.busyFile("a", 6));
        S3Ingest.Notification two = stack.upload(2, changes.busyFile("b", 6));
        List<DrainSummary> late = new ArrayList<>();
        // The holder has applied file 1 and found no file 2; just before its release lands, file 2's invocation
        // records it and finds the lease still taken.
        stack.dynamoDb.beforeNextRelease(() -> {
            try {
                late.addAll(threads.submit(() -> stack.deliver(latecomer, two)).get(30, TimeUnit.SECONDS));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        DrainSummary held = stack.deliver(holder, one).get(0);

        assertThat(late).singleElement().satisfies(s -> {
            assertThat(s.leaseBusy()).isTrue();
            assertThat(s.filesApplied()).isZero();
        });
        assertThat(held.filesApplied()).as("the recheck after release finds file 2").isEqualTo(2);
        assertThat(stack.cursor().nextSeq()).isEqualTo(3);
        assertThat(stack.documents()).isEqualTo(changes.documents());
    }

    @Test
    void arrivalsDeliveredConcurrentlyAreNeverStrandedByTheReleaseThenRecheckRace() throws Exception {
        int rounds = 20;
        S3Ingest first = stack.ingest();
        S3Ingest second = stack.ingest();
        for (int round = 0; round < rounds; round++) {
            int seq = 2 * round + 1;
            S3Ingest.Notification a = stack.upload(seq, List.of(changes.insert("r" + seq, "NEW", "1.00")));
            S3Ingest.Notification b = stack.upload(seq + 1, List.of(changes.update("r" + seq, "PAID", "2.00"),
                    changes.insert("r" + (seq + 1), "NEW", "3.00")));

            long delayMillis = (round * 7L) % 40;  // varies which step of the holder the second arrival meets
            race(List.of(() -> stack.deliver(first, a), () -> {
                Thread.sleep(delayMillis);
                return stack.deliver(second, b);
            }));

            assertThat(stack.cursor().nextSeq()).as("after round %d both files are applied", round)
                    .isEqualTo(seq + 2);
        }
        assertThat(stack.documents()).isEqualTo(changes.documents());
        assertThat(stack.cursor().leaseOwner()).isNull();
        assertThat(stack.continuations).isEmpty();
    }

    /** Runs the invocations at the same moment on separate threads; returns every summary they produced. */
    private List<DrainSummary> race(List<Callable<List<DrainSummary>>> invocations)
            throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<DrainSummary>>> running = new ArrayList<>();
        for (Callable<List<DrainSummary>> invocation : invocations) {
            running.add(threads.submit(() -> {
                start.await();
                return invocation.call();
            }));
        }
        start.countDown();
        List<DrainSummary> summaries = new ArrayList<>();
        for (Future<List<DrainSummary>> f : running) {
            summaries.addAll(f.get(30, TimeUnit.SECONDS));
        }
        return summaries;
    }
}
