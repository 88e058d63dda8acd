package io.inorder.bench;

import io.inorder.local.LocalStack;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Section 4: one large Arcion file ingested through the real S3 path by a forked JVM limited to {@value #HEAP_MIB} MiB
 * of heap, while the local stack (S3, DynamoDB, emulator) runs in this JVM, so the fork's heap is the function's alone.
 * The file is generated in a temporary directory, uploaded, and deleted before the fork starts. Its ids come from a
 * hot key set of {@value #KEY_SPACE} ids of ~700-byte documents (about 42 MB of distinct documents, a little more than a
 * window's 4 × 10 MiB per endpoint, so windows fill and are sent), which also keeps the emulator's store small.
 */
final class MemoryBound {

    static final int HEAP_MIB = 256;
    static final int KEY_SPACE = 60_000;

    /** One run's outcome; {@code failure} is null when the fork finished. */
    record Figures(long fileBytes, long records, double seconds, long sampledPeakHeap, long poolPeakSum, long maxHeap,
                   int documents, String failure) {

        boolean passed() {
            return failure == null && sampledPeakHeap <= (long) HEAP_MIB << 20;
        }
    }

    private final LocalStack stack;

    MemoryBound(LocalStack stack) {
        this.stack = stack;
    }

    Figures run(long targetBytes) throws Exception {
        stack.emulator().reset();
        CdcRecords records = new CdcRecords(CdcRecords.Envelope.S3_JSON, NormalizeBenchmark.DOCUMENT_BYTES, KEY_SPACE);
        Path dir = Files.createTempDirectory("inorder-bench-memory");
        Path file = dir.resolve("orders_1.json");
        long count = 0;
        S3Events.StoredObject object;
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                while (Files.size(file) < targetBytes) {
                    records.write(out, count, 10_000);
                    count += 10_000;
                    out.flush();
                }
            }
            try (S3Client s3 = stack.s3Client()) {
                object = S3Events.upload(s3, S3PathRig.LANDING_BUCKET, "memory/orders_1.json",
                        RequestBody.fromFile(file));
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        List<String> args = new ArrayList<>(List.of("memory"));
        args.addAll(S3PathRig.Endpoints.of(stack).arguments());
        args.addAll(object.arguments());
        try {
            ForkedJvm.Report r = ForkedJvm.run(List.of("-Xmx" + HEAP_MIB + "m", "-XX:+ExitOnOutOfMemoryError"), args,
                    1_800);
            int documents = stack.emulator().documents(CdcRecords.WORKSPACE, CdcRecords.COLLECTION).size();
            return new Figures(object.size(), count, r.values().get("eventMillis").asLong() / 1000.0,
                    r.values().get("sampledPeakHeap").asLong(), r.values().get("poolPeakSum").asLong(),
                    r.values().get("maxHeap").asLong(), documents, null);
        } catch (IllegalStateException e) {
            return new Figures(object.size(), count, 0, 0, 0, 0, 0, e.getMessage());
        } finally {
            stack.emulator().reset();
        }
    }
}
