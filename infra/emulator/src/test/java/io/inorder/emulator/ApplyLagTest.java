package io.inorder.emulator;

import static io.inorder.emulator.RocksetHttp.commit;
import static io.inorder.emulator.RocksetHttp.docs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Writes are accepted into partition logs and applied later; the commit fence reports when (§3, §7). */
class ApplyLagTest {

    @Test
    void commitHasNotPassedUntilTheWriteIsAppliedThenItHas() throws Exception {
        try (Emulator emulator = Emulator.start(EmulatorSettings.defaults().withApplyLag(Duration.ofHours(1)))) {
            emulator.createCollection("ws", "c1");
            RocksetHttp http = new RocksetHttp(emulator);
            String offset = http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\"}]}").json().get("last_offset").asText();
            String name = "{\"name\":[\"" + offset + "\"]}";

            JsonNode before = http.post(commit("ws", "c1"), name).json();
            assertThat(before.get("data").get("passed").asBoolean()).isFalse();
            assertThat(before.get("data").get("fence").asText()).isEqualTo(offset);
            assertThat(before.get("offsets").get("commit").asText()).isEqualTo("f2:0:0:0:0000");
            assertThat(emulator.documents("ws", "c1")).isEmpty();
            assertThat(emulator.applyLog("ws", "c1")).isEmpty();

            emulator.applyPending();

            JsonNode after = http.post(commit("ws", "c1"), name).json();
            assertThat(after.get("data").get("passed").asBoolean()).isTrue();
            assertThat(Offsets.parse(after.get("offsets").get("commit").asText(), 4))
                    .isEqualTo(Offsets.of(0L, 0L, 0L, 0L).merge(Offsets.parse(offset, 4)));
            assertThat(emulator.documents("ws", "c1")).containsOnlyKeys("a");
        }
    }

    @Test
    void writesBecomeVisibleAfterTheLagAndAwaitAppliedWaitsForThem() throws Exception {
        try (Emulator emulator = Emulator.start(EmulatorSettings.defaults().withApplyLag(Duration.ofMillis(30)))) {
            emulator.createCollection("ws", "c1");
            RocksetHttp http = new RocksetHttp(emulator);
            List<String> offsets = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                offsets.add(http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"d" + i + "\"}]}").json().get("last_offset").asText());
            }

            emulator.awaitApplied(Duration.ofSeconds(10));

            assertThat(emulator.documents("ws", "c1")).hasSize(5);
            String names = offsets.stream().map(o -> "\"" + o + "\"").collect(Collectors.joining(",", "{\"name\":[", "]}"));
            assertThat(http.post(commit("ws", "c1"), names).json().get("data").get("passed").asBoolean()).isTrue();
        }
    }

    @Test
    void awaitAppliedFailsWhenWritesAreStillPendingAtTheTimeout() throws Exception {
        try (Emulator emulator = Emulator.start(EmulatorSettings.defaults().withApplyLag(Duration.ofHours(1)))) {
            emulator.createCollection("ws", "c1");
            new RocksetHttp(emulator).post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"a\"}]}");

            assertThatThrownBy(() -> emulator.awaitApplied(Duration.ofMillis(20)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("1 accepted write(s) still not applied");
        }
    }

    @Test
    void concurrentWritersLeaveEveryPartitionLogContiguousAndAppliedInOffsetOrder() throws Exception {
        try (Emulator emulator = Emulator.start(EmulatorSettings.defaults().withApplyLag(Duration.ofMillis(5)))) {
            emulator.createCollection("ws", "c1");
            RocksetHttp http = new RocksetHttp(emulator);
            ExecutorService writers = Executors.newFixedThreadPool(6);
            List<Future<JsonNode>> replies = new ArrayList<>();
            for (int w = 0; w < 6; w++) {
                int writer = w;
                replies.add(writers.submit(() -> {
                    JsonNode last = null;
                    for (int i = 0; i < 15; i++) {
                        last = http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"w" + writer + "-" + i
                                + "\"},{\"_id\":\"shared\",\"by\":" + writer + "}]}").json();
                    }
                    return last;
                }));
            }
            for (Future<JsonNode> reply : replies) {
                assertThat(reply.get().get("data").get(1).get("status").asText()).isEqualTo("ADDED");
            }
            writers.shutdown();
            emulator.awaitApplied(Duration.ofSeconds(10));

            List<AppliedOp> log = emulator.applyLog("ws", "c1");
            assertThat(log).hasSize(6 * 15 * 2);
            Map<Integer, List<Long>> offsetsByPartition = log.stream().collect(Collectors.groupingBy(AppliedOp::partition,
                    Collectors.mapping(AppliedOp::partitionOffset, Collectors.toList())));
            offsetsByPartition.forEach((partition, offsets) -> {
                List<Long> distinct = offsets.stream().distinct().toList();
                assertThat(offsets).as("partition " + partition).isSorted();
                assertThat(distinct.get(distinct.size() - 1)).isEqualTo(distinct.size());
            });
            assertThat(emulator.documents("ws", "c1")).hasSize(6 * 15 + 1);
            AppliedOp lastShared = log.stream().filter(op -> op.id().equals("shared")).reduce((a, b) -> b).orElseThrow();
            assertThat(emulator.documents("ws", "c1").get("shared")).isEqualTo(lastShared.payload());
        }
    }
}
