package io.inorder.local;

import io.inorder.ledger.FileLedger;
import io.inorder.ledger.LedgerIndex;
import io.inorder.ledger.LedgerTable;
import io.inorder.ledger.SweepCursor;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.pipeline.Reconciler;
import io.inorder.pipeline.S3KeyPattern;
import io.inorder.writeapi.Deadline;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The ledger at 10,000 streams on DynamoDB Local (bench section "10,000 streams"): how many reconciler sweeps of a
 * fixed budget it takes to visit every stream, and how long {@code inorder status} takes to read them all — with its
 * concurrent readers and with one, the baseline. One stream in a hundred is blocked on a missing file (so the sweep
 * lists the bucket for it); the others are idle. Lives in the local package to call the status command's reader.
 */
public final class ManyStreams {

    /** What one run measured. */
    public record Figures(int streams, int blocked, double populateSeconds, double budgetSeconds,
                          List<Integer> visitedPerSweep, int sweepsToVisitAll, double statusSeconds,
                          int statusReaders, double statusOneReaderSeconds, int statusRows) { }

    private ManyStreams() {
    }

    /** Runs on {@code stack}'s DynamoDB Local and S3Proxy, in its ledger table (streams under {@code /many/}). */
    public static Figures run(LocalStack stack, int streams, Duration sweepBudget) throws Exception {
        String table = LocalS3Function.STATE_TABLE;
        Clock clock = Clock.systemUTC();
        try (DynamoDbClient ddb = stack.dynamoDbClient(); S3Client s3 = stack.s3Client()) {
            LedgerTable.create(ddb, table);
            // First sequence 2: recording file 1 creates the cursor past it (idle); file 3 then waits for 2 (blocked).
            FileLedger ledger = new FileLedger(ddb, table, clock, 2, FileLedger.DEFAULT_ARRIVAL_RETENTION);
            List<String> ids = IntStream.range(0, streams)
                    .mapToObj(i -> String.format("%s/many/s%05d", LocalS3Function.LANDING_BUCKET, i)).toList();
            long started = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<?>> writes = ids.stream().map(id -> pool.submit(() -> {
                    String key = id.substring(id.indexOf('/') + 1);
                    ledger.recordArrival(id, 1, key + "_1.json", "e1", 1, Instant.now());
                    if (id.endsWith("00")) {
                        ledger.recordArrival(id, 3, key + "_3.json", "e3", 1, Instant.now());
                    }
                })).<Future<?>>map(f -> f).toList();
                for (Future<?> w : writes) {
                    w.get();
                }
            } finally {
                pool.shutdownNow();
            }
            double populate = (System.nanoTime() - started) / 1e9;
            int blocked = (int) ids.stream().filter(id -> id.endsWith("00")).count();

            PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
            Reconciler reconciler = new Reconciler(ledger, new LedgerIndex(ddb, table), new SweepCursor(ddb, table,
                    clock), s3, S3KeyPattern.defaultPattern(), stream -> { },
                    new Metrics("Inorder", "inorder-reconciler", discard, clock),
                    new Log("inorder-reconciler", Log.Level.ERROR, discard, clock), clock);
            Set<String> visited = new HashSet<>();
            List<Integer> perSweep = new java.util.ArrayList<>();
            int sweeps = 0;
            while (!visited.containsAll(ids) && sweeps < 1_000) {
                List<Reconciler.StreamReport> reports = reconciler.sweep(Deadline.after(clock, sweepBudget));
                reports.forEach(r -> visited.add(r.stream()));
                perSweep.add(reports.size());
                sweeps++;
            }

            StatusCommand.Status status;
            double statusSeconds;
            double oneReader;
            try (Deployment d = Deployment.local(stack.dynamoDbEndpoint(), stack.s3Endpoint(),
                    stack.emulator().baseUrl().toString())) {
                started = System.nanoTime();
                status = StatusCommand.read(d, "/many/", clock, StatusCommand.READERS);
                statusSeconds = (System.nanoTime() - started) / 1e9;
                started = System.nanoTime();
                StatusCommand.read(d, "/many/", clock, 1);
                oneReader = (System.nanoTime() - started) / 1e9;
            }
            return new Figures(streams, blocked, populate, sweepBudget.toMillis() / 1000.0, List.copyOf(perSweep),
                    sweeps, statusSeconds, StatusCommand.READERS, oneReader, status.streams().size());
        }
    }
}
