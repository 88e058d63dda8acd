package io.inorder.pipeline;

import io.inorder.arcion.BadRecord;
import java.util.List;

/**
 * Where bad records go: each one kept with its origin, raw bytes and reason, so nothing is dropped without a trace
 * and every one can be fixed and replayed. Writing the same batch twice (a redelivered window) must not duplicate it.
 */
public interface Quarantine {

    /**
     * Stores one window's bad records (all from one source, in origin order); returns where they went. The caller
     * bounds a window's bad records ({@link OrderedWriter#MAX_BAD_RECORDS}, {@link OrderedWriter#MAX_BAD_BYTES}); an
     * implementation keeps what it holds at once bounded too, writing large batches in chunks.
     */
    String put(List<BadRecord> records);
}
