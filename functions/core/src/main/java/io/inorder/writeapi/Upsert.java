package io.inorder.writeapi;

import io.inorder.arcion.Origin;
import io.inorder.arcion.Row;
import java.util.Objects;

/**
 * Add (or overwrite) a whole document: {@code POST .../docs}. The document never contains {@code _id} or
 * {@code _event_time}; the request builder writes them from {@link #id()} and {@link #eventTimeMicros()}.
 *
 * @param eventTimeMicros the {@code _event_time} to set (epoch microseconds), or -1 to let Rockset use ingest time
 */
public record Upsert(String collection, String id, Row document, long eventTimeMicros, Origin origin)
        implements WriteOp {

    public Upsert {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(document, "document");
        Objects.requireNonNull(origin, "origin");
    }
}
