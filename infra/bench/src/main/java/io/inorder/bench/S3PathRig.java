package io.inorder.bench;

import io.inorder.ledger.FileLedger;
import io.inorder.ledger.LedgerTable;
import io.inorder.local.LocalContext;
import io.inorder.local.LocalS3Function;
import io.inorder.local.LocalStack;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.IngestServices;
import io.inorder.pipeline.S3Ingest;
import io.inorder.pipeline.S3KeyPattern;
import io.inorder.s3.S3IngestHandler;
import io.inorder.writeapi.ApiKeySource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The S3 function wired as {@code S3Function} wires it in Lambda — configuration from environment variables, SDK
 * clients over the URL-connection HTTP client, {@link IngestServices}, {@link S3Ingest}, {@link S3IngestHandler} —
 * but against explicit local endpoints (path-style S3) and with an optional interceptor on
 * the DynamoDB client, so a benchmark can count its calls. One rig is one Lambda container: not thread-safe.
 */
final class S3PathRig implements AutoCloseable {

    static final String LANDING_BUCKET = LocalS3Function.LANDING_BUCKET;
    static final String STATE_TABLE = LocalS3Function.STATE_TABLE;
    static final String QUARANTINE_BUCKET = LocalS3Function.QUARANTINE_BUCKET;
    private static final Duration FUNCTION_TIMEOUT = Duration.ofSeconds(900);

    /** Where the local stack listens; passed to forked JVMs as arguments. */
    record Endpoints(URI dynamoDb, URI s3, URI writeApi, String apiKey) {

        static Endpoints of(LocalStack stack) {
            return new Endpoints(stack.dynamoDbEndpoint(), stack.s3Endpoint(), stack.emulator().baseUrl(),
                    stack.emulator().apiKey());
        }

        List<String> arguments() {
            return List.of(dynamoDb.toString(), s3.toString(), writeApi.toString(), apiKey);
        }

        static Endpoints fromArguments(List<String> args) {
            return new Endpoints(URI.create(args.get(0)), URI.create(args.get(1)), URI.create(args.get(2)),
                    args.get(3));
        }
    }

    private final DynamoDbClient dynamoDb;
    private final S3Client s3;
    private final S3IngestHandler handler;
    private final IngestConfig config;
    private final FileLedger ledger;
    private int invocations;
    private long invocationNanos;

    /**
     * @param overrides   extra environment variables (e.g. {@code MAX_REQUEST_DOCUMENTS})
     * @param interceptor installed on the DynamoDB client the pipeline uses, or {@code null}
     */
    S3PathRig(Endpoints endpoints, Map<String, String> overrides, ExecutionInterceptor interceptor) {
        this(endpoints, overrides, interceptor, null);
    }

    /**
     * @param observer sees every metric value the function adds ({@code null} for none): how a benchmark totals the
     *                 commit wait, which the published metric reports as its maximum
     */
    S3PathRig(Endpoints endpoints, Map<String, String> overrides, ExecutionInterceptor interceptor,
            Metrics.Observer observer) {
        Map<String, String> env = LocalS3Function.environment(endpoints.writeApi().toString(), endpoints.apiKey(),
                CdcRecords.TABLE_CONFIG, FUNCTION_TIMEOUT);
        env.putAll(overrides);
        this.config = IngestConfig.fromEnvironment(env, name -> {
            throw new IllegalArgumentException("the benchmarks pass the table config inline, not through SSM");
        });
        SdkHttpClient http = UrlConnectionHttpClient.create();
        var credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(LocalStack.ACCESS_KEY, LocalStack.SECRET_KEY));
        this.dynamoDb = DynamoDbClient.builder().endpointOverride(endpoints.dynamoDb()).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(http)
                .overrideConfiguration(c -> {
                    if (interceptor != null) {
                        c.addExecutionInterceptor(interceptor);
                    }
                }).build();
        this.s3 = S3Client.builder().endpointOverride(endpoints.s3()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(credentials).httpClient(http).build();
        Clock clock = Clock.systemUTC();
        Log log = new Log("inorder", Log.Level.WARN, System.err, clock);
        Metrics metrics = new Metrics("Inorder", "inorder", new PrintStream(OutputStream.nullOutputStream()), clock,
                observer);
        IngestServices services = IngestServices.create(config, dynamoDb, s3, ApiKeySource.fromEnvironment(env),
                metrics, log, clock);
        S3Ingest ingest = S3Ingest.create(config, services, dynamoDb, s3, stream -> {
            throw new IllegalStateException("stream " + stream + " ran out of time in a benchmark invocation: the "
                    + "figures would be wrong; raise the function timeout");
        }, clock);
        this.handler = new S3IngestHandler(ingest, log);
        this.ledger = new FileLedger(dynamoDb, config.stateTable(), clock, config.firstSequence(),
                FileLedger.DEFAULT_ARRIVAL_RETENTION);
    }

    /** Creates the state table, the buckets and the collection (once per stack, from the parent JVM). */
    static void prepare(LocalStack stack) {
        try (DynamoDbClient ddb = stack.dynamoDbClient(); S3Client s3 = stack.s3Client()) {
            LedgerTable.create(ddb, STATE_TABLE);
            for (String bucket : List.of(LANDING_BUCKET, QUARANTINE_BUCKET)) {
                try {
                    s3.createBucket(b -> b.bucket(bucket));
                } catch (BucketAlreadyOwnedByYouException exists) {
                    // Prepared already.
                }
            }
        }
        stack.emulator().createCollection(CdcRecords.WORKSPACE, CdcRecords.COLLECTION);
    }

    /** Handles one S3 event for {@code objects}, as the Lambda runtime would invoke the handler; returns its reply. */
    String handle(List<S3Events.StoredObject> objects) {
        invocations++;
        long started = System.nanoTime();
        try {
            return handler.handleRequest(S3Events.put(objects),
                    new LocalContext(UUID.randomUUID().toString(), "inorder-s3-ingest", FUNCTION_TIMEOUT, System.err));
        } finally {
            invocationNanos += System.nanoTime() - started;
        }
    }

    /**
     * Records the object's arrival in the ledger as its notification would have (the same {@link FileLedger} call),
     * without an invocation: how a benchmark lays out a backlog, files that arrived while nobody could apply them.
     */
    void recordArrival(S3Events.StoredObject object) {
        S3KeyPattern.Match match = config.keyPattern().match(object.key()).orElseThrow(() ->
                new IllegalArgumentException(object.key() + " does not match S3_KEY_PATTERN"));
        ledger.recordArrival(object.bucket() + "/" + match.stream(), match.seq(), object.key(), object.eTag(),
                object.size(), Instant.now());
    }

    /** The time spent inside {@link #handle} so far, as Lambda would bill it (duration, not CPU). */
    Duration invocationTime() {
        return Duration.ofNanos(invocationNanos);
    }

    int invocations() {
        return invocations;
    }

    @Override
    public void close() {
        dynamoDb.close();
        s3.close();
    }
}
