package io.inorder.writeapi;

/**
 * Permanent: the Write API answered with a status this writer does not expect for a well-formed request (405, 406,
 * 409, 415, 501, ...) or a commit fence it cannot read. The message carries the status, the endpoint and the start of
 * the response body. It points at a client/server mismatch (wrong URL, a proxy in between), not at the data.
 */
public final class WriteApiProtocolException extends WriteApiException {

    public WriteApiProtocolException(String message) {
        super(message, null);
    }

    @Override
    public boolean retriable() {
        return false;
    }
}
