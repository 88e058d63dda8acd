package io.inorder.writeapi;

import io.inorder.arcion.BadRecord;
import io.inorder.arcion.Origin;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The batcher's unit of work: write operations coalesced per (collection, {@code _id}), last writer wins in source
 * order (architecture.md §3), packed into requests that respect the byte and document limits exactly. One rule
 * differs from the architecture's list: an upsert after a delete of the same id closes the window (see {@link #add}),
 * because folding the delete away would let the old document's immutable {@code _event_time} survive.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>At most one operation per (collection, {@code _id}). The window's add, patch and delete requests are therefore
 *       key-disjoint and may be sent in any order; windows themselves are sent strictly one after another, so no
 *       request overtakes an earlier one for the same id.</li>
 *   <li>Applying the window gives the same documents as applying its operations one by one. Where a merge could change
 *       that (a patch or an upsert after a delete, or a patch that is more than top-level {@code add}s after an
 *       upsert or next to another patch), {@link #add} answers {@link Admission#FLUSH_FIRST}: send this window, open a new one and add the
 *       operation there.</li>
 *   <li>Every operation is encoded to its request item once, when it enters (only an upsert with a later patch folded
 *       in is encoded again, being a new document); sizes are tracked as items come and go, so sealing never encodes
 *       or measures anything again. Each request body is at most {@code maxRequestBytes} and holds at most
 *       {@code maxRequestDocuments} items.</li>
 *   <li>An operation whose item alone exceeds the byte limit is never sent: it becomes a {@link BadRecord}.</li>
 * </ul>
 * The window holds up to {@code windowRequestsPerEndpoint} full requests per endpoint (collection × add/patch/delete),
 * placed first-fit, so requests come out nearly full. Not thread-safe: one window belongs to one ingest loop.
 */
public final class CoalescingWindow {

    /** What {@link #add} did with an operation. */
    public enum Admission {
        /** The operation is in the window (possibly merged with the earlier one for its id). */
        ABSORBED,
        /** The window must be sent first; then add the same operation to a new window. The window is unchanged. */
        FLUSH_FIRST,
        /** The operation can never be sent (its document exceeds the request byte limit); see {@link #rejected()}. */
        REJECTED
    }

    private final int maxBytes;
    private final int maxDocuments;
    private final int binsPerEndpoint;
    private final RequestItems encoder = new RequestItems();

    private final Map<Key, Entry> entries = new LinkedHashMap<>();
    private final Map<EndpointKey, List<Bin>> bins = new HashMap<>();
    private final List<BadRecord> rejected = new ArrayList<>();
    private long itemBytes;
    private int operations;
    private boolean sealed;

    public CoalescingWindow(WriteApiSettings settings) {
        this(settings.maxRequestBytes(), settings.maxRequestDocuments(), settings.windowRequestsPerEndpoint());
    }

    CoalescingWindow(int maxBytes, int maxDocuments, int binsPerEndpoint) {
        this.maxBytes = maxBytes;
        this.maxDocuments = maxDocuments;
        this.binsPerEndpoint = binsPerEndpoint;
    }

    /** Offers the next operation in source order. */
    public Admission add(WriteOp op) {
        Objects.requireNonNull(op, "op");
        if (sealed) {
            throw new IllegalStateException("this window was already sealed for sending; open a new one");
        }
        Key key = new Key(op.collection(), op.id());
        Entry old = entries.get(key);
        Entry merged = merge(old, op);
        if (merged == null) {
            return Admission.FLUSH_FIRST;
        }
        if (RequestItems.BODY_OVERHEAD + merged.item.length > maxBytes) {
            if (old != null) {
                // The merged document is too big, but the operation alone may not be: let it start the next window.
                return Admission.FLUSH_FIRST;
            }
            String limit = " exceeds the " + String.format(Locale.ROOT, "%,d", maxBytes) + "-byte request limit";
            rejected.add(BadRecord.withDetail(op.origin(), "document of " + merged.item.length + " bytes in collection "
                    + op.collection() + limit, "document of " + merged.item.length + " bytes for _id " + op.id()
                    + " in collection " + op.collection() + limit, merged.item));
            return Admission.REJECTED;
        }
        if (old != null) {
            release(old);
        }
        Bin bin = findBin(new EndpointKey(op.collection(), merged.endpoint), merged.item.length);
        if (bin == null) {
            if (old != null) {
                place(old, old.bin);
            }
            return Admission.FLUSH_FIRST;
        }
        place(merged, bin);
        entries.put(key, merged);
        operations++;
        return Admission.ABSORBED;
    }

    /** Number of operations absorbed (before coalescing). */
    public int operations() {
        return operations;
    }

    /** Number of documents the window will send (after coalescing). */
    public int documents() {
        return entries.size();
    }

    /** Bytes of all request items (request bodies add a few bytes of framing each). */
    public long itemBytes() {
        return itemBytes;
    }

    public boolean isEmpty() {
        return entries.isEmpty() && rejected.isEmpty();
    }

    /** Operations that can never be sent, in source order; they are reported with the window's result. */
    public List<BadRecord> rejected() {
        return List.copyOf(rejected);
    }

    /**
     * The window's requests, each within the limits. Seals the window: it accepts no more operations. Items keep source
     * order within a request; requests are key-disjoint, so their order does not matter.
     */
    List<WriteRequest> seal() {
        sealed = true;
        Map<Bin, List<WriteRequest.Item>> byBin = new IdentityHashMap<>();
        List<Bin> order = new ArrayList<>();
        for (Entry e : entries.values()) {
            List<WriteRequest.Item> items = byBin.get(e.bin);
            if (items == null) {
                items = new ArrayList<>(e.bin.documents);
                byBin.put(e.bin, items);
                order.add(e.bin);
            }
            items.add(new WriteRequest.Item(e.id, e.item, e.origin));
        }
        List<WriteRequest> requests = new ArrayList<>(order.size());
        for (Bin b : order) {
            requests.add(new WriteRequest(b.endpoint.collection, b.endpoint.endpoint, byBin.get(b)));
        }
        return requests;
    }

    /**
     * The single operation equivalent to {@code old} followed by {@code op}, or null when the window must be flushed
     * between them.
     */
    private Entry merge(Entry old, WriteOp op) {
        if (op instanceof Delete d) {
            return new Entry(d.collection(), d.id(), Endpoint.DELETE, encoder.delete(d.id()), d.origin(), -1,
                    false);
        }
        if (op instanceof Upsert u) {
            if (old != null && old.endpoint == Endpoint.DELETE) {
                // Not "delete+upsert → upsert": _event_time is immutable for a document's life (reference §8), so
                // an upsert over the still-existing document would keep the old _event_time where delete-then-insert
                // starts a new one. The delete must reach the server first.
                return null;
            }
            long eventTime = u.eventTimeMicros();
            if (old != null && old.endpoint == Endpoint.ADD && old.eventTimeMicros >= 0) {
                // _event_time is immutable after the first write (reference §8): one by one, the first upsert's time
                // would stick, so the coalesced upsert must carry it.
                eventTime = old.eventTimeMicros;
            }
            return new Entry(u.collection(), u.id(), Endpoint.ADD, encoder.upsert(u.id(), u.document(), eventTime),
                    u.origin(), eventTime, false);
        }
        Patch p = (Patch) op;
        if (old == null) {
            return new Entry(p.collection(), p.id(), Endpoint.PATCH, encoder.patch(p.id(), p.operations()),
                    p.origin(), -1, mayFail(p.operations()));
        }
        switch (old.endpoint) {
            case DELETE:
                // Patching a deleted document is not the same as patching nothing; keep both, in two windows.
                return null;
            case PATCH:
                // A JSON Patch is atomic: one failing operation voids all of it. Merged, a failure in either patch
                // would void both, while one by one only the failing one is lost; so only patches that cannot fail
                // (top-level adds, all the mapper emits) are merged.
                if (old.mayFail || mayFail(p.operations())) {
                    return null;
                }
                return new Entry(p.collection(), p.id(), Endpoint.PATCH, encoder.appendToPatch(old.item,
                        p.operations()), p.origin(), -1, false);
            case ADD:
            default:
                for (PatchOperation o : p.operations()) {
                    if (!RequestItems.isTopLevelAdd(o)) {
                        return null;
                    }
                }
                return new Entry(p.collection(), p.id(), Endpoint.ADD, encoder.applyToUpsert(old.item,
                        p.operations()), p.origin(), old.eventTimeMicros, false);
        }
    }

    private static boolean mayFail(List<PatchOperation> operations) {
        for (PatchOperation o : operations) {
            if (!RequestItems.isTopLevelAdd(o)) {
                return true;
            }
        }
        return false;
    }

    /** First bin of the endpoint the item fits in, opening a new one while under the per-endpoint budget. */
    private Bin findBin(EndpointKey endpoint, int length) {
        List<Bin> list = bins.computeIfAbsent(endpoint, k -> new ArrayList<>(binsPerEndpoint));
        for (Bin b : list) {
            if (b.fits(length, maxBytes, maxDocuments)) {
                return b;
            }
        }
        if (list.size() < binsPerEndpoint) {
            Bin b = new Bin(endpoint);
            list.add(b);
            return b;
        }
        return null;
    }

    private void place(Entry e, Bin bin) {
        e.bin = bin;
        bin.bytes += e.item.length;
        bin.documents++;
        itemBytes += e.item.length;
    }

    private void release(Entry e) {
        e.bin.bytes -= e.item.length;
        e.bin.documents--;
        itemBytes -= e.item.length;
    }

    private record Key(String collection, String id) { }

    private record EndpointKey(String collection, Endpoint endpoint) { }

    /** One future request: running totals of the items placed in it. */
    private static final class Bin {
        final EndpointKey endpoint;
        long bytes;
        int documents;

        Bin(EndpointKey endpoint) {
            this.endpoint = endpoint;
        }

        /** Exact: body = prefix + items + one comma between each two + suffix. */
        boolean fits(int length, int maxBytes, int maxDocuments) {
            return documents + 1 <= maxDocuments
                    && RequestItems.BODY_OVERHEAD + bytes + length + documents <= maxBytes;
        }
    }

    private static final class Entry {
        final String collection;
        final String id;
        final Endpoint endpoint;
        final byte[] item;
        final Origin origin;
        /** The {@code _event_time} an upsert item carries, -1 for none (and for patches and deletes). */
        final long eventTimeMicros;
        /** A patch with an operation that can fail on some document (anything but a top-level add). */
        final boolean mayFail;
        Bin bin;

        Entry(String collection, String id, Endpoint endpoint, byte[] item, Origin origin, long eventTimeMicros,
                boolean mayFail) {
            this.collection = collection;
            this.id = id;
            this.endpoint = endpoint;
            this.item = item;
            this.origin = origin;
            this.eventTimeMicros = eventTimeMicros;
            this.mayFail = mayFail;
        }
    }
}
