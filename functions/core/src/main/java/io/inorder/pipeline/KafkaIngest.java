package io.inorder.pipeline;

import io.inorder.arcion.ArcionFormat;
import io.inorder.arcion.ArcionReaders;
import io.inorder.arcion.BadRecord;
import io.inorder.arcion.ChangeEvent;
import io.inorder.arcion.Op;
import io.inorder.arcion.Origin;
import io.inorder.arcion.ReadResult;
import io.inorder.arcion.ReaderOptions;
import io.inorder.ledger.PartitionCursor;
import io.inorder.ledger.SnapshotGate;
import io.inorder.mapping.TableMapping;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.writeapi.Deadline;
import io.inorder.writeapi.WriteApiUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The MSK side of Inorder, behind the thin {@code MskIngestHandler} (architecture §3, MSK protocol). One instance per
 * container.
 *
 * <p>Guarantees: within a topic-partition records are applied strictly in offset order, through one
 * {@link OrderedWriter}; records at or below the partition's {@link PartitionCursor} are skipped, so redelivery (whole
 * or partial) changes nothing; the cursor moves to the last offset of each window only after the Write API
 * acknowledged it, so it never passes an unwritten change. Different partitions run in parallel on a small bounded
 * pool. A poison record (undecodable, unmappable, rejected by the Write API) is quarantined with its
 * topic/partition/offset and its partition moves on. A transient failure (the Write API unavailable up to the
 * deadline, or the deadline itself) stops that partition at its last acknowledged window: the outcome names the
 * first unwritten offset, which the caller either reports as a batch item failure or turns into a failed invocation.
 *
 * <p>Snapshot before changes ({@link SnapshotOrder}): with split topics (Arcion's default), a partition of a table's
 * snapshot topic writes under the table's snapshot writer lease, and a partition of its change topic stops before its
 * first change — held, reported like a transient stop so the event source delivers it again — until an operator has
 * declared the snapshot complete; snapshot rows arriving after that are quarantined.
 */
public final class KafkaIngest implements AutoCloseable {

    /** Partitions processed at once; each is a chain of sequential Write API requests, so a few suffice. */
    public static final int DEFAULT_PARALLELISM = 4;
    /**
     * How long a held change partition waits within an invocation for its table's snapshot to complete before it is
     * handed back to the event source: each redelivery then comes about a minute apart instead of in a tight loop.
     */
    public static final Duration DEFAULT_HOLD_WAIT = Duration.ofSeconds(60);

    /**
     * One Kafka record as the event source delivers it: key and value as base64 text (either may be {@code null};
     * a {@code null} value is a tombstone). Decoded only when its turn comes, so a batch is never held twice.
     */
    public record Message(String topic, int partition, long offset, long timestamp, String key, String value) { }

    /** A partition to resume from {@code offset}: the first record of the batch that was not written. */
    public record Resume(String topic, int partition, long offset, String reason) {

        /** The event's records-map key and the batch item failure identifier's {@code partition}. */
        public String partitionKey() {
            return topic + "-" + partition;
        }
    }

    /** What one invocation did; {@link #unwritten} is empty when every record was written or quarantined. */
    public record Outcome(int partitions, long records, long skippedBelowCursor, long ignored, List<Resume> unwritten) {

        public Outcome {
            unwritten = List.copyOf(unwritten);
        }
    }

    /** A partition that stopped on a transient failure; its cursor holds what was written before. */
    public static final class PartitionsUnwrittenException extends RuntimeException {

        private final transient List<Resume> unwritten;

        public PartitionsUnwrittenException(List<Resume> unwritten) {
            super(describe(unwritten));
            this.unwritten = List.copyOf(unwritten);
        }

        public List<Resume> unwritten() {
            return unwritten;
        }

        private static String describe(List<Resume> unwritten) {
            StringBuilder b = new StringBuilder("the batch is incomplete, the event source will redeliver it (records "
                    + "already written are skipped by their partition cursor):");
            for (Resume r : unwritten) {
                b.append(' ').append(r.partitionKey()).append(" from offset ").append(r.offset()).append(" (")
                        .append(r.reason()).append(");");
            }
            return b.toString();
        }
    }

    private final IngestServices services;
    private final PartitionCursor cursors;
    private final TopicRoutes routes;
    private final ReaderOptions options;
    private final Duration stopMargin;
    private final ExecutorService pool;
    private final Clock clock;
    private final SnapshotOrder snapshots;
    private final long offsetResetThreshold;

    /**
     * @param gates    the snapshot gates of split-topic tables
     * @param holdWait how long a held change partition waits for its snapshot within an invocation (zero: none)
     * @param offsetResetThreshold a partition's batch whose last offset lies more than this below its cursor is
     *                             flagged as an offset reset ({@code OFFSET_RESET_THRESHOLD})
     */
    public KafkaIngest(IngestServices services, PartitionCursor cursors, SnapshotGate gates, Duration holdWait,
            TopicRoutes routes, ArcionFormat format, Duration stopMargin, int parallelism, long offsetResetThreshold,
            Clock clock) {
        if (format == ArcionFormat.CSV) {
            throw new ConfigurationException(IngestConfig.FORMAT.name() + " is csv, but Kafka values are JSON: set it "
                    + "to auto, native, native-snapshot or json-cdc for the MSK function");
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
        }
        if (offsetResetThreshold < 1) {
            throw new IllegalArgumentException("offsetResetThreshold must be >= 1, got " + offsetResetThreshold);
        }
        this.offsetResetThreshold = offsetResetThreshold;
        this.services = services;
        this.cursors = cursors;
        this.routes = routes;
        this.options = ReaderOptions.defaults().withFormat(format);
        this.stopMargin = stopMargin;
        this.clock = clock;
        this.snapshots = new SnapshotOrder(gates, table -> services.mapper().config().table(table)
                .map(TableMapping::splitTopic).orElse(false), holdWait, services.metrics());
        this.pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "inorder-partition");
            t.setDaemon(true);
            return t;
        });
    }

    /** The whole MSK path from a configuration: stops a fifth of the function timeout (5-60 s) before the deadline. */
    public static KafkaIngest create(IngestConfig config, IngestServices services, DynamoDbClient dynamoDb,
            Clock clock) {
        return new KafkaIngest(services, new PartitionCursor(dynamoDb, config.stateTable(), clock),
                new SnapshotGate(dynamoDb, config.stateTable(), clock), DEFAULT_HOLD_WAIT,
                new TopicRoutes(services.mapper().config()), config.format(), config.drainSettings().stopMargin(),
                DEFAULT_PARALLELISM, config.offsetResetThreshold(), clock);
    }

    /**
     * Applies one batch. {@code remaining} is the invocation's remaining time; work stops at a window boundary
     * {@code stopMargin} before it (or halfway, when less time is left). Every partition is attempted; partitions
     * that stopped on a transient failure — or on a bad record under {@code BAD_RECORD_POLICY=fail} — are listed in
     * {@link Outcome#unwritten}. Configuration errors (401/403/404, a ledger that cannot be reached) are thrown.
     */
    public Outcome handle(List<Message> batch, Duration remaining) {
        Duration margin = stopMargin.compareTo(remaining.dividedBy(2)) > 0 ? remaining.dividedBy(2) : stopMargin;
        Deadline deadline = Deadline.after(clock, remaining.minus(margin));
        Instant leaseUntil = clock.instant().plus(remaining).plus(SnapshotOrder.LEASE_MARGIN);
        Map<String, List<Message>> partitions = new LinkedHashMap<>();
        for (Message m : batch) {
            partitions.computeIfAbsent(m.topic() + "\u0000" + m.partition(), k -> new ArrayList<>()).add(m);
        }
        try {
            List<Future<PartitionResult>> futures = new ArrayList<>();
            for (List<Message> records : partitions.values()) {
                futures.add(pool.submit(() -> partition(records, deadline, leaseUntil)));
            }
            long applied = 0;
            long skipped = 0;
            long ignored = 0;
            List<Resume> unwritten = new ArrayList<>();
            RuntimeException fatal = null;
            for (Future<PartitionResult> f : futures) {
                try {
                    PartitionResult r = f.get();
                    applied += r.applied();
                    skipped += r.skipped();
                    ignored += r.ignored();
                    if (r.resume() != null) {
                        unwritten.add(r.resume());
                    }
                } catch (ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
                            : new IllegalStateException(e.getCause());
                    if (fatal == null) {
                        fatal = cause;
                    } else {
                        fatal.addSuppressed(cause);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while partitions were being applied", e);
                }
            }
            if (fatal != null) {
                throw fatal;
            }
            return new Outcome(partitions.size(), applied, skipped, ignored, unwritten);
        } finally {
            services.metrics().flush();
        }
    }

    private record PartitionResult(long applied, long skipped, long ignored, Resume resume) { }

    /**
     * One partition, strictly in offset order. Its table marks and commit fence live for this invocation only
     * ({@link Visibility}): the fence runs beside the windows, and the last one is awaited once before the partition
     * returns.
     */
    private PartitionResult partition(List<Message> records, Deadline deadline, Instant leaseUntil) {
        Visibility visibility = new Visibility(services, deadline);
        PartitionResult result;
        try {
            result = partition(records, deadline, leaseUntil, visibility);
        } catch (RuntimeException | Error failure) {
            visibility.abandon(failure);
            throw failure;
        }
        visibility.finish();
        return result;
    }

    private PartitionResult partition(List<Message> records, Deadline deadline, Instant leaseUntil,
            Visibility visibility) {
        String topic = records.get(0).topic();
        int partition = records.get(0).partition();
        TopicRoutes.Route route = routes.route(topic);
        if (route instanceof TopicRoutes.Ignored) {
            services.metrics().add(Metrics.Name.IGNORED_TOPICS, records.size());
            services.log().debug("records of a Replicant topic ignored", "topic", topic, "partition", partition,
                    "count", records.size());
            return new PartitionResult(0, 0, records.size(), null);
        }
        List<Message> ordered = new ArrayList<>(records);
        ordered.sort(Comparator.comparingLong(Message::offset));
        OptionalLong cursor = cursors.lastOffset(topic, partition);
        if (cursor.isPresent()) {
            flagBelowCursor(ordered, topic, partition, cursor.getAsLong());
        }
        AtomicLong acknowledged = new AtomicLong(cursor.orElse(-1));
        String tableHint = route instanceof TopicRoutes.Table t ? t.table() : null;
        String unmapped = route instanceof TopicRoutes.Unmapped u ? u.reason() : null;
        OrderedWriter writer = new OrderedWriter(services, deadline, tableHint, visibility,
                (last, delta, position) -> {
                    cursors.advance(topic, partition, last.position(), delta.quarantined());
                    acknowledged.set(last.position());
                });
        long applied = 0;
        long skipped = 0;
        long previous = Long.MIN_VALUE;
        String snapshotOf = route instanceof TopicRoutes.Table t && t.role() == TopicRoutes.Role.SNAPSHOT
                ? t.table() : null;
        SnapshotOrder.Source order = snapshots.open(topic + "#" + partition, snapshotOf, tableHint, leaseUntil);
        // Clean: every window sent was acknowledged, so a snapshot writer lease may end now rather than expire.
        boolean clean = false;
        try {
            for (Message m : ordered) {
                if (m.offset() <= acknowledged.get() || m.offset() == previous) {
                    skipped++;
                    continue;
                }
                previous = m.offset();
                if (deadline.hasPassed()) {
                    writer.flush();
                    clean = true;
                    return new PartitionResult(applied, skipped, 0, resume(ordered, acknowledged.get(), topic,
                            partition, "the invocation's time ran out"));
                }
                ReadResult r = read(m, unmapped);
                while (true) {
                    try {
                        r = order.admit(r, () -> rawValue(m));
                        break;
                    } catch (SnapshotOrder.Held held) {
                        // Neither applied nor skipped: everything before it is written, it waits for the snapshot.
                        writer.flush();
                        if (!order.await(held, deadline)) {
                            clean = true;
                            services.log().warn("change partition held until its table's snapshot is complete",
                                    "topic", topic, "partition", partition, "offset", m.offset(), "table",
                                    held.table());
                            return new PartitionResult(applied, skipped, 0, resume(ordered, acknowledged.get(), topic,
                                    partition, held.getMessage()));
                        }
                    }
                }
                writer.accept(r);
                applied++;
            }
            writer.flush();
            clean = true;
            return new PartitionResult(applied, skipped, 0, null);
        } catch (WriteApiUnavailableException | BadRecordRefusedException e) {
            Resume resume = resume(ordered, acknowledged.get(), topic, partition, e.getMessage());
            services.log().warn("partition stopped: it resumes at its first unwritten offset", "topic", topic,
                    "partition", partition, "offset", resume.offset(), "reason", e.getMessage());
            return new PartitionResult(applied, skipped, 0, resume);
        } finally {
            order.close(clean);
        }
    }

    /**
     * Counts the records at or below the cursor (skipped below as already applied), and flags a batch that lies
     * wholly and far below it. A redelivered batch starts after the event source's committed offset, which is at most
     * one batch behind the cursor, so its last offset is never far below it; a batch whose last offset is more than
     * {@code offsetResetThreshold} below is a recreated topic (offsets restarted at 0) or a consumer group moved back,
     * whose records would otherwise be skipped as redeliveries for good. It is still skipped — only an operator can
     * tell a recreated topic from a deliberate replay — but loudly: metric, alarm, and a log line naming the fix.
     */
    private void flagBelowCursor(List<Message> ordered, String topic, int partition, long cursor) {
        long below = 0;
        for (Message m : ordered) {
            if (m.offset() <= cursor) {
                below++;
            }
        }
        services.metrics().add(Metrics.Name.RECORDS_BELOW_CURSOR, below);
        long first = ordered.get(0).offset();
        long last = ordered.get(ordered.size() - 1).offset();
        if (cursor - last > offsetResetThreshold) {
            services.metrics().increment(Metrics.Name.BATCHES_FAR_BELOW_CURSOR);
            services.log().warn("batch far below its partition cursor: its records are skipped as already applied. "
                    + "If the topic was recreated (offsets restarted at 0) they are new and are being lost: stop the "
                    + "mapping and move the cursor with inorder reset-cursor (README runbook, OffsetResetAlarm)",
                    "topic", topic, "partition", partition, "cursor", cursor, "firstOffset", first,
                    "lastOffset", last, "records", ordered.size(), "threshold", offsetResetThreshold);
        }
    }

    /** The record's value as delivered (for a quarantined record's raw bytes). */
    private static byte[] rawValue(Message m) {
        try {
            return m.value() == null ? new byte[0] : Base64.getDecoder().decode(m.value());
        } catch (IllegalArgumentException e) {
            return m.value().getBytes(StandardCharsets.UTF_8);
        }
    }

    private ReadResult read(Message m, String unmappedReason) {
        Origin origin = Origin.kafka(m.topic(), m.partition(), m.offset());
        byte[] key;
        byte[] value;
        try {
            key = m.key() == null ? null : Base64.getDecoder().decode(m.key());
            value = m.value() == null ? null : Base64.getDecoder().decode(m.value());
        } catch (IllegalArgumentException e) {
            String what = "key or value is not base64 as the event source delivers it";
            return BadRecord.withDetail(origin, what, what + ": " + e.getMessage(),
                    String.valueOf(m.value()).getBytes(StandardCharsets.UTF_8));
        }
        ReadResult r = ArcionReaders.readKafkaValue(key, value, origin, options);
        if (unmappedReason != null && r instanceof ChangeEvent e && e.table() == null && e.op() != Op.TOMBSTONE) {
            return new BadRecord(origin, unmappedReason, value);
        }
        return r;
    }

    /** The first record after the last acknowledged offset (every record before it is written or quarantined). */
    private static Resume resume(List<Message> ordered, long acknowledged, String topic, int partition,
            String reason) {
        for (Message m : ordered) {
            if (m.offset() > acknowledged) {
                return new Resume(topic, partition, m.offset(), reason);
            }
        }
        throw new IllegalStateException("partition " + topic + "-" + partition + " stopped with every record "
                + "acknowledged");
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
