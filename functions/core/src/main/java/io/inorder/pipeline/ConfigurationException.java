package io.inorder.pipeline;

/**
 * The function's environment is invalid: thrown at cold start so the function never runs half-configured. The
 * message names the variable and what a valid value looks like.
 */
public final class ConfigurationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
