package io.inorder.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * A file recorded for a stream: sequence number, S3 key and eTag (read the object with {@code If-Match} on this eTag
 * so a conflicting re-upload is never applied in its place), size in bytes and when it arrived.
 * {@code conflicts} counts later uploads of the same sequence number with another eTag.
 */
public record Arrival(String stream, long seq, String key, String eTag, long size, Instant arrivedAt,
                      long conflicts) {

    public Arrival {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(eTag, "eTag");
        Objects.requireNonNull(arrivedAt, "arrivedAt");
    }
}
