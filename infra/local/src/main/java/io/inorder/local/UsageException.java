package io.inorder.local;

/** A command-line or configuration mistake: reported in one line, exit code 2. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
