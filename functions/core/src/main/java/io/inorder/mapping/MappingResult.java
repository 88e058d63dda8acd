package io.inorder.mapping;

import io.inorder.arcion.BadRecord;
import io.inorder.writeapi.WriteOp;
import java.util.List;

/** What one change maps to: operations to apply, a counted skip, or a rejection to quarantine. */
public sealed interface MappingResult {

    /** Operations to apply, in order (a key-changing update yields a delete then an upsert). */
    record Apply(List<WriteOp> ops) implements MappingResult {
        public Apply {
            ops = List.copyOf(ops);
        }
    }

    /** Nothing to apply, for a reason worth counting. */
    record Skip(SkipReason reason, String table) implements MappingResult { }

    /** The change cannot be applied; the bad record says why and what to configure. */
    record Reject(BadRecord badRecord) implements MappingResult { }

    /** Why a change was skipped. */
    enum SkipReason {
        /** A Kafka tombstone: the delete before it did the work. */
        TOMBSTONE,
        /** An update whose after image names no column: nothing changed. */
        NO_CHANGE,
        /** A table the config does not name, with {@code unknownTables: ignore}, or Arcion's own heartbeat table. */
        UNCONFIGURED_TABLE
    }
}
