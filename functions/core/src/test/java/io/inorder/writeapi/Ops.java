package io.inorder.writeapi;

import com.fasterxml.jackson.databind.node.IntNode;
import io.inorder.arcion.Origin;
import io.inorder.arcion.Row;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builders for write operations in tests; each gets the next record index of a fake file as its origin. */
final class Ops {

    private final String collection;
    private long next;

    Ops(String collection) {
        this.collection = collection;
    }

    Origin origin() {
        return Origin.fileRecord("s3://bucket/orders_0001.json", next++, -1);
    }

    Upsert upsert(String id, Object... columns) {
        return upsertAt(id, -1, columns);
    }

    Upsert upsertAt(String id, long eventTimeMicros, Object... columns) {
        return new Upsert(collection, id, row(columns), eventTimeMicros, origin());
    }

    Patch patch(String id, PatchOperation... ops) {
        return new Patch(collection, id, List.of(ops), origin());
    }

    Patch set(String id, String field, Object value) {
        return patch(id, add(field, value));
    }

    /** {@code add} of a top-level field; an Integer value becomes a JSON number. */
    static PatchOperation add(String field, Object value) {
        return PatchOperation.addField(field, json(value));
    }

    static Object json(Object v) {
        return v instanceof Integer n ? IntNode.valueOf(n) : v;
    }

    Delete delete(String id) {
        return new Delete(collection, id, origin());
    }

    /** Name/value pairs; Integers become JSON numbers, Strings stay text. */
    static Row row(Object... columns) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < columns.length; i += 2) {
            m.put((String) columns[i], json(columns[i + 1]));
        }
        return Row.of(m);
    }
}
