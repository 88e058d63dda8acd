package io.inorder.local.workload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The oracle's model of one source table: its live rows by document {@code _id}, changed strictly in source order
 * (insert puts the row, update replaces columns and moves the row when its key changes, delete removes). It shares
 * no code with the readers or the mapper, so comparing the two cross-checks both. Rows are kept as compact arrays
 * and turned into documents only when asked. Not thread-safe.
 */
final class LiveRows {

    private static final ObjectMapper JSON = new ObjectMapper();

    final TableShape shape;
    private final Map<String, String[]> rows = new HashMap<>();
    /** Live ids in a list, for uniform random picks; {@link #at} finds an id's slot for O(1) removal. */
    private final List<String> ids = new ArrayList<>();
    private final Map<String, Integer> at = new HashMap<>();

    LiveRows(TableShape shape) {
        this.shape = shape;
    }

    int size() {
        return ids.size();
    }

    /**
     * The document {@code _id} of a row: one key column → its text; several → a JSON array of the texts, e.g.
     * {@code ["1003","2"]} (the table config's default {@code idFormat: text}).
     */
    String idOf(String[] row) {
        if (shape.key.length == 1) {
            return row[shape.key[0]];
        }
        List<String> texts = new ArrayList<>(shape.key.length);
        for (int k : shape.key) {
            texts.add(row[k]);
        }
        try {
            return JSON.writeValueAsString(texts);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a list of strings always serializes", e);
        }
    }

    String[] get(String id) {
        return rows.get(id);
    }

    String randomId(SplittableRandom r) {
        return ids.get(r.nextInt(ids.size()));
    }

    /** Puts a row under its own id (an insert, a snapshot row, or an update that keeps the key). */
    void put(String[] row) {
        String id = idOf(row);
        if (rows.put(id, row) == null) {
            at.put(id, ids.size());
            ids.add(id);
        }
    }

    void remove(String id) {
        if (rows.remove(id) == null) {
            return;
        }
        int slot = at.remove(id);
        String last = ids.remove(ids.size() - 1);
        if (slot < ids.size()) {
            ids.set(slot, last);
            at.put(last, slot);
        }
    }

    /** The expected documents, by {@code _id} in id order: every column, text as text, SQL NULL as JSON null. */
    Map<String, ObjectNode> documents() {
        Map<String, ObjectNode> out = new TreeMap<>();
        for (Map.Entry<String, String[]> e : rows.entrySet()) {
            ObjectNode doc = JsonNodeFactory.instance.objectNode();
            String[] row = e.getValue();
            for (int i = 0; i < row.length; i++) {
                if (row[i] == null) {
                    doc.putNull(shape.columns.get(i).name());
                } else {
                    doc.put(shape.columns.get(i).name(), row[i]);
                }
            }
            out.put(e.getKey(), doc);
        }
        return out;
    }
}
