package io.inorder.ledger;

/**
 * The lease on a stream is no longer held by this invocation (it expired or another owner took it), so the
 * ledger refused a checkpoint or completion. Permanent for the invocation: stop applying immediately and write
 * nothing more; the current holder continues from the last checkpoint. Not a failure to retry.
 */
public final class LeaseLostException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Lease lease;

    public LeaseLostException(Lease lease, String holder, long holderExpiresAtMillis) {
        super("lease on stream " + lease.stream() + " lost by " + lease.owner() + " (now held by "
                + (holder == null ? "nobody" : holder + " until epoch ms " + holderExpiresAtMillis)
                + "); stop this invocation: the current holder resumes from the last checkpoint");
        this.lease = lease;
    }

    public Lease lease() {
        return lease;
    }
}
