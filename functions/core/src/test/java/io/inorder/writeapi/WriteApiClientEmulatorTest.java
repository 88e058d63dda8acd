package io.inorder.writeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.arcion.BadRecord;
import io.inorder.emulator.AppliedOp;
import io.inorder.emulator.Emulator;
import io.inorder.emulator.EmulatorSettings;
import io.inorder.emulator.RequestLog;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against the local Write API emulator over real HTTP on 127.0.0.1: the emulator decides statuses, limits,
 * per-document errors, offsets and the commit fence exactly as the reference describes; the client's clock and
 * sleeper are virtual so backoff is checked without waiting.
 */
class WriteApiClientEmulatorTest {

    private static final String WS = "commons";
    private static Emulator emulator;

    private final Ops ops = new Ops("orders");
    private final ManualTime time = new ManualTime();

    @BeforeAll
    static void start() throws IOException {
        emulator = Emulator.start(EmulatorSettings.defaults().withMaxDocuments(5).withMaxBodyBytes(2048));
        emulator.createCollection(WS, "orders");
        emulator.createCollection(WS, "customers");
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @BeforeEach
    void reset() {
        emulator.reset();
    }

    private WriteApiClient client(UnaryOperator<WriteApiSettings> tune) {
        WriteApiSettings s = tune.apply(WriteApiSettings.defaults(emulator.baseUrl(), WS));
        return new WriteApiClient(s, ApiKeySource.fixed(emulator.apiKey()), time, time, new Random(7));
    }

    private WriteApiClient client() {
        return client(s -> s.withLimits(2048, 5));
    }

    private static WriteResult send(WriteApiClient client, WriteOp... writes) {
        CoalescingWindow w = client.newWindow();
        for (WriteOp op : writes) {
            assertThat(w.add(op)).isEqualTo(CoalescingWindow.Admission.ABSORBED);
        }
        return client.send(w, Deadline.none());
    }

    private static Map<String, ObjectNode> orders() {
        return emulator.documents(WS, "orders");
    }

    @Test
    void windowOfUpsertsPatchesAndDeletesLandsAsIfAppliedOneByOne() {
        WriteApiClient client = client();
        send(client, ops.upsertAt("1", 10, "a", 1), ops.upsert("2", "a", 2), ops.upsert("3", "a", 3));

        WriteResult result = send(client, ops.set("1", "b", "x"), ops.upsertAt("2", 30, "a", 20),
                ops.set("2", "c", 5), ops.upsert("3", "a", 4), ops.delete("3"),
                new Ops("customers").upsert("9", "n", "z"));

        assertThat(result.badRecords()).isEmpty();
        assertThat(orders().get("1").toString()).isEqualTo("{\"_id\":\"1\",\"a\":1,\"_event_time\":10,\"b\":\"x\"}");
        assertThat(orders().get("2").toString()).as("an overwrite keeps the immutable _event_time (none here)")
                .isEqualTo("{\"_id\":\"2\",\"a\":20,\"_event_time\":30,\"c\":5}");
        assertThat(orders()).doesNotContainKey("3");
        assertThat(emulator.documents(WS, "customers")).containsOnlyKeys("9");
        assertThat(emulator.applyLog(WS, "orders")).filteredOn(op -> op.id().equals("3")).extracting(AppliedOp::kind)
                .containsExactly("add", "delete");
    }

    @Test
    void requestsStayWithinTheLimitsSoTheEmulatorNeverRefusesOne() {
        WriteApiClient client = client(s -> s.withLimits(2048, 5).withWindowRequestsPerEndpoint(50));
        List<WriteOp> writes = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            writes.add(ops.upsert("id" + i, "payload", "x".repeat(i * 13 % 400)));
        }

        WriteResult result = send(client, writes.toArray(WriteOp[]::new));

        assertThat(result.documentsWritten()).isEqualTo(60);
        assertThat(orders()).hasSize(60);
        List<RequestLog.Entry> logged = emulator.requests().entries(RequestLog.Entry::isWrite);
        assertThat(logged).allSatisfy(e -> {
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.bodyBytes()).isLessThanOrEqualTo(2048);
            assertThat(e.documents()).isLessThanOrEqualTo(5);
        });
    }

    @Test
    void clientLimitsAboveTheServersAreRecoveredBySplitting() {
        // Misconfigured client limits: the emulator's 413 and document-count 400 make the client split.
        WriteApiClient client = client(s -> s.withLimits(10_000, 40));
        List<WriteOp> writes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            writes.add(ops.upsert("id" + i, "payload", "y".repeat(150)));
        }

        WriteResult result = send(client, writes.toArray(WriteOp[]::new));

        assertThat(result.badRecords()).isEmpty();
        assertThat(orders()).hasSize(30);
        List<Integer> statuses = emulator.requests().entries(RequestLog.Entry::isWrite).stream()
                .map(RequestLog.Entry::status).toList();
        assertThat(statuses).contains(413, 200);
    }

    @Test
    void retriesEveryFaultStatusTheEmulatorInjects() {
        WriteApiClient client = client();
        emulator.faults().script("429,500,502,503,504,200");

        WriteResult result = send(client, ops.upsert("1", "a", 1));

        assertThat(result.retries()).isEqualTo(5);
        assertThat(result.throttled()).isEqualTo(1);
        assertThat(orders()).containsOnlyKeys("1");
    }

    @Test
    void droppedConnectionIsRetried() {
        WriteApiClient client = client();
        emulator.faults().script("drop,200");

        WriteResult result = send(client, ops.delete("1"), ops.upsert("2", "a", 1));

        assertThat(result.retries()).isEqualTo(1);
        assertThat(orders()).containsOnlyKeys("2");
    }

    @Test
    void throttlingStormBacksOffWithinFullJitterBounds() {
        WriteApiClient client = client();
        emulator.faults().script("429,429,429,429,429,429,429,429,429,429,200");

        WriteResult result = send(client, ops.upsert("1", "a", 1));

        assertThat(result.throttled()).isEqualTo(10);
        List<Duration> sleeps = time.sleeps();
        assertThat(sleeps).hasSize(10);
        for (int n = 0; n < sleeps.size(); n++) {
            assertThat(sleeps.get(n)).isBetween(Duration.ZERO, Duration.ofMillis(Math.min(10_000, 100L << n)));
        }
        assertThat(orders()).containsOnlyKeys("1");
    }

    @Test
    void persistentUnavailabilityEndsAtTheDeadlineWithARetriableError() {
        WriteApiClient client = client();
        emulator.faults().rate(503, 1.0);
        Deadline deadline = Deadline.at(time, time.instant().plusSeconds(30));

        assertThatThrownBy(() -> {
            CoalescingWindow w = client.newWindow();
            w.add(ops.upsert("1", "a", 1));
            client.send(w, deadline);
        }).isInstanceOfSatisfying(WriteApiUnavailableException.class, e -> assertThat(e.retriable()).isTrue());
        assertThat(time.instant()).isBeforeOrEqualTo(deadline.at());
        assertThat(orders()).isEmpty();
    }

    @Test
    void perDocumentErrorsBecomeBadRecordsAndTheRestIsWritten() {
        WriteApiClient client = client();
        emulator.faults().errorField("_fail");
        Upsert bad = ops.upsert("2", "_fail", "yes");

        WriteResult result = send(client, ops.upsert("1", "a", 1), bad, ops.upsert("3", "a", 3));

        assertThat(result.badRecords()).singleElement().satisfies(b -> {
            assertThat(b.origin()).isEqualTo(bad.origin());
            assertThat(b.reason()).contains("_id 2");
            assertThat(new String(b.raw())).contains("_fail");
        });
        assertThat(orders()).containsOnlyKeys("1", "3");
    }

    @Test
    void failingPatchIsABadRecordWithTheEmulatorsMessage() {
        WriteApiClient client = client();
        send(client, ops.upsert("1", "a", 1));

        WriteResult result = send(client, ops.patch("1", new PatchOperation("remove", "/missing", null, null)));

        assertThat(result.badRecords()).singleElement().extracting(BadRecord::reason).asString()
                .contains("_id 1").contains("missing");
    }

    @Test
    void invalidPatchOperationIsIsolatedByBisection() {
        WriteApiClient client = client();
        List<WriteOp> writes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            writes.add(i == 2 ? ops.patch("p" + i, new PatchOperation("frobnicate", "/a", "1", null))
                    : ops.set("p" + i, "a", i));
        }

        WriteResult result = send(client, writes.toArray(WriteOp[]::new));

        assertThat(result.badRecords()).singleElement().satisfies(b -> {
            assertThat(b.origin()).isEqualTo(writes.get(2).origin());
            assertThat(b.reason()).contains("HTTP 400").contains("op");
        });
        assertThat(result.documentsWritten()).isEqualTo(4);
    }

    @Test
    void wrongApiKeyIsAConfigurationError() {
        WriteApiClient client = new WriteApiClient(WriteApiSettings.defaults(emulator.baseUrl(), WS),
                ApiKeySource.fixed("wrong-key"), time, time, new Random(1));

        assertThatThrownBy(() -> send(client, ops.delete("1"))).isInstanceOf(WriteApiConfigurationException.class)
                .hasMessageContaining("API key rejected").hasMessageNotContaining("wrong-key");
    }

    @Test
    void missingCollectionIsAConfigurationErrorNamingIt() {
        WriteApiClient client = client();

        assertThatThrownBy(() -> send(client, new Ops("invoices").delete("1")))
                .isInstanceOf(WriteApiConfigurationException.class)
                .hasMessageContaining("collection invoices does not exist in workspace commons");
    }

    @Test
    void commitFencePassesOnceTheWritesAreApplied() throws IOException {
        try (Emulator lagging = Emulator.start(EmulatorSettings.defaults().withApplyLag(Duration.ofMillis(300)))) {
            lagging.createCollection(WS, "orders");
            WriteApiSettings s = WriteApiSettings.defaults(lagging.baseUrl(), WS)
                    .withCommitPolling(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(30));
            WriteApiClient client = new WriteApiClient(s, ApiKeySource.fixed(lagging.apiKey()));
            CoalescingWindow w = client.newWindow();
            for (int i = 0; i < 8; i++) {
                w.add(ops.upsert("id" + i, "a", i));
            }
            WriteResult result = client.send(w, Deadline.none());

            CommitFence.Outcome outcome = new CommitFence(client).await(result,
                    Deadline.after(Clock.systemUTC(), Duration.ofSeconds(60)).earlier(Duration.ofSeconds(5)));

            assertThat(outcome.passed()).isTrue();
            assertThat(lagging.documents(WS, "orders")).as("everything acknowledged is visible once the fence"
                    + " passed").hasSize(8);
        }
    }

    @Test
    void commitFenceReportsNotPassedWhenTheLagOutlastsTheBoundedWait() throws IOException {
        try (Emulator lagging = Emulator.start(EmulatorSettings.defaults().withApplyLag(Duration.ofMinutes(5)))) {
            lagging.createCollection(WS, "orders");
            WriteApiSettings s = WriteApiSettings.defaults(lagging.baseUrl(), WS)
                    .withCommitPolling(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(20));
            WriteApiClient client = new WriteApiClient(s, ApiKeySource.fixed(lagging.apiKey()), time, time,
                    new Random(2));
            CoalescingWindow w = client.newWindow();
            w.add(ops.upsert("1", "a", 1));
            WriteResult result = client.send(w, Deadline.none());

            CommitFence.Outcome outcome = new CommitFence(client).await(result, Deadline.none());

            assertThat(outcome.passed()).isFalse();
            assertThat(outcome.waited()).isLessThanOrEqualTo(Duration.ofSeconds(20));
            assertThat(outcome.polls()).isGreaterThan(5);
            assertThat(lagging.documents(WS, "orders")).isEmpty();
        }
    }
}
