package io.inorder.arcion;

import java.util.Arrays;
import java.util.Objects;

/**
 * An input record that cannot be applied: malformed, unmappable, or rejected by the Write API. It is never dropped
 * silently; the pipeline quarantines it with its origin, its raw bytes (as far as they could be isolated) and the
 * reason, and counts it.
 */
public record BadRecord(Origin origin, String reason, byte[] raw) implements ReadResult {

    private static final byte[] NONE = new byte[0];

    public BadRecord {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(reason, "reason");
        raw = raw == null ? NONE : raw;
    }

    public BadRecord(Origin origin, String reason) {
        this(origin, reason, NONE);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BadRecord b && origin.equals(b.origin) && reason.equals(b.reason)
                && Arrays.equals(raw, b.raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(origin, reason, Arrays.hashCode(raw));
    }

    @Override
    public String toString() {
        return "BadRecord[" + origin.describe() + ": " + reason + "]";
    }
}
