package io.inorder.writeapi;

import io.inorder.arcion.Row;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Benchmark access to what a {@link CoalescingWindow} would send: the bodies of its requests, and items encoded exactly
 * as the window encodes them. It sits in core's package, in the bench module, so the benchmarks can read sealed windows
 * without core widening its API for them; nothing in the ingest path uses it.
 */
public final class RequestBodies {

    private RequestBodies() {
    }

    /**
     * Seals {@code window} and writes the body of each of its requests to {@code out}, back to back, the parts as the
     * HTTP client streams them (no copies). Returns the number of requests.
     */
    public static int write(CoalescingWindow window, OutputStream out) throws IOException {
        int requests = 0;
        for (WriteRequest request : window.seal()) {
            for (byte[] part : request.bodyParts()) {
                out.write(part);
            }
            requests++;
        }
        return requests;
    }

    /** The add-documents item of an upsert, byte for byte as the window holds it. */
    public static byte[] upsertItem(String id, Row document, long eventTimeMicros) {
        return new RequestItems().upsert(id, document, eventTimeMicros);
    }

    /** Bytes of a body beyond its items and the commas between them ({@code {"data":[} and {@code ]}}). */
    public static int bodyOverhead() {
        return RequestItems.BODY_OVERHEAD;
    }
}
