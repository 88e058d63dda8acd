package io.inorder.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.emulator.AppliedOp;
import io.inorder.emulator.Emulator;
import io.inorder.emulator.EmulatorSettings;
import io.inorder.emulator.RequestLog;
import io.inorder.ledger.FileLedger;
import io.inorder.ledger.LocalDynamoDb;
import io.inorder.ledger.StreamCursor;
import io.inorder.ledger.TestClock;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.writeapi.ApiKeySource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The chaos suite: many small seeded trials of the whole S3 ingest over the real local components (one S3Proxy, one
 * DynamoDB Local ledger table, one Write API emulator for the class; each trial isolated by its own stream prefix,
 * quarantine prefix and an emulator reset). A trial draws a workload ({@link ChaosWorkload}: S3 JSON files and
 * header-less CSV files whose realtime triplets come in an order of their own), an arrival order with
 * duplicates, Write API faults (429 storms, 5xx, slow responses, per-document errors), a crash point (a container
 * dying just before a checkpoint — after the Write API acknowledged the window —, just after one, or just before a
 * lease release), a clock jump that forces a continuation, and 1–3 concurrent invokers; then delivers, re-delivers the
 * failed invocations as Lambda would, drains continuations until idle, and checks the invariants of
 * architecture §4 (see {@link Trial#check}). Every twentieth trial is heavy (up to 5 files of up to 6
 * records, three invokers, slow responses and the commit fence possible); the others have 2–3 files of 1–3 records.
 *
 * <p>{@code -Dchaos.trials=N} (default 1000) sets the trial count, {@code -Dchaos.seed=S} the base seed (default
 * fixed, always printed), {@code -Dchaos.trial=I} runs only trial I of that seed. A failing trial prints its seed,
 * its complete description (files with their records, arrival order, faults, crash point) and the command that
 * re-runs it alone, then re-runs the trial with fewer files (same records, faults and crash point) and prints the
 * smallest prefix that still fails. {@code -Dchaos.debug=true} prints each trial's time. Thread interleavings are real, so a re-run replays the same trial but not necessarily the same
 * interleaving.
 */
class ChaosTest {

    @RegisterExtension
    static final S3ProxyExtension S3_PROXY = S3ProxyExtension.builder().withCredentials("local", "secret").build();

    private static final String WORKSPACE = S3IngestStack.WORKSPACE;
    private static final String COLLECTION = S3IngestStack.COLLECTION;
    private static final long DEFAULT_SEED = 20_261_123L;
    private static final int DEFAULT_TRIALS = 1000;
    private static final int HEAVY_EVERY = 20;
    private static final Duration REMAINING = Duration.ofSeconds(20);
    /** The drain's stop margin for a {@link #REMAINING} function timeout, as the function computes it. */
    private static final Duration STOP_MARGIN = DrainSettings.forFunctionTimeout(REMAINING).stopMargin();
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Every tenth trial (index 5 mod 10) runs with the Write API's apply lag ({@link #APPLY_LAG}: a write turns
     * queryable that long after its acknowledgement) and the commit fence on, as a pair: a second stream of the same
     * source table (its own files, faults and crash point, into a collection of its own) runs at the same time, so the
     * two share the table's cursor. Such trials also check visibleThrough at every write of it: never past a change
     * the emulator does not show yet, never backwards. The lag is small so the suite's runtime barely moves.
     */
    private static final int LAGGED_EVERY = 10;
    private static final Duration APPLY_LAG = Duration.ofMillis(30);
    private static final String PARTNER_COLLECTION = "orders_partner";

    private static Emulator emulator;
    private static Emulator laggedApi;
    private static S3Client s3;
    private static String stateTable;
    private static final String BUCKET = "chaos-cdc";
    private static final String QUARANTINE = "chaos-quarantine";

    @BeforeAll
    static void startEmulator() throws IOException {
        emulator = Emulator.start(EmulatorSettings.defaults());
        emulator.createCollection(WORKSPACE, COLLECTION);
        laggedApi = Emulator.start(EmulatorSettings.defaults().withApplyLag(APPLY_LAG));
        laggedApi.createCollection(WORKSPACE, COLLECTION);
        laggedApi.createCollection(WORKSPACE, PARTNER_COLLECTION);
        stateTable = LocalDynamoDb.newTable();
    }

    /** S3Proxy's extension starts it per test, not per class: the buckets are made once it runs. */
    private static void connectS3() {
        s3 = S3Client.builder().endpointOverride(S3_PROXY.getUri()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "secret")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        s3.createBucket(b -> b.bucket(BUCKET));
        s3.createBucket(b -> b.bucket(QUARANTINE));
    }

    @AfterAll
    static void stopComponents() {
        emulator.close();
        laggedApi.close();
    }

    @Test
    void everyTrialEndsInOrderWithEveryRecordWrittenOrQuarantinedWithinLimitsAndNoCursorAheadOfTheWriteApi()
            throws Exception {
        long seed = Long.getLong("chaos.seed", DEFAULT_SEED);
        int trials = Integer.getInteger("chaos.trials", DEFAULT_TRIALS);
        Integer only = Integer.getInteger("chaos.trial");
        System.out.println("chaos: base seed " + seed + ", " + trials + " trials (re-run with -Dchaos.seed=" + seed
                + "; one trial with -Dchaos.trial=I)");
        connectS3();
        long started = System.nanoTime();
        int run = 0;
        for (int i = 0; i < trials; i++) {
            if (only != null && only != i) {
                continue;
            }
            Trial trial = Trial.draw(seed, i);
            List<String> violations;
            long trialStart = System.nanoTime();
            try {
                violations = trial.run();
                if (Boolean.getBoolean("chaos.debug")) {
                    System.out.println("DEBUG trial " + i + " " + (System.nanoTime() - trialStart) / 1_000_000 + " ms "
                            + trial.faults + " " + trial.crash + " threads " + trial.threads.size() + " commit "
                            + trial.commitWait);
                }
            } catch (Exception | AssertionError e) {
                violations = List.of("trial threw " + e);
                e.printStackTrace(System.out);
            }
            run++;
            if (!violations.isEmpty()) {
                String report = "chaos trial " + i + " of base seed " + seed + " (trial seed " + trial.seed
                        + ") broke an invariant:\n  " + String.join("\n  ", violations) + "\n" + trial.describe()
                        + shrink(trial)
                        + "re-run it alone: mvn -B -o -pl functions/core -am test -Dtest=ChaosTest "
                        + "-Dsurefire.failIfNoSpecifiedTests=false -Dchaos.seed=" + seed + " -Dchaos.trial=" + i;
                System.out.println(report);
                throw new AssertionError(report);
            }
        }
        System.out.printf("chaos: %d trials passed in %d ms%n", run, (System.nanoTime() - started) / 1_000_000);
        if (run == 0) {
            throw new AssertionError("no chaos trial ran: -Dchaos.trial=" + only + " is not below -Dchaos.trials="
                    + trials);
        }
    }

    /**
     * The smallest prefix of the trial's files (same records, faults, crash point and arrival order of the files
     * kept) that still breaks an invariant, described; empty when none smaller does.
     */
    private static String shrink(Trial failed) {
        for (int files = 1; files < failed.files(); files++) {
            Trial smaller = failed.withFiles(files);
            List<String> violations;
            try {
                violations = smaller.run();
            } catch (Exception | AssertionError e) {
                violations = List.of("trial threw " + e);
            }
            if (!violations.isEmpty()) {
                return "minimal reproduction: the first " + files + " file(s) suffice:\n  "
                        + String.join("\n  ", violations) + "\n" + smaller.describe();
            }
        }
        return "no smaller prefix of the files breaks an invariant\n";
    }

    /** Where a container dies, counted over the trial's checkpoints or releases (the Nth one, from 1). */
    enum Crash { NONE, BEFORE_CHECKPOINT, AFTER_CHECKPOINT, BEFORE_RELEASE, TIME_RUNS_OUT,
        /**
         * Lagged trials only: just before the Nth write of the table's cursor, i.e. after the Write API acknowledged
         * and the stream checkpointed, with the fence passed or still in flight (a crash right after a checkpoint is
         * the other point between acknowledgement and fence).
         */
        BEFORE_TABLE_MARKS }

    /** Thrown by a dead container's DynamoDB client: the process is gone, nothing it does reaches the ledger. */
    static final class ContainerCrash extends RuntimeException {
        ContainerCrash(String what) {
            super("container crashed (chaos): " + what, null, false, false);
        }
    }

    /** One trial: everything drawn from its seed before it runs, so its description is complete. */
    static final class Trial {
        final long seed;
        final int index;
        final int fileLimit;
        final boolean heavy;
        final ChaosWorkload workload;
        final int maxDocuments;
        final int retryAttempts;
        final boolean commitWait;
        final String faults;
        final Crash crash;
        final int crashAt;
        final List<List<List<Integer>>> threads = new ArrayList<>();

        private final String stream;
        final boolean lagged;
        /** The emulator this trial writes to, and its collection. */
        private final Emulator api;
        private final String collection;
        /** The other stream of a lagged pair (null for the partner itself and for other trials). */
        private final Trial partner;
        private final AtomicInteger tableWrites = new AtomicInteger();
        /** A pair's meeting point between the invokers and the faults-free phase (null for a lone stream). */
        private java.util.concurrent.CyclicBarrier phases;
        private final java.util.concurrent.ConcurrentHashMap<String, Long> lastVisible =
                new java.util.concurrent.ConcurrentHashMap<>();
        private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger checkpoints = new AtomicInteger();
        private final AtomicInteger releases = new AtomicInteger();
        private final AtomicInteger crashes = new AtomicInteger();
        private final AtomicInteger resumes = new AtomicInteger();
        private volatile boolean armed = true;
        private final ConcurrentLinkedQueue<String> continuations = new ConcurrentLinkedQueue<>();
        private final TestClock clock = TestClock.followingSystemTime();
        private final AtomicInteger invocations = new AtomicInteger();
        private final List<S3Ingest.Notification> notifications = new ArrayList<>();

        private Trial(long seed, int index, int fileLimit) {
            this(seed, index, fileLimit, null);
        }

        /**
         * @param pairFaults for the partner of a lagged pair, the faults of the trial it runs beside: the two share
         *                   the emulator, so its faults are theirs as well (what it draws itself is not used)
         */
        private Trial(long seed, int index, int fileLimit, String pairFaults) {
            boolean isPartner = pairFaults != null;
            this.seed = seed;
            this.index = index;
            this.fileLimit = fileLimit;
            this.lagged = index % LAGGED_EVERY == LAGGED_EVERY / 2;
            this.api = lagged ? laggedApi : emulator;
            this.collection = isPartner ? PARTNER_COLLECTION : COLLECTION;
            Random r = new Random(seed);
            // Every twentieth trial is heavy (more files and records, three invokers, slow responses, the commit fence);
            // the others are light enough that a thousand of them fit in the default build.
            this.heavy = index % HEAVY_EVERY == 0;
            int drawn = heavy ? 2 + r.nextInt(4) : 2 + r.nextInt(2);
            int files = Math.min(drawn, fileLimit);
            // The workload has a random source of its own: the first k files are the same whatever the file count,
            // so a failing trial can be re-run with fewer files and otherwise the same draws.
            this.workload = new ChaosWorkload(new Random(~seed), files, heavy ? 6 : 3, 0.12);
            this.maxDocuments = 1 + r.nextInt(3);
            this.retryAttempts = 2 + r.nextInt(4);
            boolean fenceDraw = heavy && r.nextBoolean();
            this.commitWait = lagged || fenceDraw;
            String drawnFaults = switch (r.nextInt(heavy ? 7 : 5)) {
                case 0, 1 -> "";
                case 2 -> "429:" + (0.2 + r.nextInt(4) / 10.0);
                case 3 -> "500:0.1,503:0.15";
                case 4 -> "script:429,429,429,429,429,429,200,503,502";
                case 5 -> "slow:0.2:" + (5 + r.nextInt(20)) + "ms";
                default -> "429:0.15,504:0.05,slow:0.05:10ms";
            };
            this.faults = isPartner ? pairFaults : drawnFaults;
            Crash[] kinds = Crash.values();
            // BEFORE_TABLE_MARKS is drawn in lagged trials only, so the other trials stay as they were.
            int crashKinds = lagged ? kinds.length : kinds.length - 1;
            this.crash = r.nextInt(3) == 0 ? Crash.NONE : kinds[1 + r.nextInt(crashKinds - 1)];
            this.crashAt = 1 + r.nextInt(4);
            List<Integer> arrivals = new ArrayList<>();
            for (int f = 0; f < drawn; f++) {
                arrivals.add(f);
                if (r.nextInt(4) == 0) {
                    arrivals.add(f);
                }
            }
            Collections.shuffle(arrivals, r);
            int threadCount = heavy ? 3 : 1 + r.nextInt(2);
            for (int t = 0; t < threadCount; t++) {
                threads.add(new ArrayList<>());
            }
            for (int i = 0, t = 0; i < arrivals.size(); t = (t + 1) % threadCount) {
                int take = Math.min(1 + r.nextInt(2), arrivals.size() - i);
                List<Integer> invocation = new ArrayList<>(arrivals.subList(i, i + take));
                invocation.removeIf(f -> f >= files);
                if (!invocation.isEmpty()) {
                    threads.get(t).add(invocation);
                }
                i += take;
            }
            this.stream = "t" + seed + "-" + fileLimit + (isPartner ? "p" : "") + "/shop.orders";
            this.partner = lagged && !isPartner ? new Trial(~seed * 31, index, fileLimit, faults) : null;
        }

        static Trial draw(long baseSeed, int index) {
            return new Trial(new Random(baseSeed * 1_000_003L + index).nextLong(), index, Integer.MAX_VALUE);
        }

        /** The same trial with only its first {@code files} files (arrivals of the others left out). */
        Trial withFiles(int files) {
            return new Trial(seed, index, files);
        }

        int files() {
            return workload.files.size();
        }

        String describe() {
            StringBuilder b = new StringBuilder("trial ").append(index).append(" seed ").append(seed)
                    .append(heavy ? " (heavy)" : " (light)")
                    .append(lagged ? " (apply lag " + APPLY_LAG.toMillis() + " ms, stream " + stream + ")" : "")
                    .append('\n');
            b.append("  MAX_REQUEST_DOCUMENTS=").append(maxDocuments).append(" RETRY_MAX_ATTEMPTS=")
                    .append(retryAttempts).append(" COMMIT_CHECK=").append(commitWait ? "wait" : "off").append('\n');
            b.append("  faults: '").append(faults).append("' + error-field:").append(ChaosWorkload.REJECT_FIELD)
                    .append('\n');
            b.append("  crash: ").append(crash).append(crash == Crash.NONE ? "" : " at #" + crashAt).append('\n');
            b.append("  invocations per thread (file numbers from 1): ");
            for (List<List<Integer>> t : threads) {
                b.append(t.stream().map(inv -> inv.stream().map(f -> Integer.toString(f + 1)).toList()).toList())
                        .append(' ');
            }
            b.append('\n');
            for (int f = 0; f < workload.files.size(); f++) {
                b.append("  file ").append(f + 1).append(workload.extension(f)).append(":\n");
                for (ChaosWorkload.Change c : workload.files.get(f)) {
                    b.append("    ").append(c).append('\n');
                }
            }
            b.append("  expected documents: ").append(workload.documents()).append('\n');
            if (partner != null) {
                b.append("  at the same time, the partner stream:\n").append(partner.describe());
            }
            return b.toString();
        }

        List<String> run() throws Exception {
            api.reset();
            if (!faults.isEmpty()) {
                api.faults().set(faults);
            }
            api.faults().errorField(ChaosWorkload.REJECT_FIELD);
            if (partner == null) {
                return runStream();
            }
            // The pair: both streams at once, on the emulator reset once for both (the faults are this trial's).
            phases = new java.util.concurrent.CyclicBarrier(2,
                    () -> api.faults().clear().errorField(ChaosWorkload.REJECT_FIELD));
            partner.phases = phases;
            List<String> partnerViolations = Collections.synchronizedList(new ArrayList<>());
            Thread other = new Thread(() -> {
                try {
                    partnerViolations.addAll(partner.runStream());
                } catch (Exception | AssertionError e) {
                    partnerViolations.add("partner stream threw " + e);
                }
            }, "chaos-partner");
            other.start();
            List<String> mine = runStream();
            other.join(120_000);
            List<String> all = new ArrayList<>(mine);
            partnerViolations.forEach(v -> all.add("partner stream " + partner.stream + ": " + v));
            return all;
        }

        private List<String> runStream() throws Exception {
            for (int f = 0; f < workload.files.size(); f++) {
                byte[] body = workload.body(f);
                String key = stream + "_" + (f + 1) + workload.extension(f);
                String eTag = s3.putObject(p -> p.bucket(BUCKET).key(key), RequestBody.fromBytes(body)).eTag();
                notifications.add(new S3Ingest.Notification(BUCKET, key, eTag, body.length, clock.instant()));
            }

            // Phase 1: the invokers, concurrently, each a Lambda container of its own until it crashes.
            List<List<S3Ingest.Notification>> failed = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> running = new ArrayList<>();
            for (List<List<Integer>> invocationsOfThread : threads) {
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    try {
                        Container container = new Container();
                        for (List<Integer> files : invocationsOfThread) {
                            List<S3Ingest.Notification> batch = files.stream().map(notifications::get).toList();
                            if (!container.invoke(batch)) {
                                failed.add(batch);
                                if (container.dead) {
                                    container = new Container();
                                }
                            }
                        }
                    } catch (RuntimeException | Error e) {
                        violations.add("an invoker failed: " + e);
                    }
                }, "chaos-invoker");
                running.add(thread);
                thread.start();
            }
            start.countDown();
            for (Thread thread : running) {
                thread.join(60_000);
                if (thread.isAlive()) {
                    violations.add("an invoker was still running after 60 s");
                    if (phases != null) {
                        phases.reset();
                    }
                    return violations;
                }
            }

            // Phase 2: the faults pass, a dead holder's lease expires, Lambda retries the failed invocations, and
            // continuations run until the stream is idle.
            armed = false;
            if (phases == null) {
                api.faults().clear().errorField(ChaosWorkload.REJECT_FIELD);
            } else {
                // A pair shares the emulator's faults: they pass once both streams' invokers are done.
                try {
                    phases.await(120, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.BrokenBarrierException | java.util.concurrent.TimeoutException e) {
                    violations.add("the other stream of the pair did not finish its invokers: " + e);
                    return violations;
                }
            }
            if (crashes.get() > 0) {
                clock.advance(Duration.ofSeconds(90));
            }
            for (List<S3Ingest.Notification> batch : failed) {
                if (!new Container().invoke(batch)) {
                    violations.add("retry of " + keys(batch) + " failed without faults or crashes");
                }
            }
            for (int n = 0; !continuations.isEmpty(); n++) {
                String next = continuations.poll();
                if (n > 50) {
                    violations.add("more than 50 continuations");
                    break;
                }
                new Container().continueDraining(next);
            }
            check();
            return violations;
        }

        /**
         * The chaos table: CSV lines carry no table name, so the trial's key prefix names it, and they have no header,
         * so its column orders are configured (realtime triplets in an order of their own).
         */
        private String tableConfig() {
            return "{\"workspace\":\"" + WORKSPACE + "\",\"tables\":{\"" + S3IngestStack.SOURCE_TABLE + "\":{"
                    + "\"collection\":\"" + collection + "\",\"primaryKey\":[\"id\"],\"prefixes\":[\""
                    + stream.substring(0, stream.indexOf('/') + 1) + "\"],\"csvColumns\":"
                    + quoted(ChaosWorkload.CSV_COLUMNS) + ",\"csvRealtimeColumns\":"
                    + quoted(ChaosWorkload.CSV_REALTIME_COLUMNS) + "}}}";
        }

        private static String quoted(List<String> names) {
            return names.stream().map(n -> "\"" + n + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
        }

        private static List<String> keys(List<S3Ingest.Notification> batch) {
            return batch.stream().map(S3Ingest.Notification::key).toList();
        }

        /**
         * The invariants of architecture §4. (1) the collection equals in-order application; (2) per _id no new
         * change reaches the Write API after a later one (a repeat of an already applied change is a replay and
         * allowed); (3) checked at each checkpoint by {@link Container}: the collection then equals in-order
         * application of exactly the checkpointed prefix, and the final cursor is past every file; (4) the quarantine
         * holds exactly the malformed and rejected records and the ledger counted every record once; (5) every
         * request within the configured limits; every invocation returned before its deadline.
         */
        private void check() {
            if (lagged) {
                // The last windows' writes turn queryable one apply lag after their acknowledgement.
                api.awaitApplied(Duration.ofSeconds(5));
            }
            Map<String, Map<String, String>> expected = workload.documents();
            Map<String, Map<String, String>> actual = documents();
            if (!actual.equals(expected)) {
                violations.add("(1) collection " + actual + " != in-order application " + expected);
            }
            Map<String, List<Long>> revisions = appliedRevisions();
            revisions.forEach((id, revs) -> {
                Set<Long> seen = new HashSet<>();
                long max = 0;
                for (long rev : revs) {
                    if (rev <= max && !seen.contains(rev)) {
                        violations.add("(2) _id " + id + ": change rev " + rev + " reached the Write API after rev "
                                + max + " (apply order " + revs + ")");
                        break;
                    }
                    seen.add(rev);
                    max = Math.max(max, rev);
                }
            });
            StreamCursor cursor = new FileLedger(LocalDynamoDb.client(), stateTable, clock).cursor(BUCKET + "/" + stream);
            int files = workload.files.size();
            if (cursor.nextSeq() != files + 1 || cursor.inFileRecord() != 0) {
                violations.add("(3) cursor at file " + cursor.nextSeq() + " record " + cursor.inFileRecord()
                        + ", expected past the last file " + files);
            }
            if (cursor.leaseOwner() != null && cursor.leaseExpiresAt() != null
                    && cursor.leaseExpiresAt().isAfter(clock.instant())) {
                violations.add("(3) lease still held by " + cursor.leaseOwner() + " when idle");
            }
            long counted = cursor.totals().records();
            boolean replayed = resumes.get() > 0;
            // Counts are added in the same conditional write as the checkpoint, so they are exact even after resumes.
            if (counted != workload.records()) {
                violations.add("(4) ledger counted " + counted + " records, the files hold " + workload.records()
                        + (replayed ? " (the stream resumed from a checkpoint)" : ""));
            }
            Set<Long> quarantined = quarantinedRevs();
            if (!quarantined.equals(new TreeSet<>(workload.quarantinedRevs()))) {
                violations.add("(4) quarantined revs " + quarantined + ", expected " + workload.quarantinedRevs());
            }
            for (RequestLog.Entry e : api.requests().entries(w -> w.isWrite()
                    && w.path().contains("/collections/" + collection + "/"))) {
                if (e.documents() > maxDocuments || e.bodyBytes() > MAX_REQUEST_BYTES) {
                    violations.add("(5) request " + e + " over the limits " + maxDocuments + " documents / "
                            + MAX_REQUEST_BYTES + " bytes");
                }
            }
        }

        private Set<Long> quarantinedRevs() {
            Set<Long> revs = new TreeSet<>();
            String prefix = "chaos-" + stream.substring(0, stream.indexOf('/')) + "/";
            for (S3Object o : s3.listObjectsV2(l -> l.bucket(QUARANTINE).prefix(prefix)).contents()) {
                String body = s3.getObject(g -> g.bucket(QUARANTINE).key(o.key()), ResponseTransformer.toBytes())
                        .asUtf8String();
                for (String line : body.split("\n")) {
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        JsonNode node = JSON.readTree(line);
                        String source = node.at("/origin/source").asText();
                        long record = node.at("/origin/record").asLong();
                        int file = Integer.parseInt(source.substring(source.lastIndexOf('_') + 1,
                                source.lastIndexOf('.'))) - 1;
                        revs.add(workload.files.get(file).get((int) record).rev());
                    } catch (Exception e) {
                        violations.add("(4) quarantine line not understood: " + line + " (" + e + ")");
                    }
                }
            }
            return revs;
        }

        private Map<String, Map<String, String>> documents() {
            Map<String, Map<String, String>> docs = new TreeMap<>();
            for (ObjectNode doc : api.documents(WORKSPACE, collection).values()) {
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

        private Map<String, List<Long>> appliedRevisions() {
            Map<String, List<Long>> revisions = new TreeMap<>();
            for (AppliedOp op : api.applyLog(WORKSPACE, collection)) {
                JsonNode p = op.payload();
                Long rev = null;
                if (op.kind().equals("add")) {
                    rev = p.get("rev").asLong();
                } else if (op.kind().equals("patch")) {
                    for (JsonNode operation : p) {
                        if (operation.path("path").asText().equals("/rev")) {
                            rev = operation.get("value").asLong();
                        }
                    }
                }
                if (rev != null) {
                    revisions.computeIfAbsent(op.id(), id -> new ArrayList<>()).add(rev);
                }
            }
            return revisions;
        }

        private static final int MAX_REQUEST_BYTES = 4096;

        /** One invocation's deadline and stop point by the trial's clock, and its checkpoints past the stop point. */
        static final class Invocation {
            private final Instant stopAt;
            private final Instant deadline;
            private final AtomicInteger checkpointsAfterStop = new AtomicInteger();

            Invocation(Instant stopAt, Instant deadline) {
                this.stopAt = stopAt;
                this.deadline = deadline;
            }

            Instant stopAt() {
                return stopAt;
            }

            Instant deadline() {
                return deadline;
            }

            void checkpointAfterStop() {
                checkpointsAfterStop.incrementAndGet();
            }

            int checkpointsAfterStop() {
                return checkpointsAfterStop.get();
            }
        }

        /** One Lambda container: its own configuration, clients and DynamoDB connection, which a crash kills. */
        final class Container implements DynamoDbClient {

            private final DynamoDbClient real = LocalDynamoDb.client();
            /** The invocation running on this thread (its checkpoints run on the thread that invoked it). */
            private final ThreadLocal<Invocation> current = new ThreadLocal<>();
            private final S3Ingest ingest;
            private volatile boolean dead;

            Container() {
                Map<String, String> env = new HashMap<>();
                env.put("WRITE_API_URL", api.baseUrl().toString());
                env.put("ROCKSET_API_KEY", api.apiKey());
                env.put("TABLE_CONFIG", tableConfig());
                env.put("STATE_TABLE", stateTable);
                env.put("QUARANTINE_BUCKET", QUARANTINE);
                env.put("QUARANTINE_PREFIX", "chaos-" + stream.substring(0, stream.indexOf('/')) + "/");
                env.put("MAX_REQUEST_DOCUMENTS", Integer.toString(maxDocuments));
                env.put("MAX_REQUEST_BYTES", Integer.toString(MAX_REQUEST_BYTES));
                env.put("RETRY_BASE_MS", "1");
                env.put("RETRY_CAP_MS", "4");
                env.put("RETRY_MAX_ATTEMPTS", Integer.toString(retryAttempts));
                env.put("COMMIT_CHECK", commitWait ? "wait" : "off");
                env.put("COMMIT_WAIT_MS", "2000");
                env.put("FUNCTION_TIMEOUT_SECONDS", Long.toString(REMAINING.toSeconds()));
                IngestConfig config = IngestConfig.fromEnvironment(env, name -> {
                    throw new AssertionError("no SSM parameter expected, asked for " + name);
                });
                PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
                IngestServices services = IngestServices.create(config, this, s3,
                        ApiKeySource.fixed(config.apiKey()), new Metrics("Inorder", "s3-ingest", sink, clock),
                        new Log("s3-ingest", Log.Level.ERROR, sink, clock), clock);
                ingest = S3Ingest.create(config, services, this, s3, continuations::add, clock);
            }

            /** One invocation; false when it failed (Lambda would retry it). Checks its deadline (invariant 5). */
            boolean invoke(List<S3Ingest.Notification> batch) {
                Invocation begun = begin();
                try {
                    ingest.handle(batch, "inv-" + seed + "-" + invocations.incrementAndGet(), REMAINING);
                    return true;
                } catch (RuntimeException e) {
                    resumes.incrementAndGet();
                    if (!(e instanceof ContainerCrash) && !(e.getCause() instanceof ContainerCrash) && !armedFault()) {
                        violations.add("invocation of " + keys(batch) + " failed without a fault: " + e);
                    }
                    return false;
                } finally {
                    deadline(begun, "invocation of " + keys(batch));
                }
            }

            void continueDraining(String streamId) {
                Invocation begun = begin();
                resumes.incrementAndGet();
                try {
                    ingest.drain(streamId, "cont-" + seed + "-" + invocations.incrementAndGet(), REMAINING);
                } catch (RuntimeException e) {
                    violations.add("continuation of " + streamId + " failed: " + e);
                } finally {
                    deadline(begun, "continuation of " + streamId);
                }
            }

            private boolean armedFault() {
                return !faults.isEmpty() && armed;
            }

            /**
             * Starts watching one invocation by the clock it is given (the trial's clock, which a clock jump moves
             * past the stop point): its deadline is {@link #REMAINING} from now and its stop point {@link #STOP_MARGIN}
             * before that.
             */
            private Invocation begin() {
                Instant now = clock.instant();
                Invocation invocation = new Invocation(now.plus(REMAINING).minus(STOP_MARGIN), now.plus(REMAINING));
                current.set(invocation);
                return invocation;
            }

            /**
             * Invariant 5 by the invocation's own clock: it returned before its deadline, and once its stop point had
             * passed it finished at most the one window already under way (one checkpoint) and began no other. Wall
             * time cannot show this: a trial takes milliseconds, far from any deadline; the clock jump can.
             */
            private void deadline(Invocation invocation, String what) {
                current.remove();
                Instant ended = clock.instant();
                if (ended.isAfter(invocation.deadline())) {
                    violations.add("(5) " + what + " returned at " + ended + ", past its deadline "
                            + invocation.deadline() + " (by the clock it was given)");
                }
                if (invocation.checkpointsAfterStop() > 1) {
                    violations.add("(5) " + what + " checkpointed " + invocation.checkpointsAfterStop()
                            + " windows after its stop point " + invocation.stopAt() + " (deadline "
                            + invocation.deadline() + " minus the " + STOP_MARGIN + " stop margin): past it, only the "
                            + "window under way may complete");
                }
            }

            private void alive(String what) {
                if (dead) {
                    throw new ContainerCrash(what);
                }
            }

            private void die(String what) {
                dead = true;
                crashes.incrementAndGet();
                throw new ContainerCrash(what);
            }

            @Override
            public UpdateItemResponse updateItem(UpdateItemRequest request) {
                alive("update");
                String expression = request.updateExpression();
                boolean checkpoint = expression.startsWith("SET inFileRecord = :record");
                if (armed && checkpoint) {
                    int n = checkpoints.incrementAndGet();
                    if (n == crashAt && crash == Crash.BEFORE_CHECKPOINT) {
                        die("after the Write API acknowledged a window, before checkpoint " + n);
                    }
                }
                boolean tableMarks = request.key().get("pk").s().startsWith("TABLE#");
                if (tableMarks) {
                    if (armed && crash == Crash.BEFORE_TABLE_MARKS && tableWrites.incrementAndGet() == crashAt) {
                        die("after acknowledgement and checkpoint, before table-mark write " + crashAt);
                    }
                    if (lagged) {
                        probeVisible(request);
                    }
                }
                if (armed && expression.startsWith("REMOVE leaseOwner")
                        && releases.incrementAndGet() == crashAt && crash == Crash.BEFORE_RELEASE) {
                    die("before lease release " + crashAt);
                }
                UpdateItemResponse response = real.updateItem(request);
                if (tableMarks && lagged) {
                    probeStoredVisible();
                }
                if (checkpoint) {
                    Invocation invocation = current.get();
                    if (invocation != null && !clock.instant().isBefore(invocation.stopAt())) {
                        invocation.checkpointAfterStop();
                    }
                    probeCheckpoint(request);
                    if (armed && checkpoints.get() == crashAt) {
                        if (crash == Crash.AFTER_CHECKPOINT) {
                            die("right after checkpoint " + crashAt);
                        } else if (crash == Crash.TIME_RUNS_OUT) {
                            clock.advance(REMAINING.minusSeconds(3));
                        }
                    }
                }
                return response;
            }

            /**
             * visibleThrough (lagged trials): every write of it names a change the emulator shows queryable at that
             * moment — the collection then holds a document state at or after the in-order application through that
             * change, judged by the revisions — and it never moves back for this stream's writes.
             */
            private void probeVisible(UpdateItemRequest request) {
                Map<String, AttributeValue> values = request.expressionAttributeValues();
                String expression = request.updateExpression();
                AttributeValue visible = expression.contains("visiblePosition = :visible") ? values.get(":visible")
                        : expression.startsWith("SET visiblePosition = :position") ? values.get(":position") : null;
                if (visible == null) {
                    return;
                }
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"logSeqNum\":(\\d+)")
                        .matcher(visible.s());
                long rev;
                if (m.find()) {
                    rev = Long.parseLong(m.group(1));
                } else {
                    // Flat CSV lines without a cursor show their origin: <key>#<record>.
                    return;
                }
                Map<String, List<Long>> applied = appliedRevisions();
                long appliedMax = applied.values().stream().flatMap(List::stream).mapToLong(Long::longValue).max()
                        .orElse(0);
                Set<Long> written = new HashSet<>();
                applied.values().forEach(written::addAll);
                Set<String> deleted = new HashSet<>();
                for (AppliedOp op : api.applyLog(WORKSPACE, collection)) {
                    if (op.kind().equals("delete")) {
                        deleted.add(op.id());
                    }
                }
                for (int f = 0; f < workload.files.size(); f++) {
                    for (ChaosWorkload.Change c : workload.files.get(f)) {
                        if (c.rev() <= rev && !workload.quarantinedRevs().contains(c.rev())
                                && !written.contains(c.rev()) && !coalescedAway(c, rev, applied, deleted)) {
                            violations.add("(visible) visibleThrough set to rev " + rev + " while change " + c
                                    + " is not queryable (the emulator applied through rev " + appliedMax + ")");
                            return;
                        }
                    }
                }
            }

            /** The stored visibleThrough (both streams of a pair write it) never moves back in source time. */
            private void probeStoredVisible() {
                long time = new io.inorder.ledger.TableCursor(real, stateTable, clock)
                        .progress(S3IngestStack.SOURCE_TABLE).flatMap(p -> p.visible())
                        .map(io.inorder.ledger.TableProgress.Mark::sourceTimeMillis).orElse(Long.MIN_VALUE);
                Long before = lastVisible.put("time", time);
                if (before != null && before > time) {
                    violations.add("(visible) the table's visibleThrough moved back from source time " + before
                            + " to " + time);
                }
            }

            /**
             * A change the coalescing window may have folded into a later one of its id (only its last is sent), or a
             * delete, which carries no revision: covered when a later revision of its id is applied, or when a
             * delete of its id is applied and it is itself a delete or a later change of its id through
             * {@code through} is one (insert-then-delete in one window sends only the delete).
             */
            private boolean coalescedAway(ChaosWorkload.Change c, long through, Map<String, List<Long>> applied,
                    Set<String> deleted) {
                List<Long> revs = applied.getOrDefault(c.id(), List.of());
                if (revs.stream().anyMatch(r -> r > c.rev())) {
                    return true;
                }
                if (!deleted.contains(c.id())) {
                    return false;
                }
                if (c.kind().equals("delete")) {
                    return true;
                }
                return workload.files.stream().flatMap(List::stream).anyMatch(later -> later.id().equals(c.id())
                        && later.rev() > c.rev() && later.rev() <= through && later.kind().equals("delete"));
            }

            /** Invariant 3: a checkpoint never counts a record whose change the Write API has not applied. */
            private void probeCheckpoint(UpdateItemRequest request) {
                if (lagged) {
                    // With an apply lag the checkpoint follows the acknowledgement, not visibility: wait until what
                    // was acknowledged is applied, then compare.
                    api.awaitApplied(Duration.ofSeconds(5));
                }
                Map<String, AttributeValue> values = request.expressionAttributeValues();
                int seq = Integer.parseInt(values.get(":seq").n());
                int record = Integer.parseInt(values.get(":record").n());
                int prefix = workload.recordsBefore(seq - 1) + record;
                Map<String, Map<String, String>> expected = workload.documentsAfter(prefix);
                Map<String, Map<String, String>> actual = documents();
                if (!actual.equals(expected)) {
                    violations.add("(3) checkpoint file " + seq + " record " + record + " while the collection is "
                            + actual + ", in-order application of those records is " + expected);
                }
            }

            @Override
            public GetItemResponse getItem(GetItemRequest request) {
                alive("get");
                return real.getItem(request);
            }

            @Override
            public PutItemResponse putItem(PutItemRequest request) {
                alive("put");
                return real.putItem(request);
            }

            @Override
            public QueryResponse query(QueryRequest request) {
                alive("query");
                return real.query(request);
            }

            @Override
            public String serviceName() {
                return real.serviceName();
            }

            @Override
            public void close() {
                // The shared DynamoDB Local client outlives the container.
            }
        }
    }
}
