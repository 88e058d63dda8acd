package io.inorder.emulator;

import static io.inorder.emulator.RocksetHttp.commit;
import static io.inorder.emulator.RocksetHttp.docs;
import static io.inorder.emulator.WriteApiContractTest.ERROR_KEYS;
import static io.inorder.emulator.WriteApiContractTest.STATUS_KEYS;
import static io.inorder.emulator.WriteApiContractTest.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Injected faults: scripted, seeded by rate, slow, timeouts, drops and per-document errors. */
class FaultsTest {

    static final String ONE = "{\"data\":[{\"_id\":\"a\"}]}";

    static Emulator start(String faults) throws IOException {
        Emulator emulator = Emulator.start(EmulatorSettings.defaults().withFaults(faults).withSeed(42));
        emulator.createCollection("ws", "c1");
        return emulator;
    }

    @Test
    void aScriptAnswersItsStepsInOrderThenServesNormally() throws Exception {
        try (Emulator emulator = start("script:429,429,200,500,502,503,504")) {
            RocksetHttp http = new RocksetHttp(emulator);
            List<Integer> statuses = new ArrayList<>();
            List<RocksetHttp.Reply> replies = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                RocksetHttp.Reply reply = http.post(docs("ws", "c1"), "{\"data\":[{\"_id\":\"d" + i + "\"}]}");
                replies.add(reply);
                statuses.add(reply.status());
            }

            assertThat(statuses).containsExactly(429, 429, 200, 500, 502, 503, 504, 200, 200);
            JsonNode tooMany = replies.get(0).json();
            assertThat(keys(tooMany)).isEqualTo(ERROR_KEYS);
            assertThat(tooMany.get("message").asText())
                    .isEqualTo("Your account is configured with a maximum write rate limit and you have reached this limit.");
            assertThat(keys(replies.get(3).json())).isEqualTo(ERROR_KEYS);
            assertThat(keys(replies.get(5).json())).isEqualTo(ERROR_KEYS);
            for (int gateway : new int[] {4, 6}) {
                RocksetHttp.Reply page = replies.get(gateway);
                assertThat(page.contentType()).isEqualTo("text/html");
                assertThat(page.body()).startsWith("<html>").contains("openresty").contains(String.valueOf(page.status()));
            }
            assertThat(emulator.documents("ws", "c1")).containsOnlyKeys("d2", "d7", "d8");
            assertThat(emulator.faults().remainingScript()).isZero();
        }
    }

    @Test
    void theCommitEndpointMeetsFaultsToo() throws Exception {
        try (Emulator emulator = start("script:503")) {
            RocksetHttp http = new RocksetHttp(emulator);

            assertThat(http.post(commit("ws", "c1"), "{\"name\":[]}").status()).isEqualTo(503);
            assertThat(http.post(commit("ws", "c1"), "{\"name\":[]}").status()).isEqualTo(200);
        }
    }

    @Test
    void rateFaultsDrawnFromTheSameSeedRepeatExactly() throws Exception {
        List<Integer> first = statuses("429:0.3,503:0.2", 40);
        List<Integer> second = statuses("429:0.3,503:0.2", 40);

        assertThat(first).isEqualTo(second);
        assertThat(first).contains(200, 429, 503).containsOnly(200, 429, 503);
    }

    @Test
    void aRateOfOneFaultsEveryRequestAndZeroNone() throws Exception {
        assertThat(statuses("500:1", 5)).containsOnly(500);
        assertThat(statuses("500:0", 5)).containsOnly(200);
    }

    private static List<Integer> statuses(String spec, int requests) throws Exception {
        try (Emulator emulator = start(spec)) {
            RocksetHttp http = new RocksetHttp(emulator);
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                statuses.add(http.post(docs("ws", "c1"), ONE).status());
            }
            return statuses;
        }
    }

    @Test
    void itemsHoldingTheMarkerFieldAreErrorsInsideA200() throws Exception {
        try (Emulator emulator = start("error-field:_fail")) {
            RocksetHttp http = new RocksetHttp(emulator);
            RocksetHttp.Reply reply = http.post(docs("ws", "c1"),
                    "{\"data\":[{\"_id\":\"good\"},{\"_id\":\"bad\",\"_fail\":true}]}");

            assertThat(reply.status()).isEqualTo(200);
            JsonNode bad = reply.json().get("data").get(1);
            assertThat(keys(bad)).isEqualTo(STATUS_KEYS);
            assertThat(bad.get("_id").asText()).isEqualTo("bad");
            assertThat(bad.get("status").asText()).isEqualTo("ERROR");
            assertThat(bad.get("patch_id").isNull()).isTrue();
            assertThat(keys(bad.get("error"))).isEqualTo(ERROR_KEYS);
            assertThat(reply.json().get("data").get(0).get("status").asText()).isEqualTo("ADDED");
            assertThat(emulator.documents("ws", "c1")).containsOnlyKeys("good");

            JsonNode patched = http.send("PATCH", docs("ws", "c1"),
                    "{\"data\":[{\"_id\":\"good\",\"patch\":[{\"op\":\"add\",\"path\":\"/_fail\",\"value\":1}]}]}").json();
            assertThat(patched.get("data").get(0).get("status").asText()).isEqualTo("ERROR");
            JsonNode deleted = http.send("DELETE", docs("ws", "c1"), "{\"data\":[{\"_id\":\"good\",\"_fail\":1}]}").json();
            assertThat(deleted.get("data").get(0).get("status").asText()).isEqualTo("ERROR");
            assertThat(emulator.documents("ws", "c1").get("good").has("_fail")).isFalse();
        }
    }

    @Test
    void aTimedOutRequestLeavesTheClientWaitingButIsStillAppliedLater() throws Exception {
        try (Emulator emulator = start("timeout:0:400ms,script:timeout")) {
            RocksetHttp http = new RocksetHttp(emulator);

            assertThatThrownBy(() -> http.send("POST", docs("ws", "c1"), HttpRequest.BodyPublishers.ofString(ONE),
                    Duration.ofMillis(100))).isInstanceOf(HttpTimeoutException.class);

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (emulator.documents("ws", "c1").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(emulator.documents("ws", "c1")).containsOnlyKeys("a");
        }
    }

    @Test
    void aDroppedRequestGetsNoAnswerAndIsNotApplied() throws Exception {
        try (Emulator emulator = start("script:drop,200")) {
            RocksetHttp http = new RocksetHttp(emulator);

            assertThatThrownBy(() -> http.post(docs("ws", "c1"), ONE)).isInstanceOf(IOException.class);
            assertThat(emulator.documents("ws", "c1")).isEmpty();
            assertThat(emulator.requests().entries()).extracting(RequestLog.Entry::status).containsExactly(0);
            assertThat(http.post(docs("ws", "c1"), ONE).status()).isEqualTo(200);
        }
    }

    @Test
    void aTimeoutThatDropsHoldsThenClosesWithoutApplying() throws Exception {
        try (Emulator emulator = start("timeout:0:50ms:drop,script:timeout")) {
            RocksetHttp http = new RocksetHttp(emulator);

            assertThatThrownBy(() -> http.post(docs("ws", "c1"), ONE)).isInstanceOf(IOException.class);
            assertThat(emulator.documents("ws", "c1")).isEmpty();
        }
    }

    @Test
    void aSlowRequestIsServedNormally() throws Exception {
        try (Emulator emulator = start("slow:0:20ms,script:slow")) {
            assertThat(new RocksetHttp(emulator).post(docs("ws", "c1"), ONE).status()).isEqualTo(200);
            assertThat(emulator.documents("ws", "c1")).containsOnlyKeys("a");
        }
    }

    @Test
    void faultsChangeAtRuntimeThroughTheJavaApiAndTheInspectionRoute() throws Exception {
        try (Emulator emulator = start("")) {
            RocksetHttp http = new RocksetHttp(emulator);
            emulator.faults().script("504");
            assertThat(http.post(docs("ws", "c1"), ONE).status()).isEqualTo(504);

            emulator.faults().rate(503, 1.0);
            assertThat(emulator.faults().spec()).isEqualTo("503:1.0");
            assertThat(http.post(docs("ws", "c1"), ONE).status()).isEqualTo(503);

            RocksetHttp.Reply set = http.post("/_emulator/faults", "script:429,error-field:_x");
            assertThat(set.json().get("spec").asText()).isEqualTo("error-field:_x,script:429");
            assertThat(http.post(docs("ws", "c1"), ONE).status()).isEqualTo(429);
            assertThat(http.post(docs("ws", "c1"), ONE).status()).isEqualTo(200);

            assertThat(http.post("/_emulator/faults", "{\"spec\":\"418:0.5\"}").status()).isEqualTo(400);
            emulator.faults().clear();
            assertThat(emulator.faults().spec()).isEmpty();
        }
    }

    @Test
    void invalidSpecsAreRejectedNamingTheSpec() {
        for (String bad : List.of("429", "418:0.1", "429:2", "slow:0.1:soon", "script:", "timeout:0.1:1s:maybe",
                "429:0.7,503:0.7", "error-field:", ",")) {
            assertThatThrownBy(() -> FaultSpec.parse(bad), bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"" + bad + "\"");
        }
        assertThat(FaultSpec.parse("429:0.2,503:0.05,slow:0.1:2000ms,timeout:0.01,error-field:_fail").toString())
                .isEqualTo("429:0.2,503:0.05,slow:0.1:2000ms,timeout:0.01:30000ms:respond,error-field:_fail");
        assertThat(FaultSpec.parse("script:429,429,200,502").script()).extracting(FaultSpec.Step::toString)
                .containsExactly("429", "429", "200", "502");
    }
}
