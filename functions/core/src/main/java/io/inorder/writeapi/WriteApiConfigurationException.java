package io.inorder.writeapi;

/**
 * Permanent: the Write API refused the request for a reason only an operator can fix (401/403/404: API key, role
 * permissions, missing workspace or collection, invalid names). The message names the input and the fix. Fail loudly;
 * nothing was acknowledged, so nothing is lost.
 */
public final class WriteApiConfigurationException extends WriteApiException {

    public WriteApiConfigurationException(String message) {
        super(message, null);
    }

    @Override
    public boolean retriable() {
        return false;
    }
}
