package io.inorder.bench;

import io.inorder.local.LocalStack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The sections that run on the embedded stack, at toy sizes: they measure what they claim and verify the outcome. */
class S3PathSectionsTest {

    private static LocalStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
        S3PathRig.prepare(stack);
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
    }

    @Test
    void endToEndIngestsEveryRecordOfEveryStreamAndCountsTheInputBytes() throws Exception {
        EndToEnd.Figures one = new EndToEnd(stack).run(1, 2, 40);
        EndToEnd.Figures three = new EndToEnd(stack).run(3, 2, 40);

        assertThat(one.records()).isEqualTo(80);
        assertThat(one.files()).isEqualTo(2);
        assertThat(one.inputBytes()).isEqualTo(
                new CdcRecords(CdcRecords.Envelope.S3_JSON, NormalizeBenchmark.DOCUMENT_BYTES, 0).bytes(80).length);
        assertThat(three.records()).isEqualTo(240);
        assertThat(three.documentsPerSecond()).isPositive();
    }

    @Test
    void aBacklogIsDrainedByTheFirstFilesInvocationAndItsTimeIsCounted() throws Exception {
        EndToEnd.Figures backlog = new EndToEnd(stack).run(2, 3, 30, EndToEnd.Delivery.BACKLOG);

        assertThat(backlog.records()).isEqualTo(180);
        assertThat(backlog.files()).isEqualTo(6);
        // One invocation per stream drained its three files (the run checks the reply says so).
        assertThat(backlog.invocations()).isEqualTo(2);
        assertThat(backlog.invocationNanos()).isPositive();
        assertThat(backlog.commitWaitNanos()).isLessThanOrEqualTo(backlog.invocationNanos());
    }

    @Test
    void underServiceLatencyEveryWorkloadRunsAtEveryLagAgainstItsZeroLagRun() throws Exception {
        ServiceLatency.Plan toy = new ServiceLatency.Plan(List.of(Duration.ZERO, Duration.ofMillis(300)), 3, 20, 2,
                200, 2, 2, 2, 50);

        ServiceLatency.Figures figures = new ServiceLatency(Duration.ofMillis(2), Duration.ofMillis(10))
                .run(toy, line -> { });

        assertThat(figures.runs()).extracting(ServiceLatency.Run::scenario).containsExactly(
                ServiceLatency.BACKLOG, ServiceLatency.LARGE, ServiceLatency.STREAMS, ServiceLatency.KAFKA,
                ServiceLatency.BACKLOG, ServiceLatency.LARGE, ServiceLatency.STREAMS, ServiceLatency.KAFKA);
        for (ServiceLatency.Run run : figures.runs()) {
            assertThat(figures.zeroLag(run)).get().extracting(ServiceLatency.Run::lag).isEqualTo(Duration.ZERO);
            assertThat(run.gigabyteSecondsPerThousandFiles()).isPositive();
            assertThat(run.fenceShare()).isBetween(0.0, 1.0);
        }
        ServiceLatency.Run kafka = figures.runs().get(7);
        assertThat(kafka.files()).isEqualTo(2);
        assertThat(kafka.records()).isEqualTo(100);
        assertThat(kafka.invocations()).isEqualTo(2);
        assertThat(figures.runs().get(6).files()).isEqualTo(4);
        assertThat(figures.runs().get(6).streams()).isEqualTo(2);
        // With 300 ms of apply lag the fence cannot pass at its first poll: every window waits, and the function
        // reported it (a count, not a timing: waits of zero would sum to zero).
        assertThat(figures.runs().subList(4, 8)).allMatch(run -> run.commitWaitNanos() > 0);
    }

    @Test
    void aLargerFileCostsMoreWindowsAndTheDynamoDbCallsAreCountedPerOperation() throws Exception {
        DynamoDbRequests section = new DynamoDbRequests(stack);

        DynamoDbRequests.Figures small = section.run("small", 10, 200, 20_000);
        DynamoDbRequests.Figures large = section.run("large", 400, 200, 25);

        assertThat(small.windows()).isEqualTo(1);
        // 400 documents, 25 per request, 4 requests per window: 100 documents per window.
        assertThat(large.windows()).isEqualTo(4);
        assertThat(small.calls()).isPositive();
        assertThat(small.byOperation()).containsKey("PutItem");
        assertThat(small.byOperation().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(small.calls());
        assertThat(large.calls()).isGreaterThan(small.calls());
    }

    @Test
    void requestEfficiencyCountsTheSameRequestsAtTheEmulatorAsTheClientMade() {
        RequestEfficiency section = new RequestEfficiency(stack.emulator(), 20_000, 50);

        RequestEfficiency.Figures distinct = section.run(new RequestEfficiency.Workload("200 B", 200, 2_000, 0));
        RequestEfficiency.Figures hot = section.run(new RequestEfficiency.Workload("hot", 200, 2_000, 10));

        // 2,000 documents, 50 per request: the bound is 40 by count; 4 full requests per window meet it exactly.
        assertThat(distinct.bound().requests()).isEqualTo(40);
        assertThat(distinct.requests()).isEqualTo(40);
        assertThat(distinct.emulatorWrites()).isEqualTo(40);
        assertThat(distinct.documentsSent()).isEqualTo(2_000);
        // The fixed batchers cut at their document count or the 20,000-byte limit, whichever comes first.
        assertThat(distinct.fixed256()).isEqualTo(distinct.fixed1000());
        assertThat(distinct.fixed1000()).isGreaterThanOrEqualTo(20);
        // Ten hot ids coalesce into one request; the fixed batchers send every update.
        assertThat(hot.requests()).isEqualTo(1);
        assertThat(hot.documentsSent()).isEqualTo(10);
        assertThat(hot.emulatorWrites()).isEqualTo(1);
    }
}
