package io.inorder.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.inorder.ledger.FileLedger;
import io.inorder.ledger.LedgerIndex;
import io.inorder.ledger.LocalDynamoDb;
import io.inorder.ledger.SweepCursor;
import io.inorder.ledger.TestClock;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.pipeline.Reconciler.Finding;
import io.inorder.pipeline.Reconciler.StreamReport;
import io.inorder.writeapi.Deadline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

/**
 * The reconciler at scale, over DynamoDB Local and S3Proxy: a sweep resumes where the previous one stopped, so a
 * budget too small for all streams still reaches every one within a bounded number of sweeps; a blocked stream is
 * revisited every sweep; and a blocked stream's listing starts where its missing files can be, not at its first file.
 */
class ReconcilerSweepTest {

    @RegisterExtension
    static final S3ProxyExtension S3_PROXY = S3ProxyExtension.builder().withCredentials("local", "secret").build();

    private static final String BUCKET = "sweep";
    private static final int STREAMS = 30;
    private static final int PER_SWEEP = 5;

    private final TestClock clock = TestClock.followingSystemTime();
    private final AtomicInteger keysListed = new AtomicInteger();
    private final List<String> redriven = new ArrayList<>();
    private final ByteArrayOutputStream metricsOut = new ByteArrayOutputStream();
    private String table;
    private S3Client s3;

    @BeforeEach
    void start() {
        table = LocalDynamoDb.newTable();
        ExecutionInterceptor countListedKeys = new ExecutionInterceptor() {
            @Override
            public void afterUnmarshalling(Context.AfterUnmarshalling context, ExecutionAttributes attributes) {
                if (context.response() instanceof ListObjectsV2Response listed) {
                    keysListed.addAndGet(listed.contents().size());
                }
            }
        };
        s3 = S3Client.builder().endpointOverride(S3_PROXY.getUri()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "secret")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(countListedKeys)).build();
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @Test
    void aBudgetForFiveStreamsVisitsAllThirtyInSixSweepsEachResumingWhereTheLastStoppedThenWrapsAround() {
        FileLedger ledger = ledger(1);
        List<String> streams = IntStream.range(0, STREAMS).mapToObj(i -> String.format("%s/s%02d", BUCKET, i))
                .toList();
        for (String stream : streams) {
            // Ready: file 1 recorded, nobody draining; the re-drive is what the sweep does there.
            ledger.recordArrival(stream, 1, stream.substring(BUCKET.length() + 1) + "_1.json", "e", 1, Instant.now());
        }
        Reconciler reconciler = reconciler(ledger);

        List<List<String>> sweeps = new ArrayList<>();
        for (int sweep = 0; sweep < STREAMS / PER_SWEEP + 1; sweep++) {
            sweeps.add(reconciler.sweep(budgetOfFiveReDrives()).stream().map(StreamReport::stream).toList());
        }

        for (int sweep = 0; sweep < STREAMS / PER_SWEEP; sweep++) {
            assertThat(sweeps.get(sweep)).as("sweep %d", sweep)
                    .containsExactlyElementsOf(streams.subList(sweep * PER_SWEEP, (sweep + 1) * PER_SWEEP));
        }
        assertThat(sweeps.stream().limit(STREAMS / PER_SWEEP).flatMap(List::stream)).hasSize(STREAMS)
                .containsExactlyInAnyOrderElementsOf(streams);
        assertThat(sweeps.get(STREAMS / PER_SWEEP)).as("the round wraps around")
                .containsExactlyElementsOf(streams.subList(0, PER_SWEEP));
    }

    @Test
    void aStreamFoundBlockedIsVisitedFirstInEverySweepAfterSoItsGapAgeIsPublishedEachTime() {
        FileLedger ledger = ledger(1);
        List<String> streams = IntStream.range(0, STREAMS).mapToObj(i -> String.format("%s/s%02d", BUCKET, i))
                .toList();
        for (String stream : streams) {
            ledger.recordArrival(stream, 1, stream.substring(BUCKET.length() + 1) + "_1.json", "e", 1, Instant.now());
        }
        String blocked = BUCKET + "/s03-blocked";
        ledger.recordArrival(blocked, 2, "s03-blocked_2.json", "e", 1, Instant.now());
        Reconciler reconciler = reconciler(ledger);

        List<StreamReport> first = reconciler.sweep(budgetOfFiveReDrives());
        assertThat(first).extracting(StreamReport::stream).contains(blocked);
        for (int sweep = 1; sweep < 4; sweep++) {
            metricsOut.reset();
            List<StreamReport> reports = reconciler.sweep(budgetOfFiveReDrives());
            assertThat(reports.get(0).stream()).as("sweep %d", sweep).isEqualTo(blocked);
            assertThat(reports.get(0).finding()).isEqualTo(Finding.GAP);
            assertThat(metricsOut.toString(StandardCharsets.UTF_8)).contains("\"stream\":\"" + blocked + "\"")
                    .contains("GapAge").contains("\"BlockedStreams\":1");
        }
        assertThat(new SweepCursor(LocalDynamoDb.client(), table, clock).read().blocked()).containsExactly(blocked);
    }

    @Test
    void aBlockedStreamWithPaddedKeysListsFromItsMissingFileNotFromItsFirst() {
        FileLedger ledger = ledger(301);
        String stream = BUCKET + "/cdc/orders";
        for (int seq = 1; seq <= 302; seq++) {
            put(String.format("cdc/orders_%05d.json", seq));
        }
        // Files 1..300 were applied (the stream starts at 301 here); 301's notification was lost, 302 waits.
        ledger.recordArrival(stream, 302, "cdc/orders_00302.json", "e302", 2, Instant.now());

        StreamReport report = reconciler(ledger).reconcile(stream);

        assertThat(report.finding()).isEqualTo(Finding.FOUND_LOST_NOTIFICATION);
        assertThat(report.registered()).isEqualTo(1);
        assertThat(ledger.arrival(stream, 301)).get().extracting(a -> a.key()).isEqualTo("cdc/orders_00301.json");
        assertThat(keysListed.get()).as("keys listed (the stream holds 302)").isLessThanOrEqualTo(3);
    }

    @Test
    void aBlockedStreamWithUnpaddedKeysLooksUpItsMissingNumberUnderItsOwnPrefix() {
        FileLedger ledger = ledger(31);
        String stream = BUCKET + "/cdc/orders";
        // Unpadded: orders_100 sorts before orders_31, so no StartAfter can skip the applied files.
        for (int seq = 1; seq <= 302; seq++) {
            if (seq != 32) {
                put("cdc/orders_" + seq + ".json");
            }
        }
        ledger.recordArrival(stream, 33, "cdc/orders_33.json", "e33", 2, Instant.now());

        StreamReport report = reconcile(ledger, stream);

        assertThat(report.finding()).isEqualTo(Finding.FOUND_LOST_NOTIFICATION);
        assertThat(report.registered()).isEqualTo(1);
        assertThat(ledger.arrival(stream, 31)).get().extracting(a -> a.key()).isEqualTo("cdc/orders_31.json");
        assertThat(ledger.arrival(stream, 32)).isEmpty();
        // Prefix orders_31: orders_31.json, then orders_310..319 in the same page (the listing stops at the first
        // longer number); prefix orders_32 (missing too, not in the bucket): orders_320..329.
        assertThat(keysListed.get()).as("keys listed (the stream holds 301)").isLessThanOrEqualTo(21);
    }

    private StreamReport reconcile(FileLedger ledger, String stream) {
        return reconciler(ledger).reconcile(stream);
    }

    /** The test clock moves one second per re-drive: the 4.5 s budget covers exactly five of them. */
    private Deadline budgetOfFiveReDrives() {
        return Deadline.after(clock, Duration.ofMillis(PER_SWEEP * 1000L - 500));
    }

    private Reconciler reconciler(FileLedger ledger) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return new Reconciler(ledger, new LedgerIndex(LocalDynamoDb.client(), table),
                new SweepCursor(LocalDynamoDb.client(), table, clock), s3, S3KeyPattern.defaultPattern(),
                stream -> {
                    redriven.add(stream);
                    clock.advance(Duration.ofSeconds(1));
                },
                new Metrics("Inorder", "inorder-reconciler", new PrintStream(metricsOut, true,
                        StandardCharsets.UTF_8), clock), new Log("inorder-reconciler", Log.Level.ERROR, sink, clock),
                clock);
    }

    private FileLedger ledger(long firstSequence) {
        return new FileLedger(LocalDynamoDb.client(), table, clock, firstSequence,
                FileLedger.DEFAULT_ARRIVAL_RETENTION);
    }

    private void put(String key) {
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("{}"));
    }
}
