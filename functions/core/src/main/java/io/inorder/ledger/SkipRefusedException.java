package io.inorder.ledger;

/** A skip was refused and nothing changed; the message says why and what to check. */
public final class SkipRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SkipRefusedException(String message) {
        super(message);
    }
}
