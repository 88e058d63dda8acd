package io.inorder.arcion;

import java.io.Closeable;
import java.io.IOException;

/**
 * Streams the records of one input (an S3 object, a file, one Kafka value) one at a time, never holding more than
 * the current record in memory. Malformed records come out as {@link BadRecord}s and reading goes on with the next
 * record wherever the framing allows it; when it does not (a corrupt gzip stream, JSON whose object boundaries are
 * lost), one {@code BadRecord} describes the rest of the input and the reader ends. Not thread-safe.
 */
public interface ArcionReader extends Closeable {

    /** The next record, or {@code null} at the end of the input. */
    ReadResult next() throws IOException;

    /** The number of records returned so far (the index the next record will carry). */
    long recordsRead();
}
