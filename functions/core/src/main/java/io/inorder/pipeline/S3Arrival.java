package io.inorder.pipeline;

import java.time.Instant;
import java.util.Objects;

/**
 * An S3 object-created notification already matched to its stream and sequence number: {@code key} is the
 * URL-decoded object key, {@code stream} the regex's {@code stream} group, {@code seq} its {@code seq} group.
 */
public record S3Arrival(String bucket, String key, String eTag, long size, String stream, long seq,
                        Instant eventTime) {

    public S3Arrival {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(eTag, "eTag");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(eventTime, "eventTime");
        if (seq < 0) {
            throw new IllegalArgumentException("sequence number must be >= 0 for s3://" + bucket + "/" + key);
        }
    }

    /** The ledger's stream id: {@code <bucket>/<stream>}, so equal stream names in two buckets never mix. */
    public String streamId() {
        return bucket + "/" + stream;
    }
}
