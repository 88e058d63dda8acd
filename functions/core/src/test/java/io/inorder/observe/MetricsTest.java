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

class MetricsTest {

    private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
    private final Metrics metrics = new Metrics("Inorder", "s3-ingest", new PrintStream(sink, true,
            StandardCharsets.UTF_8), Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC));

    @Test
    void flushWritesOneEmbeddedMetricFormatLineWithEveryRecordedMetricDeclared() throws Exception {
        metrics.add(Metrics.Name.DOCUMENTS_WRITTEN, 3);
        metrics.add(Metrics.Name.DOCUMENTS_WRITTEN, 4);
        metrics.add(Metrics.Name.GAP_AGE, 30);
        metrics.add(Metrics.Name.GAP_AGE, 12);
        metrics.flush();

        JsonNode line = new ObjectMapper().readTree(sink.toString(StandardCharsets.UTF_8));
        JsonNode directive = line.at("/_aws/CloudWatchMetrics/0");
        assertThat(line.at("/_aws/Timestamp").asLong()).isEqualTo(1_700_000_000_000L);
        assertThat(directive.get("Namespace").asText()).isEqualTo("Inorder");
        assertThat(directive.at("/Dimensions/0/0").asText()).isEqualTo("service");
        assertThat(directive.get("Metrics").findValuesAsText("Name")).containsExactly("DocumentsWritten", "GapAge");
        assertThat(line.get("service").asText()).isEqualTo("s3-ingest");
        assertThat(line.get("DocumentsWritten").asLong()).as("counters sum").isEqualTo(7);
        assertThat(line.get("GapAge").asLong()).as("gauges keep the maximum").isEqualTo(30);
    }

    @Test
    void anObserverSeesEveryAddedValueWhileTheGaugeStillPublishesItsMaximum() throws Exception {
        java.util.List<String> seen = new java.util.ArrayList<>();
        Metrics observed = new Metrics("Inorder", "s3-ingest", new PrintStream(sink, true, StandardCharsets.UTF_8),
                Clock.systemUTC(), (name, value) -> seen.add(name.metric() + "=" + (long) value));
        observed.add(Metrics.Name.COMMIT_WAIT, 1_500);
        observed.add(Metrics.Name.COMMIT_WAIT, 700);
        observed.increment(Metrics.Name.REQUESTS);
        observed.flush();

        assertThat(seen).containsExactly("CommitWait=1500", "CommitWait=700", "Requests=1");
        assertThat(new ObjectMapper().readTree(sink.toString(StandardCharsets.UTF_8)).get("CommitWait").asLong())
                .isEqualTo(1_500);
    }

    @Test
    void flushStartsOverAndWritesNothingWhenNothingWasRecorded() {
        metrics.increment(Metrics.Name.REQUESTS);
        metrics.flush();
        int afterFirst = sink.size();
        metrics.flush();

        assertThat(sink.size()).isEqualTo(afterFirst);
        assertThat(metrics.value(Metrics.Name.REQUESTS)).isZero();
    }
}
