package io.inorder.pipeline;

import io.inorder.writeapi.Deadline;

import io.inorder.ledger.Arrival;
import io.inorder.ledger.Counters;
import io.inorder.ledger.LeaseLostException;

/**
 * Applies one file of a stream to the Write API, window by window, starting at a record index. The ordering
 * protocol ({@link S3StreamDrain}) calls it only while holding the stream's lease and only for the stream's next
 * file.
 *
 * <p>Contract: skip the first {@code fromRecord} records (they are applied); after each window the Write API
 * acknowledged, call {@link Checkpointer#windowAcknowledged} with the index of the next record; at a window
 * boundary where {@code deadline} has passed, return {@link Progress#stoppedAtWindowBoundary()}; at the end return
 * {@link Progress#complete(long)} with the file's record count. {@code deadline} is the soft one (the invocation's
 * deadline minus {@link DrainSettings#stopMargin()}); Write API retries may use the margin. Let a
 * {@link LeaseLostException} from the checkpointer propagate. Read the object with {@code If-Match} on
 * {@link Arrival#eTag()} so a conflicting re-upload is never applied in place of the recorded file. Throwing is
 * safe: the stream resumes from the last checkpoint, so a window is re-sent at most once per failure (idempotent
 * writes make that harmless) and nothing is skipped.
 */
@FunctionalInterface
public interface FileApplier {

    Progress apply(Arrival arrival, long fromRecord, Checkpointer checkpointer, Deadline deadline);

    /**
     * Opens the work of one drain of {@code stream}: its files are applied through the returned unit, which is ended
     * once when the drain ends, after the stream's lease was released. An applier keeps per-drain state there (the
     * tables' marks and the commit fence, written once per drain instead of once per window). The default applies
     * each file on its own and keeps nothing.
     *
     * @param deadline the drain's soft deadline, as {@link #apply} gets it
     */
    default Unit open(String stream, Deadline deadline) {
        return new Unit() {
            @Override
            public Progress apply(Arrival arrival, long fromRecord, Checkpointer checkpointer, Deadline until) {
                return FileApplier.this.apply(arrival, fromRecord, checkpointer, until);
            }

            @Override
            public void end() {
                // Nothing kept per drain.
            }

            @Override
            public void abandon(Throwable failure) {
                // Nothing kept per drain.
            }
        };
    }

    /** One drain's files, applied one after another on one thread ({@link #apply} has the contract above). */
    interface Unit {

        Progress apply(Arrival arrival, long fromRecord, Checkpointer checkpointer, Deadline deadline);

        /** The drain ended normally; may wait briefly (within the deadline) and may throw what it found then. */
        void end();

        /** The drain failed with {@code failure}: end without waiting; add any failure of its own to it. */
        void abandon(Throwable failure);
    }

    /** Moves the stream's cursor after an acknowledged window. */
    @FunctionalInterface
    interface Checkpointer {

        /**
         * @param nextRecord   index of the first record not yet applied (records before it are acknowledged)
         * @param delta        work done in the window
         * @param lastPosition source position of the window's last record, or null
         * @throws LeaseLostException when the lease was lost: stop immediately and write nothing more
         */
        void windowAcknowledged(long nextRecord, Counters delta, String lastPosition);
    }

    /**
     * How an {@link #apply} call ended.
     *
     * @param heldFor why the file stopped before a change that must wait for its table's snapshot (every record
     *                before it checkpointed), or null
     */
    record Progress(boolean complete, long recordCount, String heldFor) {

        public static Progress complete(long recordCount) {
            if (recordCount < 0) {
                throw new IllegalArgumentException("recordCount must be >= 0, got " + recordCount);
            }
            return new Progress(true, recordCount, null);
        }

        /** Stopped for time after a checkpointed window; the next drain resumes there. */
        public static Progress stoppedAtWindowBoundary() {
            return new Progress(false, -1, null);
        }

        /**
         * Stopped after a checkpointed window, before a change whose table's snapshot is not complete: the stream
         * waits (no continuation) and resumes at its next notification or reconciler sweep.
         */
        public static Progress held(String reason) {
            return new Progress(false, -1, java.util.Objects.requireNonNull(reason, "reason"));
        }
    }
}
