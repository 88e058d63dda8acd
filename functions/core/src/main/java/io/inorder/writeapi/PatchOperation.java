package io.inorder.writeapi;

import java.util.Objects;

/**
 * One RFC 6902 operation (plus Rockset's INCREMENT). The mapper only emits {@code add} on top-level paths; the other
 * kinds exist because the Write API and the emulator accept them.
 *
 * @param op    {@code add}, {@code remove}, {@code replace}, {@code copy}, {@code move}, {@code test}, {@code increment}
 * @param path  a JSON Pointer, e.g. {@code /status}
 * @param value the value, with the same conventions as {@code Row} values (null, String or JsonNode)
 * @param from  the source pointer for copy and move, else {@code null}
 */
public record PatchOperation(String op, String path, Object value, String from) {

    public PatchOperation {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(path, "path");
    }

    /** {@code add} of a top-level field, with the field name escaped as a JSON Pointer token (RFC 6901). */
    public static PatchOperation addField(String field, Object value) {
        return new PatchOperation("add", "/" + field.replace("~", "~0").replace("/", "~1"), value, null);
    }
}
