package io.inorder.writeapi;

import static io.inorder.writeapi.ScriptedWriteApi.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inorder.writeapi.ScriptedWriteApi.Answer;
import io.inorder.writeapi.ScriptedWriteApi.Received;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fence's polling against a scripted server; the emulator-backed test checks it against real lag. */
class CommitFenceTest {

    private final ManualTime time = new ManualTime();
    private ScriptedWriteApi server;

    @AfterEach
    void stop() {
        server.close();
    }

    private CommitFence fence(ScriptedWriteApi.Script script, Duration wait) {
        server = new ScriptedWriteApi(script);
        WriteApiSettings s = WriteApiSettings.defaults(server.baseUrl(), "commons")
                .withCommitPolling(Duration.ofMillis(100), Duration.ofSeconds(2), wait);
        return new CommitFence(new WriteApiClient(s, ApiKeySource.fixed("k"), time, time, new Random(3)));
    }

    private static Answer commit(boolean passed) {
        return Answer.of(200, "{\"data\":{\"fence\":\"f2:0:5:0:0000\",\"passed\":" + passed + "},"
                + "\"offsets\":{\"commit\":\"f2:0:5:0:0000\"}}");
    }

    @Test
    void pollsWithGrowingPausesUntilTheFencePasses() {
        CommitFence fence = fence((r, i) -> commit(i >= 6), Duration.ofSeconds(60));

        CommitFence.Outcome outcome = fence.await(Map.of("orders", List.of("f2:0:1:0:---0", "f2:0:2:0:0---")),
                Deadline.none());

        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.polls()).isEqualTo(7);
        assertThat(time.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(1600), Duration.ofSeconds(2));
        assertThat(outcome.waited()).isEqualTo(Duration.ofMillis(5100));
        Received first = server.received().get(0);
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.path()).isEqualTo("/v1/orgs/self/ws/commons/collections/orders/offsets/commit");
        assertThat(first.json().toString()).isEqualTo("{\"name\":[\"f2:0:1:0:---0\",\"f2:0:2:0:0---\"]}");
    }

    @Test
    void givesUpAfterTheBoundedWaitWithoutPassing() {
        CommitFence fence = fence((r, i) -> commit(false), Duration.ofSeconds(5));

        CommitFence.Outcome outcome = fence.await(Map.of("orders", List.of("o")), Deadline.none());

        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.waited()).isLessThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(outcome.polls()).isGreaterThan(1);
    }

    @Test
    void callersDeadlineBoundsTheWaitToo() {
        CommitFence fence = fence((r, i) -> commit(false), Duration.ofSeconds(60));
        Deadline deadline = Deadline.at(time, time.instant().plusSeconds(1));

        CommitFence.Outcome outcome = fence.await(Map.of("orders", List.of("o")), deadline);

        assertThat(outcome.passed()).isFalse();
        assertThat(time.instant()).isBeforeOrEqualTo(deadline.at());
    }

    @Test
    void aCollectionThatPassedIsNotPolledAgain() {
        CommitFence fence = fence((r, i) -> commit(r.path().contains("/orders/") || i > 3), Duration.ofSeconds(60));
        Map<String, List<String>> offsets = new LinkedHashMap<>();
        offsets.put("orders", List.of("a"));
        offsets.put("customers", List.of("b"));
        offsets.put("empty", List.of());

        CommitFence.Outcome outcome = fence.await(offsets, Deadline.none());

        assertThat(outcome.passed()).isTrue();
        assertThat(server.received().stream().filter(r -> r.path().contains("/orders/"))).hasSize(1);
        assertThat(server.received().stream().filter(r -> r.path().contains("/empty/"))).isEmpty();
    }

    @Test
    void transientFailuresAreRetriedWithinThePoll() {
        CommitFence fence = fence((r, i) -> i < 2 ? error(503, null, "SERVICEUNAVAILABLE", "busy") : commit(true),
                Duration.ofSeconds(60));

        assertThat(fence.await(Map.of("orders", List.of("o")), Deadline.none()).passed()).isTrue();
    }

    @Test
    void serviceDownForTheWholeWaitMeansNotPassed() {
        CommitFence fence = fence((r, i) -> Answer.of(502, "<html>bad gateway</html>"), Duration.ofSeconds(3));

        java.time.Instant start = time.instant();

        CommitFence.Outcome outcome = fence.await(Map.of("orders", List.of("o")), Deadline.none());

        assertThat(outcome.passed()).isFalse();
        assertThat(time.instant()).isBeforeOrEqualTo(start.plusSeconds(3));
        assertThat(server.received().size()).isGreaterThan(1);
    }

    @Test
    void rejectedOffsetsArePermanent() {
        CommitFence fence = fence((r, i) -> error(400, null, "INVALIDINPUT", "malformed offset"),
                Duration.ofSeconds(60));

        assertThatThrownBy(() -> fence.await(Map.of("orders", List.of("garbage")), Deadline.none()))
                .isInstanceOf(WriteApiProtocolException.class).hasMessageContaining("malformed offset");
    }

    @Test
    void missingCollectionIsAConfigurationError() {
        CommitFence fence = fence((r, i) -> error(404, "COLLECTION_DOES_NOT_EXIST", "NOTFOUND", "gone"),
                Duration.ofSeconds(60));

        assertThatThrownBy(() -> fence.await(Map.of("orders", List.of("o")), Deadline.none()))
                .isInstanceOf(WriteApiConfigurationException.class).hasMessageContaining("tables.json");
    }

    @Test
    void nothingToWaitForPassesWithoutARequest() {
        CommitFence fence = fence((r, i) -> commit(false), Duration.ofSeconds(60));

        assertThat(fence.await(Map.of(), Deadline.none()).passed()).isTrue();
        assertThat(server.received()).isEmpty();
    }
}
