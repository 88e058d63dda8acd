package io.inorder.writeapi;

import io.inorder.arcion.Origin;
import java.util.ArrayList;
import java.util.List;

/**
 * One request to one document endpoint: the already-encoded items of a window, framed as {@code {"data":[...]}}
 * without copying them. Splitting keeps the items' bytes and order.
 */
record WriteRequest(String collection, Endpoint endpoint, List<Item> items) {

    /** One encoded document (add), patch item or delete item, with the source record it came from. */
    record Item(String id, byte[] bytes, Origin origin) { }

    WriteRequest {
        items = List.copyOf(items);
        if (items.isEmpty()) {
            throw new IllegalArgumentException("a request needs at least one item");
        }
    }

    /** Exact body size: prefix, items, a comma between each two, suffix. */
    long bodyBytes() {
        long n = RequestItems.BODY_OVERHEAD + items.size() - 1L;
        for (Item i : items) {
            n += i.bytes.length;
        }
        return n;
    }

    /** The body as the sequence of arrays the HTTP client streams (references, not copies). */
    List<byte[]> bodyParts() {
        List<byte[]> parts = new ArrayList<>(items.size() * 2 + 1);
        parts.add(RequestItems.PREFIX);
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                parts.add(RequestItems.COMMA);
            }
            parts.add(items.get(i).bytes);
        }
        parts.add(RequestItems.SUFFIX);
        return parts;
    }

    /** The two halves of a request of two or more items, in order. */
    List<WriteRequest> halves() {
        int mid = items.size() / 2;
        return List.of(new WriteRequest(collection, endpoint, items.subList(0, mid)),
                new WriteRequest(collection, endpoint, items.subList(mid, items.size())));
    }
}
