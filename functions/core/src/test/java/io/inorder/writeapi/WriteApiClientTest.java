package io.inorder.writeapi;

import static io.inorder.writeapi.ScriptedWriteApi.acknowledge;
import static io.inorder.writeapi.ScriptedWriteApi.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inorder.arcion.BadRecord;
import io.inorder.writeapi.ScriptedWriteApi.Answer;
import io.inorder.writeapi.ScriptedWriteApi.Received;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The client over real HTTP on 127.0.0.1 against a scripted server that forces each status path. */
class WriteApiClientTest {

    private static final String KEY = "test-key-123";

    private final Ops ops = new Ops("orders");
    private final ManualTime time = new ManualTime();
    private ScriptedWriteApi server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private WriteApiClient client(ScriptedWriteApi.Script script) {
        return client(script, s -> s);
    }

    private WriteApiClient client(ScriptedWriteApi.Script script,
                                  java.util.function.UnaryOperator<WriteApiSettings> tune) {
        server = new ScriptedWriteApi(script);
        WriteApiSettings settings = tune.apply(WriteApiSettings.defaults(server.baseUrl(), "commons"));
        return new WriteApiClient(settings, ApiKeySource.fixed(KEY), time, time, new Random(42));
    }

    private CoalescingWindow window(WriteApiClient client, WriteOp... writeOps) {
        CoalescingWindow w = client.newWindow();
        for (WriteOp op : writeOps) {
            assertThat(w.add(op)).isEqualTo(CoalescingWindow.Admission.ABSORBED);
        }
        return w;
    }

    @Test
    void sendsEachEndpointItsMethodWithTheApiKeyAndKeepsEveryLastOffset() {
        AtomicInteger n = new AtomicInteger();
        WriteApiClient client = client((r, i) -> acknowledge(r, "f2:0:" + n.incrementAndGet() + ":0:0---"));

        WriteResult result = client.send(window(client, ops.upsert("1", "a", 1), ops.set("2", "b", 2),
                ops.delete("3"), new Ops("customers").upsert("9", "c", "x")), Deadline.none());

        List<Received> got = server.received();
        assertThat(got).extracting(Received::method).containsExactlyInAnyOrder("POST", "PATCH", "DELETE", "POST");
        assertThat(got).extracting(Received::path).contains("/v1/orgs/self/ws/commons/collections/orders/docs",
                "/v1/orgs/self/ws/commons/collections/customers/docs");
        assertThat(got).allSatisfy(r -> {
            assertThat(r.header("Authorization")).isEqualTo("ApiKey " + KEY);
            assertThat(r.header("Content-type")).isEqualTo("application/json");
        });
        assertThat(result.documentsWritten()).isEqualTo(4);
        assertThat(result.badRecords()).isEmpty();
        assertThat(result.offsets().get("orders")).hasSize(3);
        assertThat(result.offsets().get("customers")).hasSize(1);
        assertThat(result.requests()).isEqualTo(4);
        assertThat(result.bytesSent()).isEqualTo(got.stream().mapToLong(r -> r.body().length).sum());
    }

    @Test
    void documentsWithErrorStatusInA200BecomeBadRecordsWithTheServersMessage() {
        WriteApiClient client = client((r, i) -> acknowledge(r, "f2:0:1:0:0---",
                Map.of("2", "Field _event_time must be a timestamp")));
        Upsert bad = ops.upsert("2", "a", 2);

        WriteResult result = client.send(window(client, ops.upsert("1", "a", 1), bad, ops.upsert("3", "a", 3)),
                Deadline.none());

        assertThat(result.documentsWritten()).isEqualTo(2);
        assertThat(result.badRecords()).singleElement().satisfies(b -> {
            assertThat(b.origin()).isEqualTo(bad.origin());
            assertThat(b.reason()).contains("_id 2", "orders", "Field _event_time must be a timestamp");
            assertThat(new String(b.raw())).isEqualTo("{\"_id\":\"2\",\"a\":2}");
        });
        assertThat(result.offsets().get("orders")).containsExactly("f2:0:1:0:0---");
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 502, 503, 504})
    void retriesRetriableStatusesUntilTheyPass(int status) {
        WriteApiClient client = client((r, i) -> i < 3
                ? (status == 502 || status == 504 ? Answer.of(status, "<html><body>Bad Gateway</body></html>")
                        : error(status, null, "SERVICEUNAVAILABLE", "try later"))
                : acknowledge(r, "f2:0:1:0:0---"));

        WriteResult result = client.send(window(client, ops.upsert("1", "a", 1)), Deadline.none());

        assertThat(result.documentsWritten()).isEqualTo(1);
        assertThat(result.retries()).isEqualTo(3);
        assertThat(result.requests()).isEqualTo(4);
        assertThat(result.throttled()).isEqualTo(status == 429 ? 3 : 0);
        assertThat(time.sleeps()).hasSize(3);
    }

    @Test
    void retryDecisionFollowsTheStatusNotTheErrorType() {
        // go-client #79: a 429 arrived typed ResourceExceeded; a 400 typed like a throttle is still a bad document.
        WriteApiClient client = client((r, i) -> i == 0 ? error(429, null, "ResourceExceeded", "slow down")
                : error(400, "BAD_DOC", "RATELIMITEXCEEDED", "document is invalid"));

        WriteResult result = client.send(window(client, ops.upsert("1", "a", 1)), Deadline.none());

        assertThat(result.retries()).isEqualTo(1);
        assertThat(result.badRecords()).singleElement()
                .satisfies(b -> assertThat(b.reason()).contains("document is invalid"));
    }

    @Test
    void connectionClosedWithoutAnswerIsRetried() {
        WriteApiClient client = client((r, i) -> i == 0 ? new Answer(-1, Map.of(), "") : acknowledge(r, "o"));

        WriteResult result = client.send(window(client, ops.delete("1")), Deadline.none());

        assertThat(result.retries()).isEqualTo(1);
        assertThat(result.documentsWritten()).isEqualTo(1);
    }

    @Test
    void unreadable200IsRetriedBecauseItsOutcomeIsUnknown() {
        WriteApiClient client = client((r, i) -> i == 0 ? Answer.of(200, "<html>ok</html>") : acknowledge(r, "o"));

        WriteResult result = client.send(window(client, ops.delete("1")), Deadline.none());

        assertThat(result.retries()).isEqualTo(1);
        assertThat(result.offsets().get("orders")).containsExactly("o");
    }

    @Test
    void throttlingStormBacksOffWithFullJitterWithinTheExponentialCeilings() {
        int storm = 14;
        WriteApiClient client = client((r, i) -> i < storm
                ? error(429, null, "RESOURCEEXCEEDED", "Your account is configured with a maximum write rate limit")
                : acknowledge(r, "o"));

        WriteResult result = client.send(window(client, ops.upsert("1", "a", 1)), Deadline.none());

        assertThat(result.throttled()).isEqualTo(storm);
        List<Duration> sleeps = time.sleeps();
        assertThat(sleeps).hasSize(storm);
        for (int n = 0; n < storm; n++) {
            long ceiling = Math.min(10_000, 100L << n);
            assertThat(sleeps.get(n)).as("retry %d", n).isBetween(Duration.ZERO, Duration.ofMillis(ceiling));
        }
        assertThat(sleeps.subList(7, storm)).as("capped at 10 s").allMatch(d -> d.compareTo(Duration.ofSeconds(10)) <= 0);
        assertThat(sleeps.stream().distinct().count()).as("jittered, not lockstep").isGreaterThan(storm / 2);
        assertThat(sleeps.stream().filter(d -> d.toMillis() < Math.min(10_000, 100L << sleeps.indexOf(d)) / 2))
                .as("full jitter draws from the whole range, lower half included").isNotEmpty();
    }

    @Test
    void retryAfterInSecondsIsHonouredAsAMinimum() {
        WriteApiClient client = client((r, i) -> i == 0
                ? new Answer(503, Map.of("Retry-After", "7"), "{\"message\":\"busy\"}") : acknowledge(r, "o"));

        client.send(window(client, ops.delete("1")), Deadline.none());

        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(7));
    }

    @Test
    void retryAfterAsHttpDateIsHonouredAsAMinimum() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(time.instant().plusSeconds(30).atOffset(ZoneOffset.UTC));
        WriteApiClient client = client((r, i) -> i == 0
                ? new Answer(429, Map.of("Retry-After", date), "{}") : acknowledge(r, "o"));

        client.send(window(client, ops.delete("1")), Deadline.none());

        assertThat(time.sleeps()).singleElement().satisfies(d -> assertThat(d).isBetween(Duration.ofSeconds(29),
                Duration.ofSeconds(30)));
    }

    @Test
    void absurdRetryAfterIsCappedAtAnHour() {
        WriteApiClient client = client((r, i) -> i == 0
                ? new Answer(503, Map.of("Retry-After", "99999999999999"), "{}") : acknowledge(r, "o"));

        client.send(window(client, ops.delete("1")), Deadline.none());

        assertThat(time.sleeps()).containsExactly(Duration.ofHours(1));
    }

    @Test
    void windowThatFailedRetriablyCanBeSentAgainWhole() {
        AtomicInteger calls = new AtomicInteger();
        WriteApiClient client = client((r, i) -> calls.incrementAndGet() <= 2
                ? error(503, null, "SERVICEUNAVAILABLE", "down") : acknowledge(r, "o"),
                s -> s.withRetry(Duration.ofMillis(100), Duration.ofSeconds(1), 2));
        CoalescingWindow w = window(client, ops.upsert("1", "a", 1), ops.delete("2"));

        assertThatThrownBy(() -> client.send(w, Deadline.none())).isInstanceOf(WriteApiUnavailableException.class);
        WriteResult again = client.send(w, Deadline.none());

        assertThat(again.documentsWritten()).isEqualTo(2);
        assertThat(server.received().stream().skip(2).flatMap(r -> r.ids().stream())).containsExactlyInAnyOrder("1",
                "2");
    }

    @Test
    void retriesStopBeforeSleepingPastTheDeadline() {
        WriteApiClient client = client((r, i) -> error(503, null, "SERVICEUNAVAILABLE", "unavailable"));
        Instant start = time.instant();
        Deadline deadline = Deadline.at(time, start.plusSeconds(20));

        assertThatThrownBy(() -> client.send(window(client, ops.delete("1")), deadline))
                .isInstanceOfSatisfying(WriteApiUnavailableException.class, e -> {
                    assertThat(e.retriable()).isTrue();
                    assertThat(e.getMessage()).contains("would pass the deadline", "HTTP 503");
                });
        assertThat(time.instant()).isBeforeOrEqualTo(deadline.at());
        assertThat(time.sleeps()).isNotEmpty();
    }

    @Test
    void retryAfterBeyondTheDeadlineStopsAtOnce() {
        WriteApiClient client = client((r, i) -> new Answer(429, Map.of("Retry-After", "120"), "{}"));

        assertThatThrownBy(() -> client.send(window(client, ops.delete("1")),
                Deadline.at(time, time.instant().plusSeconds(60)))).isInstanceOf(WriteApiUnavailableException.class);
        assertThat(time.sleeps()).isEmpty();
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void passedDeadlineSendsNothing() {
        WriteApiClient client = client((r, i) -> acknowledge(r, "o"));

        assertThatThrownBy(() -> client.send(window(client, ops.delete("1")), Deadline.at(time, time.instant())))
                .isInstanceOf(WriteApiUnavailableException.class).hasMessageContaining("deadline");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void attemptLimitEndsRetriesWithARetriableError() {
        WriteApiClient client = client((r, i) -> error(500, null, "INTERNALERROR", "boom"),
                s -> s.withRetry(Duration.ofMillis(50), Duration.ofSeconds(1), 3));

        assertThatThrownBy(() -> client.send(window(client, ops.delete("1")), Deadline.none()))
                .isInstanceOf(WriteApiUnavailableException.class).hasMessageContaining("failed 3 times");
        assertThat(server.received()).hasSize(3);
    }

    @Test
    void payloadTooLargeSplitsTheRequestInHalvesUntilItFits() {
        // The server's byte limit is smaller than the client's: the client must still get everything in.
        WriteApiClient client = client((r, i) -> r.body().length > 120
                ? error(413, null, "CONTENTTOOLARGE", "Payload size exceeds limit of 120 bytes")
                : acknowledge(r, "o" + i));
        List<WriteOp> writes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            writes.add(ops.upsert("id" + i, "a", i));
        }

        WriteResult result = client.send(window(client, writes.toArray(WriteOp[]::new)), Deadline.none());

        assertThat(result.documentsWritten()).isEqualTo(8);
        assertThat(result.badRecords()).isEmpty();
        assertThat(server.received().stream().filter(r -> r.body().length <= 120).flatMap(r -> r.ids().stream()))
                .containsExactlyInAnyOrder("id0", "id1", "id2", "id3", "id4", "id5", "id6", "id7");
    }

    @Test
    void documentCountErrorSplitsInsteadOfBisectingToBadRecords() {
        WriteApiClient client = client((r, i) -> r.ids().size() > 3
                ? error(400, "RECEIVER_REQUEST_MAX_DOCUMENT_LIMIT", "INVALIDINPUT", "The number of documents specified"
                        + " in this request exceeds the maximum allowed limit of 3 documents.")
                : acknowledge(r, "o"));
        List<WriteOp> writes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            writes.add(ops.delete("id" + i));
        }

        WriteResult result = client.send(window(client, writes.toArray(WriteOp[]::new)), Deadline.none());

        assertThat(result.documentsWritten()).isEqualTo(10);
        assertThat(result.badRecords()).isEmpty();
    }

    @Test
    void otherBadRequestsAreBisectedDownToTheOffendingDocuments() {
        WriteApiClient client = client((r, i) -> r.ids().contains("poison3") || r.ids().contains("poison6")
                ? error(400, "INVALID_INPUT", "INVALIDINPUT", "Invalid field name at " + r.ids())
                : acknowledge(r, "o" + i));
        List<WriteOp> writes = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            writes.add(i == 3 || i == 6 ? ops.upsert("poison" + i, "$bad", 1) : ops.upsert("id" + i, "a", i));
        }

        WriteResult result = client.send(window(client, writes.toArray(WriteOp[]::new)), Deadline.none());

        assertThat(result.documentsWritten()).isEqualTo(7);
        assertThat(result.badRecords()).extracting(BadRecord::origin)
                .containsExactlyInAnyOrder(writes.get(3).origin(), writes.get(6).origin());
        assertThat(result.badRecords()).allSatisfy(b -> assertThat(b.reason()).contains("HTTP 400",
                "Invalid field name"));
        assertThat(result.offsets().get("orders")).isNotEmpty();
    }

    @Test
    void rejectedOversizeDocumentsAreReportedWithTheWindowsResult() {
        WriteApiClient client = client((r, i) -> acknowledge(r, "o"), s -> s.withLimits(100, 10));
        CoalescingWindow w = client.newWindow();
        w.add(ops.upsert("big", "a", "x".repeat(200)));
        w.add(ops.upsert("small", "a", 1));

        WriteResult result = client.send(w, Deadline.none());

        assertThat(result.badRecords()).singleElement().satisfies(b -> assertThat(b.reason())
                .contains("exceeds the 100-byte request limit"));
        assertThat(server.received()).singleElement().satisfies(r -> assertThat(r.ids()).containsExactly("small"));
    }

    @Test
    void unauthorizedFetchesTheKeyAgainOnceThenSucceeds() {
        AtomicInteger fetches = new AtomicInteger();
        ApiKeySource rotating = new ApiKeySource() {
            private String cached;

            @Override
            public String apiKey() {
                if (cached == null) {
                    cached = "key-v" + fetches.incrementAndGet();
                }
                return cached;
            }

            @Override
            public void refresh() {
                cached = null;
            }

            @Override
            public String describe() {
                return "a rotating test key";
            }
        };
        server = new ScriptedWriteApi((r, i) -> r.header("Authorization").equals("ApiKey key-v2")
                ? acknowledge(r, "o") : error(401, "UNAUTHORIZED", "AUTHEXCEPTION", "Invalid API key"));
        WriteApiClient client = new WriteApiClient(WriteApiSettings.defaults(server.baseUrl(), "commons"), rotating,
                time, time, new Random(1));

        WriteResult result = client.send(window(client, ops.delete("1")), Deadline.none());

        assertThat(result.documentsWritten()).isEqualTo(1);
        assertThat(fetches).hasValue(2);
    }

    @Test
    void unauthorizedTwiceIsAConfigurationErrorNamingTheKeySourceButNotTheKey() {
        WriteApiClient client = client((r, i) -> error(401, "UNAUTHORIZED", "AUTHEXCEPTION", "Invalid API key"));

        assertThatThrownBy(() -> client.send(window(client, ops.delete("1")), Deadline.none()))
                .isInstanceOfSatisfying(WriteApiConfigurationException.class, e -> {
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.getMessage()).contains("API key rejected", "the API key given to the client")
                            .doesNotContain(KEY);
                });
        assertThat(server.received()).hasSize(2);
    }

    @Test
    void forbiddenIsAConfigurationErrorNamingTheFix() {
        WriteApiClient client = client((r, i) -> error(403, "FORBIDDEN", "FORBIDDEN", "not allowed"));

        assertThatThrownBy(() -> client.send(window(client, ops.delete("1")), Deadline.none()))
                .isInstanceOf(WriteApiConfigurationException.class)
                .hasMessageContaining("may not write collection orders in workspace commons")
                .hasMessageContaining("write access");
    }

    @Test
    void missingCollectionIsAConfigurationErrorNamingTheFix() {
        WriteApiClient client = client((r, i) -> error(404, "COLLECTION_DOES_NOT_EXIST", "NOTFOUND",
                "Collection \"orders\" does not exist in workspace \"commons\""));

        assertThatThrownBy(() -> client.send(window(client, ops.delete("1")), Deadline.none()))
                .isInstanceOf(WriteApiConfigurationException.class)
                .hasMessageContaining("collection orders does not exist in workspace commons")
                .hasMessageContaining("create it or fix tables.json");
    }

    @Test
    void missingWorkspaceIsAConfigurationErrorNamingTheWorkspace() {
        WriteApiClient client = client((r, i) -> error(404, "WORKSPACE_NOT_FOUND", "NOTFOUND", "no such workspace"));

        assertThatThrownBy(() -> client.send(window(client, ops.delete("1")), Deadline.none()))
                .isInstanceOf(WriteApiConfigurationException.class)
                .hasMessageContaining("workspace commons does not exist");
    }

    @Test
    void notFoundWithoutARocksetBodyPointsAtTheUrl() {
        WriteApiClient client = client((r, i) -> Answer.of(404, "<html>Not Found</html>"));

        assertThatThrownBy(() -> client.send(window(client, ops.delete("1")), Deadline.none()))
                .isInstanceOf(WriteApiConfigurationException.class).hasMessageContaining("check the Write API URL");
    }

    @ParameterizedTest
    @ValueSource(ints = {405, 406, 415, 501})
    void unexpectedStatusesArePermanentProtocolErrors(int status) {
        WriteApiClient client = client((r, i) -> error(status, null, "METHODNOTALLOWED", "nope"));

        assertThatThrownBy(() -> client.send(window(client, ops.delete("1")), Deadline.none()))
                .isInstanceOfSatisfying(WriteApiProtocolException.class, e -> {
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.getMessage()).contains("HTTP " + status, "nope");
                });
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void invalidCollectionNameIsAConfigurationError() {
        WriteApiClient client = client((r, i) -> acknowledge(r, "o"));

        assertThatThrownBy(() -> client.send(window(client, new Ops("my orders").delete("1")), Deadline.none()))
                .isInstanceOf(WriteApiConfigurationException.class).hasMessageContaining("'my orders' is invalid");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void writeRateLimitSpacesRequests() {
        WriteApiClient client = client((r, i) -> acknowledge(r, "o"), s -> s.withRequestsPerSecond(4)
                .withLimits(10_485_760, 1).withWindowRequestsPerEndpoint(5));

        client.send(window(client, ops.delete("1"), ops.delete("2"), ops.delete("3"), ops.delete("4")),
                Deadline.none());

        assertThat(server.received()).hasSize(4);
        assertThat(time.sleeps()).containsExactly(Duration.ofMillis(250), Duration.ofMillis(250),
                Duration.ofMillis(250));
    }

    @Test
    void writeRateLimitDoesNotWaitPastTheDeadline() {
        WriteApiClient client = client((r, i) -> acknowledge(r, "o"), s -> s.withRequestsPerSecond(0.5)
                .withLimits(10_485_760, 1).withWindowRequestsPerEndpoint(5));

        assertThatThrownBy(() -> client.send(window(client, ops.delete("1"), ops.delete("2")),
                Deadline.at(time, time.instant().plusSeconds(1)))).isInstanceOf(WriteApiUnavailableException.class)
                .hasMessageContaining("write-rate limit");
        assertThat(server.received()).hasSize(1);
    }
}
