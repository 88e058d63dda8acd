package io.inorder.bench;

import io.inorder.local.LocalStack;
import io.inorder.local.ManyStreams;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code inorder bench [--quick] [--out FILE] [--note TEXT]}: runs every benchmark section, each against a baseline
 * measured in the same run, and writes the report (BENCHMARKS.md at the repository root by default). Progress goes to
 * stderr. A section that fails is reported as failed and the others still run; the exit status is then 1.
 */
public final class Bench {

    private static final String USAGE = """
            usage: inorder bench [--quick] [--out FILE] [--note TEXT] [--only streams]
              --quick      smaller inputs and fewer iterations: a smoke check in about 4 minutes
              --only streams  only the "10,000 streams" section, replaced in (or added to) the existing report
              --out FILE   where to write the report (default: BENCHMARKS.md at the repository root)
              --note TEXT  a line for the report, e.g. what else the machine was doing""";

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        String root = System.getProperty("inorder.root", ".");
        Path out = Path.of(root, "BENCHMARKS.md");
        String note = "";
        String only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--only" -> only = value(args, ++i, "--only");
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                case "--note" -> note = value(args, ++i, "--note");
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> {
                    System.err.println("inorder bench: unknown argument " + args[i] + "\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        long started = System.nanoTime();
        if (only != null) {
            if (!only.equals("streams")) {
                System.err.println("inorder bench: --only takes 'streams', got " + only + "\n" + USAGE);
                System.exit(2);
            }
            Results.Section<ManyStreams.Figures> streams;
            try (LocalStack stack = LocalStack.start()) {
                S3PathRig.prepare(stack);
                streams = manyStreams(stack);
            }
            String existing = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "# Benchmarks\n\n";
            Files.writeString(out, StreamsSection.splice(existing, StreamsSection.render(streams)),
                    StandardCharsets.UTF_8);
            progress("wrote the streams section into " + out.toAbsolutePath().normalize());
            System.exit(streams.ok() ? 0 : 1);
        }
        Results results = run(quick, note, started);
        Files.writeString(out, StreamsSection.splice(BenchmarkReport.render(results),
                StreamsSection.render(lastStreams)), StandardCharsets.UTF_8);
        progress("wrote " + out.toAbsolutePath().normalize() + " in " + String.format(Locale.ROOT, "%.1f",
                results.minutes()) + " min");
        boolean allRan = results.normalize().ok() && results.requests().ok() && results.endToEnd().ok()
                && results.memory().ok() && results.coldStart().ok() && results.dynamoDb().ok()
                && results.latency().ok() && lastStreams.ok();
        System.exit(allRan ? 0 : 1);
    }

    private static Results run(boolean quick, String note, long started) throws Exception {
        Instant date = Instant.now();
        // JMH first, before the local stack's threads exist, so the forked benchmark JVM has the machine to itself.
        progress("1/7 normalize throughput (JMH, " + (quick ? "quick" : "full") + ") ...");
        Results.Section<List<NormalizeThroughput.Score>> normalize = section(() -> NormalizeThroughput.run(quick));
        progress("starting the local stack (DynamoDB Local, S3Proxy, emulator) ...");
        Results.Section<List<RequestEfficiency.Figures>> requests;
        Results.Section<List<EndToEnd.Figures>> endToEnd;
        Results.Section<List<DynamoDbRequests.Figures>> dynamoDb;
        Results.Section<ColdStart.Figures> coldStart;
        Results.Section<MemoryBound.Figures> memory;
        try (LocalStack stack = LocalStack.start()) {
            S3PathRig.prepare(stack);
            progress("2/7 request efficiency ...");
            requests = section(() -> {
                RequestEfficiency section = new RequestEfficiency(stack.emulator(), 10_485_760, 20_000);
                return RequestEfficiency.workloads(quick).stream().map(w -> {
                    progress("    " + w.name() + ": " + w.documents() + " documents");
                    return section.run(w);
                }).toList();
            });
            progress("3/7 end-to-end ...");
            endToEnd = section(() -> {
                EndToEnd section = new EndToEnd(stack);
                // Untimed: compiles the S3 path in this JVM, so the first timed run does not pay for the JIT.
                section.run(2, 1, 2_000);
                EndToEnd.Figures one = quick ? section.run(1, 2, 4_000) : section.run(1, 8, 10_000);
                progress("    1 stream: " + String.format(Locale.ROOT, "%.0f docs/s", one.documentsPerSecond()));
                EndToEnd.Figures four = quick ? section.run(4, 1, 2_000) : section.run(4, 2, 10_000);
                progress("    4 streams: " + String.format(Locale.ROOT, "%.0f docs/s", four.documentsPerSecond()));
                return List.of(one, four);
            });
            progress("4/7 DynamoDB calls per file ...");
            dynamoDb = section(() -> {
                DynamoDbRequests section = new DynamoDbRequests(stack);
                return List.of(section.run("small (10 records)", 10, NormalizeBenchmark.DOCUMENT_BYTES, 20_000),
                        section.run(quick ? "large (5,000 records, 250 per request)"
                                : "large (20,000 records, 250 per request)", quick ? 5_000 : 20_000, 200, 250));
            });
            progress("5/7 cold start (" + (quick ? 1 : 5) + " runs of 4 environments in the local Lambda runtime) ...");
            coldStart = section(() -> new ColdStart(stack).run(quick ? 1 : 5));
            long target = quick ? 64L << 20 : 1L << 30;
            progress("6/7 memory bound (" + (target >> 20) + " MiB file at -Xmx" + MemoryBound.HEAP_MIB + "m) ...");
            memory = section(() -> new MemoryBound(stack).run(target));
            lastStreams = manyStreams(stack);
        }
        // Last, on stacks of its own (one per apply lag): the longest section, and the one whose emulator is slow.
        ServiceLatency.Plan plan = quick ? ServiceLatency.Plan.quick() : ServiceLatency.Plan.full();
        progress("7/7 under service latency (apply lag " + plan.lags().stream().map(l -> l.toMillis() + "")
                .collect(java.util.stream.Collectors.joining(", ")) + " ms; request latency "
                + ServiceLatency.REQUEST_LATENCY.toMillis() + " ms + " + ServiceLatency.LATENCY_PER_MIB.toMillis()
                + " ms/MiB) ...");
        var latency = section(() -> new ServiceLatency(ServiceLatency.REQUEST_LATENCY, ServiceLatency.LATENCY_PER_MIB)
                .run(plan, line -> progress("    " + line)));
        double minutes = (System.nanoTime() - started) / 6e10;
        return new Results(date, machine(), note, quick, minutes, normalize, requests, endToEnd, memory, coldStart,
                dynamoDb, latency);
    }

    /** The "10,000 streams" section of the last run (rendered apart from {@link Results}; see StreamsSection). */
    private static Results.Section<ManyStreams.Figures> lastStreams = Results.Section.failed(
            new IllegalStateException("not run"));

    private static Results.Section<ManyStreams.Figures> manyStreams(LocalStack stack) {
        progress("10,000 streams: reconciler sweeps of 2 s and inorder status ...");
        return section(() -> ManyStreams.run(stack, 10_000, java.time.Duration.ofSeconds(2)));
    }

    private static <T> Results.Section<T> section(Callable<T> body) {
        try {
            return Results.Section.of(body.call());
        } catch (Exception | OutOfMemoryError e) {
            progress("    failed: " + e);
            e.printStackTrace(System.err);
            return Results.Section.failed(e instanceof Exception ex ? ex : new IllegalStateException(e));
        }
    }

    static String machine() {
        String cpu = "";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
        } catch (IOException | RuntimeException e) {
            // Not Linux: the core count and OS still say enough.
        }
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return String.format(Locale.ROOT, "%d cores%s, %.0f GiB RAM, %s %s, %s %s", Runtime.getRuntime()
                        .availableProcessors(), cpu.isEmpty() ? "" : " (" + cpu + ")", memory / 1073741824.0,
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"));
    }

    private static void progress(String line) {
        System.err.println("inorder bench: " + line);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println("inorder bench: " + option + " needs a value\n" + USAGE);
            System.exit(2);
        }
        return args[i];
    }
}
