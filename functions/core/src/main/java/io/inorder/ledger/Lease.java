package io.inorder.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * Proof that {@code owner} held the exclusive right to apply files of {@code stream} until {@code expiresAt}.
 * Every ledger write made under it is conditional on the lease still being held, so a stale lease can never move
 * a cursor. Owners must be unique per invocation (the Lambda request id).
 */
public record Lease(String stream, String owner, Instant expiresAt) {

    public Lease {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
