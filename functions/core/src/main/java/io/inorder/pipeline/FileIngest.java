package io.inorder.pipeline;

import io.inorder.arcion.ArcionFormat;
import io.inorder.arcion.ArcionReader;
import io.inorder.arcion.ArcionReaders;
import io.inorder.arcion.ChangeEvent;
import io.inorder.arcion.ReadResult;
import io.inorder.arcion.ReaderOptions;
import io.inorder.ledger.Arrival;
import io.inorder.ledger.SnapshotGate;
import io.inorder.mapping.ChangeMapper;
import io.inorder.mapping.TableMapping;
import io.inorder.observe.Metrics;
import io.inorder.writeapi.Deadline;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Applies one S3 file of a stream: streams the object (never loaded whole), reads it from record {@code fromRecord}
 * on, and writes it window by window through an {@link OrderedWriter}, checkpointing {@code inFileRecord} after every
 * acknowledged window. The object is read with {@code If-Match} on the recorded eTag, so a conflicting re-upload is
 * never applied in place of the file the ledger sequenced.
 *
 * <p>A table with {@code snapshotPrefixes} has its snapshot files in streams of their own: those write under the
 * table's snapshot writer lease, and a change of the table on any other stream stops its file there until the
 * snapshot is declared complete ({@link SnapshotOrder}, as for split Kafka topics).
 */
public final class FileIngest implements FileApplier {

    private final S3Client s3;
    private final IngestServices services;
    private final ArcionFormat format;
    private final Duration stopMargin;
    private final SnapshotOrder snapshots;

    /**
     * @param stopMargin how long before the invocation's deadline the drain's (soft) deadline lies
     *                   ({@link DrainSettings#stopMargin()}): Write API requests may use it, so a window in flight
     *                   when the soft deadline passes completes instead of failing the invocation
     */
    public FileIngest(S3Client s3, IngestServices services, SnapshotGate gates, ArcionFormat format,
            Duration stopMargin) {
        this.s3 = s3;
        this.services = services;
        this.format = format;
        this.stopMargin = stopMargin;
        // A held stream gives up at once: it holds the stream's lease, and the reconciler re-drives it later.
        this.snapshots = new SnapshotOrder(gates, table -> services.mapper().config().table(table)
                .map(t -> !t.snapshotPrefixes().isEmpty()).orElse(false), Duration.ZERO, services.metrics());
    }

    /** One file on its own: its table marks are written, and its fence awaited, when it ends. */
    @Override
    public Progress apply(Arrival arrival, long fromRecord, Checkpointer checkpointer, Deadline deadline) {
        Unit unit = open(arrival.stream(), deadline);
        Progress progress;
        try {
            progress = unit.apply(arrival, fromRecord, checkpointer, deadline);
        } catch (RuntimeException | Error failure) {
            unit.abandon(failure);
            throw failure;
        }
        unit.end();
        return progress;
    }

    /**
     * One drain's files share one {@link Visibility}: the tables' marks are written once per drain (and once per
     * commit fence that passed), and the fence runs in the background while the files go on.
     */
    @Override
    public Unit open(String stream, Deadline deadline) {
        Visibility visibility = new Visibility(services, deadline);
        return new Unit() {
            @Override
            public Progress apply(Arrival arrival, long fromRecord, Checkpointer checkpointer, Deadline until) {
                return applyFile(arrival, fromRecord, checkpointer, until, visibility);
            }

            @Override
            public void end() {
                visibility.finish();
            }

            @Override
            public void abandon(Throwable failure) {
                visibility.abandon(failure);
            }
        };
    }

    private Progress applyFile(Arrival arrival, long fromRecord, Checkpointer checkpointer, Deadline deadline,
            Visibility visibility) {
        String bucket = bucketOf(arrival);
        Optional<TableMapping> table = services.mapper().config().tableForKey(arrival.key());
        ReaderOptions options = table.map(t -> t.readerOptions(format))
                .orElse(ReaderOptions.defaults().withFormat(format));
        String tableHint = table.map(TableMapping::table).orElse(null);
        OrderedWriter writer = new OrderedWriter(services, deadline.earlier(stopMargin.negated()), tableHint,
                visibility, (last, delta, position) -> checkpointer.windowAcknowledged(last.position() + 1, delta, position));
        String snapshotOf = services.mapper().config().snapshotTableForKey(arrival.key()).map(TableMapping::table)
                .orElse(null);
        SnapshotOrder.Source order = snapshots.open(arrival.stream(), snapshotOf, tableHint,
                SnapshotOrder.leaseUntil(deadline, stopMargin));
        boolean clean = false;
        try (InputStream in = open(bucket, arrival);
             ArcionReader reader = ArcionReaders.open(in, arrival.key(), options)) {
            for (long skipped = 0; skipped < fromRecord; skipped++) {
                if (reader.next() == null) {
                    throw new IllegalStateException("s3://" + bucket + "/" + arrival.key() + " has fewer records ("
                            + skipped + ") than its checkpoint (" + fromRecord + "): the object changed after it was "
                            + "partly applied");
                }
            }
            for (ReadResult r = reader.next(); r != null; r = reader.next()) {
                ReadResult read = r;
                ReadResult record;
                try {
                    record = order.admit(read, () -> read instanceof ChangeEvent e ? ChangeMapper.render(e)
                            : new byte[0]);
                } catch (SnapshotOrder.Held held) {
                    // Everything before it is checkpointed; the stream waits here for the snapshot.
                    writer.flush();
                    clean = true;
                    order.await(held, deadline);
                    return Progress.held(held.getMessage());
                }
                writer.accept(record);
                if (deadline.hasPassed()) {
                    writer.flush();
                    clean = true;
                    return Progress.stoppedAtWindowBoundary();
                }
            }
            writer.flush();
            clean = true;
            services.metrics().increment(Metrics.Name.FILES_APPLIED);
            return Progress.complete(reader.recordsRead());
        } catch (IOException e) {
            throw new UncheckedIOException("reading s3://" + bucket + "/" + arrival.key() + ": " + e.getMessage(), e);
        } finally {
            order.close(clean);
        }
    }

    /** The bucket of a stream id {@code <bucket>/<stream>} (bucket names never contain '/'). */
    private static String bucketOf(Arrival arrival) {
        return arrival.stream().substring(0, arrival.stream().indexOf('/'));
    }

    private InputStream open(String bucket, Arrival arrival) {
        try {
            // Recorded eTags are bare (as S3 events carry them); If-Match takes the quoted entity tag (RFC 9110).
            String quoted = arrival.eTag().startsWith("\"") ? arrival.eTag() : "\"" + arrival.eTag() + "\"";
            return s3.getObject(g -> g.bucket(bucket).key(arrival.key()).ifMatch(quoted));
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                throw new IllegalStateException("s3://" + bucket + "/" + arrival.key() + " no longer has the eTag "
                        + arrival.eTag() + " its arrival recorded: it was overwritten by a conflicting upload. The "
                        + "stream stops here; inspect the object, then skip the file or re-register it", e);
            }
            throw e;
        }
    }
}
