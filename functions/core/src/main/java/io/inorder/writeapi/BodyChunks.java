package io.inorder.writeapi;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A request body's parts (the framing, each encoded item and the commas between them) regrouped, lazily as the HTTP
 * client reads them, into arrays of {@value #CHUNK} bytes (the last one shorter). Why: the JDK's
 * {@code BodyPublishers.ofByteArrays} copies every array it is given into at least one buffer of its own (16 KiB in
 * JDK 17), so one array per item and per comma made a 10 MiB request of 1 KB documents allocate about 320 MiB of
 * buffers, the largest client-side cost of sending it (BENCHMARKS.md, "Profiles and fixes"). Chunks of the
 * publisher's buffer size make it allocate about what the body weighs. The items are copied, never encoded again;
 * only one chunk is built at a time, and each {@link #iterator()} starts over, so a retried request sends the same
 * bytes.
 */
final class BodyChunks implements Iterable<byte[]> {

    /** The JDK HTTP client's buffer size ({@code jdk.internal.net.http.common.Utils.BUFSIZE}). */
    static final int CHUNK = 16 * 1024;

    private final List<byte[]> parts;

    BodyChunks(List<byte[]> parts) {
        this.parts = parts;
    }

    @Override
    public Iterator<byte[]> iterator() {
        return new Iterator<>() {
            private int part;
            private int offset;

            {
                skipEmpty();
            }

            @Override
            public boolean hasNext() {
                return part < parts.size();
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                byte[] chunk = new byte[CHUNK];
                int filled = 0;
                while (filled < CHUNK && part < parts.size()) {
                    byte[] p = parts.get(part);
                    int n = Math.min(p.length - offset, CHUNK - filled);
                    System.arraycopy(p, offset, chunk, filled, n);
                    filled += n;
                    offset += n;
                    if (offset == p.length) {
                        part++;
                        offset = 0;
                        skipEmpty();
                    }
                }
                return filled == CHUNK ? chunk : Arrays.copyOf(chunk, filled);
            }

            private void skipEmpty() {
                while (part < parts.size() && parts.get(part).length == 0) {
                    part++;
                }
            }
        };
    }
}
