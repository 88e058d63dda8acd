package io.inorder.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.local.LocalStack;
import io.inorder.local.TemplateStack;
import io.inorder.local.lambda.ExecutionEnvironment;
import io.inorder.local.lambda.FunctionSpec;
import io.inorder.local.lambda.LocalLambda;
import io.inorder.local.lambda.SamTemplate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Section 5: cold start measured the way it happens. The S3 function's deployment jar runs in the local Lambda
 * runtime (a forked JVM under the runtime interface client, the managed runtime's JVM options, container
 * credentials, the Write API over HTTPS), and so does the baseline, {@link BaselineHandler}: the same jar and SDK
 * clients, one DynamoDB GetItem, one S3 GetObject and one HTTPS POST — the floor for any function with these
 * dependencies. Two figures each:
 * <ul>
 *   <li><b>cold</b> ({@code AWS_LAMBDA_INITIALIZATION_TYPE=on-demand}): from starting the process to the first
 *       response, init included;</li>
 *   <li><b>restored</b> ({@code snap-start}): the runtime runs the CRaC {@code beforeCheckpoint} hooks after init
 *       (the function's priming), then is restored; from the restore to the first response, which is what a
 *       SnapStart invocation waits for after Lambda has restored the snapshot.</li>
 * </ul>
 * The function handles one S3 event for a new 10-record file (ledger, lease, API key from Secrets Manager, read,
 * write, checkpoint) with the commit check off: the fence waits on the service's apply lag, not on the cold start.
 * Each figure is the median of {@code runs}, every run in new JVMs.
 */
final class ColdStart {

    /** Medians in milliseconds. */
    record Figures(int runs, long functionCold, long baselineCold, long functionRestored, long baselineRestored,
                   long functionSnapshotInit) {

        double coldRatio() {
            return (double) functionCold / baselineCold;
        }

        double restoredRatio() {
            return (double) functionRestored / baselineRestored;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalStack stack;
    private int files;

    ColdStart(LocalStack stack) {
        this.stack = stack;
    }

    Figures run(int runs) throws Exception {
        long[] functionCold = new long[runs];
        long[] baselineCold = new long[runs];
        long[] functionRestored = new long[runs];
        long[] baselineRestored = new long[runs];
        long[] snapshotInit = new long[runs];
        Path root = projectRoot();
        Path baselineClasses = baselineClasses();
        try (HttpsFront front = HttpsFront.start(stack.emulator().baseUrl());
             TemplateStack deployed = TemplateStack.deploy(stack, TemplateStack.Options.defaults(root, null)
                     .withParameters(Map.of("TableConfig", CdcRecords.TABLE_CONFIG,
                             "WriteApiUrl", front.url().toString(), "CommitCheck", "off")))) {
            // The benchmark hands each environment its event itself; S3 must not deliver the uploads as well.
            deployed.loseNotifications(true);
            LocalLambda lambda = deployed.lambda();
            FunctionSpec function = deployed.function("S3IngestFunction")
                    .withEnvironment(Map.of("JAVA_TOOL_OPTIONS", front.trustOptions()));
            FunctionSpec baseline = new FunctionSpec("Baseline", "inorder-baseline",
                    BaselineHandler.class.getName() + "::handleRequest", function.code(), List.of(baselineClasses),
                    function.memoryMb(), function.timeout(), function.environment(), function.snapStart());
            for (int i = 0; i < runs; i++) {
                functionCold[i] = cold(lambda, function, s3Event(deployed));
                baselineCold[i] = cold(lambda, baseline, baselineEvent(deployed, front));
                long[] restored = restored(lambda, function, s3Event(deployed));
                functionRestored[i] = restored[0];
                snapshotInit[i] = restored[1];
                baselineRestored[i] = restored(lambda, baseline, baselineEvent(deployed, front))[0];
            }
        } finally {
            deleteTree(baselineClasses);
        }
        return new Figures(runs, median(functionCold), median(baselineCold), median(functionRestored),
                median(baselineRestored), median(snapshotInit));
    }

    /** Process start to first response, on-demand init. */
    private static long cold(LocalLambda lambda, FunctionSpec f, byte[] event) throws IOException {
        try (ExecutionEnvironment e = lambda.start(f, ExecutionEnvironment.InitType.ON_DEMAND)) {
            ExecutionEnvironment.Result r = e.invoke(event);
            long end = System.currentTimeMillis();
            check(f, r);
            return end - e.startedAtMillis();
        }
    }

    /** Restore to first response after the CRaC hooks, and process start to the checkpoint. */
    private static long[] restored(LocalLambda lambda, FunctionSpec f, byte[] event) throws IOException {
        try (ExecutionEnvironment e = lambda.start(f, ExecutionEnvironment.InitType.SNAP_START)) {
            long atCheckpoint = System.currentTimeMillis();
            ExecutionEnvironment.Result r = e.invoke(event);
            long end = System.currentTimeMillis();
            check(f, r);
            return new long[] {end - e.restoredAtMillis(), atCheckpoint - e.startedAtMillis()};
        }
    }

    private static void check(FunctionSpec f, ExecutionEnvironment.Result r) {
        if (r.failed() || (f.logicalId().equals("S3IngestFunction") && !r.text().contains("filesApplied=1"))) {
            throw new IllegalStateException(f.name() + " did not handle its event: " + r.text());
        }
    }

    /** An S3 notification for a new 10-record file of its own stream. */
    private byte[] s3Event(TemplateStack deployed) throws IOException {
        S3Events.StoredObject object = upload(deployed);
        ObjectNode record = JSON.createObjectNode();
        record.put("eventVersion", "2.1");
        record.put("eventSource", "aws:s3");
        record.put("awsRegion", LocalStack.REGION.id());
        record.put("eventTime", Instant.now().toString());
        record.put("eventName", "ObjectCreated:Put");
        var s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.putObject("bucket").put("name", object.bucket()).put("arn", "arn:aws:s3:::" + object.bucket());
        s3.putObject("object").put("key", object.key()).put("size", object.size()).put("eTag", object.eTag())
                .put("sequencer", "0");
        ObjectNode event = JSON.createObjectNode();
        event.putArray("Records").add(record);
        return JSON.writeValueAsBytes(event);
    }

    private byte[] baselineEvent(TemplateStack deployed, HttpsFront front) throws IOException {
        S3Events.StoredObject object = upload(deployed);
        ObjectNode event = JSON.createObjectNode();
        event.put("table", deployed.function("S3IngestFunction").environment().get("STATE_TABLE"));
        event.put("bucket", object.bucket());
        event.put("key", object.key());
        event.put("url", front.url() + "/v1/orgs/self/ws/" + CdcRecords.WORKSPACE + "/collections/"
                + CdcRecords.COLLECTION + "/docs");
        event.put("apiKey", stack.emulator().apiKey());
        event.put("body", "{\"data\":[{\"_id\":\"baseline-" + files + "\",\"n\":" + files + "}]}");
        return JSON.writeValueAsBytes(event);
    }

    private S3Events.StoredObject upload(TemplateStack deployed) throws IOException {
        files++;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new CdcRecords(CdcRecords.Envelope.S3_JSON, NormalizeBenchmark.DOCUMENT_BYTES, 0).write(out, files * 10L, 10);
        try (S3Client s3 = stack.s3Client()) {
            return S3Events.upload(s3, deployed.landingBucket(), deployed.landingPrefix() + "cold" + files
                    + "/orders_1.json", RequestBody.fromBytes(out.toByteArray()));
        }
    }

    /** {@link BaselineHandler}'s class file in a directory of its own, laid over the function's task root. */
    private static Path baselineClasses() throws IOException {
        Path dir = Files.createTempDirectory("inorder-baseline");
        String resource = BaselineHandler.class.getName().replace('.', '/') + ".class";
        Path target = dir.resolve(resource);
        Files.createDirectories(target.getParent());
        try (InputStream in = ColdStart.class.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(in, target);
        }
        return dir;
    }

    private static Path projectRoot() {
        String root = System.getProperty("inorder.root");
        if (root != null) {
            return Path.of(root);
        }
        return SamTemplate.findRoot(Path.of("")).orElseThrow(() -> new IllegalStateException(
                "the cold-start section runs template.yaml's deployment jars: run it from the project"));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
