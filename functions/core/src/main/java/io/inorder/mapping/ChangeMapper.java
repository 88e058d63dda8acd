package io.inorder.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.arcion.BadRecord;
import io.inorder.arcion.ChangeEvent;
import io.inorder.arcion.Completeness;
import io.inorder.arcion.Op;
import io.inorder.arcion.Row;
import io.inorder.mapping.MappingResult.Apply;
import io.inorder.mapping.MappingResult.Reject;
import io.inorder.mapping.MappingResult.Skip;
import io.inorder.mapping.MappingResult.SkipReason;
import io.inorder.writeapi.Delete;
import io.inorder.writeapi.Patch;
import io.inorder.writeapi.PatchOperation;
import io.inorder.writeapi.Upsert;
import io.inorder.writeapi.WriteOp;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps one {@link ChangeEvent} to Write API operations (architecture §3, "ChangeMapper"). Stateless and
 * thread-safe; the same event always maps to the same operations, so replays converge.
 *
 * <ul>
 *   <li>insert, snapshot row, or update with a complete after image → upsert of the after image;</li>
 *   <li>update with a partial after image (Arcion {@code exists}, or no {@code exists} map and the table's
 *       {@code afterImage} is {@code updated}, Arcion's default) → patch with one {@code add} per present column,
 *       key from {@code before};</li>
 *   <li>delete → delete, key from {@code before} (or the JSON CDC message key);</li>
 *   <li>update whose key changed → delete of the old id, then upsert of the new row (the after image when it is
 *       complete, else the complete before image with the changes over it; otherwise refused);</li>
 *   <li>tombstone → nothing.</li>
 * </ul>
 * {@code _event_time} (microseconds) is set on inserts only, from the source timestamp: Rockset special fields are
 * immutable once written, so it marks creation and plays no part in ordering.
 */
public final class ChangeMapper {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TableConfig config;

    public ChangeMapper(TableConfig config) {
        this.config = config;
    }

    public TableConfig config() {
        return config;
    }

    /** Maps one change. Never throws for bad data: a change that cannot be applied comes back as a rejection. */
    public MappingResult map(ChangeEvent event) {
        if (event.op() == Op.TOMBSTONE) {
            return new Skip(SkipReason.TOMBSTONE, event.table());
        }
        if (event.table() == null) {
            return reject(event, "the record names no table (a flat snapshot row or CSV line): pass --table, or "
                    + "configure \"prefixes\" or \"topics\" for its table in the table config");
        }
        TableMapping mapping = config.table(event.table()).orElse(null);
        if (mapping == null) {
            if (isHeartbeat(event.table()) || config.unknownTables() == TableConfig.UnknownTables.IGNORE) {
                return new Skip(SkipReason.UNCONFIGURED_TABLE, event.table());
            }
            return reject(event, "table '" + event.table() + "' is not in the table config: add it under \"tables\", "
                    + "or set \"unknownTables\": \"ignore\"");
        }
        try {
            return new Apply(ops(event, mapping));
        } catch (Unmappable e) {
            return new Reject(BadRecord.withDetail(event.origin(), e.summary, e.getMessage(), render(event)));
        } catch (NoChange e) {
            return new Skip(SkipReason.NO_CHANGE, event.table());
        }
    }

    private List<WriteOp> ops(ChangeEvent e, TableMapping m) throws Unmappable, NoChange {
        String collection = m.collection();
        return switch (e.op()) {
            case INSERT, SNAPSHOT_ROW -> {
                Row after = requireImage(e, e.after(), "after");
                String id = id(e, m, after, "after");
                long eventTime = e.op() == Op.INSERT && m.eventTime() && e.sourceTimeMillis() >= 0
                        ? e.sourceTimeMillis() * 1000 : -1;
                yield List.of(new Upsert(collection, id, typed(after, m, e), eventTime, e.origin()));
            }
            case DELETE -> {
                Row before = e.before() != null ? e.before() : Row.empty();
                yield List.of(new Delete(collection, id(e, m, before, "before"), e.origin()));
            }
            case UPDATE -> update(e, m);
            case TOMBSTONE -> throw new IllegalStateException("tombstones are skipped before mapping");
        };
    }

    private List<WriteOp> update(ChangeEvent e, TableMapping m) throws Unmappable, NoChange {
        Row before = e.before() != null ? e.before() : Row.empty();
        Row after = requireImage(e, e.after(), "after");
        // Images without an exists map (NATIVE, JSON CDC) are whole rows only when the table config says Arcion writes
        // them so; the default (UPDATED / KEY, Arcion's own) never lets a partial image replace a document.
        boolean afterComplete = e.afterCompleteness() == Completeness.COMPLETE
                || (e.afterCompleteness() == Completeness.UNSTATED && m.afterImage() == TableMapping.AfterImage.ALL);
        boolean beforeComplete = e.beforeCompleteness() == Completeness.COMPLETE
                || (e.beforeCompleteness() == Completeness.UNSTATED && m.beforeImage() == TableMapping.BeforeImage.ALL);
        List<String> key = keyColumns(e, m);
        String oldId = hasAll(before, key) ? idOf(e, m, before, key, "before") : null;
        String newId = hasAll(after, key) ? idOf(e, m, after, key, "after") : null;
        if (oldId == null && newId == null) {
            throw new Unmappable("update on table '" + m.table() + "' carries key column(s) " + key
                    + " in neither image: check that \"primaryKey\" names the source table's key (Arcion's "
                    + "before-image-format KEY, its default, writes the key in the before image)");
        }
        if (afterComplete && newId == null) {
            throw new Unmappable("update on table '" + m.table() + "' has an after image without key column(s) " + key
                    + " although \"afterImage\" is \"all\": the image is partial (Arcion's after-image-format UPDATED),"
                    + " so it cannot replace the document; set \"afterImage\": \"updated\" for the table, or Arcion's "
                    + "after-image-format to ALL");
        }
        String collection = m.collection();
        if (oldId != null && newId != null && !oldId.equals(newId)) {
            if (afterComplete) {
                return List.of(new Delete(collection, oldId, e.origin()),
                        new Upsert(collection, newId, typed(after, m, e), -1, e.origin()));
            }
            if (beforeComplete) {
                // The whole old row with the changed columns over it is the whole new row.
                return List.of(new Delete(collection, oldId, e.origin()),
                        new Upsert(collection, newId, typed(before.with(after), m, e), -1, e.origin()));
            }
            boolean declared = e.afterCompleteness() == Completeness.UNSTATED;
            String fix = " but its images are partial, so the new row cannot be built: set Arcion's "
                    + "after-image-format to ALL (or before-image-format to ALL)" + (declared ? " and \"afterImage\": "
                    + "\"all\" (or \"beforeImage\": \"all\") for the table in the table config" : "");
            throw new Unmappable("update on table '" + m.table() + "' changes the key" + fix,
                    "update on table '" + m.table() + "' changes the key from " + oldId + " to " + newId + fix);
        }
        String id = newId != null ? newId : oldId;
        if (afterComplete) {
            return List.of(new Upsert(collection, id, typed(after, m, e), -1, e.origin()));
        }
        if (after.isEmpty()) {
            throw new NoChange();
        }
        Row changed = typed(after, m, e);
        List<PatchOperation> patch = new ArrayList<>(changed.size());
        for (int i = 0; i < changed.size(); i++) {
            patch.add(PatchOperation.addField(changed.name(i), changed.value(i)));
        }
        return List.of(new Patch(collection, id, patch, e.origin()));
    }

    private static Row requireImage(ChangeEvent e, Row image, String side) throws Unmappable {
        if (image == null) {
            throw new Unmappable(e.op().name().toLowerCase(Locale.ROOT) + " on table '" + e.table() + "' has no "
                    + side + " image");
        }
        return image;
    }

    private String id(ChangeEvent e, TableMapping m, Row image, String side) throws Unmappable {
        List<String> key = keyColumns(e, m);
        if (m.primaryKey().isEmpty()) {
            return idOf(e, m, messageKeyRow(e.messageKey()), key, "message key");
        }
        return idOf(e, m, image, key, side);
    }

    /** The configured key, or the JSON CDC message key's columns when the config leaves the key empty. */
    private static List<String> keyColumns(ChangeEvent e, TableMapping m) throws Unmappable {
        if (!m.primaryKey().isEmpty()) {
            return m.primaryKey();
        }
        if (e.messageKey() == null || !e.messageKey().isObject() || e.messageKey().isEmpty()) {
            throw new Unmappable("table '" + m.table() + "' has no \"primaryKey\" in the table config and the record "
                    + "has no message key to use: configure \"primaryKey\" for it");
        }
        List<String> cols = new ArrayList<>();
        e.messageKey().fieldNames().forEachRemaining(cols::add);
        return cols;
    }

    private static String idOf(ChangeEvent e, TableMapping m, Row image, List<String> key, String side)
            throws Unmappable {
        List<String> texts = new ArrayList<>(key.size());
        for (String column : key) {
            int at = image.indexOf(column);
            if (at < 0) {
                throw new Unmappable("key column '" + column + "' of table '" + m.table() + "' is missing from the "
                        + side + " image: check \"primaryKey\" (configured " + key + "), or set Arcion's image "
                        + "formats to carry the key");
            }
            String text = DocumentId.text(image.value(at));
            if (text == null) {
                throw new Unmappable("key column '" + column + "' of table '" + m.table() + "' is NULL in the "
                        + side + " image; a document needs a non-null key");
            }
            texts.add(text);
        }
        return DocumentId.of(texts, m.idFormat());
    }

    private static Row messageKeyRow(JsonNode key) {
        Row.Builder b = new Row.Builder();
        if (key != null && key.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = key.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                b.put(f.getKey(), f.getValue().isNull() ? null : f.getValue());
            }
        }
        return b.build();
    }

    private static boolean hasAll(Row image, List<String> key) {
        for (String k : key) {
            if (!image.has(k)) {
                return false;
            }
        }
        return !key.isEmpty();
    }

    /** The image with type hints applied; {@code _id}-like special fields from the source are passed through. */
    private static Row typed(Row image, TableMapping m, ChangeEvent e) throws Unmappable {
        if (m.types().isEmpty()) {
            return image;
        }
        Row.Builder b = new Row.Builder();
        for (int i = 0; i < image.size(); i++) {
            ColumnType type = m.types().get(image.name(i));
            Object v = image.value(i);
            b.put(image.name(i), type == null || v == null ? v : convert(v, type, image.name(i), m));
        }
        return b.build();
    }

    private static Object convert(Object value, ColumnType type, String column, TableMapping m) throws Unmappable {
        String text = value instanceof String s ? s : null;
        JsonNode node = value instanceof JsonNode n ? n : null;
        switch (type) {
            case STRING:
                return text != null ? text : DocumentId.text(node);
            case NUMBER:
                if (node != null && node.isNumber()) {
                    return node;
                }
                String t = text != null ? text.trim() : DocumentId.text(node);
                try {
                    if (t.matches("-?\\d+")) {
                        BigInteger big = new BigInteger(t);
                        return big.bitLength() < 64 ? JsonNodeFactory.instance.numberNode(big.longValue())
                                : JsonNodeFactory.instance.numberNode(big);
                    }
                    return DecimalNode.valueOf(new BigDecimal(t));
                } catch (NumberFormatException ex) {
                    throw new Unmappable(badSummary(column, m, "a number"), bad(column, m, t, "a number"));
                }
            case BOOLEAN:
                if (node != null && node.isBoolean()) {
                    return node;
                }
                String bt = (text != null ? text : DocumentId.text(node)).trim().toLowerCase(Locale.ROOT);
                return switch (bt) {
                    case "true", "t", "1", "yes", "y" -> BooleanNode.TRUE;
                    case "false", "f", "0", "no", "n" -> BooleanNode.FALSE;
                    default -> throw new Unmappable(badSummary(column, m, "a boolean"), bad(column, m, bt,
                            "a boolean"));
                };
            case JSON:
                if (node != null) {
                    return node;
                }
                try {
                    return JSON.readTree(text);
                } catch (JsonProcessingException ex) {
                    throw new Unmappable(badSummary(column, m, "JSON"), bad(column, m, text, "JSON"));
                }
            default:
                throw new IllegalStateException("unhandled type " + type);
        }
    }

    private static String bad(String column, TableMapping m, String value, String expected) {
        String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return "column '" + column + "' of table '" + m.table() + "' holds '" + shown + "', not " + expected
                + ": fix \"types\" in the table config";
    }

    /** {@link #bad} without the value, for logs. */
    private static String badSummary(String column, TableMapping m, String expected) {
        return "column '" + column + "' of table '" + m.table() + "' does not hold " + expected
                + ": fix \"types\" in the table config";
    }

    private static boolean isHeartbeat(String table) {
        // Replicant's own bookkeeping tables (REPLICATE_IO_CDC_HEARTBEAT, replicate_io_* schema dumps): never data.
        return table.toLowerCase(Locale.ROOT).contains("replicate_io_");
    }

    private static Reject reject(ChangeEvent e, String reason) {
        return new Reject(new BadRecord(e.origin(), reason, render(e)));
    }

    /** A JSON rendering of the change for the quarantine, so an operator sees what was refused. */
    public static byte[] render(ChangeEvent e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("table", e.table());
        o.put("op", e.op().name());
        o.set("before", rowJson(e.before()));
        o.set("after", rowJson(e.after()));
        o.put("beforeCompleteness", e.beforeCompleteness().name());
        o.put("afterCompleteness", e.afterCompleteness().name());
        o.put("position", e.position());
        if (e.sourceTimeMillis() >= 0) {
            o.put("sourceTimeMillis", e.sourceTimeMillis());
        }
        if (e.messageKey() != null) {
            o.set("messageKey", e.messageKey());
        }
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The change {@link #render} wrote for a refused record, read back with {@code origin}, so a change the mapper
     * refused (an unknown table, a bad type hint) can be mapped again once the table config is fixed. Text values
     * come back as text, other JSON values as JSON, as the readers produce them. Empty when {@code raw} is not such a
     * rendering (source record bytes, a Write API document).
     */
    public static java.util.Optional<ChangeEvent> renderedChange(byte[] raw, io.inorder.arcion.Origin origin) {
        JsonNode n;
        try {
            n = JSON.readTree(raw);
        } catch (java.io.IOException e) {
            return java.util.Optional.empty();
        }
        if (n == null || !n.isObject() || !n.path("op").isTextual() || !n.has("before") || !n.has("after")
                || !n.has("table")) {
            return java.util.Optional.empty();
        }
        Completeness beforeC;
        Completeness afterC;
        if (n.path("afterCompleteness").isTextual() && n.path("beforeCompleteness").isTextual()) {
            try {
                beforeC = Completeness.valueOf(n.get("beforeCompleteness").asText());
                afterC = Completeness.valueOf(n.get("afterCompleteness").asText());
            } catch (IllegalArgumentException e) {
                return java.util.Optional.empty();
            }
        } else if (n.path("afterComplete").isBoolean()) {
            // Quarantined before images were told apart by Arcion's image formats: a boolean for the after image.
            afterC = n.get("afterComplete").asBoolean() ? Completeness.COMPLETE : Completeness.PARTIAL;
            beforeC = Completeness.PARTIAL;
        } else {
            return java.util.Optional.empty();
        }
        Op op;
        try {
            op = Op.valueOf(n.get("op").asText());
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
        if (!isRenderedRow(n.get("before")) || !isRenderedRow(n.get("after"))) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new ChangeEvent(n.get("table").isNull() ? null : n.get("table").asText(), op,
                renderedRow(n.get("before")), renderedRow(n.get("after")), beforeC, afterC,
                n.path("sourceTimeMillis").asLong(-1), n.hasNonNull("position") ? n.get("position").asText() : null,
                n.hasNonNull("messageKey") ? n.get("messageKey") : null, origin));
    }

    private static boolean isRenderedRow(JsonNode n) {
        return n.isNull() || n.isObject();
    }

    private static Row renderedRow(JsonNode n) {
        if (n.isNull()) {
            return null;
        }
        Row.Builder b = new Row.Builder();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode v = f.getValue();
            b.put(f.getKey(), v.isNull() ? null : v.isTextual() ? v.asText() : v);
        }
        return b.build();
    }

    private static JsonNode rowJson(Row row) {
        if (row == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < row.size(); i++) {
            Object v = row.value(i);
            o.set(row.name(i), v == null ? JsonNodeFactory.instance.nullNode()
                    : v instanceof String s ? JsonNodeFactory.instance.textNode(s) : (JsonNode) v);
        }
        return o;
    }

    /**
     * A change that cannot be mapped; the message is the quarantine reason, {@link #summary} the same without row
     * data (for logs).
     */
    private static final class Unmappable extends Exception {
        private static final long serialVersionUID = 1L;

        final String summary;

        /** A reason that names only tables and columns. */
        Unmappable(String message) {
            this(message, message);
        }

        Unmappable(String summary, String detail) {
            super(detail, null, false, false);
            this.summary = summary;
        }
    }

    /** An update that changes nothing. */
    private static final class NoChange extends Exception {
        private static final long serialVersionUID = 1L;

        NoChange() {
            super(null, null, false, false);
        }
    }
}
