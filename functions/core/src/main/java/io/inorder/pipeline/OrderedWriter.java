package io.inorder.pipeline;

import io.inorder.arcion.BadRecord;
import io.inorder.arcion.ChangeEvent;
import io.inorder.arcion.Origin;
import io.inorder.arcion.ReadResult;
import io.inorder.ledger.Counters;
import io.inorder.mapping.MappingResult;
import io.inorder.observe.Metrics;
import io.inorder.writeapi.CoalescingWindow;
import io.inorder.writeapi.Deadline;
import io.inorder.writeapi.WriteApiSettings;
import io.inorder.writeapi.WriteOp;
import io.inorder.writeapi.WriteResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one ordered unit of input — an S3 file from a record on, or one Kafka partition's records — through the
 * Write API, window by window, in source order: mapper → coalescing window → client → quarantine → acknowledgement,
 * then the unit's {@link Visibility} (table marks, commit fence in the background) (architecture §3).
 *
 * <p>Guarantees: windows are sent one after another; when one is acknowledged its bad records are already in the
 * quarantine, and only then does {@link Acknowledgement#acknowledged} run with the last record the window fully
 * covers, so a cursor moved there never passes a change the Write API did not acknowledge. A record whose operations
 * straddle two windows (a key-changing update) is acknowledged with the second. Not thread-safe: one writer per unit.
 *
 * <p>Memory is bounded whatever the input: a window closes when either side is full — its good operations (the
 * {@link CoalescingWindow} limits) or its bad records ({@link #MAX_BAD_RECORDS}, {@link #MAX_BAD_BYTES}). So a file
 * or batch of nothing but bad records is quarantined chunk by chunk, and each chunk's window checkpoints its progress
 * like any other, after the chunk is stored.
 */
public final class OrderedWriter {

    /**
     * Most bad records a window holds before it is closed (sent, quarantined, acknowledged). Bounds memory and lets a
     * stream of nothing but bad records checkpoint as it goes; large enough that windows of mostly good records are
     * rarely cut by it.
     */
    public static final int MAX_BAD_RECORDS = 10_000;

    /** Most bytes of bad records (raw bytes and reasons) a window holds before it is closed. */
    public static final long MAX_BAD_BYTES = 8L * 1024 * 1024;

    /** Where the caller moves its cursor after a window (S3: {@code inFileRecord}; Kafka: the partition offset). */
    @FunctionalInterface
    public interface Acknowledgement {

        /**
         * @param lastRecord   the last record the window fully covers (every earlier record is covered too)
         * @param delta        records, documents and requests of the window
         * @param lastPosition the source position of the last change in the window, or {@code null}
         */
        void acknowledged(Origin lastRecord, Counters delta, String lastPosition);
    }

    /** A table's last source point in the window and its own share of the window's work. */
    private static final class Mark {
        String position;
        long sourceTimeMillis;
        long records;
        long operations;
    }

    private final IngestServices services;
    private final Deadline sendBy;
    private final String tableHint;
    private final Acknowledgement acknowledgement;
    private final Visibility visibility;
    private final WriteApiSettings limits;

    private CoalescingWindow window;
    private final List<BadRecord> bad = new ArrayList<>();
    private long badBytes;
    private final Map<String, Mark> marks = new LinkedHashMap<>();
    private Origin lastComplete;
    private Origin lastAcknowledged;
    private String lastPosition;
    private long records;

    /**
     * @param sendBy     the deadline the Write API requests and their retries may use: for an S3 file the hard one,
     *                   so a window begun before the soft deadline still completes and its caller stops at the window
     *                   boundary
     * @param tableHint  the table of records that carry none (flat rows, CSV lines), from the S3 key or the topic;
     *                   {@code null} when unknown
     * @param visibility the unit's table marks and commit fence: the caller ends it ({@link Visibility#finish})
     */
    public OrderedWriter(IngestServices services, Deadline sendBy, String tableHint, Visibility visibility,
            Acknowledgement acknowledgement) {
        this.services = services;
        this.sendBy = sendBy;
        this.tableHint = tableHint;
        this.visibility = visibility;
        this.acknowledgement = acknowledgement;
        this.limits = services.client().settings();
        this.window = services.client().newWindow();
    }

    /** Takes the next record in source order; sends the current window first whenever it cannot take more. */
    public void accept(ReadResult result) {
        services.metrics().increment(Metrics.Name.RECORDS_IN);
        if (result instanceof BadRecord b) {
            bad(b);
        } else {
            ChangeEvent event = (ChangeEvent) result;
            if (event.table() == null && tableHint != null) {
                event = event.withTable(tableHint);
            }
            MappingResult mapped = services.mapper().map(event);
            if (mapped instanceof MappingResult.Apply apply) {
                for (WriteOp op : apply.ops()) {
                    add(op);
                }
                if (event.position() != null) {
                    lastPosition = event.position();
                }
                // Flat snapshot rows carry no Arcion cursor: their origin (topic/partition@offset or key#record) is
                // the position the table's mark can show.
                Mark mark = marks.computeIfAbsent(event.table(), t -> new Mark());
                mark.position = event.position() != null ? event.position() : result.origin().describe();
                mark.sourceTimeMillis = event.sourceTimeMillis();
                mark.records++;
                mark.operations += apply.ops().size();
            } else if (mapped instanceof MappingResult.Skip) {
                services.metrics().increment(Metrics.Name.RECORDS_SKIPPED);
            } else {
                bad(((MappingResult.Reject) mapped).badRecord());
            }
        }
        // Counted only now: a window sent from inside add() above does not cover this record (its checkpoint stops
        // before it), so the record belongs to the window that will.
        records++;
        lastComplete = result.origin();
        if (bad.size() >= MAX_BAD_RECORDS || badBytes >= MAX_BAD_BYTES) {
            // The bad side is full: close the window here, so the records wait in the quarantine, not in memory, and
            // the checkpoint passes them.
            flush();
        }
    }

    /**
     * Sends what the window holds, quarantines the window's bad records, then acknowledges, and hands the window's
     * offsets and table marks to the unit's {@link Visibility} (which never blocks here). Does nothing when no record
     * was taken since the last acknowledgement.
     *
     * @throws io.inorder.writeapi.WriteApiUnavailableException when the Write API stays unavailable up to the deadline
     *         (nothing was acknowledged: the unit resumes at the previous acknowledgement)
     */
    public void flush() {
        boolean progressed = lastComplete != null && !lastComplete.equals(lastAcknowledged);
        if (window.isEmpty() && bad.isEmpty() && !progressed) {
            return;
        }
        long itemBytes = window.itemBytes();
        int documents = window.documents();
        WriteResult result = window.isEmpty() && window.rejected().isEmpty() ? null
                : services.client().send(window, sendBy);
        List<BadRecord> rejected = new ArrayList<>(bad);
        if (result != null) {
            rejected.addAll(result.badRecords());
            if (services.failOnBad() && !result.badRecords().isEmpty()) {
                throw new BadRecordRefusedException(result.badRecords().get(0), services.logRowData());
            }
            record(result, itemBytes, documents);
        }
        if (!rejected.isEmpty()) {
            rejected.sort((a, b) -> Long.compare(a.origin().position(), b.origin().position()));
            String where = services.quarantine().put(rejected);
            services.metrics().add(Metrics.Name.QUARANTINED_RECORDS, rejected.size());
            services.log().warn("records quarantined", "count", rejected.size(), "first",
                    rejected.get(0).origin().describe(), "reason", rejected.get(0).loggable(services.logRowData()),
                    "location", where);
        }
        Counters delta = new Counters(records, result == null ? 0 : result.documentsWritten(),
                result == null ? 0 : result.requests(), rejected.size());
        if (progressed) {
            acknowledgement.acknowledged(lastComplete, delta, lastPosition);
            lastAcknowledged = lastComplete;
        }
        // The checkpoint follows the acknowledgement directly; whether the window is visible yet is the fence's
        // business, in the background, and decides only the tables' visibleThrough (architecture §3, CommitFence).
        for (Map.Entry<String, Mark> m : marks.entrySet()) {
            Mark mark = m.getValue();
            visibility.applied(m.getKey(), mark.position, mark.sourceTimeMillis, mark.records, mark.operations);
        }
        visibility.acknowledged(result == null ? Map.of() : result.offsets());
        window = services.client().newWindow();
        bad.clear();
        badBytes = 0;
        marks.clear();
        records = 0;
    }

    private void add(WriteOp op) {
        while (true) {
            CoalescingWindow.Admission admission = window.add(op);
            if (admission != CoalescingWindow.Admission.FLUSH_FIRST) {
                return;
            }
            flush();
        }
    }

    private void bad(BadRecord b) {
        if (services.failOnBad()) {
            throw new BadRecordRefusedException(b, services.logRowData());
        }
        bad.add(b);
        badBytes += b.raw().length + b.reason().length();
    }

    private void record(WriteResult result, long itemBytes, int documents) {
        Metrics m = services.metrics();
        m.add(Metrics.Name.DOCUMENTS_WRITTEN, result.documentsWritten());
        m.add(Metrics.Name.REQUESTS, result.requests());
        m.add(Metrics.Name.RETRIES, result.retries());
        m.add(Metrics.Name.THROTTLES, result.throttled());
        m.add(Metrics.Name.BYTES_SENT, result.bytesSent());
        int sent = result.requests() - result.retries();
        if (sent > 0) {
            double byBytes = (double) itemBytes / ((double) sent * limits.maxRequestBytes());
            double byDocs = (double) documents / ((double) sent * limits.maxRequestDocuments());
            m.add(Metrics.Name.WINDOW_FILL, 100 * Math.min(1, Math.max(byBytes, byDocs)));
        }
    }
}
