package io.inorder.emulator;

import static io.inorder.emulator.RocksetHttp.commit;
import static io.inorder.emulator.RocksetHttp.docs;
import static io.inorder.emulator.WriteApiContractTest.assertErrorBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The write-requests-per-second limit per Virtual Instance size (seeds/003, rockset-write-api.md §6). */
class RequestsPerSecondLimitTest {

    static final String ONE = "{\"data\":[{\"_id\":\"a\"}]}";

    @Test
    void aFreeInstanceAdmitsOneWritePerSecondAndAnswers429WithTheDocumentedMessage() throws Exception {
        ControlledClock clock = new ControlledClock();
        try (Emulator emulator = Emulator.start(EmulatorSettings.defaults().withVi("free").withClock(clock))) {
            emulator.createCollection("ws", "c1");
            RocksetHttp http = new RocksetHttp(emulator);

            assertThat(http.post(docs("ws", "c1"), ONE).status()).isEqualTo(200);
            RocksetHttp.Reply limited = http.send("DELETE", docs("ws", "c1"), ONE);
            assertThat(limited.status()).isEqualTo(429);
            assertErrorBody(limited.json(), "RATELIMITEXCEEDED", null,
                    "Your account is configured with a maximum write requests per second limit and you have reached this limit.");
            assertThat(http.post(commit("ws", "c1"), "{\"name\":[]}").status()).isEqualTo(200);

            clock.advance(Duration.ofMillis(999));
            assertThat(http.post(docs("ws", "c1"), ONE).status()).isEqualTo(429);
            clock.advance(Duration.ofMillis(1));
            assertThat(http.send("DELETE", docs("ws", "c1"), ONE).status()).isEqualTo(200);
            assertThat(emulator.documents("ws", "c1")).isEmpty();
        }
    }

    @Test
    void eachSizeAdmitsExactlyItsTableValueWithinOneSecond() throws Exception {
        for (var size : new String[] {"NANO", "MEDIUM"}) {
            int limit = WriteRateLimit.REQUESTS_PER_SECOND.get(size);
            ControlledClock clock = new ControlledClock();
            try (Emulator emulator = Emulator.start(EmulatorSettings.defaults().withVi(size).withClock(clock))) {
                emulator.createCollection("ws", "c1");
                RocksetHttp http = new RocksetHttp(emulator);
                for (int i = 0; i < limit; i++) {
                    assertThat(http.post(docs("ws", "c1"), ONE).status()).as(size + " write " + i).isEqualTo(200);
                }
                assertThat(http.post(docs("ws", "c1"), ONE).status()).as(size).isEqualTo(429);
            }
        }
        assertThat(WriteRateLimit.REQUESTS_PER_SECOND).containsEntry("16XLARGE", 2400).containsEntry("MILLI", 10).hasSize(13);
    }

    @Test
    void anUnknownSizeIsRejectedListingTheKnownOnes() {
        assertThatThrownBy(() -> EmulatorSettings.defaults().withVi("HUGE"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'HUGE'").hasMessageContaining("2XLARGE");
    }
}
