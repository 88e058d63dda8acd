package io.inorder.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * CloudWatch metrics in the Embedded Metric Format: values accumulate during an invocation and {@link #flush()}
 * writes them as one JSON log line, which CloudWatch turns into metrics with no API call and no dependency. Sums for
 * counters, maxima for gauges such as gap age. Thread-safe.
 */
public final class Metrics {

    /** The metrics Inorder publishes; names are the CloudWatch metric names the template's alarms use. */
    public enum Name {
        ARRIVALS("Arrivals", Unit.COUNT, false),
        DUPLICATE_ARRIVALS("DuplicateArrivals", Unit.COUNT, false),
        CONFLICTING_UPLOADS("ConflictingUploads", Unit.COUNT, false),
        IGNORED_KEYS("IgnoredKeys", Unit.COUNT, false),
        FILES_APPLIED("FilesApplied", Unit.COUNT, false),
        RECORDS_IN("RecordsIn", Unit.COUNT, false),
        RECORDS_SKIPPED("RecordsSkipped", Unit.COUNT, false),
        DOCUMENTS_WRITTEN("DocumentsWritten", Unit.COUNT, false),
        REQUESTS("Requests", Unit.COUNT, false),
        RETRIES("Retries", Unit.COUNT, false),
        THROTTLES("Throttles", Unit.COUNT, false),
        BYTES_SENT("BytesSent", Unit.BYTES, false),
        WINDOW_FILL("WindowFill", Unit.PERCENT, true),
        COMMIT_WAIT("CommitWait", Unit.MILLISECONDS, true),
        GAP_AGE("GapAge", Unit.SECONDS, true),
        SOURCE_TO_VISIBLE_LAG("SourceToVisibleLag", Unit.MILLISECONDS, true),
        QUARANTINED_RECORDS("QuarantinedRecords", Unit.COUNT, false),
        IGNORED_TOPICS("IgnoredTopicRecords", Unit.COUNT, false),
        CONTINUATIONS("Continuations", Unit.COUNT, false),
        STREAMS_REDRIVEN("StreamsRedriven", Unit.COUNT, false),
        LOST_NOTIFICATIONS("LostNotificationsFound", Unit.COUNT, false),
        BLOCKED_STREAMS("BlockedStreams", Unit.COUNT, true),
        /** A change source stopped because its table's snapshot is not complete (split Kafka topics). */
        SNAPSHOT_HOLDS("SnapshotHolds", Unit.COUNT, false),
        /** Kafka records at or below their partition cursor, skipped as already applied (redelivery is normal). */
        RECORDS_BELOW_CURSOR("RecordsBelowCursor", Unit.COUNT, false),
        /**
         * Partition batches lying wholly and far below their cursor (OFFSET_RESET_THRESHOLD): not a redelivery of
         * recent offsets, but a topic recreated or a consumer group reset. OffsetResetAlarm watches it.
         */
        BATCHES_FAR_BELOW_CURSOR("BatchesFarBelowCursor", Unit.COUNT, false);

        private final String metric;
        private final Unit unit;
        private final boolean gauge;

        Name(String metric, Unit unit, boolean gauge) {
            this.metric = metric;
            this.unit = unit;
            this.gauge = gauge;
        }

        public String metric() {
            return metric;
        }
    }

    enum Unit {
        COUNT("Count"), BYTES("Bytes"), PERCENT("Percent"), MILLISECONDS("Milliseconds"), SECONDS("Seconds");

        final String cloudWatch;

        Unit(String cloudWatch) {
            this.cloudWatch = cloudWatch;
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    private final String namespace;
    private final String service;
    private final PrintStream out;
    private final Clock clock;
    private final Map<Name, DoubleAdder> sums = new ConcurrentHashMap<>();
    private final Map<Name, Double> maxima = new ConcurrentHashMap<>();
    private final Observer observer;

    /**
     * Sees every value {@link #add} receives, as it is added and before it is summed or kept as a maximum. An
     * observation hook for benchmarks and tests (e.g. the total of a gauge such as {@code CommitWait} over an
     * invocation, where the published metric is its maximum); it changes nothing that is published.
     */
    @FunctionalInterface
    public interface Observer {
        void added(Name name, double value);
    }

    public Metrics(String namespace, String service, PrintStream out, Clock clock) {
        this(namespace, service, out, clock, null);
    }

    /** Metrics whose every added value is also shown to {@code observer} ({@code null} for none). */
    public Metrics(String namespace, String service, PrintStream out, Clock clock, Observer observer) {
        this.namespace = namespace;
        this.service = service;
        this.out = out;
        this.clock = clock;
        this.observer = observer;
    }

    /** Metrics from {@code POWERTOOLS_METRICS_NAMESPACE} and {@code POWERTOOLS_SERVICE_NAME}, to stdout. */
    public static Metrics fromEnvironment(Map<String, String> env) {
        return new Metrics(env.getOrDefault("POWERTOOLS_METRICS_NAMESPACE", "Inorder"),
                env.getOrDefault("POWERTOOLS_SERVICE_NAME", "inorder"), System.out, Clock.systemUTC());
    }

    /** Adds to a counter (or, for a gauge, keeps the maximum). */
    public void add(Name name, double value) {
        if (observer != null) {
            observer.added(name, value);
        }
        if (name.gauge) {
            maxima.merge(name, value, Math::max);
        } else {
            sums.computeIfAbsent(name, n -> new DoubleAdder()).add(value);
        }
    }

    public void increment(Name name) {
        add(name, 1);
    }

    /** The value accumulated since the last flush (0 when none). */
    public double value(Name name) {
        if (name.gauge) {
            return maxima.getOrDefault(name, 0.0);
        }
        DoubleAdder a = sums.get(name);
        return a == null ? 0 : a.sum();
    }

    /** Writes everything accumulated as one EMF line and starts over; writes nothing when nothing was recorded. */
    public synchronized void flush() {
        Map<Name, Double> values = new TreeMap<>();
        sums.forEach((n, a) -> {
            double v = a.sumThenReset();
            if (v != 0) {
                values.put(n, v);
            }
        });
        values.putAll(maxima);
        maxima.clear();
        if (values.isEmpty()) {
            return;
        }
        emit(values, null, null);
    }

    /**
     * Writes one value at once, both under the service and per {@code dimension} (e.g. {@code stream}): the alarm
     * watches the service-wide maximum, the dashboard and the runbook find the one stream by its own series.
     */
    public void publishFor(String dimension, String dimensionValue, Name name, double value) {
        emit(Map.of(name, value), dimension, dimensionValue);
    }

    private synchronized void emit(Map<Name, Double> values, String dimension, String dimensionValue) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeObjectFieldStart("_aws");
            g.writeNumberField("Timestamp", clock.millis());
            g.writeArrayFieldStart("CloudWatchMetrics");
            g.writeStartObject();
            g.writeStringField("Namespace", namespace);
            g.writeArrayFieldStart("Dimensions");
            g.writeStartArray();
            g.writeString("service");
            g.writeEndArray();
            if (dimension != null) {
                g.writeStartArray();
                g.writeString("service");
                g.writeString(dimension);
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("Metrics");
            for (Name n : values.keySet()) {
                g.writeStartObject();
                g.writeStringField("Name", n.metric);
                g.writeStringField("Unit", n.unit.cloudWatch);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            g.writeStringField("service", service);
            if (dimension != null) {
                g.writeStringField(dimension, dimensionValue);
            }
            for (Map.Entry<Name, Double> e : values.entrySet()) {
                double v = e.getValue();
                g.writeFieldName(e.getKey().metric);
                if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                    g.writeNumber((long) v);
                } else {
                    g.writeNumber(v);
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to a StringWriter cannot fail", e);
        }
        out.println(w);
    }
}
