package io.inorder.arcion;

import java.io.IOException;

/**
 * Frames a file of JSON objects, concatenated or one per line, and hands each object's bytes to a
 * {@link JsonRecordDecoder}. Framing is a byte-level brace counter that knows strings and escapes, so a record's
 * exact byte range (offset, raw bytes for the quarantine) is known before Jackson parses it, and a record that
 * Jackson rejects never costs the records after it.
 *
 * <p>Resynchronization. A line that begins with <code>{</code> always starts a record: if an object is still open
 * there, that object was truncated and becomes a {@link BadRecord} (pretty-printers indent nested objects, so valid
 * output never has an object's inner <code>{</code> in column 0). Once the first record turns out to sit on one
 * line, the input is newline-delimited and any line break inside an object ends that record as bad as well. An object
 * still open at the end of the input is one {@code BadRecord} for the rest. Bytes between objects that are not
 * whitespace are one bad record up to the end of their line. Blank lines and other whitespace between objects are
 * JSON whitespace: skipped, not records.
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

    private ReadResult object(Origin origin) throws IOException {
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        boolean sawNewline = false;
        boolean atLineStart = false;
        boolean lines = Boolean.TRUE.equals(lineDelimited);
        while (in.available()) {
            byte[] b = in.buf;
            int from = in.pos;
            int lim = in.lim;
            for (int p = from; p < lim; p++) {
                byte c = b[p];
                if (atLineStart && c == '{') {
                    record.append(b, from, p);
                    in.pos = p;
                    return new BadRecord(origin, "a line starts with '{' while this object is still open (truncated"
                            + " record); reading resumes with the object on that line", record.raw());
                }
                atLineStart = c == '\n';
                if (c == '\n') {
                    if (lines) {
                        record.append(b, from, p);
                        in.pos = p + 1;
                        return new BadRecord(origin, "line ends inside a JSON object (truncated record in"
                                + " newline-delimited input); reading resumes on the next line", record.raw());
                    }
                    sawNewline = true;
                }
                if (inString) {
                    if (escaped) {
                        escaped = false;
                    } else if (c == '\\') {
                        escaped = true;
                    } else if (c == '"') {
                        inString = false;
                    }
                } else if (c == '"') {
                    inString = true;
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if ((c == '}' || c == ']') && --depth == 0) {
                    record.append(b, from, p + 1);
                    in.pos = p + 1;
                    if (lineDelimited == null) {
                        lineDelimited = !sawNewline;
                    }
                    return complete(origin);
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
        in.close();
    }
}
