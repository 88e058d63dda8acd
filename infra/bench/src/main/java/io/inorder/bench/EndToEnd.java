package io.inorder.bench;

import io.inorder.local.LocalStack;
import io.inorder.observe.Metrics;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Section 3: documents and bytes per second from S3 object to emulator acknowledgement, through the S3 function on the
 * embedded stack (commit fence on; section 3 runs with the emulator's apply lag zero, section 7 with the service's).
 * Each stream gets its own rig — its own Lambda container — and its files are delivered one event per file, in order,
 * or as a backlog: every file but the first already recorded in the ledger, then the first file's event, whose
 * invocation drains them all. Several streams run at once, as Lambda runs them. The clock runs from the first event to
 * the last handler return; uploads happen before it starts.
 */
final class EndToEnd {

    /** How a stream's files reach the function. */
    enum Delivery {
        /** One event per file, in suffix order, each applying its file. */
        EVENT_PER_FILE,
        /** Files 2..n recorded as arrived beforehand (they came while nobody could apply them), then file 1's event. */
        BACKLOG
    }

    /**
     * One run: {@code streams} streams of {@code files} files in all.
     *
     * @param invocations     handler invocations timed (one per event)
     * @param invocationNanos the invocations' durations summed over every stream: what Lambda bills
     * @param commitWaitNanos the commit fence's waits summed over every window of every stream, from the function's
     *                        own CommitWait values
     */
    record Figures(int streams, int files, long records, long inputBytes, double seconds, int invocations,
                   long invocationNanos, long commitWaitNanos) {

        Figures(int streams, int files, long records, long inputBytes, double seconds) {
            this(streams, files, records, inputBytes, seconds, 0, 0, 0);
        }

        double documentsPerSecond() {
            return records / seconds;
        }

        double megabytesPerSecond() {
            return inputBytes / 1e6 / seconds;
        }
    }

    private static final AtomicInteger RUNS = new AtomicInteger();

    private final LocalStack stack;
    private final S3PathRig.Endpoints endpoints;

    EndToEnd(LocalStack stack) {
        this.stack = stack;
        this.endpoints = S3PathRig.Endpoints.of(stack);
    }

    Figures run(int streams, int filesPerStream, int recordsPerFile) throws Exception {
        return run(streams, filesPerStream, recordsPerFile, Delivery.EVENT_PER_FILE);
    }

    Figures run(int streams, int filesPerStream, int recordsPerFile, Delivery delivery) throws Exception {
        int run = RUNS.incrementAndGet();
        stack.emulator().reset();
        List<List<S3Events.StoredObject>> files = new ArrayList<>();
        long inputBytes = 0;
        try (S3Client s3 = stack.s3Client()) {
            long first = 0;
            for (int s = 0; s < streams; s++) {
                List<S3Events.StoredObject> stream = new ArrayList<>();
                for (int f = 1; f <= filesPerStream; f++) {
                    // Distinct ids across every file, so the emulator's document count proves every record arrived.
                    CdcRecords records = new CdcRecords(CdcRecords.Envelope.S3_JSON, NormalizeBenchmark.DOCUMENT_BYTES,
                            0);
                    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                    records.write(out, first, recordsPerFile);
                    first += recordsPerFile;
                    S3Events.StoredObject o = S3Events.upload(s3, S3PathRig.LANDING_BUCKET,
                            "e2e" + run + "/s" + s + "/orders_" + f + ".json", RequestBody.fromBytes(out.toByteArray()));
                    inputBytes += o.size();
                    stream.add(o);
                }
                files.add(stream);
            }
        }
        LongAdder commitWaitMillis = new LongAdder();
        Metrics.Observer commitWait = (name, value) -> {
            if (name == Metrics.Name.COMMIT_WAIT) {
                commitWaitMillis.add((long) value);
            }
        };
        List<S3PathRig> rigs = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            S3PathRig rig = new S3PathRig(endpoints, Map.of(), null, commitWait);
            rigs.add(rig);
            if (delivery == Delivery.BACKLOG) {
                files.get(s).subList(1, filesPerStream).forEach(rig::recordArrival);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(streams);
        long started = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                S3PathRig rig = rigs.get(s);
                List<S3Events.StoredObject> stream = files.get(s);
                done.add(pool.submit(() -> {
                    if (delivery == Delivery.BACKLOG) {
                        String reply = rig.handle(List.of(stream.get(0)));
                        if (!reply.contains("filesApplied=" + stream.size() + " ")) {
                            throw new IllegalStateException("the backlog of " + stream.size() + " files from "
                                    + stream.get(0).key() + " was not drained by one invocation: " + reply);
                        }
                        return null;
                    }
                    for (S3Events.StoredObject o : stream) {
                        String reply = rig.handle(List.of(o));
                        if (!reply.contains("filesApplied=1 ")) {
                            throw new IllegalStateException(o.key() + " was not applied by its event: " + reply);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            rigs.forEach(S3PathRig::close);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long records = (long) streams * filesPerStream * recordsPerFile;
        // With an apply lag the last writes may still be on their way to visibility.
        stack.emulator().awaitApplied(Duration.ofMinutes(1));
        int documents = stack.emulator().documents(CdcRecords.WORKSPACE, CdcRecords.COLLECTION).size();
        if (documents != records) {
            throw new IllegalStateException("the emulator holds " + documents + " documents after " + records
                    + " distinct records: the end-to-end run lost or duplicated writes");
        }
        int invocations = rigs.stream().mapToInt(S3PathRig::invocations).sum();
        long invocationNanos = rigs.stream().mapToLong(r -> r.invocationTime().toNanos()).sum();
        return new Figures(streams, streams * filesPerStream, records, inputBytes, seconds, invocations,
                invocationNanos, commitWaitMillis.sum() * 1_000_000);
    }
}
