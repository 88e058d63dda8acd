package io.inorder.bench;

import io.inorder.local.LocalStack;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Section 3: documents and bytes per second from S3 object to emulator acknowledgement, through the S3 function on the
 * embedded stack (emulator apply lag zero, commit fence on). Each stream gets its own rig — its own Lambda container —
 * and its files are delivered one event per file, in order; several streams run at once, as Lambda runs them. The clock
 * runs from the first event to the last handler return; uploads happen before it starts.
 */
final class EndToEnd {

    /** One run: {@code streams} streams of {@code files} files each. */
    record Figures(int streams, int files, long records, long inputBytes, double seconds) {

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
        List<S3PathRig> rigs = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            rigs.add(new S3PathRig(endpoints, Map.of(), null));
        }
        ExecutorService pool = Executors.newFixedThreadPool(streams);
        long started = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                S3PathRig rig = rigs.get(s);
                List<S3Events.StoredObject> stream = files.get(s);
                done.add(pool.submit(() -> {
                    for (S3Events.StoredObject o : stream) {
                        String reply = rig.handle(List.of(o));
                        if (!reply.contains("filesApplied=1")) {
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
        int documents = stack.emulator().documents(CdcRecords.WORKSPACE, CdcRecords.COLLECTION).size();
        if (documents != records) {
            throw new IllegalStateException("the emulator holds " + documents + " documents after " + records
                    + " distinct records: the end-to-end run lost or duplicated writes");
        }
        return new Figures(streams, streams * filesPerStream, records, inputBytes, seconds);
    }
}
