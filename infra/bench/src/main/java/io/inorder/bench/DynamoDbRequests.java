package io.inorder.bench;

import io.inorder.local.LocalStack;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Section 6: the DynamoDB API calls the S3 path makes for one file (arrival, lease, checkpoints, cursor, table
 * progress), counted by an SDK interceptor on the client handed to the pipeline, for a small file (one window) and a
 * large one (many windows). Windows are counted at the emulator: each window ends with one {@code offsets/commit}
 * (the commit fence passes at once with apply lag zero).
 */
final class DynamoDbRequests {

    /** One file's cost. */
    record Figures(String file, long records, long windows, long calls, Map<String, Long> byOperation) {

        double callsPerWindow() {
            return (double) calls / windows;
        }
    }

    private static int runs;

    private final LocalStack stack;

    DynamoDbRequests(LocalStack stack) {
        this.stack = stack;
    }

    /**
     * Ingests one new file of {@code records} records and counts. {@code maxRequestDocuments} sets
     * {@code MAX_REQUEST_DOCUMENTS}, which bounds a window (4 requests per endpoint) and so sets how many windows the
     * file takes.
     */
    Figures run(String name, int records, int documentBytes, int maxRequestDocuments) throws IOException {
        runs++;
        stack.emulator().reset();
        S3Events.StoredObject object;
        try (S3Client s3 = stack.s3Client()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new CdcRecords(CdcRecords.Envelope.S3_JSON, documentBytes, 0).write(out, 0, records);
            object = S3Events.upload(s3, S3PathRig.LANDING_BUCKET, "ddb" + runs + "/orders_1.json",
                    RequestBody.fromBytes(out.toByteArray()));
        }
        DynamoDbCalls calls = new DynamoDbCalls();
        try (S3PathRig rig = new S3PathRig(S3PathRig.Endpoints.of(stack),
                Map.of("MAX_REQUEST_DOCUMENTS", Integer.toString(maxRequestDocuments)), calls)) {
            String reply = rig.handle(List.of(object));
            if (!reply.contains("filesApplied=1")) {
                throw new IllegalStateException(object.key() + " was not applied: " + reply);
            }
        }
        long windows = stack.emulator().requests()
                .entries(e -> e.path().endsWith("/offsets/commit") && e.status() == 200).size();
        return new Figures(name, records, windows, calls.total(), calls.byOperation());
    }
}
