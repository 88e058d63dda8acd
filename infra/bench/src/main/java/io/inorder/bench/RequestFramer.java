package io.inorder.bench;

import io.inorder.writeapi.RequestBodies;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Frames encoded items into {@code {"data":[...]}} request bodies in arrival order, starting a new body when the next
 * item would cross the byte or document limit. The baselines' batcher: no coalescing, no bin packing.
 */
final class RequestFramer {

    private static final byte[] PREFIX = {'{', '"', 'd', 'a', 't', 'a', '"', ':', '['};
    private static final byte[] SUFFIX = {']', '}'};

    private final OutputStream out;
    private final long maxBytes;
    private final int maxDocuments;
    private long bytes;
    private int documents;
    private int requests;

    RequestFramer(OutputStream out, long maxBytes, int maxDocuments) {
        this.out = out;
        this.maxBytes = maxBytes;
        this.maxDocuments = maxDocuments;
    }

    void add(byte[] item) throws IOException {
        if (documents > 0 && (documents == maxDocuments
                || RequestBodies.bodyOverhead() + bytes + documents + item.length > maxBytes)) {
            finishBody();
        }
        if (documents == 0) {
            out.write(PREFIX);
        } else {
            out.write(',');
        }
        out.write(item);
        bytes += item.length;
        documents++;
    }

    /** Closes the open body, if any; returns the number of bodies written. */
    int finish() throws IOException {
        if (documents > 0) {
            finishBody();
        }
        return requests;
    }

    private void finishBody() throws IOException {
        out.write(SUFFIX);
        requests++;
        bytes = 0;
        documents = 0;
    }
}
