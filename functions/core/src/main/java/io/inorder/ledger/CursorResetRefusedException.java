package io.inorder.ledger;

/** A partition cursor reset was refused and nothing changed; the message says why and what to do. */
public final class CursorResetRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CursorResetRefusedException(String message) {
        super(message);
    }
}
