package io.inorder.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.emulator.EmulatorSettings;
import io.inorder.local.workload.Workload;
import io.inorder.local.workload.WorkloadFile;
import io.inorder.local.workload.WorkloadSpec;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.pipeline.IngestConfig;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code inorder demo}: the whole pipeline on one machine. Generates a seeded Arcion workload (several tables,
 * composite keys, inserts, full and partial updates, deletes, key changes, S3 JSON and CSV, gzip, many files per
 * stream), uploads it to the embedded S3, delivers the S3 events shuffled and each twice to the real S3 function
 * while the Write API emulator injects 429s and 5xx, and waits until idle; then sends a second workload through the
 * real MSK function in batches with redeliveries ({@link MskDemo}). Every collection is verified against its
 * workload's independent in-order oracle. Exit 0 only when verified, 1 when not, 2 on usage errors.
 */
final class DemoCommand {

    static final String USAGE = """
            usage: inorder demo [--seed N] [--tables N] [--changes N] [--faults none|light|heavy] [--verbose]
                                [--lag-ms N] [--latency-ms N] [--latency-per-mib-ms N]
              --seed N       seeds the workload, the event shuffle and the faults (default: random, printed)
              --tables N     source tables, 1-%d (default 3)
              --changes N    Arcion records over all tables, snapshot rows included (default 2000)
              --faults L     how flaky the Write API is (default light):
                               none   no faults
                               light  %s
                               heavy  %s
              --verbose      the functions' INFO logs on stderr (default: errors only)
            %s
            The S3 path gets the workload; the MSK path a second one a quarter its size (seed N+1) as topics
            <db>_<table>_cdc_logs, into collections msk_<collection>.
            Exit 0 when every collection equals the in-order application of the source changes, 1 when not.
            """.formatted(WorkloadSpec.MAX_TABLES, FaultLevel.LIGHT.spec(), FaultLevel.HEAVY.spec(),
            String.join("\n", EmulatorTiming.usage(15, false)));

    /** The client's longest back-off; the default 10 s would make a heavy-fault demo mostly waiting. */
    static final String DEMO_RETRY_CAP_MS = "1000";
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);
    private static final long TICK_MILLIS = 200;

    private DemoCommand() { }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        return run(args, out, err, ProgressBar.terminal());
    }

    static int run(String[] args, PrintStream out, PrintStream err, boolean interactive) throws Exception {
        return run(args, out, err, interactive, stack -> { });
    }

    /**
     * The demo, with {@code beforeVerifying} run on the stack once the pipeline is idle and before the collections
     * are compared (tests tamper with a collection there to prove the verification catches it).
     */
    static int run(String[] args, PrintStream out, PrintStream err, boolean interactive,
            Consumer<LocalStack> beforeVerifying) throws Exception {
        // Smaller files than the generator's default, so each stream has many and the shuffle has work to do.
        WorkloadSpec spec = WorkloadSpec.defaults().withRecordsPerFile(10, 60);
        Options o = Options.parse(args, Options.union(Set.of("--seed", "--tables", "--changes", "--faults"),
                EmulatorTiming.OPTIONS), Set.of("--verbose"), USAGE);
        if (o.flag("--help")) {
            out.print(USAGE);
            return 0;
        }
        if (!o.positional().isEmpty()) {
            throw new UsageException("unexpected argument " + o.positional().get(0) + "\n" + USAGE);
        }
        Long seed = o.has("--seed") ? o.longValue("--seed", 0) : null;
        for (String option : List.of("--tables", "--changes")) {
            Optional<String> v = o.value(option);
            if (v.isPresent()) {
                try {
                    spec = spec.withOption(option.substring(2), v.get());
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage());
                }
            }
        }
        FaultLevel faults = o.has("--faults") ? FaultLevel.parse(o.value("--faults").get()) : FaultLevel.LIGHT;
        boolean verbose = o.flag("--verbose");
        long usedSeed = seed != null ? seed : Math.floorMod(new Random().nextLong(), 1_000_000L);
        spec = spec.withSeed(usedSeed);

        out.printf("inorder demo: seed %d (rerun: inorder demo --seed %d), %d tables, %d changes, faults %s%s%n",
                usedSeed, usedSeed, spec.tables(), spec.changes(), faults.label(),
                faults.spec().isEmpty() ? "" : " (" + faults.spec() + ")");
        Workload workload = Workload.generate(spec);
        List<WorkloadFile> files = workload.files();
        long csv = files.stream().filter(f -> f.layout().csv()).count();
        long gzip = files.stream().filter(WorkloadFile::gzip).count();
        out.printf("workload:     %d streams, %d files (%d JSON, %d CSV; %d gzip), %d records -> %d documents "
                + "expected%n", workload.streams().size(), files.size(), files.size() - csv, csv, gzip,
                workload.recordCount(), workload.expectedDocumentCount());

        EmulatorSettings emulator = EmulatorTiming.apply(EmulatorSettings.defaults().withFaults(faults.spec())
                .withSeed(usedSeed), o);
        Map<String, String> env = Map.of(IngestConfig.RETRY_CAP_MS.name(), DEMO_RETRY_CAP_MS);
        try (LocalStack stack = startQuietly(emulator);
             LocalS3Function function = LocalS3Function.deploy(stack, workload.tableConfigJson(), env, err,
                     verbose ? Log.Level.INFO : Log.Level.ERROR)) {
            List<LocalS3Function.Uploaded> uploaded = upload(workload, function);
            List<LocalS3Function.Uploaded> events = ReplayCommand.arrivalOrder(uploaded, ReplayCommand.Order.SHUFFLED,
                    true, new Random(usedSeed), function.config().keyPattern());
            out.printf("delivery:     %d S3 events (every file twice, shuffled) to %d concurrent invocations, "
                    + "client retry cap %s ms%n", events.size(), LocalS3Function.CONCURRENCY, DEMO_RETRY_CAP_MS);
            out.flush();

            long start = System.nanoTime();
            ProgressBar bar = new ProgressBar(err, interactive, files.size(), "files applied");
            for (LocalS3Function.Uploaded e : events) {
                function.deliver(List.of(e));
            }
            awaitIdle(function, bar, start, events.size());
            long elapsedNanos = System.nanoTime() - start;
            bar.finish(function.metricTotal(Metrics.Name.FILES_APPLIED), eventsHandled(function, events.size()));

            MetricTotals mskTotals = new MetricTotals();
            MskDemo msk = MskDemo.of(spec);
            out.printf("msk:          %d topics, %d records in batches to the MSK function, some redelivered "
                    + "(at-least-once)%n", msk.topicCount(), msk.recordCount());
            MskDemo.Result mskResult = msk.run(stack, env, new Random(usedSeed),
                    verbose ? err : new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8),
                    mskTotals.stream());
            elapsedNanos = System.nanoTime() - start;

            beforeVerifying.accept(stack);
            LocalS3Function.Summary summary = function.summary();
            Map<String, Map<String, ObjectNode>> actual = new TreeMap<>();
            for (String c : function.collections()) {
                actual.put(c, stack.emulator().documents(Workload.WORKSPACE, c));
            }
            Map<String, Map<String, ObjectNode>> mskActual = msk.actual(stack);
            Map<String, Map<String, ObjectNode>> mskExpected = msk.expected();
            DemoVerdict verdict = DemoVerdict.of(workload, actual, summary).and(mskExpected.size(),
                    msk.differences(mskActual));
            printSummary(out, summary, function.meanOverFlushes(Metrics.Name.WINDOW_FILL), events.size(),
                    elapsedNanos, mskResult, mskTotals);
            printCollections(out, "", actual, workload.expected());
            printCollections(out, MskDemo.COLLECTION_PREFIX, mskActual, mskExpected);
            out.println();
            for (String p : verdict.problems()) {
                out.println("  " + p);
            }
            out.println(verdict.lastLine());
            return verdict.verified() ? 0 : 1;
        }
    }

    /**
     * Starts the stack with DynamoDB Local's start-up banner (which it prints on the standard streams) kept out of
     * the command's output; start-up failures still surface as exceptions. Nothing else runs yet, so swapping the
     * streams is safe here.
     */
    static LocalStack startQuietly(EmulatorSettings emulator) throws Exception {
        return startQuietly(0, 0, emulator);
    }

    static LocalStack startQuietly(int dynamoDbPort, int s3Port, EmulatorSettings emulator) throws Exception {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        System.setOut(discard);
        System.setErr(discard);
        try {
            return LocalStack.start(dynamoDbPort, s3Port, emulator);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    /** Uploads every file of the workload as its key, through a temporary file (the local S3 API takes files). */
    private static List<LocalS3Function.Uploaded> upload(Workload workload, LocalS3Function function)
            throws Exception {
        Path tmp = Files.createTempFile("inorder-demo", ".part");
        try {
            List<LocalS3Function.Uploaded> out = new ArrayList<>(workload.files().size());
            for (WorkloadFile f : workload.files()) {
                Files.write(tmp, workload.bytes(f));
                out.add(function.upload(LocalS3Function.LANDING_BUCKET, f.key(), tmp));
            }
            return out;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Waits until the function is idle, redrawing the progress bar on the way. */
    private static void awaitIdle(LocalS3Function function, ProgressBar bar, long startNanos, int events) {
        long deadline = startNanos + IDLE_TIMEOUT.toNanos();
        while (true) {
            bar.update(function.metricTotal(Metrics.Name.FILES_APPLIED), eventsHandled(function, events));
            try {
                function.awaitIdle(Duration.ofMillis(TICK_MILLIS));
                return;
            } catch (IllegalStateException stillRunning) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the demo did not finish within " + IDLE_TIMEOUT + ": "
                            + stillRunning.getMessage(), stillRunning);
                }
            }
        }
    }

    /** Events come first: a file waits, recorded, until its predecessors arrive, then applies in a burst. */
    private static String eventsHandled(LocalS3Function function, int events) {
        return function.metricTotal(Metrics.Name.ARRIVALS) + "/" + events + " events handled";
    }

    private static void printSummary(PrintStream out, LocalS3Function.Summary s, double meanWindowFill,
            int events, long elapsedNanos, MskDemo.Result msk, MetricTotals mskTotals) {
        double seconds = elapsedNanos / 1e9;
        long mskDocuments = mskTotals.total(Metrics.Name.DOCUMENTS_WRITTEN);
        out.println();
        out.printf("  %-20s %10s %10s%n", "", "S3 path", "MSK path");
        row(out, "files / batches", s.filesApplied(), msk.batches());
        row(out, "records", s.records(), msk.records());
        row(out, "documents written", s.documentsWritten(), mskDocuments);
        row(out, "requests", s.requests(), mskTotals.total(Metrics.Name.REQUESTS));
        out.printf("  %-20s %10s %10s%n", "mean window fill", percent(meanWindowFill),
                percent(mskTotals.mean(Metrics.Name.WINDOW_FILL)));
        row(out, "retries", s.retries(), mskTotals.total(Metrics.Name.RETRIES));
        row(out, "429s", s.throttles(), mskTotals.total(Metrics.Name.THROTTLES));
        row(out, "quarantined", s.quarantined(), mskTotals.total(Metrics.Name.QUARANTINED_RECORDS));
        out.println();
        out.printf("  S3 events    %d delivered (each file twice, shuffled) in %d invocations: %d duplicate arrivals "
                + "skipped, %d Lambda retries%n", events, s.invocations(), s.duplicateArrivals(), s.lambdaRetries());
        out.printf("  MSK batches  %d (%d redelivering records already applied), %d partial-batch failures, "
                + "%d failed invocations retried%n", msk.batches(), msk.redeliveries(), msk.itemFailures(),
                msk.failedInvocations());
        out.printf(Locale.ROOT, "  elapsed      %.1f s, %.0f documents/s%n", seconds,
                seconds > 0 ? (s.documentsWritten() + mskDocuments) / seconds : 0.0);
        out.println();
        out.printf("  %-28s %10s %10s%n", "collection", "documents", "expected");
    }

    private static void printCollections(PrintStream out, String prefix, Map<String, Map<String, ObjectNode>> actual,
            Map<String, Map<String, ObjectNode>> expected) {
        for (Map.Entry<String, Map<String, ObjectNode>> e : expected.entrySet()) {
            out.printf("  %-28s %10d %10d%n", Workload.WORKSPACE + "." + prefix + e.getKey(),
                    actual.getOrDefault(e.getKey(), Map.of()).size(), e.getValue().size());
        }
    }

    private static void row(PrintStream out, String name, long s3, long msk) {
        out.printf("  %-20s %10d %10d%n", name, s3, msk);
    }

    private static String percent(double value) {
        return String.format(Locale.ROOT, "%.1f %%", value);
    }
}
