package io.inorder.pipeline;

import io.inorder.arcion.Origin;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of the quarantine as read back: the bad record's origin, reason, raw bytes and time, with the object that
 * holds it. {@link #id} ({@code <object key without the prefix>#<record index or offset>}) names the line for as long
 * as the line exists: it does not depend on the line's place in the object, so removing other lines keeps it.
 * {@link #objectETag} is the object's entity tag when it was read, for conditional rewrites. Immutable.
 */
public record QuarantinedRecord(String id, String objectKey, String objectETag, Origin origin, String reason,
                                Instant quarantinedAt, byte[] raw) {

    public QuarantinedRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(objectKey, "objectKey");
        Objects.requireNonNull(objectETag, "objectETag");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(reason, "reason");
        raw = raw == null ? new byte[0] : raw.clone();
    }

    /** A copy of the raw bytes (the record's own bytes, as far as they could be isolated). */
    @Override
    public byte[] raw() {
        return raw.clone();
    }

    /** The raw bytes as text when they are valid UTF-8 (how people read and edit a record), else empty. */
    public Optional<String> rawText() {
        return Optional.ofNullable(strictUtf8(raw));
    }

    /** {@code bytes} decoded as UTF-8, or null when they are not valid UTF-8 (never a lossy decoding). */
    static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Size of the raw bytes, without copying them. */
    public int rawLength() {
        return raw.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuarantinedRecord q && id.equals(q.id) && objectKey.equals(q.objectKey)
                && objectETag.equals(q.objectETag) && origin.equals(q.origin) && reason.equals(q.reason)
                && Objects.equals(quarantinedAt, q.quarantinedAt) && Arrays.equals(raw, q.raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, objectKey, objectETag, origin, reason, quarantinedAt, Arrays.hashCode(raw));
    }

    @Override
    public String toString() {
        return "QuarantinedRecord[" + id + ": " + origin.describe() + ": " + reason + "]";
    }
}
