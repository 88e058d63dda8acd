package io.inorder.writeapi;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.inorder.arcion.Row;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Encodes one operation as the JSON item of a request's {@code data} array, exactly once, into bytes that the request
 * body then references without copying. Row and patch values follow the Row convention: {@code null} is JSON null, a
 * String is a JSON string, a JsonNode is written as is.
 */
final class RequestItems {

    static final ObjectMapper JSON = new ObjectMapper()
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final ObjectReader TREE = JSON.reader();

    static final byte[] PREFIX = "{\"data\":[".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SUFFIX = "]}".getBytes(StandardCharsets.US_ASCII);
    static final byte[] COMMA = {','};
    /** Bytes of a request body beyond its items and the commas between them. */
    static final int BODY_OVERHEAD = PREFIX.length + SUFFIX.length;

    static final String ID = "_id";
    static final String EVENT_TIME = "_event_time";

    private static final byte[] PATCH_END = "]}".getBytes(StandardCharsets.US_ASCII);

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);

    /** {@code {"_id": id, ...columns..., "_event_time": n}}; {@code _event_time} only when {@code eventTimeMicros ≥ 0}. */
    byte[] upsert(String id, Row document, long eventTimeMicros) {
        buffer.reset();
        try (JsonGenerator g = JSON.createGenerator(buffer)) {
            g.writeStartObject();
            g.writeStringField(ID, id);
            for (int i = 0; i < document.size(); i++) {
                String name = document.name(i);
                // The Upsert contract keeps these two out of the row; writing them twice would make a document whose
                // meaning depends on which duplicate key the server keeps.
                if (name.equals(ID) || (name.equals(EVENT_TIME) && eventTimeMicros >= 0)) {
                    continue;
                }
                g.writeFieldName(name);
                writeValue(g, document.value(i));
            }
            if (eventTimeMicros >= 0) {
                g.writeNumberField(EVENT_TIME, eventTimeMicros);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /** {@code {"_id": id, "patch": [ops...]}}. */
    byte[] patch(String id, List<PatchOperation> operations) {
        buffer.reset();
        try (JsonGenerator g = JSON.createGenerator(buffer)) {
            g.writeStartObject();
            g.writeStringField(ID, id);
            g.writeArrayFieldStart("patch");
            writeOperations(g, operations);
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /** {@code {"_id": id}}. */
    byte[] delete(String id) {
        buffer.reset();
        try (JsonGenerator g = JSON.createGenerator(buffer)) {
            g.writeStartObject();
            g.writeStringField(ID, id);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /**
     * A patch item with {@code operations} appended to an existing patch item: a byte splice (the old item always ends
     * in {@code ]}}), so the operations already in the window are not encoded again.
     */
    byte[] appendToPatch(byte[] patchItem, List<PatchOperation> operations) {
        buffer.reset();
        buffer.write(patchItem, 0, patchItem.length - PATCH_END.length);
        buffer.write(',');
        try (JsonGenerator g = JSON.createGenerator(buffer)) {
            // A generator refuses bare values separated by commas at the root, so write them in an array and drop
            // its brackets below.
            g.writeStartArray();
            writeOperations(g, operations);
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] withBrackets = buffer.toByteArray();
        int arrayStart = patchItem.length - PATCH_END.length + 1;
        byte[] out = new byte[withBrackets.length - 2 + PATCH_END.length];
        System.arraycopy(withBrackets, 0, out, 0, arrayStart);
        System.arraycopy(withBrackets, arrayStart + 1, out, arrayStart, withBrackets.length - arrayStart - 2);
        System.arraycopy(PATCH_END, 0, out, out.length - PATCH_END.length, PATCH_END.length);
        return out;
    }

    /**
     * The upsert item with top-level {@code add} operations applied, as a new document (the one case where a document
     * is encoded again: it is a different document). The caller has checked {@link #isTopLevelAdd} for each one.
     */
    byte[] applyToUpsert(byte[] upsertItem, List<PatchOperation> operations) {
        ObjectNode doc;
        try {
            doc = (ObjectNode) TREE.readTree(upsertItem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (PatchOperation op : operations) {
            doc.set(topLevelField(op.path()), toNode(op.value()));
        }
        buffer.reset();
        try (JsonGenerator g = JSON.createGenerator(buffer)) {
            JSON.writeTree(g, doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /**
     * Whether the operation sets one top-level field other than {@code _id}/{@code _event_time}: exactly what
     * {@code Row.with} does to the document, so it can be folded into an upsert without changing the outcome.
     */
    static boolean isTopLevelAdd(PatchOperation op) {
        if (!op.op().equalsIgnoreCase("add")) {
            return false;
        }
        String path = op.path();
        if (path.length() < 2 || path.charAt(0) != '/' || path.indexOf('/', 1) >= 0) {
            return false;
        }
        String field = topLevelField(path);
        return !field.equals(ID) && !field.equals(EVENT_TIME);
    }

    private static String topLevelField(String path) {
        return path.substring(1).replace("~1", "/").replace("~0", "~");
    }

    private static void writeOperations(JsonGenerator g, List<PatchOperation> operations) throws IOException {
        for (PatchOperation op : operations) {
            g.writeStartObject();
            g.writeStringField("op", op.op());
            g.writeStringField("path", op.path());
            if (carriesValue(op.op())) {
                g.writeFieldName("value");
                writeValue(g, op.value());
            }
            if (op.from() != null) {
                g.writeStringField("from", op.from());
            }
            g.writeEndObject();
        }
    }

    /** RFC 6902 gives a value to add, replace and test; Rockset adds increment (reference §2). */
    private static boolean carriesValue(String op) {
        return switch (op.toLowerCase(Locale.ROOT)) {
            case "add", "replace", "test", "increment" -> true;
            default -> false;
        };
    }

    private static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof JsonNode n) {
            JSON.writeTree(g, n);
        } else {
            throw new IllegalArgumentException("row values are null, String or JsonNode, got " + value.getClass());
        }
    }

    private static JsonNode toNode(Object value) {
        if (value == null) {
            return NullNode.getInstance();
        } else if (value instanceof String s) {
            return TextNode.valueOf(s);
        } else if (value instanceof JsonNode n) {
            return n;
        }
        throw new IllegalArgumentException("patch values are null, String or JsonNode, got " + value.getClass());
    }
}
