package io.inorder.mapping;

/** The table configuration is missing, unreadable or invalid; the message names the file, the table and the field. */
public final class TableConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TableConfigException(String message) {
        super(message);
    }

    public TableConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
