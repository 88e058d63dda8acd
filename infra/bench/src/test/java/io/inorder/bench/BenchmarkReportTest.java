package io.inorder.bench;

import io.inorder.writeapi.WriteApiSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BenchmarkReportTest {

    private static final long MIB10 = WriteApiSettings.DEFAULT_MAX_REQUEST_BYTES;

    @Test
    void reportRendersEveryFigureWithItsBaselineRatioAndTarget() {
        String md = BenchmarkReport.render(results());

        assertThat(md).contains("# Benchmarks", "2026-11-23 23:00 UTC", "Note: shared machine", "4 cores");
        assertThat(md).contains("## 1. Normalize throughput", "## 2. Request efficiency",
                "## 3. End-to-end on the embedded stack", "## 4. Memory bound", "## 5. Cold start",
                "## 6. DynamoDB requests per file", "## How to rerun");
        // 100 MB/s pipeline against a 160 MB/s copy and a 40 MB/s tree model.
        assertThat(md).contains("| Normalize S3_JSON vs streaming copy | 100 MB/s | 160 MB/s | 0.63× | ≥ 0.5× | yes |");
        assertThat(md).contains("| Normalize S3_JSON vs tree model | 100 MB/s | 40 MB/s | 2.50× | ≥ 2× | yes |");
        assertThat(md).contains("| Requests, 1 KB documents vs lower bound | 21 requests | 20 (bound) | 1.05× | ≤ 1.05× "
                + "| yes |");
        assertThat(md).contains("| Requests, 1 KB documents vs 1,000-document batching | 21 requests | 200 requests "
                + "| 9.52× | ≥ 10× fewer | **no** |");
        assertThat(md).contains("| Requests, hot vs lower bound | 1 request | 20 (bound) | 0.05× | below the bound | yes |");
        // 20 MB/s end to end against 100 MB/s normalize.
        assertThat(md).contains("| End-to-end, 4 streams vs normalize | 10,000 docs/s, 20.0 MB/s | 100 MB/s | 0.20× "
                + "| ≥ 0.25× | **no** |");
        assertThat(md).contains("| 1,024.0 MiB | 700,000 | 60.0 | 150.0 MiB | 170.0 MiB | 256.0 MiB | 60,000 | **pass** |");
        // 2,600 ms against a 2,100 ms baseline is 1.24×, within the 1.3× target; restored 600 against 500 ms.
        assertThat(md).contains("| Cold start, process start to first response (Lambda runtime) | 2600 ms | 2100 ms "
                + "(3-call baseline) | 1.24× | ≤ 1.30× | yes |");
        assertThat(md).contains("| Cold: process start → first response | 2600 ms | 2100 ms | 1.24× |",
                "| Restored: restore → first response | 600 ms | 500 ms | 1.20× |");
        assertThat(md).contains("Each further window costs 4.0 calls");
    }

    @Test
    void theServiceLatencySectionReportsEachRunAgainstItsZeroLagRunAndTheTargets() {
        String md = BenchmarkReport.render(results());

        assertThat(md).contains("## 7. Under service latency", "**Request latency: 50 ms + 20 ms per MiB of body.**");
        // 0.625 files/s against 10: 0.06×; 320 s of invocation for 200 files is 1,600 GB-s per 1,000 at 1 GB.
        assertThat(md).contains("| (a) 1 stream, backlog of small files | 1.0 s | 200 | 20,000 | 32.0 | 320.00 | 0.63 "
                + "| 0.1 | 63 | 94 % | 1,600.0 | 0.06× |");
        assertThat(md).contains("| (a) 1 stream, backlog of small files | 0.0 s | 200 | 20,000 | 32.0 | 20.00 | 10.00 "
                + "| 1.6 | 1,000 | 5 % | 100.0 | 1.00× |");
        assertThat(md).contains("| At 1 s apply lag, (a) 1 stream, backlog of small files vs zero lag | 0.63 files/s "
                + "| 10.00 files/s | 0.06× | ≥ 0.8× | **no** |");
        assertThat(md).contains("| At 1 s apply lag, (a) 1 stream, backlog of small files, files/s per stream | "
                + "0.63 files/s | | | ≥ 10 files/s | **no** |");
        assertThat(md).contains("| At 1 s apply lag, (d) 1 Kafka partition, batches vs zero lag | 8.89 batches/s "
                + "| 10.00 batches/s | 0.89× | ≥ 0.8× | yes |");
    }

    @Test
    void aFailedSectionIsReportedAsFailedAndTheOthersStillRender() {
        Results ok = results();
        Results r = new Results(ok.date(), ok.machine(), "", true, 1.0,
                Results.Section.failed(new IllegalStateException("JMH fork died")), ok.requests(), ok.endToEnd(),
                ok.memory(), ok.coldStart(), ok.dynamoDb(),
                Results.Section.failed(new IllegalStateException("stack did not start")));

        String md = BenchmarkReport.render(r);

        assertThat(md).contains("| Normalize throughput | failed: IllegalStateException: JMH fork died |",
                "**quick mode**", "n/a (normalize failed)", "## 2. Request efficiency",
                "| Under service latency | failed: IllegalStateException: stack did not start |");
    }

    private static Results results() {
        long s3Input = NormalizeBenchmark.input(CdcRecords.Envelope.S3_JSON).length;
        long nativeInput = NormalizeBenchmark.input(CdcRecords.Envelope.NATIVE).length;
        List<NormalizeThroughput.Score> normalize = List.of(
                new NormalizeThroughput.Score("S3_JSON", "pipeline", 100e6 / s3Input, 0.1, s3Input),
                new NormalizeThroughput.Score("S3_JSON", "streamingCopy", 160e6 / s3Input, 0.1, s3Input),
                new NormalizeThroughput.Score("S3_JSON", "treeModel", 40e6 / s3Input, 0.1, s3Input),
                new NormalizeThroughput.Score("NATIVE", "pipeline", 50e6 / nativeInput, 0.1, nativeInput),
                new NormalizeThroughput.Score("NATIVE", "streamingCopy", 80e6 / nativeInput, 0.1, nativeInput),
                new NormalizeThroughput.Score("NATIVE", "treeModel", 20e6 / nativeInput, 0.1, nativeInput));
        RequestEfficiency.Workload kb = new RequestEfficiency.Workload("1 KB documents", 1_024, 200_000, 0);
        RequestEfficiency.Workload hot = new RequestEfficiency.Workload("hot", 1_024, 200_000, 100);
        List<RequestEfficiency.Figures> requests = List.of(
                new RequestEfficiency.Figures(kb, 205_000_000, 200_000,
                        new RequestBound(205_000_000, 200_000, MIB10, 20_000), 21, 21, 200, 782),
                new RequestEfficiency.Figures(hot, 205_000_000, 100,
                        new RequestBound(205_000_000, 200_000, MIB10, 20_000), 1, 1, 200, 782));
        List<EndToEnd.Figures> endToEnd = List.of(new EndToEnd.Figures(1, 8, 80_000, 100_000_000, 20.0),
                new EndToEnd.Figures(4, 8, 80_000, 160_000_000, 8.0));
        MemoryBound.Figures memory = new MemoryBound.Figures(1L << 30, 700_000, 60, 150L << 20, 170L << 20,
                256L << 20, 60_000, null);
        ColdStart.Figures cold = new ColdStart.Figures(5, 2_600, 2_100, 600, 500, 3_000);
        List<DynamoDbRequests.Figures> ddb = List.of(
                new DynamoDbRequests.Figures("small", 10, 1, 17, Map.of("UpdateItem", 9L, "GetItem", 8L)),
                new DynamoDbRequests.Figures("large", 20_000, 21, 97, Map.of("UpdateItem", 89L, "GetItem", 8L)));
        Duration second = Duration.ofSeconds(1);
        ServiceLatency.Figures latency = new ServiceLatency.Figures(Duration.ofMillis(50), Duration.ofMillis(20), List.of(
                // 200 files in 20 s at zero lag, 320 s at 1 s: 10 and 0.625 files/s.
                new ServiceLatency.Run(ServiceLatency.BACKLOG, Duration.ZERO, 1, 200, 20_000, 32_000_000, 20.0, 1,
                        20_000_000_000L, 1_000_000_000L),
                new ServiceLatency.Run(ServiceLatency.BACKLOG, second, 1, 200, 20_000, 32_000_000, 320.0, 1,
                        320_000_000_000L, 300_000_000_000L),
                new ServiceLatency.Run(ServiceLatency.KAFKA, Duration.ZERO, 1, 40, 20_000, 24_000_000, 4.0, 40,
                        4_000_000_000L, 0),
                new ServiceLatency.Run(ServiceLatency.KAFKA, second, 1, 40, 20_000, 24_000_000, 4.5, 40,
                        4_500_000_000L, 500_000_000L)));
        return new Results(Instant.parse("2026-11-23T23:00:00Z"), "4 cores, 8 GiB RAM", "shared machine", false,
                9.5, Results.Section.of(normalize), Results.Section.of(requests), Results.Section.of(endToEnd),
                Results.Section.of(memory), Results.Section.of(cold), Results.Section.of(ddb),
                Results.Section.of(latency));
    }
}
