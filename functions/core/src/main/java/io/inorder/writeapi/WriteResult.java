package io.inorder.writeapi;

import io.inorder.arcion.BadRecord;
import java.util.List;
import java.util.Map;

/**
 * What sending one window achieved. Every document was either acknowledged or is listed in {@link #badRecords()}.
 *
 * @param offsets          per collection, the {@code last_offset} of every acknowledged request, in send order; hand
 *                         them to {@link CommitFence} (never parsed here: rockset-write-api.md §7)
 * @param badRecords       documents the window refused (too large) or the server rejected (per-document {@code ERROR},
 *                         or isolated by bisecting a 400), with the item's bytes and the server's message
 * @param documentsWritten documents acknowledged
 * @param requests         HTTP attempts made, retries included
 * @param retries          attempts repeated after 408/429/5xx or an I/O error
 * @param throttled        429 responses among them
 * @param bytesSent        request body bytes over all attempts
 */
public record WriteResult(Map<String, List<String>> offsets, List<BadRecord> badRecords, int documentsWritten,
                          int requests, int retries, int throttled, long bytesSent) {

    public WriteResult {
        offsets = Map.copyOf(offsets);
        badRecords = List.copyOf(badRecords);
    }
}
