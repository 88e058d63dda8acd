package io.inorder.arcion;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads a file of JSON objects, concatenated or one per line, through a {@link JsonRecordDecoder}.
 *
 * <p>Two framings. Until the input shows it is newline-delimited, a byte-level brace counter that knows strings and
 * escapes frames each object, so its exact byte range (offset, raw bytes for the quarantine) is known before Jackson
 * parses it. Once the first object turns out to sit alone on its line, the input is newline-delimited, and one
 * Jackson parser reads every complete line of the 64 KiB window, record after record, because a parser per record
 * costs about as much as the parsing itself; a line longer than the window is read on its own, size limit enforced.
 *
 * <p>Resynchronization. Newline-delimited: when Jackson meets malformed JSON, the line where that record began is
 * one bad record and reading resumes on the next line; junk after an object on its line is a bad record of its own.
 * Otherwise, a line that begins with <code>{</code> always starts a record: if an object is still open there, that
 * object was truncated and becomes a {@link BadRecord} (pretty-printers indent nested objects, so valid output never
 * has an object's inner <code>{</code> in column 0), and an object still open at the end of the input is one
 * {@code BadRecord} for the rest. Bytes between objects that are not whitespace are one bad record up to the end of
 * their line. Blank lines and other whitespace between objects are JSON whitespace: skipped, not records.
 */
final class JsonFileReader implements ArcionReader {

    private final InputBytes in;
    private final String source;
    private final JsonRecordDecoder decoder;
    private final RecordBytes record;
    private final int maxRecordBytes;
    private long index;
    private boolean done;
    /** null until the first record is framed; then whether records are one per line. */
    private Boolean lineDelimited;
    /** Newline-delimited input: the parser reading the complete lines of the window, and where they end. */
    private JsonParser batch;
    private int batchOff;
    private int batchEnd;

    JsonFileReader(InputBytes in, String source, ArcionFormat format, int maxRecordBytes) {
        this.in = in;
        this.source = source;
        this.decoder = new JsonRecordDecoder(format);
        this.maxRecordBytes = maxRecordBytes;
        this.record = new RecordBytes(maxRecordBytes);
    }

    @Override
    public long recordsRead() {
        return index;
    }

    @Override
    public ReadResult next() throws IOException {
        if (done) {
            return null;
        }
        long start = -1;
        record.reset();
        if (Boolean.TRUE.equals(lineDelimited)) {
            try {
                return nextLine();
            } catch (InputBytes.CorruptInputException e) {
                done = true;
                return new BadRecord(Origin.fileRecord(source, index++, in.offset()), e.getMessage(), record.raw());
            }
        }
        try {
            if (!skipWhitespace()) {
                done = true;
                return null;
            }
            start = in.offset();
            Origin origin = Origin.fileRecord(source, index++, start);
            if (in.buf[in.pos] != '{') {
                return garbage(origin);
            }
            return object(origin);
        } catch (InputBytes.CorruptInputException e) {
            done = true;
            if (start < 0) {
                start = in.offset();
                return new BadRecord(Origin.fileRecord(source, index++, start), e.getMessage());
            }
            return new BadRecord(Origin.fileRecord(source, index - 1, start), e.getMessage(), record.raw());
        }
    }

    private boolean skipWhitespace() throws IOException {
        while (in.available()) {
            byte[] b = in.buf;
            int p = in.pos;
            int lim = in.lim;
            while (p < lim) {
                byte c = b[p];
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    in.pos = p;
                    return true;
                }
                p++;
            }
            in.pos = p;
        }
        return false;
    }

    /** Non-JSON bytes where an object should start: one bad record up to the end of the line. */
    private ReadResult garbage(Origin origin) throws IOException {
        while (in.available()) {
            byte[] b = in.buf;
            int p = in.pos;
            int lim = in.lim;
            while (p < lim && b[p] != '\n') {
                p++;
            }
            record.append(b, in.pos, p);
            in.pos = p;
            if (p < lim) {
                break;
            }
        }
        return new BadRecord(origin, "expected '{' starting a JSON object, found " + record.length
                + " bytes of something else up to the end of the line", record.raw());
    }

    /** Bytes that matter to framing; every other byte is skipped with one table lookup. */
    private static final boolean[] FRAMING = new boolean[256];

    static {
        for (char c : "\"\\{}[]\n".toCharArray()) {
            FRAMING[c] = true;
        }
    }

    private ReadResult object(Origin origin) throws IOException {
        int depth = 0;
        boolean inString = false;
        boolean skipNext = false;
        boolean lineStartPending = false;
        boolean sawNewline = false;
        while (in.available()) {
            byte[] b = in.buf;
            int from = in.pos;
            int lim = in.lim;
            int p = from;
            if (skipNext) {
                p++;
                skipNext = false;
            }
            if (lineStartPending) {
                lineStartPending = false;
                if (b[p] == '{') {
                    return truncatedAtLineStart(origin, p);
                }
            }
            for (; p < lim; p++) {
                int c = b[p] & 0xff;
                if (!FRAMING[c]) {
                    continue;
                }
                switch (c) {
                    case '\n' -> {
                        sawNewline = true;
                        if (p + 1 == lim) {
                            lineStartPending = true;
                        } else if (b[p + 1] == '{') {
                            record.append(b, from, p + 1);
                            return truncatedAtLineStart(origin, p + 1);
                        }
                    }
                    case '\\' -> {
                        if (inString) {
                            if (p + 1 == lim) {
                                skipNext = true;
                            } else {
                                p++;
                            }
                        }
                    }
                    case '"' -> inString = !inString;
                    case '{', '[' -> {
                        if (!inString) {
                            depth++;
                        }
                    }
                    default -> { // '}' or ']'
                        if (!inString && --depth == 0) {
                            record.append(b, from, p + 1);
                            in.pos = p + 1;
                            if (lineDelimited == null) {
                                lineDelimited = !sawNewline && lineEndFollows();
                            }
                            return complete(origin);
                        }
                    }
                }
            }
            record.append(b, from, lim);
            in.pos = lim;
        }
        done = true;
        if (record.tooLarge()) {
            return tooLarge(origin);
        }
        return new BadRecord(origin, "input ends inside a JSON object (truncated record, " + record.length
                + " bytes from the record start to the end of the input)", record.raw());
    }

    /**
     * The next record of newline-delimited input. The hot path: one Jackson parser reads all the complete lines in
     * the window, record after record (a parser per record would cost as much as the parsing). When it meets
     * malformed JSON, the line where that record started is one bad record and a new parser starts on the next line.
     * A line longer than the window is read on its own, with the size limit.
     */
    private ReadResult nextLine() throws IOException {
        while (true) {
            if (batch == null) {
                if (!skipWhitespace()) {
                    done = true;
                    return null;
                }
                int last = lastLineBreak();
                if (last < 0) {
                    if (in.compact()) {
                        continue;
                    }
                    return longLine();
                }
                batchOff = in.pos;
                batch = JsonRecordDecoder.parser(in.buf, batchOff, last + 1 - batchOff);
                batchEnd = last + 1;
            }
            int start = in.pos;
            Origin origin = null;
            try {
                JsonToken t = batch.nextToken();
                if (t == null) {
                    endBatch(batchEnd);
                    continue;
                }
                start = batchOff + (int) batch.currentTokenLocation().getByteOffset();
                origin = Origin.fileRecord(source, index++, in.offsetOf(start));
                if (t != JsonToken.START_OBJECT) {
                    batch.skipChildren();
                    int end = batchOff + (int) batch.currentLocation().getByteOffset();
                    in.pos = end;
                    return new BadRecord(origin, "expected '{' starting a JSON object, found " + t,
                            slice(start, end));
                }
                ReadResult r = decoder.decodeObject(batch, in.buf, batchOff, start, origin);
                int end = batchOff + (int) batch.currentLocation().getByteOffset();
                in.pos = end;
                if (end - start > maxRecordBytes) {
                    return new BadRecord(origin, "record exceeds " + maxRecordBytes + " bytes (it has "
                            + (end - start) + "); raise maxRecordBytes if such rows are legitimate",
                            slice(start, end));
                }
                return r;
            } catch (IOException e) {
                // Parsing bytes in memory does no I/O: this is malformed content. The line where the record began
                // (or, when no record had begun, the first non-blank byte after the previous one) is the bad record.
                int from = start;
                while (origin == null && from < batchEnd && isBlank(in.buf[from])) {
                    from++;
                }
                int lineEnd = from;
                while (lineEnd < batchEnd - 1 && in.buf[lineEnd] != '\n') {
                    lineEnd++;
                }
                if (origin == null) {
                    origin = Origin.fileRecord(source, index++, in.offsetOf(from));
                }
                endBatch(Math.min(lineEnd + 1, batchEnd));
                String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
                // The parser's message quotes the offending token (row data): logs get the summary only.
                return BadRecord.withDetail(origin, "malformed JSON", "malformed JSON: " + why, slice(from, lineEnd));
            }
        }
    }

    private void endBatch(int resumeAt) throws IOException {
        batch.close();
        batch = null;
        in.pos = resumeAt;
    }

    /** Index of the last line break in the window, or -1. */
    private int lastLineBreak() {
        for (int i = in.lim - 1; i >= in.pos; i--) {
            if (in.buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static boolean isBlank(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    private byte[] slice(int from, int to) {
        return Arrays.copyOfRange(in.buf, from, from + Math.min(to - from, RecordBytes.RAW_CAP));
    }

    /**
     * A line that does not fit in the window (or the last line, without a line break): read on its own through the
     * record buffer, which enforces the size limit.
     */
    private ReadResult longLine() throws IOException {
        long start = in.offset();
        try {
            while (in.available()) {
                byte[] b = in.buf;
                int from = in.pos;
                int lim = in.lim;
                int p = from;
                while (p < lim && b[p] != '\n') {
                    p++;
                }
                record.append(b, from, p);
                if (p < lim) {
                    in.pos = p + 1;
                    break;
                }
                in.pos = lim;
            }
        } catch (InputBytes.CorruptInputException e) {
            done = true;
            return new BadRecord(Origin.fileRecord(source, index++, start), e.getMessage(), record.raw());
        }
        Origin origin = Origin.fileRecord(source, index++, start);
        return complete(origin);
    }

    /**
     * Whether the first record is followed on its line only by blanks and then a line break: the sign of
     * newline-delimited input. Looks only at the bytes already buffered; when it cannot tell, it says no, and the
     * brace-counting framing (which reads both framings) stays on.
     */
    private boolean lineEndFollows() {
        for (int i = in.pos; i < in.lim; i++) {
            byte c = in.buf[i];
            if (c == '\n') {
                return true;
            }
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return false;
    }

    /** The open object was cut short: a new line starts with '{' at {@code resumeAt}, where reading resumes. */
    private BadRecord truncatedAtLineStart(Origin origin, int resumeAt) {
        in.pos = resumeAt;
        return new BadRecord(origin, "a line starts with '{' while this object is still open (truncated record);"
                + " reading resumes with the object on that line", record.raw());
    }

    private ReadResult complete(Origin origin) {
        if (record.tooLarge()) {
            return tooLarge(origin);
        }
        return decoder.decode(record.bytes, 0, record.size, origin, null);
    }

    private BadRecord tooLarge(Origin origin) {
        return new BadRecord(origin, "record exceeds " + maxRecordBytes + " bytes (it has " + record.length
                + "); raise maxRecordBytes if such rows are legitimate", record.raw());
    }

    @Override
    public void close() throws IOException {
        try {
            if (batch != null) {
                batch.close();
            }
        } finally {
            in.close();
        }
    }
}
