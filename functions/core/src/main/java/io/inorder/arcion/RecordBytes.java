package io.inorder.arcion;

import java.util.Arrays;

/**
 * The bytes of the record being framed, reused from record to record. Grows up to the record limit; past it, only
 * the first {@link #RAW_CAP} bytes are kept (for the quarantine) while the length keeps counting, so an oversized
 * record never costs more memory than the limit.
 */
final class RecordBytes {

    /** How many bytes of a bad record go to the quarantine. */
    static final int RAW_CAP = 64 * 1024;

    private final int max;
    byte[] bytes = new byte[8 * 1024];
    int size;
    long length;

    RecordBytes(int max) {
        this.max = max;
    }

    void reset() {
        size = 0;
        length = 0;
        if (bytes.length > 1024 * 1024) {
            bytes = new byte[8 * 1024]; // let one huge record's buffer go
        }
    }

    boolean tooLarge() {
        return length > max;
    }

    void append(byte[] src, int from, int to) {
        int n = to - from;
        if (n <= 0) {
            return;
        }
        length += n;
        int keep = length > max ? Math.max(0, Math.min(n, RAW_CAP - size)) : n;
        if (keep == 0) {
            return;
        }
        if (size + keep > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(size + keep, Math.min(bytes.length * 2, Math.max(max, RAW_CAP))));
        }
        System.arraycopy(src, from, bytes, size, keep);
        size += keep;
    }

    /** A copy of the first {@link #RAW_CAP} bytes, for a {@link BadRecord}. */
    byte[] raw() {
        return Arrays.copyOf(bytes, Math.min(size, RAW_CAP));
    }
}
