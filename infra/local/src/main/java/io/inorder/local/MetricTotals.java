package io.inorder.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inorder.observe.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Totals of the EMF lines the functions' {@link Metrics} write: each flush emits what accumulated since the last one,
 * so summing every line's values over a run gives the run's totals (gauges keep their maximum). Give
 * {@link #stream()} to every {@code Metrics} of a local run. Thread-safe.
 */
final class MetricTotals {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Double> totals = new HashMap<>();
    /** Per metric, how many lines carried it and the sum of those values: the mean of a gauge over flushes. */
    private final Map<String, double[]> perLine = new HashMap<>();
    private final PrintStream stream = new PrintStream(new LineSink(), true, StandardCharsets.UTF_8);

    /** Where the functions' metrics write. */
    PrintStream stream() {
        return stream;
    }

    /** The run's total of a counter (or the largest value of a gauge); 0 when never recorded. */
    synchronized long total(Metrics.Name name) {
        return Math.round(totals.getOrDefault(name.metric(), 0.0));
    }

    /**
     * The mean of a metric's values over the lines that carried it (for a gauge such as window fill: the average
     * over flushes, where {@link #total} gives the largest); 0 when never recorded.
     */
    synchronized double mean(Metrics.Name name) {
        double[] countAndSum = perLine.get(name.metric());
        return countAndSum == null ? 0 : countAndSum[1] / countAndSum[0];
    }

    private synchronized void line(String text) {
        if (text.isBlank()) {
            return;
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("the metrics wrote a line that is not JSON: " + text, e);
        }
        JsonNode defs = root.path("_aws").path("CloudWatchMetrics").path(0).path("Metrics");
        for (JsonNode def : defs) {
            String name = def.path("Name").asText();
            JsonNode value = root.get(name);
            if (value == null || !value.isNumber()) {
                continue;
            }
            boolean gauge = isGauge(name);
            totals.merge(name, value.doubleValue(), gauge ? Math::max : Double::sum);
            double[] countAndSum = perLine.computeIfAbsent(name, n -> new double[2]);
            countAndSum[0]++;
            countAndSum[1] += value.doubleValue();
        }
    }

    private static boolean isGauge(String metric) {
        return metric.equals(Metrics.Name.WINDOW_FILL.metric()) || metric.equals(Metrics.Name.COMMIT_WAIT.metric())
                || metric.equals(Metrics.Name.GAP_AGE.metric())
                || metric.equals(Metrics.Name.SOURCE_TO_VISIBLE_LAG.metric());
    }

    /** Splits the bytes written into lines and totals each complete one. */
    private final class LineSink extends OutputStream {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream(512);

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                line(pending.toString(StandardCharsets.UTF_8));
                pending.reset();
            } else if (b != '\r') {
                pending.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }
    }
}
