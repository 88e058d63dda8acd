package io.inorder.mapping;

/** How a document {@code _id} is built from the primary-key values. */
public enum IdFormat {
    /** One key column: its value as text; several: a compact JSON array of the texts, e.g. {@code ["17","3"]}. */
    TEXT,
    /** The SHA-256 (lower-case hex) of the {@link #TEXT} form: fixed length, for long or sensitive keys. */
    SHA256
}
