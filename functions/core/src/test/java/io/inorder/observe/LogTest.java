package io.inorder.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LogTest {

    private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
    private final Log log = new Log("s3-ingest", Log.Level.INFO, new PrintStream(sink, true, StandardCharsets.UTF_8),
            Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC));

    @Test
    void linesAreJsonWithPowertoolsFieldNamesAndTheGivenFields() throws Exception {
        log.invocation("req-1");
        log.info("file applied", "stream", "bucket/cdc/orders", "seq", 7L, "documents", 120);

        JsonNode line = new ObjectMapper().readTree(sink.toString(StandardCharsets.UTF_8));
        assertThat(line.get("timestamp").asText()).isEqualTo("2026-11-23T10:00:00Z");
        assertThat(line.get("level").asText()).isEqualTo("INFO");
        assertThat(line.get("service").asText()).isEqualTo("s3-ingest");
        assertThat(line.get("message").asText()).isEqualTo("file applied");
        assertThat(line.get("function_request_id").asText()).isEqualTo("req-1");
        assertThat(line.get("cold_start").asBoolean()).isTrue();
        assertThat(line.get("seq").isNumber()).isTrue();
        assertThat(line.get("stream").asText()).isEqualTo("bucket/cdc/orders");
    }

    @Test
    void onlyTheFirstInvocationIsAColdStart() {
        log.invocation("req-1");
        log.invocation("req-2");

        assertThat(log.coldStart()).isFalse();
    }

    @Test
    void linesBelowTheThresholdAreDropped() {
        log.debug("noise");

        assertThat(sink.size()).isZero();
    }
}
