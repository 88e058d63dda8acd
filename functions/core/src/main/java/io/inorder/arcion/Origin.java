package io.inorder.arcion;

import java.util.Objects;

/**
 * Where an input record came from: an S3 object and the record's index in it (with the byte offset where the
 * reader found it), or a Kafka topic, partition and offset. Every {@link ChangeEvent}, every Write API operation
 * built from it and every {@link BadRecord} carries one, so an operator can always find the source bytes.
 */
public record Origin(Kind kind, String source, int partition, long position, long byteOffset) {

    /** The transport a record arrived through. */
    public enum Kind { FILE, KAFKA }

    public Origin {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
    }

    /** Record {@code recordIndex} (0-based) of a file, found at {@code byteOffset} of its decompressed bytes. */
    public static Origin fileRecord(String key, long recordIndex, long byteOffset) {
        return new Origin(Kind.FILE, key, -1, recordIndex, byteOffset);
    }

    /** A Kafka record. */
    public static Origin kafka(String topic, int partition, long offset) {
        return new Origin(Kind.KAFKA, topic, partition, offset, -1);
    }

    /** The record index in its file, or the Kafka offset. */
    public long position() {
        return position;
    }

    /** Human-readable form used in logs and error messages: {@code key#12 (byte 3456)} or {@code topic/0@42}. */
    public String describe() {
        if (kind == Kind.KAFKA) {
            return source + "/" + partition + "@" + position;
        }
        return byteOffset >= 0 ? source + "#" + position + " (byte " + byteOffset + ")" : source + "#" + position;
    }

    @Override
    public String toString() {
        return describe();
    }
}
