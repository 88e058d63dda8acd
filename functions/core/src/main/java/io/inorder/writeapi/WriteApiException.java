package io.inorder.writeapi;

/**
 * A failure to write through the Write API that the caller must act on. {@link #retriable()} splits them: retriable
 * failures (the service is unavailable or the deadline came first) mean "checkpoint what was acknowledged and try the
 * same window again later"; permanent ones mean "stop and fix the configuration", and retrying would not help.
 * Nothing is lost either way: the window that failed was not acknowledged, so no cursor passes it.
 */
public abstract sealed class WriteApiException extends RuntimeException
        permits WriteApiUnavailableException, WriteApiConfigurationException, WriteApiProtocolException {

    WriteApiException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True when the same window may succeed if sent again later. */
    public abstract boolean retriable();
}
