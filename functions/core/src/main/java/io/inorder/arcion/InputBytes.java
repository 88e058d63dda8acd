package io.inorder.arcion;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The decompressed bytes of one input, exposed as a window ({@link #buf}, {@link #pos}, {@link #lim}) that the
 * framers scan in place, with the absolute offset of every byte. Gzip is recognised by its magic bytes
 * ({@code 1f 8b}), never by a file name, and concatenated gzip members are read as one stream.
 *
 * <p>A damaged gzip stream surfaces as {@link CorruptInputException} so that the reader can turn it into a
 * {@link BadRecord}; any other {@link IOException} (a broken S3 connection) propagates unchanged, because the input
 * itself may be fine and the caller should retry it.
 */
final class InputBytes {

    static final int BUFFER = 64 * 1024;

    /** Thrown when the compressed input cannot be decoded: the rest of the input is unreadable. */
    static final class CorruptInputException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptInputException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    final byte[] buf = new byte[BUFFER];
    int pos;
    int lim;
    private long base;
    private InputStream in;
    private final InputStream raw;
    private boolean gzip;
    private boolean gzipOpened;
    private boolean eof;

    InputBytes(InputStream raw) throws IOException {
        this.raw = raw;
        this.in = raw;
        // Read the first bytes raw to look for the gzip magic; they are replayed below.
        int n = readFully(raw, buf, 0, 2);
        if (n == 2 && (buf[0] & 0xff) == 0x1f && (buf[1] & 0xff) == 0x8b) {
            gzip = true;
            byte[] magic = {buf[0], buf[1]};
            in = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(magic), raw);
            lim = 0;
        } else {
            lim = n;
            eof = n < 2;
        }
    }

    private static int readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int r = in.read(b, off + total, len - total);
            if (r < 0) {
                break;
            }
            total += r;
        }
        return total;
    }

    /** Absolute offset, in decompressed bytes, of {@code buf[pos]}. */
    long offset() {
        return base + pos;
    }

    /**
     * Discards the window and reads the next one. Returns false at the end of the input. Callers must have
     * consumed (copied) everything up to {@link #lim} first.
     */
    boolean refill() throws IOException {
        base += lim;
        pos = 0;
        lim = 0;
        int n = read(0);
        while (n == 0) {
            n = read(0);
        }
        if (n < 0) {
            return false;
        }
        lim = n;
        return true;
    }

    /** Reads into {@code buf} from {@code off}: the byte count, or -1 at the end of the input. */
    private int read(int off) throws IOException {
        if (eof) {
            return -1;
        }
        try {
            if (gzip && !gzipOpened) {
                gzipOpened = true;
                in = new GZIPInputStream(in, BUFFER);
            }
            int n = in.read(buf, off, buf.length - off);
            if (n < 0) {
                eof = true;
            }
            return n;
        } catch (ZipException | EOFException e) {
            if (!gzip) {
                throw e;
            }
            eof = true;
            throw new CorruptInputException("corrupt gzip stream after " + (base + off) + " decompressed bytes ("
                    + e.getMessage() + "); the rest of the input is unreadable, re-upload or re-export it", e);
        }
    }

    /** Makes at least one byte available; false at the end of the input. */
    boolean available() throws IOException {
        return pos < lim || refill();
    }

    /** Skips a UTF-8 byte-order mark at the start of the input. */
    void skipByteOrderMark() throws IOException {
        if (offset() != 0 || !available()) {
            return;
        }
        while (lim - pos < 3 && lim < buf.length && readMore()) {
            // a BOM is 3 bytes; make sure they are all in the window
        }
        if (lim - pos >= 3 && (buf[pos] & 0xff) == 0xef && (buf[pos + 1] & 0xff) == 0xbb
                && (buf[pos + 2] & 0xff) == 0xbf) {
            pos += 3;
        }
    }

    /**
     * The first byte that is not JSON whitespace, without consuming it, or -1 for an input that is empty or only
     * whitespace. Nothing is consumed unless a whole 64 KiB window is whitespace (only JSON pads like that), so a CSV
     * value that starts with a blank keeps it.
     */
    int firstSignificantByte() throws IOException {
        if (!available()) {
            return -1;
        }
        int i = pos;
        while (true) {
            for (; i < lim; i++) {
                byte b = buf[i];
                if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                    return b & 0xff;
                }
            }
            if (lim < buf.length) {
                if (!readMore()) {
                    return -1;
                }
            } else {
                pos = lim;
                if (!refill()) {
                    return -1;
                }
                i = pos;
            }
        }
    }

    /**
     * Moves the unread bytes to the start of the window and reads more after them. Returns false when the window is
     * already full of unread bytes or the input has ended.
     */
    boolean compact() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            base += pos;
            lim -= pos;
            pos = 0;
        }
        return lim < buf.length && readMore();
    }

    /** Absolute offset, in decompressed bytes, of {@code buf[i]}. */
    long offsetOf(int i) {
        return base + i;
    }

    /** Appends more input after {@link #lim} in the current window; false at the end of the input. */
    private boolean readMore() throws IOException {
        int n = read(lim);
        if (n < 0) {
            return false;
        }
        lim += n;
        return true;
    }

    void close() throws IOException {
        try {
            in.close();
        } finally {
            raw.close();
        }
    }
}
