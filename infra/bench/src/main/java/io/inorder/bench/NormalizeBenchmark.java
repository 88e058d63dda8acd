package io.inorder.bench;

import io.inorder.writeapi.WriteApiSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * JMH: one operation normalizes the whole benchmark input ({@value #RECORDS} records of {@link CdcRecords}, ~700-byte
 * documents) into Write API request bytes, by the pipeline and by the two baselines. Each returns the bytes it wrote,
 * which JMH consumes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class NormalizeBenchmark {

    static final int RECORDS = 4_000;
    static final int DOCUMENT_BYTES = 700;

    @Param({"S3_JSON", "NATIVE"})
    public String envelope;

    private byte[] input;
    private PipelineNormalizer pipeline;
    private StreamingCopyBaseline copy;
    private TreeModelBaseline tree;

    static byte[] input(CdcRecords.Envelope envelope) {
        return new CdcRecords(envelope, DOCUMENT_BYTES, 0).bytes(RECORDS);
    }

    @Setup
    public void setUp() {
        input = input(CdcRecords.Envelope.valueOf(envelope));
        pipeline = new PipelineNormalizer();
        copy = new StreamingCopyBaseline();
        tree = new TreeModelBaseline(WriteApiSettings.DEFAULT_MAX_REQUEST_BYTES,
                WriteApiSettings.DEFAULT_MAX_REQUEST_DOCUMENTS);
    }

    @Benchmark
    public long pipeline() throws IOException {
        CountingSink out = new CountingSink();
        pipeline.run(input, out);
        return out.bytes();
    }

    @Benchmark
    public long streamingCopy() throws IOException {
        CountingSink out = new CountingSink();
        copy.run(input, out);
        return out.bytes();
    }

    @Benchmark
    public long treeModel() throws IOException {
        CountingSink out = new CountingSink();
        tree.run(input, out);
        return out.bytes();
    }
}
