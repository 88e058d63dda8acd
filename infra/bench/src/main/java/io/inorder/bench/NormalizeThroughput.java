package io.inorder.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Section 1: runs {@link NormalizeBenchmark} with JMH (one fork, programmatic options) and turns its operations per
 * second into MB/s of Arcion input and records per second. The pipeline has the most code to compile, so it is the
 * slowest to warm up: a short warm-up (one second) understates it by up to 4×, which is why even the quick mode warms
 * up for three.
 */
final class NormalizeThroughput {

    /** One implementation on one envelope. */
    record Score(String envelope, String implementation, double opsPerSecond, double error, long inputBytes) {

        double megabytesPerSecond() {
            return opsPerSecond * inputBytes / 1e6;
        }

        double recordsPerSecond() {
            return opsPerSecond * NormalizeBenchmark.RECORDS;
        }
    }

    private NormalizeThroughput() {
    }

    static List<Score> run(boolean quick) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(NormalizeBenchmark.class.getName() + "\\.")
                .forks(1)
                .warmupIterations(quick ? 3 : 6)
                .warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 3 : 5)
                .measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .jvmArgs("-Xmx1g")
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        List<Score> scores = new ArrayList<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            String implementation = name.substring(name.lastIndexOf('.') + 1);
            String envelope = r.getParams().getParam("envelope");
            long inputBytes = NormalizeBenchmark.input(CdcRecords.Envelope.valueOf(envelope)).length;
            scores.add(new Score(envelope, implementation, r.getPrimaryResult().getScore(),
                    r.getPrimaryResult().getScoreError(), inputBytes));
        }
        return scores;
    }
}
