package io.inorder.bench;

import io.inorder.local.LocalStack;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Section 5: time from starting a JVM to the first S3 event handled by the S3 function (configuration read, SDK and
 * Write API clients built, a 10-record file read, written and acknowledged), against a JVM that only loads Jackson and
 * parses one record; once without priming and once with SnapStart's priming hook run first (as SnapStart runs it
 * before the snapshot). Each figure is the median of {@code runs} fresh JVMs, started with the same options.
 */
final class ColdStart {

    /** Medians in milliseconds. */
    record Figures(int runs, long jacksonOnly, long function, long functionFirstEvent, long primed,
                   long primingMillis, long primedFirstEvent) {

        double functionRatio() {
            return (double) function / jacksonOnly;
        }

        double primedRatio() {
            return (double) primed / jacksonOnly;
        }
    }

    private static final List<String> JVM = List.of("-Xmx512m");

    private final LocalStack stack;
    private int files;

    ColdStart(LocalStack stack) {
        this.stack = stack;
    }

    Figures run(int runs) throws Exception {
        long[] jackson = new long[runs];
        long[] function = new long[runs];
        long[] functionEvent = new long[runs];
        long[] primed = new long[runs];
        long[] priming = new long[runs];
        long[] primedEvent = new long[runs];
        for (int i = 0; i < runs; i++) {
            jackson[i] = ForkedJvm.run(JVM, List.of("jackson"), 120).since("handledAt");
            ForkedJvm.Report f = ForkedJvm.run(JVM, probe("function"), 120);
            function[i] = f.since("handledAt");
            functionEvent[i] = f.values().get("eventMillis").asLong();
            ForkedJvm.Report p = ForkedJvm.run(JVM, probe("primed"), 120);
            primed[i] = p.since("handledAt");
            priming[i] = p.values().get("primedAt").asLong() - p.values().get("builtAt").asLong();
            primedEvent[i] = p.values().get("eventMillis").asLong();
        }
        return new Figures(runs, median(jackson), median(function), median(functionEvent), median(primed),
                median(priming), median(primedEvent));
    }

    /** Arguments for a probe handling a new 10-record file of its own stream. */
    private List<String> probe(String mode) throws Exception {
        files++;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new CdcRecords(CdcRecords.Envelope.S3_JSON, NormalizeBenchmark.DOCUMENT_BYTES, 0).write(out, files * 10L, 10);
        S3Events.StoredObject object;
        try (S3Client s3 = stack.s3Client()) {
            object = S3Events.upload(s3, S3PathRig.LANDING_BUCKET, "cold" + files + "/orders_1.json",
                    RequestBody.fromBytes(out.toByteArray()));
        }
        List<String> args = new ArrayList<>(List.of(mode));
        args.addAll(S3PathRig.Endpoints.of(stack).arguments());
        args.addAll(object.arguments());
        return args;
    }

    static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
