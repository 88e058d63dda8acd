package io.inorder.writeapi;

import io.inorder.arcion.Origin;
import java.util.Objects;

/** Remove one document by {@code _id}: {@code DELETE .../docs}. Deleting a missing document is harmless. */
public record Delete(String collection, String id, Origin origin) implements WriteOp {

    public Delete {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(origin, "origin");
    }
}
