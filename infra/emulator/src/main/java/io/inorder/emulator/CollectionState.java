package io.inorder.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One collection: its per-partition write logs, the accepted (projected) state, the applied (visible) state and the
 * apply log. Thread-safe: every method holds the collection's monitor.
 *
 * <p>Ordering guarantees, the emulator's model of {@code rockset-write-api.md} §7-8: a document routes to one
 * partition by a hash of its {@code _id}; each write request appends one entry to every partition it touches (offset
 * +1); entries are applied in acceptance order after the apply lag, so writes to one {@code _id} are applied in the
 * order they were accepted. A partition's committed offset is the offset of its last applied entry.
 *
 * <p>Item statuses are decided at acceptance against the projected state, i.e. the state once everything accepted so
 * far is applied. Because each {@code _id}'s state depends only on that id's writes, applied in the same order, the
 * applied state always catches up to exactly the projected one, so a patch that will fail is reported as ERROR at once.
 */
final class CollectionState {

    sealed interface Intent permits AddIntent, PatchIntent, DeleteIntent, RejectedIntent {
        String id();
    }

    record AddIntent(String id, ObjectNode document) implements Intent {
    }

    record PatchIntent(String id, ArrayNode operations) implements Intent {
    }

    record DeleteIntent(String id) implements Intent {
    }

    record RejectedIntent(String id, ApiError error) implements Intent {
    }

    /** The outcome of one data[] item; {@code error} only for ERROR, {@code patchId} only for PATCHED. */
    record ItemResult(String id, String status, ApiError error, String patchId) {
    }

    record WriteResult(List<ItemResult> items, String lastOffset) {
    }

    /** An accepted operation waiting in a partition log; {@code image} is the document after it, null if none. */
    private record PendingOp(String id, String kind, JsonNode payload, ObjectNode image) {
    }

    private record LogEntry(int partition, long offset, List<PendingOp> ops, long dueNanos) {
    }

    private final String workspace;
    private final String name;
    private final Instant createdAt;
    private final Instant readyAt;
    private final int partitions;
    private final Duration applyLag;
    private final ScheduledExecutorService applier;

    private final long[] accepted;
    private final long[] committed;
    private final Map<String, ObjectNode> projected = new TreeMap<>();
    private final Map<String, ObjectNode> applied = new TreeMap<>();
    private final ArrayDeque<LogEntry> pending = new ArrayDeque<>();
    private final List<AppliedOp> applyLog = new ArrayList<>();
    private long lastUpdatedMillis;

    CollectionState(String workspace, String name, Instant createdAt, Instant readyAt, int partitions,
                    Duration applyLag, ScheduledExecutorService applier) {
        this.workspace = workspace;
        this.name = name;
        this.createdAt = createdAt;
        this.readyAt = readyAt;
        this.partitions = partitions;
        this.applyLag = applyLag;
        this.applier = applier;
        this.accepted = new long[partitions];
        this.committed = new long[partitions];
    }

    String workspace() {
        return workspace;
    }

    String name() {
        return name;
    }

    Instant createdAt() {
        return createdAt;
    }

    int partitions() {
        return partitions;
    }

    /** {@code CREATED} until the collection's READY time, then {@code READY} (rockset-write-api.md §4). */
    String status(Instant now) {
        return now.isBefore(readyAt) ? "CREATED" : "READY";
    }

    /** Refuses a write while the collection is not READY, as the spec's 503 "not ready" (see {@link ApiError#notReady}). */
    void requireReady(Instant now) {
        if (now.isBefore(readyAt)) {
            throw ApiError.notReady(workspace, name, status(now));
        }
    }

    static int partitionOf(String id, int partitions) {
        int h = id.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return Math.floorMod(h, partitions);
    }

    /** Accepts one write request: decides each item's status, appends the log entries and returns last_offset. */
    synchronized WriteResult accept(List<Intent> intents) {
        List<ItemResult> results = new ArrayList<>(intents.size());
        Map<Integer, List<PendingOp>> byPartition = new LinkedHashMap<>();
        for (Intent intent : intents) {
            PendingOp op;
            ItemResult result;
            if (intent instanceof RejectedIntent rejected) {
                results.add(new ItemResult(rejected.id(), "ERROR", rejected.error(), null));
                continue;
            } else if (intent instanceof AddIntent add) {
                ObjectNode image = add.document().deepCopy();
                ObjectNode existing = projected.get(add.id());
                if (existing != null && existing.has("_event_time")) {
                    // _event_time is immutable after the first write (rockset-write-api.md §8).
                    image.set("_event_time", existing.get("_event_time").deepCopy());
                }
                projected.put(add.id(), image);
                op = new PendingOp(add.id(), "add", add.document(), image);
                result = new ItemResult(add.id(), "ADDED", null, null);
            } else if (intent instanceof PatchIntent patch) {
                ObjectNode existing = projected.get(patch.id());
                ObjectNode image = null;
                if (existing != null) {
                    try {
                        image = DocumentPatch.apply(existing, patch.operations());
                    } catch (DocumentPatch.Failure failure) {
                        results.add(new ItemResult(patch.id(), "ERROR",
                                ApiError.invalidInput("Could not patch document \"" + patch.id() + "\": "
                                        + failure.getMessage()), null));
                        continue;
                    }
                    projected.put(patch.id(), image);
                }
                op = new PendingOp(patch.id(), "patch", patch.operations(), image);
                result = new ItemResult(patch.id(), "PATCHED", null, UUID.randomUUID().toString());
            } else {
                DeleteIntent delete = (DeleteIntent) intent;
                projected.remove(delete.id());
                op = new PendingOp(delete.id(), "delete", null, null);
                result = new ItemResult(delete.id(), "DELETED", null, null);
            }
            byPartition.computeIfAbsent(partitionOf(op.id(), partitions), p -> new ArrayList<>()).add(op);
            results.add(result);
        }
        Offsets lastOffset = Offsets.none(partitions);
        long due = System.nanoTime() + applyLag.toNanos();
        for (int p = 0; p < partitions; p++) {
            List<PendingOp> ops = byPartition.get(p);
            if (ops != null) {
                accepted[p]++;
                pending.addLast(new LogEntry(p, accepted[p], List.copyOf(ops), due));
                lastOffset = lastOffset.with(p, accepted[p]);
            }
        }
        if (!byPartition.isEmpty()) {
            if (applyLag.isZero()) {
                applyThrough(Long.MAX_VALUE);
            } else {
                applier.schedule(this::applyDue, applyLag.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
        return new WriteResult(results, lastOffset.encode());
    }

    synchronized void applyDue() {
        applyThrough(System.nanoTime());
    }

    /** Applies every pending entry now, ignoring the lag. */
    synchronized void applyAll() {
        applyThrough(Long.MAX_VALUE);
    }

    private void applyThrough(long nowNanos) {
        while (!pending.isEmpty() && (nowNanos == Long.MAX_VALUE || pending.peekFirst().dueNanos() - nowNanos <= 0)) {
            LogEntry entry = pending.pollFirst();
            for (PendingOp op : entry.ops()) {
                if (op.image() == null) {
                    if (op.kind().equals("delete")) {
                        applied.remove(op.id());
                    }
                } else {
                    applied.put(op.id(), op.image());
                }
                applyLog.add(new AppliedOp(op.id(), op.kind(), entry.offset(), entry.partition(), applyLog.size() + 1L,
                        op.payload() == null ? null : op.payload().deepCopy()));
            }
            committed[entry.partition()] = entry.offset();
            lastUpdatedMillis = System.currentTimeMillis();
        }
    }

    synchronized int pendingEntries() {
        return pending.size();
    }

    /** The committed offsets: every partition present, 0 before its first applied write. */
    synchronized Offsets commit() {
        Offsets commit = Offsets.none(partitions);
        for (int p = 0; p < partitions; p++) {
            commit = commit.with(p, committed[p]);
        }
        return commit;
    }

    synchronized Map<String, ObjectNode> documents() {
        Map<String, ObjectNode> copy = new TreeMap<>();
        applied.forEach((id, document) -> copy.put(id, document.deepCopy()));
        return copy;
    }

    synchronized List<AppliedOp> applyLog() {
        return List.copyOf(applyLog);
    }

    synchronized int documentCount() {
        return applied.size();
    }

    synchronized long lastUpdatedMillis() {
        return lastUpdatedMillis;
    }

    /** Forgets every document, log entry and offset; the collection itself stays. */
    synchronized void reset() {
        projected.clear();
        applied.clear();
        pending.clear();
        applyLog.clear();
        java.util.Arrays.fill(accepted, 0);
        java.util.Arrays.fill(committed, 0);
        lastUpdatedMillis = 0;
    }
}
