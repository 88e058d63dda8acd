package io.inorder.ledger;

import static io.inorder.ledger.Items.key;
import static io.inorder.ledger.Items.longOr;
import static io.inorder.ledger.Items.n;
import static io.inorder.ledger.Items.present;
import static io.inorder.ledger.Items.s;
import static io.inorder.ledger.Items.stringOrNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The S3 side of the ledger: which files of a stream have arrived, which is next to apply, how far into it the
 * stream got, and who holds the stream's lease.
 *
 * <p>Items ({@code pk = S3#<bucket>/<stream>}): {@code sk = CURSOR} holds {@code nextSeq}, {@code inFileRecord},
 * the lease and the totals; {@code sk = FILE#<seq, 20 digits>} holds one arrival. Stream ids are
 * {@code <bucket>/<stream>}.
 *
 * <p>Guarantees: every state change is a conditional write, so concurrent invocations cannot corrupt a cursor;
 * {@code nextSeq} only moves forward, one file at a time, and only under the lease; {@code inFileRecord} only moves
 * forward within a file. A lost condition is an outcome ({@link ArrivalOutcome}, an empty {@link Optional},
 * {@code false}, or {@link LeaseLostException} for writes made under a lease), never a leaked SDK exception.
 * Throttling and 5xx errors are retried by the SDK and otherwise propagate as retriable SDK exceptions.
 * Thread-safe.
 */
public final class FileLedger {

    public static final long DEFAULT_FIRST_SEQUENCE = 1;
    /** Applied arrivals expire this long after their file was applied; cursors never expire. */
    public static final Duration DEFAULT_ARRIVAL_RETENTION = Duration.ofDays(30);

    /** Most files one skip may pass over: each is checked absent in the skip's transaction (100 items at most). */
    public static final int MAX_SKIP = 97;

    /** Most keys one BatchGetItem takes. */
    private static final int BATCH_GET = 100;

    static final String CURSOR = "CURSOR";
    private static final String FILE_PREFIX = "FILE#";
    private static final String SKIP_PREFIX = "SKIP#";
    private static final String SKIP_FROM = "fromSeq";
    private static final String SKIP_TO = "toSeq";
    private static final String SKIP_REASON = "reason";
    private static final String SKIPPED_BY = "skippedBy";
    private static final String SKIPPED_AT = "skippedAt";
    private static final String FILES_SKIPPED = "filesSkipped";

    private static final String STREAM_ID = "streamId";
    private static final String NEXT_SEQ = "nextSeq";
    private static final String IN_FILE_RECORD = "inFileRecord";
    private static final String LEASE_OWNER = "leaseOwner";
    private static final String LEASE_EXPIRES_AT = "leaseExpiresAt";
    private static final String RECORDS = "recordsApplied";
    private static final String DOCUMENTS = "documentsWritten";
    private static final String REQUESTS = "requestsSent";
    private static final String QUARANTINED = "recordsQuarantined";
    private static final String FILES_APPLIED = "filesApplied";
    private static final String LAST_POSITION = "lastPosition";
    private static final String UPDATED_AT = "updatedAt";

    private static final String SEQ = "seq";
    private static final String OBJECT_KEY = "objectKey";
    private static final String ETAG = "eTag";
    private static final String OBJECT_SIZE = "objectSize";
    private static final String ARRIVED_AT = "arrivedAt";
    private static final String CONFLICT_COUNT = "conflictCount";
    private static final String LAST_CONFLICT_KEY = "lastConflictKey";
    private static final String LAST_CONFLICT_ETAG = "lastConflictETag";
    private static final String LAST_CONFLICT_AT = "lastConflictAt";
    private static final String APPLIED_AT = "appliedAt";
    private static final String APPLIED_RECORDS = "appliedRecords";

    /** Creates the cursor on first touch without disturbing an existing one. */
    private static final String ENSURE_CURSOR = NEXT_SEQ + " = if_not_exists(" + NEXT_SEQ + ", :first), "
            + IN_FILE_RECORD + " = if_not_exists(" + IN_FILE_RECORD + ", :zero), "
            + STREAM_ID + " = if_not_exists(" + STREAM_ID + ", :stream), "
            + LedgerTable.CURSOR_KIND + " = :kind";
    private static final String HOLDS_LEASE = LEASE_OWNER + " = :owner AND " + LEASE_EXPIRES_AT + " > :now";

    private final DynamoDbClient db;
    private final String table;
    private final Clock clock;
    private final long firstSequence;
    private final Duration arrivalRetention;

    public FileLedger(DynamoDbClient db, String table, Clock clock) {
        this(db, table, clock, DEFAULT_FIRST_SEQUENCE, DEFAULT_ARRIVAL_RETENTION);
    }

    /**
     * @param firstSequence    the sequence number a new stream starts waiting for ({@code FIRST_SEQUENCE})
     * @param arrivalRetention how long an applied arrival is kept before TTL may delete it
     */
    public FileLedger(DynamoDbClient db, String table, Clock clock, long firstSequence, Duration arrivalRetention) {
        this.db = Objects.requireNonNull(db, "db");
        this.table = Objects.requireNonNull(table, "table");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (firstSequence < 0) {
            throw new IllegalArgumentException("firstSequence must be >= 0, got " + firstSequence);
        }
        if (arrivalRetention.isNegative() || arrivalRetention.isZero()) {
            throw new IllegalArgumentException("arrivalRetention must be positive, got " + arrivalRetention);
        }
        this.firstSequence = firstSequence;
        this.arrivalRetention = arrivalRetention;
    }

    /**
     * Records that file {@code seq} of {@code stream} arrived. Creates the stream's cursor (at {@code firstSequence})
     * on its first arrival. Idempotent for redelivered notifications.
     *
     * <p>An object with another eTag under an already recorded sequence number is a conflicting re-upload wherever the
     * cursor is: the conflict is recorded on the arrival (count, last key and eTag, when) and the first recorded file
     * stays the one applied. Below the cursor one conditional write compares the eTags, so a redelivery costs no
     * extra call; a redelivery of the same conflicting object is not counted again.
     */
    public ArrivalOutcome recordArrival(String stream, long seq, String key, String eTag, long size,
                                        Instant arrivalTime) {
        requireStream(stream);
        requireSeq(seq);
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(eTag, "eTag");
        Objects.requireNonNull(arrivalTime, "arrivalTime");
        Map<String, AttributeValue> cursor = db.updateItem(b -> b.tableName(table).key(cursorKey(stream))
                .updateExpression("SET " + ENSURE_CURSOR)
                .expressionAttributeValues(Map.of(":first", n(firstSequence), ":zero", n(0), ":stream", s(stream),
                        ":kind", s(CursorKind.S3.name())))
                .returnValues(ReturnValue.ALL_NEW)).attributes();
        if (seq < longOr(cursor, NEXT_SEQ, firstSequence)) {
            return recordBelowCursor(stream, seq, key, eTag, arrivalTime);
        }
        Map<String, AttributeValue> item = new HashMap<>(fileKey(stream, seq));
        item.put(STREAM_ID, s(stream));
        item.put(SEQ, n(seq));
        item.put(OBJECT_KEY, s(key));
        item.put(ETAG, s(eTag));
        item.put(OBJECT_SIZE, n(size));
        item.put(ARRIVED_AT, n(arrivalTime.toEpochMilli()));
        Map<String, AttributeValue> existing;
        try {
            db.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(" + LedgerTable.PARTITION_KEY + ")")
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return ArrivalOutcome.NEW;
        } catch (ConditionalCheckFailedException recorded) {
            existing = recorded.hasItem() ? recorded.item() : getConsistent(fileKey(stream, seq));
        }
        if (eTag.equals(stringOrNull(existing, ETAG)) || eTag.equals(stringOrNull(existing, LAST_CONFLICT_ETAG))) {
            // The recorded object again, or the conflicting one again: that conflict is recorded already.
            return ArrivalOutcome.DUPLICATE;
        }
        db.updateItem(b -> b.tableName(table).key(fileKey(stream, seq))
                .updateExpression("SET " + LAST_CONFLICT_KEY + " = :k, " + LAST_CONFLICT_ETAG + " = :e, "
                        + LAST_CONFLICT_AT + " = :t ADD " + CONFLICT_COUNT + " :one")
                .expressionAttributeValues(Map.of(":k", s(key), ":e", s(eTag),
                        ":t", n(arrivalTime.toEpochMilli()), ":one", n(1))));
        return ArrivalOutcome.CONFLICT;
    }

    /**
     * A notification for a file below {@code nextSeq}: applied (or skipped by an operator). One conditional update of
     * its arrival records a conflict unless the object is the applied one or the conflict already recorded. When the
     * arrival is no longer held (expired by TTL after {@code arrivalRetention}, or never recorded: a skipped file, a
     * file an operator drove) the applied eTag is unknown and cannot be compared; the upload is then recorded as a
     * conflict on an item of its own that carries no arrival ({@link #conflict} shows the applied eTag as unknown),
     * because a notification that late is not a redelivery of the applied file's own (Lambda retries a notification
     * for at most 6 hours and the dead-letter queue keeps it 14 days, both shorter than the retention).
     */
    private ArrivalOutcome recordBelowCursor(String stream, long seq, String key, String eTag, Instant arrivalTime) {
        long expiresAt = arrivalTime.plus(arrivalRetention).getEpochSecond();
        try {
            db.updateItem(b -> b.tableName(table).key(fileKey(stream, seq))
                    .updateExpression("SET " + LAST_CONFLICT_KEY + " = :k, " + LAST_CONFLICT_ETAG + " = :e, "
                            + LAST_CONFLICT_AT + " = :t, " + STREAM_ID + " = if_not_exists(" + STREAM_ID + ", :stream), "
                            + SEQ + " = if_not_exists(" + SEQ + ", :seq), " + LedgerTable.TTL_ATTRIBUTE
                            + " = if_not_exists(" + LedgerTable.TTL_ATTRIBUTE + ", :ttl) ADD " + CONFLICT_COUNT
                            + " :one")
                    .conditionExpression("(attribute_not_exists(" + ETAG + ") OR " + ETAG + " <> :e) AND "
                            + "(attribute_not_exists(" + LAST_CONFLICT_ETAG + ") OR " + LAST_CONFLICT_ETAG + " <> :e)")
                    .expressionAttributeValues(Map.of(":k", s(key), ":e", s(eTag),
                            ":t", n(arrivalTime.toEpochMilli()), ":stream", s(stream), ":seq", n(seq),
                            ":ttl", n(expiresAt), ":one", n(1))));
            return ArrivalOutcome.CONFLICT_WITH_APPLIED;
        } catch (ConditionalCheckFailedException sameObject) {
            return ArrivalOutcome.ALREADY_APPLIED;
        }
    }

    /**
     * The conflicting re-uploads recorded for file {@code seq}, read consistently: empty when there were none. The
     * applied (or first recorded) key and eTag are null when that arrival is no longer held.
     */
    public Optional<ConflictingUpload> conflict(String stream, long seq) {
        requireStream(stream);
        Map<String, AttributeValue> item = getConsistent(fileKey(stream, seq));
        if (!present(item) || longOr(item, CONFLICT_COUNT, 0) == 0) {
            return Optional.empty();
        }
        return Optional.of(new ConflictingUpload(stream, seq, stringOrNull(item, OBJECT_KEY),
                stringOrNull(item, ETAG), longOr(item, CONFLICT_COUNT, 0), stringOrNull(item, LAST_CONFLICT_KEY),
                stringOrNull(item, LAST_CONFLICT_ETAG), Instant.ofEpochMilli(longOr(item, LAST_CONFLICT_AT, 0))));
    }

    /** The recorded arrival of file {@code seq}, read consistently. */
    public Optional<Arrival> arrival(String stream, long seq) {
        requireStream(stream);
        Map<String, AttributeValue> item = getConsistent(fileKey(stream, seq));
        if (!present(item) || !item.containsKey(OBJECT_KEY)) {
            // No item, or only the record of a conflicting upload below the cursor whose arrival had expired.
            return Optional.empty();
        }
        return Optional.of(arrivalOf(stream, seq, item));
    }

    private static Arrival arrivalOf(String stream, long seq, Map<String, AttributeValue> item) {
        return new Arrival(stream, seq, stringOrNull(item, OBJECT_KEY), stringOrNull(item, ETAG),
                longOr(item, OBJECT_SIZE, 0), Instant.ofEpochMilli(longOr(item, ARRIVED_AT, 0)),
                longOr(item, CONFLICT_COUNT, 0));
    }

    /** The stream's cursor, its next file's arrival and, when that is missing, the first file waiting behind it. */
    public StreamState state(String stream) {
        return state(cursor(stream));
    }

    /**
     * The state of the stream at {@code cursor}: one query for the first recorded arrival at or after
     * {@code nextSeq}, which is either the next file or, when that is missing, the first file waiting behind it.
     */
    public StreamState state(StreamCursor cursor) {
        String stream = cursor.stream();
        long nextSeq = cursor.nextSeq();
        // BETWEEN, not ">=": the stream's partition also holds its SKIP# records, which sort after every FILE#.
        QueryResponse found = db.query(b -> b.tableName(table).consistentRead(true).limit(1)
                .keyConditionExpression(LedgerTable.PARTITION_KEY + " = :pk AND " + LedgerTable.SORT_KEY
                        + " BETWEEN :from AND :to")
                .expressionAttributeValues(Map.of(":pk", s(partitionKey(stream)), ":from", s(fileSortKey(nextSeq)),
                        ":to", s(fileSortKey(Long.MAX_VALUE)))));
        if (found.items().isEmpty()) {
            return new StreamState(cursor, Optional.empty(), Optional.empty());
        }
        Map<String, AttributeValue> item = found.items().get(0);
        Arrival first = arrivalOf(stream, longOr(item, SEQ, -1), item);
        return first.seq() == nextSeq ? new StreamState(cursor, Optional.of(first), Optional.empty())
                : new StreamState(cursor, Optional.empty(), Optional.of(first));
    }

    /**
     * The cursors of {@code streams}, read consistently 100 at a time (DynamoDB BatchGetItem): how
     * {@code inorder status} reads thousands of streams in seconds. Operator code only: the functions' roles do not
     * grant {@code dynamodb:BatchGetItem}. A stream without a cursor item is at {@code firstSequence}, record 0.
     */
    public Map<String, StreamCursor> cursors(List<String> streams) {
        Map<String, StreamCursor> out = new HashMap<>();
        for (int from = 0; from < streams.size(); from += BATCH_GET) {
            List<Map<String, AttributeValue>> keys = new ArrayList<>();
            for (String stream : streams.subList(from, Math.min(streams.size(), from + BATCH_GET))) {
                requireStream(stream);
                keys.add(cursorKey(stream));
            }
            Map<String, KeysAndAttributes> pending = Map.of(table, KeysAndAttributes.builder().keys(keys)
                    .consistentRead(true).build());
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                Map<String, KeysAndAttributes> request = pending;
                BatchGetItemResponse got = db.batchGetItem(b -> b.requestItems(request));
                for (Map<String, AttributeValue> item : got.responses().getOrDefault(table, List.of())) {
                    String stream = item.get(LedgerTable.PARTITION_KEY).s().substring("S3#".length());
                    out.put(stream, cursorOf(stream, item));
                }
                pending = got.hasUnprocessedKeys() ? got.unprocessedKeys() : Map.of();
                if (!pending.isEmpty()) {
                    // Throttled keys come back unprocessed; back off before asking for them again.
                    sleepQuietly(Math.min(1_000L, 20L << Math.min(attempt, 6)));
                }
            }
        }
        for (String stream : streams) {
            out.computeIfAbsent(stream, this::cursorOf);
        }
        return out;
    }

    private StreamCursor cursorOf(String stream) {
        return new StreamCursor(stream, firstSequence, 0, null, null, Counters.ZERO, 0, null, null, 0);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading stream cursors", e);
        }
    }

    /** The lowest recorded sequence number above {@code seq}, if any: tells a gap (later files wait) from idle. */
    public OptionalLong firstArrivalAfter(String stream, long seq) {
        requireStream(stream);
        if (seq == Long.MAX_VALUE) {
            return OptionalLong.empty();
        }
        // BETWEEN, not ">": the stream's partition also holds its SKIP# records, which sort after every FILE#.
        QueryResponse found = db.query(b -> b.tableName(table).consistentRead(true).limit(1)
                .keyConditionExpression(LedgerTable.PARTITION_KEY + " = :pk AND " + LedgerTable.SORT_KEY
                        + " BETWEEN :from AND :to")
                .expressionAttributeValues(Map.of(":pk", s(partitionKey(stream)), ":from", s(fileSortKey(seq + 1)),
                        ":to", s(fileSortKey(Long.MAX_VALUE)))));
        return found.items().isEmpty() ? OptionalLong.empty() : OptionalLong.of(longOr(found.items().get(0), SEQ, -1));
    }

    /** How many recorded arrivals are at or after {@code seq} (files waiting when {@code seq} is the next one). */
    public long arrivalsFrom(String stream, long seq) {
        requireStream(stream);
        requireSeq(seq);
        long count = 0;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = db.query(b -> b.tableName(table).consistentRead(true).select(Select.COUNT)
                    .keyConditionExpression(LedgerTable.PARTITION_KEY + " = :pk AND " + LedgerTable.SORT_KEY
                            + " BETWEEN :from AND :to")
                    .expressionAttributeValues(Map.of(":pk", s(partitionKey(stream)), ":from", s(fileSortKey(seq)),
                            ":to", s(fileSortKey(Long.MAX_VALUE))))
                    .exclusiveStartKey(from));
            count += page.count();
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return count;
    }

    /**
     * Moves a blocked stream past missing files: {@code nextSeq} goes from {@code fromSeq} to {@code toSeq}, and a
     * skip record (who, when, why, which sequence numbers) is written beside the stream's arrivals, in one
     * transaction. Refused, with nothing changed, unless the stream is blocked exactly there: it waits at
     * {@code fromSeq} at record 0, nobody holds a live lease, file {@code toSeq} has arrived and none of the skipped
     * files has — all checked inside the transaction, so an arrival recorded a moment earlier is never skipped.
     *
     * @throws SkipRefusedException saying which condition failed
     */
    public SkipRecord skip(String stream, long fromSeq, long toSeq, String reason, String skippedBy) {
        requireStream(stream);
        requireSeq(fromSeq);
        if (reason == null || reason.isBlank()) {
            throw new SkipRefusedException("a skip needs a reason: it is recorded in the ledger for whoever asks "
                    + "later why files " + fromSeq + ".." + (toSeq - 1) + " of " + stream + " were never applied");
        }
        Objects.requireNonNull(skippedBy, "skippedBy");
        if (toSeq <= fromSeq) {
            throw new SkipRefusedException("--to " + toSeq + " must be above the file the stream waits for ("
                    + fromSeq + ")");
        }
        if (toSeq - fromSeq > MAX_SKIP) {
            throw new SkipRefusedException("skipping " + (toSeq - fromSeq) + " files at once is refused (at most "
                    + MAX_SKIP + " per skip, each checked in one transaction); skip in steps");
        }
        long now = clock.millis();
        SkipRecord record = new SkipRecord(stream, fromSeq, toSeq, reason.strip(), skippedBy,
                Instant.ofEpochMilli(now));
        List<TransactWriteItem> items = new ArrayList<>();
        items.add(TransactWriteItem.builder().update(u -> u.tableName(table).key(cursorKey(stream))
                .updateExpression("SET " + NEXT_SEQ + " = :to, " + UPDATED_AT + " = :now ADD " + FILES_SKIPPED
                        + " :skipped")
                .conditionExpression(NEXT_SEQ + " = :from AND " + IN_FILE_RECORD + " = :zero AND (attribute_not_exists("
                        + LEASE_OWNER + ") OR " + LEASE_EXPIRES_AT + " <= :now)")
                .expressionAttributeValues(Map.of(":to", n(toSeq), ":from", n(fromSeq), ":zero", n(0),
                        ":now", n(now), ":skipped", n(toSeq - fromSeq)))).build());
        Map<String, AttributeValue> skipItem = new HashMap<>(key(partitionKey(stream), SKIP_PREFIX
                + String.format("%020d", fromSeq)));
        skipItem.put(STREAM_ID, s(stream));
        skipItem.put(SKIP_FROM, n(fromSeq));
        skipItem.put(SKIP_TO, n(toSeq));
        skipItem.put(SKIP_REASON, s(record.reason()));
        skipItem.put(SKIPPED_BY, s(skippedBy));
        skipItem.put(SKIPPED_AT, n(now));
        items.add(TransactWriteItem.builder().put(p -> p.tableName(table).item(skipItem)
                .conditionExpression("attribute_not_exists(" + LedgerTable.PARTITION_KEY + ")")).build());
        items.add(TransactWriteItem.builder().conditionCheck(c -> c.tableName(table).key(fileKey(stream, toSeq))
                .conditionExpression("attribute_exists(" + LedgerTable.PARTITION_KEY + ")")).build());
        for (long seq = fromSeq; seq < toSeq; seq++) {
            Map<String, AttributeValue> file = fileKey(stream, seq);
            items.add(TransactWriteItem.builder().conditionCheck(c -> c.tableName(table).key(file)
                    .conditionExpression("attribute_not_exists(" + LedgerTable.PARTITION_KEY + ")")).build());
        }
        try {
            db.transactWriteItems(t -> t.transactItems(items));
            return record;
        } catch (TransactionCanceledException refused) {
            throw new SkipRefusedException(skipRefusal(stream, fromSeq, toSeq, refused));
        }
    }

    /** Why a skip transaction was cancelled, from the per-item reasons (in the order the items were given). */
    private String skipRefusal(String stream, long fromSeq, long toSeq, TransactionCanceledException refused) {
        List<CancellationReason> reasons = refused.hasCancellationReasons() ? refused.cancellationReasons()
                : List.of();
        for (int i = 3; i < reasons.size(); i++) {
            if ("ConditionalCheckFailed".equals(reasons.get(i).code())) {
                long seq = fromSeq + i - 3;
                return "file " + seq + " of " + stream + " has arrived (" + arrival(stream, seq).map(Arrival::key)
                        .orElse("?") + "): it will be applied, not skipped; skip only files that are missing";
            }
        }
        if (reasons.size() > 2 && "ConditionalCheckFailed".equals(reasons.get(2).code())) {
            return "file " + toSeq + " of " + stream + " has not arrived: a skip moves the stream onto a file that "
                    + "waits behind the gap (see 'inorder status'), so that nothing beyond it is skipped blindly";
        }
        if (reasons.size() > 1 && "ConditionalCheckFailed".equals(reasons.get(1).code())) {
            return "files from " + fromSeq + " of " + stream + " were already skipped once; check 'inorder status'";
        }
        StreamCursor cursor = cursor(stream);
        Instant at = clock.instant();
        if (cursor.liveLeaseOwner(at).isPresent()) {
            return stream + " is being drained right now (lease held by " + cursor.leaseOwner() + " until "
                    + cursor.leaseExpiresAt() + "); it is not blocked — wait and check 'inorder status' again";
        }
        if (cursor.nextSeq() != fromSeq || cursor.inFileRecord() != 0) {
            return stream + " is not blocked at file " + fromSeq + ": it waits for file " + cursor.nextSeq()
                    + (cursor.inFileRecord() == 0 ? "" : " (record " + cursor.inFileRecord() + " of it applied)");
        }
        return "the skip of " + stream + " was refused by DynamoDB (" + refused.getMessage() + "); try again";
    }

    /** The stream's skips, oldest first. */
    public List<SkipRecord> skips(String stream) {
        requireStream(stream);
        List<SkipRecord> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : Items.underPrefix(db, table, partitionKey(stream), SKIP_PREFIX)) {
            out.add(new SkipRecord(stream, longOr(item, SKIP_FROM, -1), longOr(item, SKIP_TO, -1),
                    stringOrNull(item, SKIP_REASON), stringOrNull(item, SKIPPED_BY),
                    Instant.ofEpochMilli(longOr(item, SKIPPED_AT, 0))));
        }
        return out;
    }

    /** The stream's cursor, read consistently; a stream never seen yet is at {@code firstSequence}, record 0. */
    public StreamCursor cursor(String stream) {
        requireStream(stream);
        Map<String, AttributeValue> item = getConsistent(cursorKey(stream));
        if (!present(item)) {
            return cursorOf(stream);
        }
        return cursorOf(stream, item);
    }

    private StreamCursor cursorOf(String stream, Map<String, AttributeValue> item) {
        String owner = stringOrNull(item, LEASE_OWNER);
        long expires = longOr(item, LEASE_EXPIRES_AT, 0);
        long updated = longOr(item, UPDATED_AT, -1);
        return new StreamCursor(stream, longOr(item, NEXT_SEQ, firstSequence), longOr(item, IN_FILE_RECORD, 0),
                owner, owner == null ? null : Instant.ofEpochMilli(expires),
                new Counters(longOr(item, RECORDS, 0), longOr(item, DOCUMENTS, 0), longOr(item, REQUESTS, 0),
                        longOr(item, QUARANTINED, 0)),
                longOr(item, FILES_APPLIED, 0), stringOrNull(item, LAST_POSITION),
                updated < 0 ? null : Instant.ofEpochMilli(updated), longOr(item, FILES_SKIPPED, 0));
    }

    /**
     * The cursor of {@code lease}'s stream, read consistently, after checking the lease is still held.
     *
     * @throws LeaseLostException when it is not: stop before writing anything
     */
    public StreamCursor cursorUnder(Lease lease) {
        StreamCursor cursor = cursor(lease.stream());
        Instant now = clock.instant();
        if (!cursor.heldBy(lease, now)) {
            throw lost(lease, cursor, now);
        }
        return cursor;
    }

    /**
     * Checks, without a read while it can, that {@code lease} is still held: a live lease cannot be taken by anyone
     * else (every taker's condition is that it expired), so until its expiry by this clock the holder needs no read;
     * after it the cursor is read, as in {@link #cursorUnder}.
     *
     * @throws LeaseLostException when it expired and is no longer held
     */
    public void requireUnexpired(Lease lease) {
        if (clock.instant().isBefore(lease.expiresAt())) {
            return;
        }
        cursorUnder(lease);
    }

    /**
     * Takes the stream's lease for {@code duration} if nobody holds it, it has expired, or {@code owner} already
     * holds it. Empty when someone else holds a live lease: that holder will see every recorded arrival.
     */
    public Optional<Lease> tryAcquireLease(String stream, String owner, Duration duration) {
        requireStream(stream);
        requireOwner(owner);
        requirePositive(duration);
        long now = clock.millis();
        long expires = now + duration.toMillis();
        try {
            db.updateItem(b -> b.tableName(table).key(cursorKey(stream))
                    .updateExpression("SET " + LEASE_OWNER + " = :owner, " + LEASE_EXPIRES_AT + " = :expires, "
                            + ENSURE_CURSOR)
                    .conditionExpression("attribute_not_exists(" + LEASE_OWNER + ") OR " + LEASE_EXPIRES_AT
                            + " <= :now OR " + LEASE_OWNER + " = :owner")
                    .expressionAttributeValues(Map.of(":owner", s(owner), ":expires", n(expires), ":now", n(now),
                            ":first", n(firstSequence), ":zero", n(0), ":stream", s(stream),
                            ":kind", s(CursorKind.S3.name()))));
            return Optional.of(new Lease(stream, owner, Instant.ofEpochMilli(expires)));
        } catch (ConditionalCheckFailedException held) {
            return Optional.empty();
        }
    }

    /** Extends a lease that is still held; empty when it was lost (expired or taken over). */
    public Optional<Lease> renew(Lease lease, Duration duration) {
        requirePositive(duration);
        long now = clock.millis();
        long expires = now + duration.toMillis();
        try {
            db.updateItem(b -> b.tableName(table).key(cursorKey(lease.stream()))
                    .updateExpression("SET " + LEASE_EXPIRES_AT + " = :expires")
                    .conditionExpression(HOLDS_LEASE)
                    .expressionAttributeValues(Map.of(":owner", s(lease.owner()), ":now", n(now),
                            ":expires", n(expires))));
            return Optional.of(new Lease(lease.stream(), lease.owner(), Instant.ofEpochMilli(expires)));
        } catch (ConditionalCheckFailedException lost) {
            return Optional.empty();
        }
    }

    /** Gives the lease up; false when this owner no longer held it (nothing changed then). */
    public boolean release(Lease lease) {
        try {
            db.updateItem(b -> b.tableName(table).key(cursorKey(lease.stream()))
                    .updateExpression("REMOVE " + LEASE_OWNER + ", " + LEASE_EXPIRES_AT)
                    .conditionExpression(LEASE_OWNER + " = :owner")
                    .expressionAttributeValues(Map.of(":owner", s(lease.owner()))));
            return true;
        } catch (ConditionalCheckFailedException notMine) {
            return false;
        }
    }

    /**
     * Records that the first {@code inFileRecord} records of file {@code seq} are applied (call after each
     * acknowledged window) and adds {@code delta} to the totals. {@code lastPosition} (nullable) is the source
     * position of the last applied record.
     *
     * @throws LeaseLostException    when the lease is no longer held: stop writing at once
     * @throws IllegalStateException when the lease is held but the cursor is not at file {@code seq} or is already
     *                               past {@code inFileRecord} (a caller bug: checkpoints must follow the cursor)
     */
    public void checkpoint(Lease lease, long seq, long inFileRecord, Counters delta, String lastPosition) {
        requireSeq(seq);
        if (inFileRecord < 0) {
            throw new IllegalArgumentException("inFileRecord must be >= 0, got " + inFileRecord);
        }
        Objects.requireNonNull(delta, "delta");
        long now = clock.millis();
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":owner", s(lease.owner()), ":now", n(now),
                ":seq", n(seq), ":record", n(inFileRecord), ":records", n(delta.records()),
                ":documents", n(delta.documents()), ":requests", n(delta.requests()),
                ":quarantined", n(delta.quarantined())));
        String set = "SET " + IN_FILE_RECORD + " = :record, " + UPDATED_AT + " = :now";
        if (lastPosition != null) {
            set += ", " + LAST_POSITION + " = :position";
            values.put(":position", s(lastPosition));
        }
        // Quarantined records are counted here, with the checkpoint that passes them, so `inorder status` reads
        // counts off the cursors instead of every quarantined record.
        String update = set + " ADD " + RECORDS + " :records, " + DOCUMENTS + " :documents, " + REQUESTS
                + " :requests, " + QUARANTINED + " :quarantined";
        try {
            db.updateItem(b -> b.tableName(table).key(cursorKey(lease.stream()))
                    .updateExpression(update)
                    .conditionExpression(HOLDS_LEASE + " AND " + NEXT_SEQ + " = :seq AND " + IN_FILE_RECORD
                            + " <= :record")
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException refused) {
            throw refusal(lease, "checkpoint of file " + seq + " at record " + inFileRecord);
        }
    }

    /**
     * Marks file {@code seq} as fully applied ({@code recordCount} records): {@code nextSeq} becomes
     * {@code seq + 1} and {@code inFileRecord} 0. Then stamps the arrival with its TTL so the table does not grow
     * forever (if that second write is lost to a crash, the arrival merely stays; the cursor is the truth).
     *
     * @throws LeaseLostException    when the lease is no longer held
     * @throws IllegalStateException when the cursor is not at file {@code seq} or already past {@code recordCount}
     */
    public void completeFile(Lease lease, long seq, long recordCount) {
        requireSeq(seq);
        if (recordCount < 0) {
            throw new IllegalArgumentException("recordCount must be >= 0, got " + recordCount);
        }
        long now = clock.millis();
        try {
            db.updateItem(b -> b.tableName(table).key(cursorKey(lease.stream()))
                    .updateExpression("SET " + NEXT_SEQ + " = :next, " + IN_FILE_RECORD + " = :zero, " + UPDATED_AT
                            + " = :now ADD " + FILES_APPLIED + " :one")
                    .conditionExpression(HOLDS_LEASE + " AND " + NEXT_SEQ + " = :seq AND " + IN_FILE_RECORD
                            + " <= :count")
                    .expressionAttributeValues(Map.of(":owner", s(lease.owner()), ":now", n(now), ":seq", n(seq),
                            ":next", n(seq + 1), ":zero", n(0), ":count", n(recordCount), ":one", n(1))));
        } catch (ConditionalCheckFailedException refused) {
            throw refusal(lease, "completion of file " + seq + " with " + recordCount + " records");
        }
        long expiresAtSeconds = Instant.ofEpochMilli(now).plus(arrivalRetention).getEpochSecond();
        try {
            db.updateItem(b -> b.tableName(table).key(fileKey(lease.stream(), seq))
                    .updateExpression("SET " + APPLIED_AT + " = :now, " + APPLIED_RECORDS + " = :count, "
                            + LedgerTable.TTL_ATTRIBUTE + " = :ttl")
                    .conditionExpression("attribute_exists(" + LedgerTable.PARTITION_KEY + ")")
                    .expressionAttributeValues(Map.of(":now", n(now), ":count", n(recordCount),
                            ":ttl", n(expiresAtSeconds))));
        } catch (ConditionalCheckFailedException noArrival) {
            // The file was applied without a recorded arrival (an operator drove it): nothing to expire.
        }
    }

    /** Why a write under {@code lease} was refused: lost lease (expected) or a cursor the caller misread (bug). */
    private RuntimeException refusal(Lease lease, String what) {
        StreamCursor now = cursor(lease.stream());
        Instant at = clock.instant();
        if (!now.heldBy(lease, at)) {
            return lost(lease, now, at);
        }
        return new IllegalStateException(what + " on stream " + lease.stream() + " refused: the cursor is at file "
                + now.nextSeq() + " record " + now.inFileRecord() + "; re-read the cursor and resume from there");
    }

    private static LeaseLostException lost(Lease lease, StreamCursor cursor, Instant now) {
        return new LeaseLostException(lease, cursor.liveLeaseOwner(now).orElse(null),
                cursor.leaseExpiresAt() == null ? 0 : cursor.leaseExpiresAt().toEpochMilli());
    }

    private Map<String, AttributeValue> getConsistent(Map<String, AttributeValue> key) {
        return db.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
    }

    static String partitionKey(String stream) {
        return "S3#" + stream;
    }

    static String fileSortKey(long seq) {
        return FILE_PREFIX + String.format("%020d", seq);
    }

    private static Map<String, AttributeValue> cursorKey(String stream) {
        return key(partitionKey(stream), CURSOR);
    }

    private static Map<String, AttributeValue> fileKey(String stream, long seq) {
        return key(partitionKey(stream), fileSortKey(seq));
    }

    private static void requireStream(String stream) {
        if (stream == null || stream.isEmpty()) {
            throw new IllegalArgumentException("stream id must be '<bucket>/<stream>', got " + stream);
        }
    }

    private static void requireSeq(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("sequence number must be >= 0, got " + seq);
        }
    }

    private static void requireOwner(String owner) {
        if (owner == null || owner.isEmpty()) {
            throw new IllegalArgumentException("lease owner must be a non-empty id unique per invocation");
        }
    }

    private static void requirePositive(Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("lease duration must be positive, got " + duration);
        }
    }
}
