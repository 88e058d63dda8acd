package io.inorder.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.Map;

/**
 * Baseline (b), the straightforward implementation: {@code readTree} per record, build the document as an
 * {@link ObjectNode} ({@code _id} from {@code id}, the after image's present columns with S3 {@code "null"}
 * placeholders as nulls, {@code _event_time} on inserts from the cursor, which S3 JSON double-encodes and so needs a
 * second {@code readTree}), {@code writeValueAsBytes}, and frame the documents into request bodies within the same
 * limits. It handles what the benchmark input holds (inserts and full-image updates of {@value CdcRecords#TABLE});
 * for that input its bytes equal the pipeline's.
 */
final class TreeModelBaseline {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectReader TREES = MAPPER.readerFor(JsonNode.class);

    private final int maxBytes;
    private final int maxDocuments;

    TreeModelBaseline(int maxBytes, int maxDocuments) {
        this.maxBytes = maxBytes;
        this.maxDocuments = maxDocuments;
    }

    /** Returns the records read. */
    long run(byte[] input, OutputStream out) throws IOException {
        long records = 0;
        RequestFramer framer = new RequestFramer(out, maxBytes, maxDocuments);
        try (MappingIterator<JsonNode> it = TREES.readValues(input)) {
            while (it.hasNext()) {
                framer.add(MAPPER.writeValueAsBytes(document(it.next())));
                records++;
            }
        }
        framer.finish();
        return records;
    }

    private static ObjectNode document(JsonNode record) throws IOException {
        JsonNode tableName = record.get("tableName");
        String table = tableName.get("namespace").get("catalog").asText() + "." + tableName.get("name").asText();
        String op = record.get("opType").asText();
        if (!CdcRecords.TABLE.equals(table) || !(op.equals("I") || op.equals("U"))) {
            throw new IllegalArgumentException("the tree-model baseline handles inserts and updates of "
                    + CdcRecords.TABLE + ", not " + op + " on " + table);
        }
        JsonNode cursor = record.get("cursor");
        if (cursor.isTextual()) {
            cursor = MAPPER.readTree(cursor.asText());
        }
        JsonNode exists = record.get("exists");
        JsonNode after = record.get("after");
        ObjectNode doc = MAPPER.createObjectNode();
        doc.put("_id", after.get("id").asText());
        for (Iterator<Map.Entry<String, JsonNode>> f = after.fields(); f.hasNext(); ) {
            Map.Entry<String, JsonNode> column = f.next();
            JsonNode value = column.getValue();
            if (exists != null) {
                if ((Integer.parseInt(exists.get(column.getKey()).asText()) & 1) == 0) {
                    continue;
                }
                if (value.isTextual() && value.asText().equals("null")) {
                    value = NullNode.getInstance();
                }
            }
            doc.set(column.getKey(), value);
        }
        if (op.equals("I")) {
            doc.put("_event_time", cursor.get("timestamp").asLong() * 1000);
        }
        return doc;
    }
}
