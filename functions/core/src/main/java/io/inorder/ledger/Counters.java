package io.inorder.ledger;

/**
 * Work counted by the ledger: source records applied, documents written and Write API requests sent. Cursors add
 * these atomically (DynamoDB {@code ADD}), so concurrent writers never lose an increment.
 */
public record Counters(long records, long documents, long requests) {

    public static final Counters ZERO = new Counters(0, 0, 0);

    public Counters {
        if (records < 0 || documents < 0 || requests < 0) {
            throw new IllegalArgumentException("counters must not be negative: records=" + records
                    + ", documents=" + documents + ", requests=" + requests);
        }
    }

    public Counters plus(Counters other) {
        return new Counters(records + other.records, documents + other.documents, requests + other.requests);
    }
}
