package io.inorder.arcion;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One source change, normalized from any Arcion format. Immutable.
 *
 * @param table          {@code catalog.schema.name} with null parts left out, or {@code null} when the record
 *                       carries no table (flat snapshot rows, CSV lines): the caller resolves it from the source
 * @param op             what the change did
 * @param before         the old image (columns really present), or {@code null} when the format has none
 * @param after          the new image (columns really present), or {@code null} for deletes and tombstones
 * @param beforeCompleteness whether {@code before} holds every column of the row (Arcion
 *                       {@code before-image-format: ALL}) or only some (KEY, the default), as far as the record says
 * @param afterCompleteness whether {@code after} holds every column of the row (Arcion {@code after-image-format: ALL})
 *                       or only the changed ones (UPDATED, the default), as far as the record says; partial images map
 *                       to patches rather than upserts
 * @param sourceTimeMillis the source change time ({@code cursor.timestamp}, JSON CDC {@code source.ts_ms}) in epoch
 *                       milliseconds, or -1 when unknown; informative only, never an ordering key
 * @param position       the source position (the cursor as compact JSON text), or {@code null}
 * @param messageKey     the JSON CDC message key payload, usable as the primary key, or {@code null}
 * @param origin         where the record came from
 */
public record ChangeEvent(
        String table,
        Op op,
        Row before,
        Row after,
        Completeness beforeCompleteness,
        Completeness afterCompleteness,
        long sourceTimeMillis,
        String position,
        JsonNode messageKey,
        Origin origin) implements ReadResult {

    public ChangeEvent {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(beforeCompleteness, "beforeCompleteness");
        Objects.requireNonNull(afterCompleteness, "afterCompleteness");
        Objects.requireNonNull(origin, "origin");
    }

    /** This event attributed to a table resolved from its source (file, topic or command line). */
    public ChangeEvent withTable(String resolved) {
        return new ChangeEvent(resolved, op, before, after, beforeCompleteness, afterCompleteness, sourceTimeMillis,
                position, messageKey, origin);
    }
}
