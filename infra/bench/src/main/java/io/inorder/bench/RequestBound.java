package io.inorder.bench;

/**
 * The fewest Write API requests that can carry a document stream: every body holds at most {@code maxBytes} of items and
 * at most {@code maxDocuments} items, so no writer needs fewer than max(⌈bytes / maxBytes⌉, ⌈documents /
 * maxDocuments⌉). Counted over the documents a writer without coalescing must send; a coalescing writer can go below it
 * when ids repeat.
 */
record RequestBound(long itemBytes, long documents, long maxBytes, long maxDocuments) {

    RequestBound {
        if (maxBytes < 1 || maxDocuments < 1) {
            throw new IllegalArgumentException("limits must be positive, got " + maxBytes + " bytes and "
                    + maxDocuments + " documents");
        }
    }

    long requests() {
        return Math.max(ceilDiv(itemBytes, maxBytes), ceilDiv(documents, maxDocuments));
    }

    private static long ceilDiv(long a, long b) {
        return a == 0 ? 0 : (a + b - 1) / b;
    }
}
