package io.inorder.local;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.ledger.FileLedger;
import io.inorder.ledger.LedgerIndex;
import io.inorder.ledger.LedgerTable;
import io.inorder.ledger.StreamCursor;
import io.inorder.ledger.SweepCursor;
import io.inorder.mapping.TableMapping;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.IngestServices;
import io.inorder.pipeline.Reconciler;
import io.inorder.pipeline.S3Ingest;
import io.inorder.s3.S3IngestHandler;
import io.inorder.writeapi.ApiKeySource;
import io.inorder.writeapi.Deadline;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * The S3 ingest function deployed on a {@link LocalStack}, invoked the way Lambda invokes it: S3 notifications in
 * S3's JSON shape, deserialized with the Lambda runtime's own serializer, handled by the unchanged
 * {@link S3IngestHandler} with a {@link LocalContext} whose deadline is the function timeout. Invocations run
 * asynchronously and concurrently on {@value #CONCURRENCY} "containers" (each with its own handler, Write API client,
 * log and metrics, as Lambda gives each concurrent invocation its own container); a failed invocation is retried up
 * to {@value #MAX_RETRIES} more times like an asynchronous Lambda event, and the function's continuation (its async
 * self-invocation when time runs low) becomes another invocation here.
 *
 * <p>Preparing it creates the ledger table, the landing and quarantine buckets, and the emulator's workspace and
 * collections of every configured table. Thread-safe.
 */
public final class LocalS3Function implements AutoCloseable {

    public static final String LANDING_BUCKET = "inorder-landing";
    public static final String QUARANTINE_BUCKET = "inorder-quarantine";
    public static final String STATE_TABLE = "inorder-state";
    static final String FUNCTION_NAME = "inorder-s3-ingest";
    /** Concurrent invocations (Lambda's would be the function's reserved concurrency). */
    static final int CONCURRENCY = 4;
    /** Lambda retries a failed asynchronous invocation twice. */
    static final int MAX_RETRIES = 2;
    /** Lambda waits a minute or more before a retry; locally a short pause keeps runs fast. */
    private static final Duration RETRY_PAUSE = Duration.ofMillis(20);

    /** An object put in the local S3, with the eTag and size S3 reported. */
    public record Uploaded(String bucket, String key, String eTag, long size) { }

    /** A stream blocked on a missing file while later files have arrived. */
    public record Gap(String stream, long missingSeq, long nextArrivedSeq) {
        @Override
        public String toString() {
            return stream + " waits for seq " + missingSeq + " (seq " + nextArrivedSeq + " has arrived)";
        }
    }

    /** What a run did, from the functions' own metrics and the ledger. */
    public record Summary(long filesApplied, long records, long documentsWritten, long requests, long retries,
                          long throttles, long quarantined, long ignoredKeys, long duplicateArrivals,
                          long invocations, long lambdaRetries, List<String> failedInvocations, List<Gap> gaps,
                          List<String> unappliedReadyStreams) {

        /** Everything delivered was applied: nothing failed for good, nothing waits on a gap or sits unapplied. */
        public boolean clean() {
            return failedInvocations.isEmpty() && gaps.isEmpty() && unappliedReadyStreams.isEmpty();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PojoSerializer<S3Event> SERIALIZER =
            LambdaEventSerializers.serializerFor(S3Event.class, LocalS3Function.class.getClassLoader());

    private final LocalStack stack;
    private final IngestConfig config;
    private final DynamoDbClient dynamoDb;
    private final S3Client s3;
    private final FileLedger ledger;
    private final Log log;
    private final PrintStream logs;
    private final MetricTotals totals = new MetricTotals();
    private final BlockingQueue<Container> containers = new ArrayBlockingQueue<>(CONCURRENCY);
    private final ExecutorService pool;
    private final Object idle = new Object();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong invocations = new AtomicLong();
    private final AtomicLong lambdaRetries = new AtomicLong();
    private final AtomicLong sequencer = new AtomicLong(0x0055AED6DCD90281L);
    private final List<String> failures = new ArrayList<>();
    private final List<String> responses = new ArrayList<>();
    private final Set<String> streams = new ConcurrentSkipListSet<>();

    /** One Lambda container: the handler and the ingest it wraps, used by one invocation at a time. */
    private record Container(S3IngestHandler handler, S3Ingest ingest) { }

    /** The body of one asynchronous invocation. */
    @FunctionalInterface
    private interface Invocation {
        String run(Container container, LocalContext context);
    }

    private LocalS3Function(LocalStack stack, IngestConfig config, Map<String, String> env, PrintStream logs,
            Log.Level level) {
        this.stack = stack;
        this.config = config;
        this.dynamoDb = stack.dynamoDbClient();
        this.s3 = stack.s3Client();
        Clock clock = Clock.systemUTC();
        this.ledger = new FileLedger(dynamoDb, config.stateTable(), clock, config.firstSequence(),
                FileLedger.DEFAULT_ARRIVAL_RETENTION);
        this.log = new Log("inorder-local", level, logs, clock);
        this.logs = logs;
        this.pool = Executors.newFixedThreadPool(CONCURRENCY, r -> {
            Thread t = new Thread(r, "lambda-" + FUNCTION_NAME);
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < CONCURRENCY; i++) {
            Log containerLog = new Log("inorder", level, logs, clock);
            Metrics metrics = new Metrics("Inorder", "inorder", totals.stream(), clock);
            IngestServices services = IngestServices.create(config, dynamoDb, s3, ApiKeySource.fromEnvironment(env),
                    metrics, containerLog, clock);
            S3Ingest ingest = S3Ingest.create(config, services, dynamoDb, s3, this::continueDraining, clock);
            containers.add(new Container(new S3IngestHandler(ingest, containerLog), ingest));
        }
    }

    /**
     * Prepares the stack for {@code tableConfigJson} and deploys the function on it. {@code overrides} are extra
     * environment variables ({@link IngestConfig#SETTINGS}), e.g. {@code RETRY_MAX_ATTEMPTS}; function logs go to
     * {@code logs} from {@code level} up.
     *
     * @throws io.inorder.pipeline.ConfigurationException naming the variable when the configuration is invalid
     */
    public static LocalS3Function deploy(LocalStack stack, String tableConfigJson, Map<String, String> overrides,
            PrintStream logs, Log.Level level) {
        Map<String, String> env = environment(stack.emulator().baseUrl().toString(), stack.emulator().apiKey(),
                tableConfigJson, Duration.ofSeconds(Long.parseLong(
                        IngestConfig.FUNCTION_TIMEOUT_SECONDS.defaultValue())));
        env.putAll(overrides);
        IngestConfig config = IngestConfig.fromEnvironment(env, name -> {
            throw new IllegalArgumentException(IngestConfig.TABLE_CONFIG_PARAMETER.name() + " needs SSM, which the "
                    + "local stack does not have: pass the table config inline");
        });
        try (DynamoDbClient ddb = stack.dynamoDbClient(); S3Client s3 = stack.s3Client()) {
            LedgerTable.create(ddb, config.stateTable());
            createBucket(s3, LANDING_BUCKET);
            createBucket(s3, config.quarantineBucket());
        }
        for (TableMapping t : config.tables().tables()) {
            stack.emulator().createCollection(config.tables().workspace(), t.collection());
        }
        return new LocalS3Function(stack, config, Map.copyOf(env), logs, level);
    }

    /**
     * The environment every function on a local stack starts from: the Write API at {@code writeApiUrl} with its key,
     * the local ledger table and quarantine bucket, the table config (when given) and the function timeout. Mutable,
     * for the caller's overrides.
     */
    public static Map<String, String> environment(String writeApiUrl, String apiKey, String tableConfigJson,
            Duration functionTimeout) {
        Map<String, String> env = new HashMap<>();
        env.put(IngestConfig.WRITE_API_URL.name(), writeApiUrl);
        env.put(IngestConfig.API_KEY.name(), apiKey);
        if (tableConfigJson != null) {
            env.put(IngestConfig.TABLE_CONFIG.name(), tableConfigJson);
        }
        env.put(IngestConfig.STATE_TABLE.name(), STATE_TABLE);
        env.put(IngestConfig.QUARANTINE_BUCKET.name(), QUARANTINE_BUCKET);
        env.put(IngestConfig.FUNCTION_TIMEOUT_SECONDS.name(), Long.toString(functionTimeout.toSeconds()));
        return env;
    }

    static void createBucket(S3Client s3, String bucket) {
        try {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException exists) {
            // Prepared by an earlier deploy on the same stack.
        }
    }

    public IngestConfig config() {
        return config;
    }

    /** The collections the table config writes to, sorted. */
    public Set<String> collections() {
        return config.tables().tables().stream().map(TableMapping::collection)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Puts a local file into the local S3 as {@code bucket/key}. */
    public Uploaded upload(String bucket, String key, Path file) {
        return upload(bucket, key, RequestBody.fromFile(file));
    }

    /** Puts {@code bytes} into the local S3 as {@code bucket/key}. */
    public Uploaded upload(String bucket, String key, byte[] bytes) {
        return upload(bucket, key, RequestBody.fromBytes(bytes));
    }

    private Uploaded upload(String bucket, String key, RequestBody body) {
        createBucket(s3, bucket);
        PutObjectResponse r = s3.putObject(p -> p.bucket(bucket).key(key), body);
        long size = s3.headObject(h -> h.bucket(bucket).key(key)).contentLength();
        return new Uploaded(bucket, key, stripQuotes(r.eTag()), size);
    }

    /** Puts every file under {@code dir} into {@code bucket}, its path relative to {@code dir} as key; by key. */
    public List<Uploaded> uploadAll(String bucket, Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        List<Uploaded> out = new ArrayList<>(files.size());
        for (Path f : files) {
            out.add(upload(bucket, dir.relativize(f).toString().replace('\\', '/'), f));
        }
        return out;
    }

    /** Delivers one S3 event holding an ObjectCreated:Put record per object, as an asynchronous invocation. */
    public void deliver(List<Uploaded> objects) {
        deliver(eventJson(objects, sequencer.getAndAdd(objects.size()) + 1));
    }

    /**
     * The event S3 sends for {@code objects} (one ObjectCreated:Put record each, sequencers counting up from
     * {@code firstSequencer}), deserialized with the Lambda runtime's serializer: what the handler receives.
     */
    public static S3Event s3Event(List<Uploaded> objects, long firstSequencer) {
        return SERIALIZER.fromJson(eventJson(objects, firstSequencer));
    }

    private static String eventJson(List<Uploaded> objects, long firstSequencer) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        long sequencer = firstSequencer;
        for (Uploaded o : objects) {
            records.add(notificationRecord(o, sequencer++, Instant.now()));
        }
        return event.toString();
    }

    /** Delivers one S3 event given as S3's JSON, deserialized by the Lambda runtime's serializer. */
    public void deliver(String eventJson) {
        S3Event event = SERIALIZER.fromJson(eventJson);
        if (event.getRecords() != null) {
            for (S3EventNotificationRecord r : event.getRecords()) {
                String bucket = r.getS3().getBucket().getName();
                config.keyPattern().match(r.getS3().getObject().getUrlDecodedKey())
                        .ifPresent(m -> streams.add(bucket + "/" + m.stream()));
            }
        }
        invoke("S3 event (" + (event.getRecords() == null ? 0 : event.getRecords().size()) + " records)",
                (container, context) -> container.handler().handleRequest(event, context), 0);
    }

    /**
     * The notification record S3 sends for {@code o} (the shape of {@code events/s3-put.json}); the key is
     * form-encoded as S3 encodes it, {@code sequencer} orders the records of one key as S3's does.
     */
    static ObjectNode notificationRecord(Uploaded o, long sequencer, Instant time) {
        return notificationRecord(o, sequencer, time, "ObjectCreated:Put");
    }

    /** The same, for another ObjectCreated event ({@code ObjectCreated:Copy}, {@code :CompleteMultipartUpload}). */
    static ObjectNode notificationRecord(Uploaded o, long sequencer, Instant time, String eventName) {
        ObjectNode r = JSON.createObjectNode();
        r.put("eventVersion", "2.1");
        r.put("eventSource", "aws:s3");
        r.put("awsRegion", LocalStack.REGION.id());
        r.put("eventTime", time.truncatedTo(ChronoUnit.MILLIS).toString());
        r.put("eventName", eventName);
        r.putObject("userIdentity").put("principalId", "AWS:LOCAL");
        r.putObject("requestParameters").put("sourceIPAddress", "127.0.0.1");
        ObjectNode response = r.putObject("responseElements");
        response.put("x-amz-request-id", String.format("%016X", sequencer));
        response.put("x-amz-id-2", "local");
        ObjectNode s3Node = r.putObject("s3");
        s3Node.put("s3SchemaVersion", "1.0");
        s3Node.put("configurationId", "inorder-landing");
        ObjectNode bucket = s3Node.putObject("bucket");
        bucket.put("name", o.bucket());
        bucket.putObject("ownerIdentity").put("principalId", "LOCAL");
        bucket.put("arn", "arn:aws:s3:::" + o.bucket());
        ObjectNode object = s3Node.putObject("object");
        object.put("key", encodeKey(o.key()));
        object.put("size", o.size());
        object.put("eTag", o.eTag());
        object.put("sequencer", String.format("%018X", sequencer));
        return r;
    }

    /** S3 form-encodes keys in notifications (space → '+') but leaves '/' as is. */
    static String encodeKey(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    /**
     * Runs one sweep of the reconciler, as its schedule would: streams are re-driven through this function (another
     * invocation, like the deployed reconciler's asynchronous invoke); its metrics join this function's totals.
     */
    public List<Reconciler.StreamReport> reconcile() {
        Clock clock = Clock.systemUTC();
        Reconciler reconciler = new Reconciler(ledger, new LedgerIndex(dynamoDb, config.stateTable()),
                new SweepCursor(dynamoDb, config.stateTable(), clock), s3, config.keyPattern(), this::continueDraining,
                new Metrics("Inorder", "inorder-reconciler", totals.stream(), clock), log, clock);
        return reconciler.sweep(Deadline.after(clock, Duration.ofMinutes(5)));
    }

    /** The function's continuation: Lambda's async self-invocation carrying the stream, here another invocation. */
    private void continueDraining(String stream) {
        invoke("continuation of " + stream, (container, context) -> container.ingest()
                .drain(stream, context.getAwsRequestId(), Duration.ofMillis(context.getRemainingTimeInMillis()))
                .toString(), 0);
    }

    private void invoke(String what, Invocation body, int attempt) {
        inFlight.incrementAndGet();
        try {
            pool.execute(() -> {
                try {
                    run(what, body, attempt);
                } finally {
                    finished();
                }
            });
        } catch (RuntimeException rejected) {
            finished();
            throw rejected;
        }
    }

    private void run(String what, Invocation body, int attempt) {
        if (attempt > 0) {
            sleep(RETRY_PAUSE.multipliedBy(attempt));
        }
        Container container;
        try {
            container = containers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        invocations.incrementAndGet();
        LocalContext context = new LocalContext(UUID.randomUUID().toString(), FUNCTION_NAME,
                config.functionTimeout(), logs);
        try {
            String response = body.run(container, context);
            synchronized (responses) {
                responses.add(response);
            }
        } catch (RuntimeException | Error failure) {
            if (attempt < MAX_RETRIES) {
                lambdaRetries.incrementAndGet();
                log.warn("invocation failed; Lambda retries a failed asynchronous invocation, so it runs again",
                        "invocation", what, "requestId", context.getAwsRequestId(), "attempt", attempt + 1,
                        "error", failure.toString());
                invoke(what, body, attempt + 1);
            } else {
                log.error("invocation failed " + (MAX_RETRIES + 1) + " times; Lambda would send the event to the "
                        + "function's on-failure destination", "invocation", what, "error", failure.toString());
                synchronized (failures) {
                    failures.add(what + ": " + failure);
                }
            }
        } finally {
            containers.add(container);
        }
    }

    private void finished() {
        if (inFlight.decrementAndGet() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /**
     * Waits until no invocation, retry or continuation is running or queued, then until the emulator has applied
     * every accepted write.
     *
     * @throws IllegalStateException when that takes longer than {@code timeout}
     */
    public void awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(inFlight.get() + " invocation(s) still running after " + timeout);
                }
                try {
                    idle.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for invocations", e);
                }
            }
        }
        stack.emulator().awaitApplied(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }

    /** The handler's responses so far, in completion order. */
    public List<String> responses() {
        synchronized (responses) {
            return List.copyOf(responses);
        }
    }

    /** What the run did so far; call after {@link #awaitIdle}. */
    public Summary summary() {
        List<Gap> gaps = new ArrayList<>();
        List<String> unapplied = new ArrayList<>();
        for (String stream : streams) {
            StreamCursor cursor = ledger.cursor(stream);
            long next = cursor.nextSeq();
            if (ledger.arrival(stream, next).isPresent()) {
                unapplied.add(stream + " (seq " + next + " arrived but is not applied)");
                continue;
            }
            OptionalLong later = ledger.firstArrivalAfter(stream, next);
            if (later.isPresent()) {
                gaps.add(new Gap(stream, next, later.getAsLong()));
            }
        }
        List<String> failed;
        synchronized (failures) {
            failed = List.copyOf(failures);
        }
        return new Summary(totals.total(Metrics.Name.FILES_APPLIED), totals.total(Metrics.Name.RECORDS_IN),
                totals.total(Metrics.Name.DOCUMENTS_WRITTEN), totals.total(Metrics.Name.REQUESTS),
                totals.total(Metrics.Name.RETRIES), totals.total(Metrics.Name.THROTTLES),
                totals.total(Metrics.Name.QUARANTINED_RECORDS), totals.total(Metrics.Name.IGNORED_KEYS),
                totals.total(Metrics.Name.DUPLICATE_ARRIVALS), invocations.get(), lambdaRetries.get(), failed,
                List.copyOf(gaps), List.copyOf(unapplied));
    }

    /** A metric's total over the functions' flushes so far (cheap: no ledger reads, unlike {@link #summary}). */
    long metricTotal(Metrics.Name name) {
        return totals.total(name);
    }

    /** The mean of a metric over the functions' flushes so far (e.g. window fill, whose summary value is the maximum). */
    double meanOverFlushes(Metrics.Name name) {
        return totals.mean(name);
    }

    private static String stripQuotes(String eTag) {
        return eTag != null && eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")
                ? eTag.substring(1, eTag.length() - 1) : eTag;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        dynamoDb.close();
        s3.close();
    }
}
