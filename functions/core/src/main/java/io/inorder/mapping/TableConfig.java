package io.inorder.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The table configuration file ({@code tables.json}): the workspace and, per source table, its collection, key and
 * options. Immutable; validated completely when loaded, so a mistake stops the cold start with a message that names
 * the source, the table and the field.
 *
 * <pre>{@code
 * {"workspace": "commons",
 *  "unknownTables": "quarantine",
 *  "tables": {"shop.orders": {"collection": "orders", "primaryKey": ["id"]},
 *             "shop.order_items": {"collection": "order_items", "primaryKey": ["order_id", "line_no"]}}}
 * }</pre>
 */
public final class TableConfig {

    /** What happens to records of tables the file does not name. */
    public enum UnknownTables {
        /** Quarantined with a reason naming the table (the default: a typo in the file loses nothing). */
        QUARANTINE,
        /** Counted and skipped. */
        IGNORE
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_FIELDS = Set.of("workspace", "unknownTables", "tables");
    private static final Set<String> TABLE_FIELDS = Set.of("collection", "primaryKey", "idFormat", "eventTime",
            "types", "csvColumns", "topics", "prefixes");

    private final String workspace;
    private final UnknownTables unknownTables;
    private final Map<String, TableMapping> tables;

    public TableConfig(String workspace, UnknownTables unknownTables, Collection<TableMapping> tables) {
        this.workspace = requireName(workspace, "workspace", "the config");
        this.unknownTables = unknownTables;
        Map<String, TableMapping> byName = new LinkedHashMap<>();
        for (TableMapping t : tables) {
            if (byName.put(t.table(), t) != null) {
                throw new TableConfigException("table '" + t.table() + "' is configured twice");
            }
        }
        this.tables = Map.copyOf(byName);
    }

    /** Reads and validates a config file. */
    public static TableConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new TableConfigException(file + ": no such file; pass the table config with --config FILE");
        } catch (IOException e) {
            throw new TableConfigException(file + ": cannot read the table config: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses and validates config text; {@code source} names it in messages (a file, a variable, a parameter). */
    public static TableConfig parse(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new TableConfigException(source + ": not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new TableConfigException(source + ": expected a JSON object with \"workspace\" and \"tables\"");
        }
        unknownFields(root, TOP_FIELDS, source);
        String workspace = text(root, "workspace", source, null);
        if (workspace == null) {
            throw new TableConfigException(source + ": \"workspace\" is required (the Rockset workspace name)");
        }
        UnknownTables unknown = UnknownTables.QUARANTINE;
        String u = text(root, "unknownTables", source, null);
        if (u != null) {
            try {
                unknown = UnknownTables.valueOf(u.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TableConfigException(source + ": \"unknownTables\" must be \"quarantine\" or \"ignore\", not '"
                        + u + "'");
            }
        }
        JsonNode tablesNode = root.get("tables");
        if (tablesNode == null || !tablesNode.isObject() || tablesNode.isEmpty()) {
            throw new TableConfigException(source + ": \"tables\" must be a non-empty object: "
                    + "{\"<catalog.schema.table>\": {\"collection\": ..., \"primaryKey\": [...]}}");
        }
        List<TableMapping> tables = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tablesNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tables.add(table(e.getKey(), e.getValue(), source));
        }
        try {
            return new TableConfig(workspace, unknown, tables);
        } catch (TableConfigException e) {
            throw new TableConfigException(source + ": " + e.getMessage());
        }
    }

    private static TableMapping table(String name, JsonNode node, String source) {
        String where = source + ": table '" + name + "'";
        if (name.isBlank()) {
            throw new TableConfigException(source + ": a table name is empty");
        }
        if (!node.isObject()) {
            throw new TableConfigException(where + ": expected an object with \"collection\" and \"primaryKey\"");
        }
        unknownFields(node, TABLE_FIELDS, where);
        String collection = requireName(text(node, "collection", where, null), "collection", where);
        List<String> key = strings(node, "primaryKey", where);
        if (!node.has("primaryKey")) {
            throw new TableConfigException(where + ": \"primaryKey\" is required: the key column(s), e.g. [\"id\"]; "
                    + "use [] only for JSON CDC topics whose message key carries the key");
        }
        if (Set.copyOf(key).size() != key.size()) {
            throw new TableConfigException(where + ": \"primaryKey\" names a column twice: " + key);
        }
        IdFormat idFormat = IdFormat.TEXT;
        String f = text(node, "idFormat", where, null);
        if (f != null) {
            try {
                idFormat = IdFormat.valueOf(f.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TableConfigException(where + ": \"idFormat\" must be \"text\" or \"sha256\", not '" + f + "'");
            }
        }
        boolean eventTime = true;
        JsonNode et = node.get("eventTime");
        if (et != null) {
            if (!et.isBoolean()) {
                throw new TableConfigException(where + ": \"eventTime\" must be true or false");
            }
            eventTime = et.booleanValue();
        }
        Map<String, ColumnType> types = new LinkedHashMap<>();
        JsonNode t = node.get("types");
        if (t != null) {
            if (!t.isObject()) {
                throw new TableConfigException(where + ": \"types\" must be an object {\"column\": \"number\", ...}");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                try {
                    types.put(e.getKey(), ColumnType.parse(e.getValue().asText()));
                } catch (IllegalArgumentException ex) {
                    throw new TableConfigException(where + ": \"types\"." + e.getKey() + ": " + ex.getMessage());
                }
            }
        }
        return new TableMapping(name, collection, key, idFormat, eventTime, types,
                strings(node, "csvColumns", where), strings(node, "topics", where), strings(node, "prefixes", where));
    }

    private static void unknownFields(JsonNode node, Set<String> known, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                throw new TableConfigException(where + ": unknown field \"" + field + "\" (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(JsonNode node, String field, String where, String dflt) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new TableConfigException(where + ": \"" + field + "\" must be a string");
        }
        return v.textValue();
    }

    private static List<String> strings(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new TableConfigException(where + ": \"" + field + "\" must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual() || item.textValue().isEmpty()) {
                throw new TableConfigException(where + ": \"" + field + "\" must hold non-empty strings only");
            }
            out.add(item.textValue());
        }
        return out;
    }

    private static String requireName(String name, String field, String where) {
        if (name == null || name.isEmpty()) {
            throw new TableConfigException(where + ": \"" + field + "\" is required");
        }
        // Rockset allows only alphanumerics, '-' and '_' in workspace and collection names (rockset-write-api.md §1).
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new TableConfigException(where + ": \"" + field + "\" '" + name
                    + "' may hold only letters, digits, '-' and '_' (Rockset's naming rule)");
        }
        return name;
    }

    public String workspace() {
        return workspace;
    }

    public UnknownTables unknownTables() {
        return unknownTables;
    }

    public Collection<TableMapping> tables() {
        return tables.values();
    }

    /**
     * The mapping of a source table: by exact name, else by a case-insensitive match when exactly one table matches
     * (some sources report upper-case names).
     */
    public Optional<TableMapping> table(String name) {
        TableMapping exact = tables.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        TableMapping found = null;
        for (TableMapping t : tables.values()) {
            if (t.table().equalsIgnoreCase(name)) {
                if (found != null) {
                    return Optional.empty();
                }
                found = t;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The table whose {@code prefixes} contain the longest prefix of an S3 key, if any. */
    public Optional<TableMapping> tableForKey(String key) {
        TableMapping best = null;
        int bestLength = -1;
        for (TableMapping t : tables.values()) {
            for (String p : t.prefixes()) {
                if (key.startsWith(p) && p.length() > bestLength) {
                    best = t;
                    bestLength = p.length();
                }
            }
        }
        return Optional.ofNullable(best);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TableConfig c && c.workspace.equals(workspace) && c.unknownTables == unknownTables
                && c.tables.equals(tables);
    }

    @Override
    public int hashCode() {
        return workspace.hashCode() * 31 + tables.hashCode();
    }

    @Override
    public String toString() {
        return "TableConfig[workspace=" + workspace + ", tables=" + tables.keySet() + "]";
    }
}
