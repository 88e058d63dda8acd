package io.inorder.writeapi;

/**
 * Retriable: the Write API kept answering 408/429/5xx or failing at the transport level until the caller's deadline
 * (or the configured attempt limit) came. Checkpoint what was acknowledged and send the window again later (a new
 * invocation); re-sending is safe because every document has a deterministic {@code _id}.
 */
public final class WriteApiUnavailableException extends WriteApiException {

    public WriteApiUnavailableException(String message) {
        super(message, null);
    }

    public WriteApiUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retriable() {
        return true;
    }
}
