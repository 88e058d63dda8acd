package io.inorder.ledger;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an S3 stream stands: file {@code nextSeq} is the next to apply and its first {@code inFileRecord} records
 * are already applied (acknowledged by the Write API). Also who holds the lease, the running totals and the
 * source position of the last checkpointed record, and how many files were skipped by an operator (their skip records
 * sit beside the arrivals).
 */
public record StreamCursor(String stream, long nextSeq, long inFileRecord, String leaseOwner,
                           Instant leaseExpiresAt, Counters totals, long filesApplied, String lastPosition,
                           Instant updatedAt, long filesSkipped) {

    public StreamCursor {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(totals, "totals");
    }

    /** The owner, if the lease is held by anyone and has not expired at {@code now}. */
    public Optional<String> liveLeaseOwner(Instant now) {
        return leaseOwner != null && leaseExpiresAt != null && leaseExpiresAt.isAfter(now)
                ? Optional.of(leaseOwner) : Optional.empty();
    }

    /** True when {@code lease} is the current, unexpired lease. */
    public boolean heldBy(Lease lease, Instant now) {
        return liveLeaseOwner(now).filter(lease.owner()::equals).isPresent();
    }
}
