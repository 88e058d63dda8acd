package io.inorder.pipeline;

import io.inorder.arcion.ArcionFormat;
import io.inorder.arcion.ArcionReader;
import io.inorder.arcion.ArcionReaders;
import io.inorder.arcion.BadRecord;
import io.inorder.arcion.ChangeEvent;
import io.inorder.arcion.Op;
import io.inorder.arcion.Origin;
import io.inorder.arcion.ReadResult;
import io.inorder.arcion.ReaderOptions;
import io.inorder.ledger.SnapshotGate;
import io.inorder.mapping.ChangeMapper;
import io.inorder.mapping.MappingResult;
import io.inorder.mapping.TableMapping;
import io.inorder.writeapi.Deadline;
import io.inorder.writeapi.WriteOp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Sends chosen quarantined records through the same pipeline again — the readers of their original path, the
 * current table config's mapper, the Write API client with its coalescing window, retries and per-document error
 * scan — and then removes from the quarantine exactly the records the Write API acknowledged.
 *
 * <p>Guarantees: records are applied per stream (an S3 stream from the key pattern, or a Kafka topic-partition) in
 * their original order (S3: the file's sequence number, then the record index; Kafka: the offset), one window after
 * another. A record that is still bad stays quarantined with its new reason; a record that could not be decoded, or
 * was not acknowledged, stays as it was: nothing is lost. The quarantine objects are rewritten only if unchanged
 * since they were read ({@link S3Quarantine#rewrite}).
 *
 * <p>Snapshot before changes holds here too ({@link SnapshotOrder}): a change of a table whose snapshot comes from a
 * separate source is not sent until that snapshot is complete, and a row of such a snapshot is sent only while it is
 * loading, under the table's writer lease; otherwise it stays quarantined with the reason.
 *
 * <p>What it cannot guarantee, and says: a replayed change is applied <em>after</em> every later change of its
 * stream that was applied while it sat in the quarantine, so if one of those touched the same document, the replay
 * moves that document back. The caller shows the operations first ({@link #plan}) and lets the user choose.
 * Not thread-safe.
 */
public final class QuarantineReplay {

    /** A record to replay, with the bytes that replace its raw bytes ({@code null}: replay it as quarantined). */
    public record Choice(QuarantinedRecord record, byte[] replacement) {

        public Choice {
            Objects.requireNonNull(record, "record");
            replacement = replacement == null ? null : replacement.clone();
        }
    }

    /** What replay would do with a record: its operations, or why it would stay quarantined. */
    public record Plan(QuarantinedRecord record, List<WriteOp> ops, String problem) {

        public Plan {
            ops = List.copyOf(ops);
        }
    }

    /** How a record's replay ended. */
    public enum Status {
        /** Written and acknowledged (or a no-op such as a tombstone), and removed from the quarantine. */
        APPLIED,
        /** Written and acknowledged, but its quarantine object changed meanwhile: it is still listed. */
        APPLIED_STILL_LISTED,
        /** Still bad (decoded but refused again): stays quarantined with the new reason. */
        STILL_BAD,
        /** Not sent (cannot be decoded as it is, or the Write API failed before acknowledging it): unchanged. */
        NOT_SENT
    }

    /** One record's outcome. */
    public record Result(QuarantinedRecord record, Status status, String detail) { }

    private final IngestServices services;
    private final S3Quarantine quarantine;
    private final S3KeyPattern keyPattern;
    private final ArcionFormat format;
    private final TopicRoutes routes;
    private final SnapshotOrder kafkaSnapshots;
    private final SnapshotOrder s3Snapshots;

    /**
     * @param services   the pipeline's services built from the current configuration; their quarantine is not used
     *                   (still-bad records are updated in place instead of quarantined twice)
     * @param quarantine the quarantine the records come from and are removed from
     * @param keyPattern the S3 key pattern (stream and sequence number of an S3 record's file)
     * @param format     the functions' {@code FORMAT}
     * @param gates      the snapshot gates of tables whose snapshot comes from a separate source
     */
    public QuarantineReplay(IngestServices services, S3Quarantine quarantine, S3KeyPattern keyPattern,
            ArcionFormat format, SnapshotGate gates) {
        this.services = Objects.requireNonNull(services, "services");
        this.quarantine = Objects.requireNonNull(quarantine, "quarantine");
        this.keyPattern = Objects.requireNonNull(keyPattern, "keyPattern");
        this.format = Objects.requireNonNull(format, "format");
        this.routes = new TopicRoutes(services.mapper().config());
        var config = services.mapper().config();
        this.kafkaSnapshots = new SnapshotOrder(gates, t -> config.table(t).map(TableMapping::splitTopic)
                .orElse(false), Duration.ZERO, services.metrics());
        this.s3Snapshots = new SnapshotOrder(gates, t -> config.table(t).map(m -> !m.snapshotPrefixes().isEmpty())
                .orElse(false), Duration.ZERO, services.metrics());
    }

    private SnapshotOrder snapshots(Origin o) {
        return o.kind() == Origin.Kind.KAFKA ? kafkaSnapshots : s3Snapshots;
    }

    /** The table whose snapshot the record's source carries (a snapshot topic or snapshot stream), or null. */
    private String snapshotOf(Origin o) {
        if (o.kind() == Origin.Kind.KAFKA) {
            return routes.route(o.source()) instanceof TopicRoutes.Table t && t.role() == TopicRoutes.Role.SNAPSHOT
                    ? t.table() : null;
        }
        return services.mapper().config().snapshotTableForKey(o.source()).map(TableMapping::table).orElse(null);
    }

    /** The choices in replay order: by stream, then the original position. */
    public List<Choice> inReplayOrder(List<Choice> choices) {
        List<Choice> ordered = new ArrayList<>(choices);
        ordered.sort(Comparator.comparing((Choice c) -> stream(c.record().origin()))
                .thenComparingLong(c -> sequence(c.record().origin()))
                .thenComparing(c -> c.record().origin().source())
                .thenComparingLong(c -> c.record().origin().position())
                .thenComparing(c -> c.record().id()));
        return ordered;
    }

    /** The stream a record belongs to: {@code kafka <topic>/<partition>} or {@code s3 <stream>} (or its key). */
    public String stream(Origin o) {
        if (o.kind() == Origin.Kind.KAFKA) {
            return "kafka " + o.source() + "/" + o.partition();
        }
        return "s3 " + keyPattern.match(o.source()).map(S3KeyPattern.Match::stream).orElse(o.source());
    }

    private long sequence(Origin o) {
        return o.kind() == Origin.Kind.KAFKA ? 0
                : keyPattern.match(o.source()).map(S3KeyPattern.Match::seq).orElse(0L);
    }

    /** A dry run: what each choice would send, in replay order. Writes nothing, reads nothing but the choices. */
    public List<Plan> plan(List<Choice> choices) {
        List<Plan> plans = new ArrayList<>();
        for (Choice c : inReplayOrder(choices)) {
            Decoded d = decode(c);
            if (d.refusal() != null) {
                plans.add(new Plan(c.record(), List.of(), d.refusal()));
            } else if (d.result() instanceof BadRecord b) {
                plans.add(new Plan(c.record(), List.of(), b.reason()));
            } else if (snapshots(c.record().origin()).refusal(d.result(), snapshotOf(c.record().origin()))
                    .isPresent()) {
                plans.add(new Plan(c.record(), List.of(), snapshots(c.record().origin())
                        .refusal(d.result(), snapshotOf(c.record().origin())).orElseThrow()));
            } else {
                MappingResult m = services.mapper().map((ChangeEvent) d.result());
                if (m instanceof MappingResult.Apply a) {
                    plans.add(new Plan(c.record(), a.ops(), null));
                } else if (m instanceof MappingResult.Reject r) {
                    plans.add(new Plan(c.record(), List.of(), r.badRecord().reason()));
                } else {
                    plans.add(new Plan(c.record(), List.of(), null));
                }
            }
        }
        return plans;
    }

    /**
     * Replays the choices, stream by stream in order, then updates the quarantine: acknowledged records are removed,
     * still-bad ones get their new reason. Results come in replay order.
     */
    public List<Result> replay(List<Choice> choices, Deadline deadline) {
        List<Choice> ordered = inReplayOrder(choices);
        Map<String, Result> results = new LinkedHashMap<>();
        for (Choice c : ordered) {
            results.put(c.record().id(), null);
        }
        Map<String, List<Choice>> byStream = new LinkedHashMap<>();
        for (Choice c : ordered) {
            byStream.computeIfAbsent(stream(c.record().origin()), s -> new ArrayList<>()).add(c);
        }
        for (List<Choice> stream : byStream.values()) {
            for (Result r : replayStream(stream, deadline)) {
                results.put(r.record().id(), r);
            }
        }
        return updateQuarantine(new ArrayList<>(results.values()));
    }

    /** One stream's records through one ordered writer; results for every record of the stream. */
    private List<Result> replayStream(List<Choice> stream, Deadline deadline) {
        List<Result> refused = new ArrayList<>();
        List<QuarantinedRecord> fed = new ArrayList<>();
        Map<Origin, String> stillBad = new HashMap<>();
        int[] acknowledged = {0};
        Quarantine collector = records -> {
            for (BadRecord b : records) {
                stillBad.merge(b.origin(), b.reason(), (a, n) -> a + "; " + n);
            }
            return "(replay: kept in place)";
        };
        IngestServices s = services;
        IngestServices replaying = new IngestServices(s.mapper(), s.client(), s.fence(), collector, s.tables(),
                s.metrics(), s.log(), false, s.logRowData());
        Visibility visibility = new Visibility(replaying, deadline);
        OrderedWriter writer = new OrderedWriter(replaying, deadline, null, visibility, (last, delta, position) -> {
            for (int i = fed.size() - 1; i >= acknowledged[0]; i--) {
                if (fed.get(i).origin().equals(last)) {
                    acknowledged[0] = i + 1;
                    return;
                }
            }
        });
        String failure = null;
        int next = 0;
        Origin first = stream.get(0).record().origin();
        SnapshotOrder.Source order = snapshots(first).open("quarantine-replay " + stream(first), snapshotOf(first),
                null, SnapshotOrder.leaseUntil(deadline, Duration.ZERO));
        boolean clean = false;
        try {
            for (; next < stream.size(); next++) {
                Choice c = stream.get(next);
                Decoded d = decode(c);
                if (d.refusal() != null) {
                    refused.add(new Result(c.record(), Status.NOT_SENT, d.refusal()));
                    continue;
                }
                ReadResult admitted;
                try {
                    admitted = order.admit(d.result(), () -> c.record().raw());
                } catch (SnapshotOrder.Held held) {
                    refused.add(new Result(c.record(), Status.NOT_SENT, held.getMessage()));
                    continue;
                }
                fed.add(c.record());
                writer.accept(admitted);
            }
            writer.flush();
            visibility.finish();
            clean = true;
        } catch (RuntimeException e) {
            visibility.abandon(e);
            failure = "not acknowledged: " + e.getMessage() + " (it stays quarantined; replay it again)";
            services.log().warn("replay of a stream stopped", "stream", stream(stream.get(0).record().origin()),
                    "error", e.toString());
            boolean currentFed = next < stream.size() && !fed.isEmpty()
                    && fed.get(fed.size() - 1) == stream.get(next).record();
            for (int i = currentFed ? next + 1 : next; i < stream.size(); i++) {
                refused.add(new Result(stream.get(i).record(), Status.NOT_SENT, failure));
            }
        } finally {
            order.close(clean);
        }
        List<Result> out = new ArrayList<>(refused);
        for (int i = 0; i < fed.size(); i++) {
            QuarantinedRecord r = fed.get(i);
            if (i >= acknowledged[0]) {
                out.add(new Result(r, Status.NOT_SENT, failure == null ? "not acknowledged" : failure));
            } else if (stillBad.containsKey(r.origin())) {
                out.add(new Result(r, Status.STILL_BAD, stillBad.get(r.origin())));
            } else {
                out.add(new Result(r, Status.APPLIED, "applied"));
            }
        }
        return out;
    }

    /** Removes applied records and records new reasons, object by object, each conditional on its eTag. */
    private List<Result> updateQuarantine(List<Result> results) {
        Map<String, List<Result>> byObject = new LinkedHashMap<>();
        for (Result r : results) {
            byObject.computeIfAbsent(r.record().objectKey(), k -> new ArrayList<>()).add(r);
        }
        Set<String> notRemoved = new HashSet<>();
        for (Map.Entry<String, List<Result>> e : byObject.entrySet()) {
            Set<String> remove = new HashSet<>();
            Map<String, String> reasons = new HashMap<>();
            for (Result r : e.getValue()) {
                if (r.status() == Status.APPLIED) {
                    remove.add(r.record().id());
                } else if (r.status() == Status.STILL_BAD) {
                    reasons.put(r.record().id(), r.detail());
                }
            }
            if (remove.isEmpty() && reasons.isEmpty()) {
                continue;
            }
            QuarantinedRecord any = e.getValue().get(0).record();
            if (quarantine.rewrite(e.getKey(), any.objectETag(), remove, reasons) == S3Quarantine.Rewrite.CHANGED) {
                notRemoved.addAll(remove);
            }
        }
        List<Result> out = new ArrayList<>(results.size());
        for (Result r : results) {
            out.add(notRemoved.contains(r.record().id())
                    ? new Result(r.record(), Status.APPLIED_STILL_LISTED, "applied, but its quarantine object "
                            + r.record().objectKey() + " changed while replaying, so it is still listed; list again "
                            + "and remove it by replaying it again (the write is idempotent)")
                    : r);
        }
        return out;
    }

    /** A choice decoded: the read result to send, or why it cannot be sent as it is. */
    private record Decoded(ReadResult result, String refusal) { }

    private Decoded decode(Choice c) {
        QuarantinedRecord q = c.record();
        Origin origin = q.origin();
        byte[] bytes = c.replacement() != null ? c.replacement() : q.raw();
        Optional<ChangeEvent> rendered = ChangeMapper.renderedChange(bytes, origin);
        if (rendered.isPresent()) {
            // The mapper refused it: the reader had decoded it already, so it goes straight to the mapper again.
            return new Decoded(withTableHint(rendered.get()), null);
        }
        if (c.replacement() == null) {
            if (bytes.length == 0) {
                return refusal("the quarantine holds no bytes of this record (" + q.reason() + "); fix the source "
                        + "and give the record's fixed bytes with --with FILE");
            }
            if (q.reason().startsWith("Write API ") || q.reason().startsWith("document of ")) {
                return refusal("the Write API refused the document built from this record, and the quarantine "
                        + "kept the document, not the source record; give the fixed source record with --with FILE");
            }
        }
        return origin.kind() == Origin.Kind.KAFKA ? decodeKafka(q, bytes) : decodeFileRecord(q, bytes,
                c.replacement() != null);
    }

    private Decoded decodeKafka(QuarantinedRecord q, byte[] value) {
        Origin origin = q.origin();
        TopicRoutes.Route route = routes.route(origin.source());
        if (route instanceof TopicRoutes.Ignored) {
            return refusal("topic " + origin.source() + " is a Replicant topic, which Inorder ignores");
        }
        // FORMAT is the S3 function's; Kafka values are JSON whatever it says (the MSK function refuses csv).
        ReaderOptions options = ReaderOptions.defaults().withFormat(format == ArcionFormat.CSV ? ArcionFormat.AUTO
                : format);
        // The quarantine keeps the value only: a JSON CDC change whose key is only in the message key cannot be
        // keyed again, and the mapper says so (it is then still bad, with that reason).
        ReadResult r = ArcionReaders.readKafkaValue(null, value, origin, options);
        if (r instanceof ChangeEvent e && e.table() == null && e.op() != Op.TOMBSTONE) {
            if (route instanceof TopicRoutes.Table t) {
                return new Decoded(e.withTable(t.table()), null);
            }
            return new Decoded(new BadRecord(origin, ((TopicRoutes.Unmapped) route).reason(), value), null);
        }
        return new Decoded(r, null);
    }

    private Decoded decodeFileRecord(QuarantinedRecord q, byte[] bytes, boolean replaced) {
        Origin origin = q.origin();
        Optional<TableMapping> table = services.mapper().config().tableForKey(origin.source());
        ReaderOptions options = table.map(t -> t.readerOptions(format))
                .orElse(ReaderOptions.defaults().withFormat(format));
        boolean columns = options.csv().tripletColumns() != null;
        // A quarantined CSV line is a data line without its file's header; a replacement without configured
        // columns must start with the header line (see the refusal below).
        options = options.withCsvHeader(replaced && !columns ? ReaderOptions.CsvHeader.PRESENT
                : replaced ? ReaderOptions.CsvHeader.AUTO : ReaderOptions.CsvHeader.ABSENT);
        if (isCsv(bytes) && !columns && !replaced) {
            return refusal("a CSV line cannot be read without its file's header, and the table config names no "
                    + "\"csvColumns\" for " + table.map(t -> "table " + t.table()).orElse("key " + origin.source())
                    + ": add them, or give the header line and the fixed line with --with FILE");
        }
        try (ArcionReader reader = ArcionReaders.open(new ByteArrayInputStream(bytes), origin.source(), options)) {
            ReadResult first = reader.next();
            if (first == null) {
                return refusal(replaced ? "the replacement holds no record" : "its bytes hold no record");
            }
            if (reader.next() != null) {
                return refusal((replaced ? "the replacement" : "its bytes") + " hold more than one record: give "
                        + "exactly one (for CSV: at most a header line and one data line)");
            }
            return new Decoded(withTableHint(reorigin(first, origin)), null);
        } catch (IOException | IllegalArgumentException e) {
            return refusal("cannot be read: " + e.getMessage());
        }
    }

    /** Whether the reader would take these bytes as CSV (FORMAT csv, or auto and not starting with '{'). */
    private boolean isCsv(byte[] bytes) {
        if (format == ArcionFormat.CSV) {
            return true;
        }
        if (format != ArcionFormat.AUTO) {
            return false;
        }
        int i = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
        while (i < bytes.length && Character.isWhitespace(bytes[i])) {
            i++;
        }
        return i < bytes.length && bytes[i] != '{';
    }

    /** Records without a table of their own take the table of their source, as on the original path. */
    private ReadResult withTableHint(ReadResult r) {
        if (r instanceof ChangeEvent e && e.table() == null && e.origin().kind() == Origin.Kind.FILE) {
            Optional<TableMapping> t = services.mapper().config().tableForKey(e.origin().source());
            if (t.isPresent()) {
                return e.withTable(t.get().table());
            }
        } else if (r instanceof ChangeEvent e && e.table() == null && e.op() != Op.TOMBSTONE) {
            TopicRoutes.Route route = routes.route(e.origin().source());
            if (route instanceof TopicRoutes.Table t) {
                return e.withTable(t.table());
            }
        }
        return r;
    }

    /** The result as of its original place (a one-record reader numbers it 0). */
    private static ReadResult reorigin(ReadResult r, Origin origin) {
        if (r instanceof BadRecord b) {
            return b.at(origin);
        }
        ChangeEvent e = (ChangeEvent) r;
        return new ChangeEvent(e.table(), e.op(), e.before(), e.after(), e.beforeCompleteness(),
                e.afterCompleteness(), e.sourceTimeMillis(), e.position(), e.messageKey(), origin);
    }

    private static Decoded refusal(String why) {
        return new Decoded(null, why);
    }
}
