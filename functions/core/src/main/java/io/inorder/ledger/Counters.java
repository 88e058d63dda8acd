package io.inorder.ledger;

/**
 * Work counted by the ledger: source records applied, documents written, Write API requests sent and records
 * quarantined. Cursors add these atomically (DynamoDB {@code ADD}) in the same conditional write that moves them, so
 * concurrent writers never lose an increment and a window replayed after a crash is counted once.
 */
public record Counters(long records, long documents, long requests, long quarantined) {

    public static final Counters ZERO = new Counters(0, 0, 0, 0);

    public Counters {
        if (records < 0 || documents < 0 || requests < 0 || quarantined < 0) {
            throw new IllegalArgumentException("counters must not be negative: records=" + records
                    + ", documents=" + documents + ", requests=" + requests + ", quarantined=" + quarantined);
        }
    }

    /** Work without quarantined records. */
    public Counters(long records, long documents, long requests) {
        this(records, documents, requests, 0);
    }

    public Counters plus(Counters other) {
        return new Counters(records + other.records, documents + other.documents, requests + other.requests,
                quarantined + other.quarantined);
    }
}
