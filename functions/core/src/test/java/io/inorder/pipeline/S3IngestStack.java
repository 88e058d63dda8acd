package io.inorder.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.emulator.AppliedOp;
import io.inorder.emulator.Emulator;
import io.inorder.ledger.FileLedger;
import io.inorder.ledger.LocalDynamoDb;
import io.inorder.ledger.StreamCursor;
import io.inorder.ledger.TableCursor;
import io.inorder.ledger.TestClock;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.writeapi.ApiKeySource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One test's S3 ingest over the real local components: S3Proxy buckets of its own, a fresh ledger table on DynamoDB
 * Local, and the Write API emulator (shared, reset per test) over HTTP, wired by {@link S3Ingest#create} from an
 * {@link IngestConfig} read from an environment map, exactly as the Lambda handler does.
 */
final class S3IngestStack {

    static final String WORKSPACE = "commons";
    static final String COLLECTION = "orders";
    static final String SOURCE_TABLE = "shop.orders";
    static final String STREAM = "cdc/shop.orders";
    static final String TABLE_CONFIG = "{\"workspace\":\"" + WORKSPACE + "\",\"tables\":{\"" + SOURCE_TABLE
            + "\":{\"collection\":\"" + COLLECTION + "\",\"primaryKey\":[\"id\"]}}}";

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    final Emulator emulator;
    final S3Client s3;
    final String bucket;
    final String quarantineBucket;
    final String stateTable;
    final InterceptedDynamoDb dynamoDb = new InterceptedDynamoDb(LocalDynamoDb.client());
    final TestClock clock = TestClock.followingSystemTime();
    final List<String> continuations = Collections.synchronizedList(new ArrayList<>());
    private final ByteArrayOutputStream metricsOut = new ByteArrayOutputStream();
    private final AtomicInteger invocations = new AtomicInteger();
    private volatile Continuation onContinuation = stream -> { };

    S3IngestStack(Emulator emulator, URI s3Endpoint) {
        this.emulator = emulator;
        this.s3 = S3Client.builder().endpointOverride(s3Endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "secret")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        int n = BUCKETS.incrementAndGet();
        this.bucket = "cdc-" + n;
        this.quarantineBucket = "quarantine-" + n;
        s3.createBucket(b -> b.bucket(bucket));
        s3.createBucket(b -> b.bucket(quarantineBucket));
        this.stateTable = LocalDynamoDb.newTable();
        emulator.reset();
    }

    /**
     * The environment of the tests: small requests (one document each, so a window holds four documents per
     * endpoint and every file spans several windows), the commit check on, a 60 s function timeout (12 s stop margin).
     */
    Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("WRITE_API_URL", emulator.baseUrl().toString());
        env.put("ROCKSET_API_KEY", emulator.apiKey());
        env.put("TABLE_CONFIG", TABLE_CONFIG);
        env.put("STATE_TABLE", stateTable);
        env.put("QUARANTINE_BUCKET", quarantineBucket);
        env.put("MAX_REQUEST_DOCUMENTS", "1");
        env.put("MAX_REQUEST_BYTES", "4096");
        env.put("RETRY_BASE_MS", "5");
        env.put("RETRY_CAP_MS", "20");
        env.put("COMMIT_CHECK", "wait");
        env.put("COMMIT_WAIT_MS", "5000");
        env.put("FUNCTION_TIMEOUT_SECONDS", "60");
        return env;
    }

    S3Ingest ingest() {
        return ingest(Map.of());
    }

    /** An {@link S3Ingest} from the test environment with {@code overrides} applied. */
    S3Ingest ingest(Map<String, String> overrides) {
        return ingest(overrides, new Log("s3-ingest", Log.Level.ERROR, System.out, clock));
    }

    /** The same, logging to {@code log} (to read what the function logged). */
    S3Ingest ingest(Map<String, String> overrides, Log log) {
        Map<String, String> env = environment();
        env.putAll(overrides);
        IngestConfig config = IngestConfig.fromEnvironment(env, name -> {
            throw new AssertionError("no SSM parameter expected, asked for " + name);
        });
        PrintStream sink = new PrintStream(metricsOut, true, StandardCharsets.UTF_8);
        IngestServices services = IngestServices.create(config, dynamoDb, s3, ApiKeySource.fixed(config.apiKey()),
                new Metrics("Inorder", "s3-ingest", sink, clock), log, clock);
        return S3Ingest.create(config, services, dynamoDb, s3, stream -> {
            continuations.add(stream);
            onContinuation.continueDraining(stream);
        }, clock);
    }

    /** What happens, besides recording it, when the drain asks to be continued (as the async self-invocation). */
    void onContinuation(Continuation then) {
        onContinuation = then;
    }

    /** Uploads a file and returns its notification, with the eTag S3 answered. */
    S3Ingest.Notification upload(String key, byte[] body) {
        String eTag = s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(body)).eTag();
        return new S3Ingest.Notification(bucket, key, eTag, body.length, clock.instant());
    }

    S3Ingest.Notification upload(int seq, List<String> records) {
        return upload(STREAM + "_" + seq + ".json", OrdersChanges.file(records));
    }

    /** Delivers notifications as one invocation with a unique id and a minute of remaining time. */
    List<DrainSummary> deliver(S3Ingest ingest, S3Ingest.Notification... notifications) {
        return ingest.handle(List.of(notifications), "invocation-" + invocations.incrementAndGet(),
                Duration.ofSeconds(60));
    }

    String streamId() {
        return bucket + "/" + STREAM;
    }

    StreamCursor cursor() {
        return new FileLedger(LocalDynamoDb.client(), stateTable, clock).cursor(streamId());
    }

    TableCursor tables() {
        return new TableCursor(LocalDynamoDb.client(), stateTable, clock);
    }

    /** The collection's documents keyed by their {@code id} column, without {@code _id} and {@code _event_time}. */
    Map<String, Map<String, String>> documents() {
        Map<String, Map<String, String>> docs = new TreeMap<>();
        for (ObjectNode doc : emulator.documents(WORKSPACE, COLLECTION).values()) {
            Map<String, String> fields = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getKey().equals("_id") && !f.getKey().equals("_event_time")) {
                    fields.put(f.getKey(), f.getValue().isNull() ? null : f.getValue().asText());
                }
            }
            docs.put(fields.get("id"), fields);
        }
        return docs;
    }

    /**
     * For each {@code _id}, the source revisions ({@code rev} column) its applied adds and patches carried, in apply
     * order. In-order application makes every list strictly increasing; a repeat shows as an equal neighbour.
     */
    Map<String, List<Long>> appliedRevisions() {
        Map<String, List<Long>> revisions = new TreeMap<>();
        for (AppliedOp op : emulator.applyLog(WORKSPACE, COLLECTION)) {
            Long rev = revisionOf(op);
            if (rev != null) {
                revisions.computeIfAbsent(op.id(), id -> new ArrayList<>()).add(rev);
            }
        }
        return revisions;
    }

    private static Long revisionOf(AppliedOp op) {
        JsonNode p = op.payload();
        if (op.kind().equals("add")) {
            return p.get("rev").asLong();
        }
        if (op.kind().equals("patch")) {
            for (JsonNode operation : p) {
                if (operation.path("path").asText().equals("/rev")) {
                    return operation.get("value").asLong();
                }
            }
        }
        return null;
    }

    /** The sum of one metric over every EMF line flushed so far. */
    long metric(Metrics.Name name) {
        long sum = 0;
        for (String line : metricsOut.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode value = JSON.readTree(line).get(name.metric());
                sum += value == null ? 0 : value.asLong();
            } catch (Exception e) {
                throw new AssertionError("metrics line is not JSON: " + line, e);
            }
        }
        return sum;
    }
}
