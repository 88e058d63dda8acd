package io.inorder.bench;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import io.inorder.emulator.EmulatorSettings;
import io.inorder.ledger.SnapshotGate;
import io.inorder.local.KafkaBatch;
import io.inorder.local.LocalMskFunction;
import io.inorder.local.LocalStack;
import io.inorder.msk.KafkaBatchResponse;
import io.inorder.observe.Metrics;
import io.inorder.pipeline.IngestConfig;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Section 7: the S3 and MSK paths against an emulator that answers as late as the service did — every document write
 * and commit takes {@link #REQUEST_LATENCY} plus {@link #LATENCY_PER_MIB} per MiB of body, and writes become visible
 * (the commit fence passes) only after the apply lag — at apply lags of 0, 1 s and 2 s, so each figure has its
 * zero-lag run, same latency, as baseline. Four workloads: (a) one stream with a backlog of small files, (b) one
 * stream of large files, (c) several streams with backlogs at once, (d) one Kafka partition in batches of 500.
 *
 * <p>Each apply lag gets a local stack of its own (the emulator's clock is fixed when it starts). The S3 runs go
 * through {@link EndToEnd} and {@link S3PathRig}, the Kafka run through the local stack's {@link LocalMskFunction};
 * every run checks that the emulator ends holding one document per record. The fence's share of the time is the sum
 * of the function's own {@code CommitWait} values (one per window: the time the stream waited for the fence) over the
 * invocations' summed duration, which is also what Lambda bills.
 */
final class ServiceLatency {

    /**
     * The fixed part of a Write API request. The go-client's recording (rockset-write-api.md, Aug 2023) has a GET, an
     * add, a patch and a delete, each waiting for the previous answer, inside one second of the server's Date header
     * from a developer's machine: under about 250 ms each, over the internet. A function in the service's region pays
     * less of the network; 50 ms is the service's own handling plus a same-region round trip, an assumption within
     * that bound.
     */
    static final Duration REQUEST_LATENCY = Duration.ofMillis(50);
    /**
     * The part per MiB of body: about 50 MiB/s for one request's upload and acceptance, so a full 10 MiB request takes
     * 250 ms on top. Nothing recorded gives this; it is an assumption of the order of one HTTPS stream from a Lambda
     * function, stated so the figures can be rerun with another.
     */
    static final Duration LATENCY_PER_MIB = Duration.ofMillis(20);
    /** The function's memory for the GB-s figures, as the template deploys it. */
    static final int MEMORY_MB = 1024;
    /** Arcion's default realtime topic of {@code bench.orders}. */
    static final String TOPIC = "bench_orders_cdc_logs";

    /** What one run of the section measures: its apply lags and the sizes of its four workloads. */
    record Plan(List<Duration> lags, int smallFiles, int recordsPerSmallFile, int largeFiles, int recordsPerLargeFile,
                int streams, int filesPerStream, int batches, int batchSize) {

        /**
         * The workloads: 200 small files of 100 records, 4 large files (100,000 records, two windows each),
         * 4 streams of 25 small files, 20 batches of 500. Before the fence leaves the critical path this takes about
         * 25 minutes, nearly all of it waiting at 1 s and 2 s lag.
         */
        static Plan full() {
            return new Plan(List.of(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(2)), 200, 100, 4, 100_000,
                    4, 25, 20, 500);
        }

        /** A smoke check: zero and 1 s lag, a tenth of the files, small large files. */
        static Plan quick() {
            return new Plan(List.of(Duration.ZERO, Duration.ofSeconds(1)), 10, 100, 4, 5_000, 4, 4, 6, 500);
        }
    }

    /**
     * One workload at one apply lag. {@code files} counts Kafka batches for (d), the unit its invocations handle.
     *
     * @param invocationNanos the invocations' durations summed (what Lambda bills)
     * @param commitWaitNanos the function's commit-fence waits summed over every window
     */
    record Run(String scenario, Duration lag, int streams, long files, long records, long inputBytes, double seconds,
               int invocations, long invocationNanos, long commitWaitNanos) {

        static Run of(String scenario, Duration lag, EndToEnd.Figures f) {
            return new Run(scenario, lag, f.streams(), f.files(), f.records(), f.inputBytes(), f.seconds(),
                    f.invocations(), f.invocationNanos(), f.commitWaitNanos());
        }

        double filesPerSecond() {
            return files / seconds;
        }

        double megabytesPerSecond() {
            return inputBytes / 1e6 / seconds;
        }

        double recordsPerSecond() {
            return records / seconds;
        }

        /** The share of the invocations' time spent waiting for the commit fence. */
        double fenceShare() {
            return invocationNanos == 0 ? 0 : (double) commitWaitNanos / invocationNanos;
        }

        /** Lambda GB-seconds per 1,000 files (batches) at {@value #MEMORY_MB} MB, billed by duration. */
        double gigabyteSecondsPerThousandFiles() {
            return invocationNanos / 1e9 * (MEMORY_MB / 1024.0) / files * 1_000;
        }
    }

    /** Every run, with the request latency they ran under. */
    record Figures(Duration requestLatency, Duration latencyPerMiB, List<Run> runs) {

        /** The same workload's run at zero apply lag: the baseline of {@code run}. */
        Optional<Run> zeroLag(Run run) {
            return runs.stream().filter(r -> r.scenario().equals(run.scenario()) && r.lag().isZero()).findFirst();
        }
    }

    static final String BACKLOG = "(a) 1 stream, backlog of small files";
    static final String LARGE = "(b) 1 stream, large files";
    static final String STREAMS = "(c) streams with backlogs, at once";
    static final String KAFKA = "(d) 1 Kafka partition, batches";

    private static final PrintStream DISCARD = new PrintStream(OutputStream.nullOutputStream(), true,
            StandardCharsets.UTF_8);
    private static int kafkaRuns;

    private final Duration requestLatency;
    private final Duration latencyPerMiB;

    ServiceLatency(Duration requestLatency, Duration latencyPerMiB) {
        this.requestLatency = requestLatency;
        this.latencyPerMiB = latencyPerMiB;
    }

    /** Every workload of {@code plan} at every apply lag, a fresh local stack per lag; progress lines to {@code log}. */
    Figures run(Plan plan, Consumer<String> log) throws Exception {
        List<Run> runs = new ArrayList<>();
        boolean warm = false;
        for (Duration lag : plan.lags()) {
            EmulatorSettings emulator = EmulatorSettings.defaults().withApplyLag(lag)
                    .withRequestLatency(requestLatency, latencyPerMiB);
            try (LocalStack stack = LocalStack.start(0, 0, emulator)) {
                S3PathRig.prepare(stack);
                EndToEnd s3 = new EndToEnd(stack);
                if (!warm) {
                    // Untimed: compiles both paths in this JVM before the first figure.
                    s3.run(1, 3, 100, EndToEnd.Delivery.BACKLOG);
                    kafka(stack, lag, 2, plan.batchSize());
                    warm = true;
                }
                String at = " at " + lag.toMillis() + " ms apply lag";
                log.accept(BACKLOG + at);
                runs.add(Run.of(BACKLOG, lag, s3.run(1, plan.smallFiles(), plan.recordsPerSmallFile(),
                        EndToEnd.Delivery.BACKLOG)));
                log.accept(LARGE + at);
                runs.add(Run.of(LARGE, lag, s3.run(1, plan.largeFiles(), plan.recordsPerLargeFile(),
                        EndToEnd.Delivery.BACKLOG)));
                log.accept(STREAMS + at);
                runs.add(Run.of(STREAMS, lag, s3.run(plan.streams(), plan.filesPerStream(),
                        plan.recordsPerSmallFile(), EndToEnd.Delivery.BACKLOG)));
                log.accept(KAFKA + at);
                runs.add(kafka(stack, lag, plan.batches(), plan.batchSize()));
                stack.emulator().reset();
            }
        }
        return new Figures(requestLatency, latencyPerMiB, runs);
    }

    /**
     * One partition of {@link #TOPIC}, {@code batches} batches of {@code batchSize} NATIVE records (Arcion's Kafka
     * envelope), handed to the MSK function one at a time as the event source mapping does, from offset 0 with a
     * fresh ledger table.
     */
    private static Run kafka(LocalStack stack, Duration lag, int batches, int batchSize) {
        stack.emulator().reset();
        CdcRecords source = new CdcRecords(CdcRecords.Envelope.NATIVE, NormalizeBenchmark.DOCUMENT_BYTES, 0);
        List<KafkaEvent> events = new ArrayList<>(batches);
        long inputBytes = 0;
        for (int b = 0; b < batches; b++) {
            List<String> values = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) {
                ByteArrayOutputStream line = new ByteArrayOutputStream(2_048);
                try {
                    source.write(line, (long) b * batchSize + i, 1);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                String value = line.toString(StandardCharsets.UTF_8).strip();
                inputBytes += value.getBytes(StandardCharsets.UTF_8).length;
                values.add(value);
            }
            events.add(new KafkaBatch().addAll(TOPIC, 0, (long) b * batchSize, values).build());
        }
        LongAdder commitWaitMillis = new LongAdder();
        Metrics.Observer commitWait = (name, value) -> {
            if (name == Metrics.Name.COMMIT_WAIT) {
                commitWaitMillis.add((long) value);
            }
        };
        // A ledger table of its own: the partition cursor starts before offset 0.
        Map<String, String> env = Map.of(IngestConfig.STATE_TABLE.name(), "inorder-bench-kafka-" + (++kafkaRuns));
        long invocationNanos = 0;
        double seconds;
        try (LocalMskFunction function = new LocalMskFunction(stack, CdcRecords.TABLE_CONFIG, env, 1, DISCARD,
                DISCARD, commitWait)) {
            // bench.orders is on split topics (Arcion's default): its changes flow once the operator has declared
            // its snapshot complete, here with no snapshot on Kafka at all.
            try (var ddb = stack.dynamoDbClient()) {
                SnapshotGate.Completion done = new SnapshotGate(ddb, env.get(IngestConfig.STATE_TABLE.name()),
                        Clock.systemUTC()).complete(CdcRecords.TABLE, "bench");
                if (!(done instanceof SnapshotGate.Completed)) {
                    throw new IllegalStateException("the bench table's snapshot could not be declared complete: "
                            + done);
                }
            }
            long started = System.nanoTime();
            for (KafkaEvent event : events) {
                long invoked = System.nanoTime();
                KafkaBatchResponse response = function.invoke(event);
                invocationNanos += System.nanoTime() - invoked;
                if (!response.getBatchItemFailures().isEmpty()) {
                    throw new IllegalStateException("a Kafka batch was not applied whole: "
                            + response.getBatchItemFailures());
                }
            }
            seconds = (System.nanoTime() - started) / 1e9;
            function.awaitApplied();
        }
        long records = (long) batches * batchSize;
        int documents = stack.emulator().documents(CdcRecords.WORKSPACE, CdcRecords.COLLECTION).size();
        if (documents != records) {
            throw new IllegalStateException("the emulator holds " + documents + " documents after " + records
                    + " distinct Kafka records: the run lost or duplicated writes");
        }
        return new Run(KAFKA, lag, 1, batches, records, inputBytes, seconds, batches, invocationNanos,
                commitWaitMillis.sum() * 1_000_000);
    }
}
